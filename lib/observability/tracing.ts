/** Who a span is about: the event (id and type only, never its payload) and the registration. */
export interface TracedEvent {
  id: string;
  type: string;
}

/** An operation under way in a span: run work inside it (spans made meanwhile become its children), then end it. */
export interface TracedOperation {
  run<T>(work: () => T): T;
  end(outcome: string, error?: unknown): void;
}

/** The producer's span in queue mode, whose context travels in the job. */
export interface TracedPublish extends TracedOperation {
  /** The span's context as W3C trace-context headers, for the job's data. */
  carrier(): Record<string, string>;
}

/**
 * Spans of the package: one per delivery (the `process` of an event, over HTTP or in a worker), one
 * per handler under it, and in queue mode one per job added (`publish`). `NO_TRACING` does nothing.
 */
export interface Tracing {
  readonly enabled: boolean;
  delivery(
    event: TracedEvent,
    registration: string,
    options?: { destination?: string; linkedTo?: Record<string, string> },
  ): TracedOperation;
  publish(event: TracedEvent, registration: string, destination: string): TracedPublish;
  handler(handlerKey: string, event: TracedEvent, registration: string): TracedOperation;
}

const NO_OPERATION: TracedPublish = {
  run: (work) => work(),
  end: () => undefined,
  carrier: () => ({}),
};

export const NO_TRACING: Tracing = {
  enabled: false,
  delivery: () => NO_OPERATION,
  publish: () => NO_OPERATION,
  handler: () => NO_OPERATION,
};
