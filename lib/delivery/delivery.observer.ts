import type { TracedEvent, TracedOperation, TracedPublish, Tracing } from '../observability/tracing';
import type { ComplyCubeWebhookMetrics } from './webhook.metrics';

/** A delivery or handler being watched: work runs inside its span; ending it records its duration. */
export interface Watch {
  run<T>(work: () => T): T;
  end(outcome: string, error?: unknown): void;
}

/**
 * What watches one registration's deliveries: its spans (when tracing is on) and the durations the
 * metrics exporters subscribed to. When neither is on, it hands out nothing and costs nothing.
 */
export class DeliveryObserver {
  constructor(
    private readonly tracing: Tracing,
    private readonly metrics: ComplyCubeWebhookMetrics,
    /** The registration's name, else its scope. */
    readonly registration: string,
  ) {}

  /** A delivery over HTTP, or one job attempt in a worker (linked to the span that added the job). */
  delivery(
    event: TracedEvent,
    mode: 'http' | 'worker',
    options: { destination?: string; linkedTo?: Record<string, string> } = {},
  ): Watch | undefined {
    const timed = this.metrics.observed;
    if (!this.tracing.enabled && !timed) return undefined;
    const span = this.tracing.delivery(event, this.registration, options);
    const started = performance.now();
    return {
      run: (work) => span.run(work),
      end: (outcome, error) => {
        span.end(outcome, error);
        if (timed)
          this.metrics.deliveryEnded({ registration: this.registration, mode, outcome, seconds: (performance.now() - started) / 1000 });
      },
    };
  }

  /** One handler's run within a delivery. */
  handler(handlerKey: string, event: TracedEvent): Watch | undefined {
    const timed = this.metrics.observed;
    if (!this.tracing.enabled && !timed) return undefined;
    const span: TracedOperation = this.tracing.handler(handlerKey, event, this.registration);
    const started = performance.now();
    return {
      run: (work) => span.run(work),
      end: (outcome, error) => {
        span.end(outcome, error);
        if (timed) {
          const settled = outcome === 'failed' ? 'failed' : 'succeeded';
          this.metrics.handlerSettled({
            handlerKey,
            registration: this.registration,
            outcome: settled,
            seconds: (performance.now() - started) / 1000,
          });
        }
      },
    };
  }

  /**
   * Queue mode, over HTTP: adding the event's job (a `publish` span, whose context the job carries,
   * and the delivery's duration). Undefined when nothing watches.
   */
  enqueue(event: TracedEvent, destination: string): (Watch & { carrier(): Record<string, string> }) | undefined {
    const timed = this.metrics.observed;
    if (!this.tracing.enabled && !timed) return undefined;
    const span: TracedPublish = this.tracing.publish(event, this.registration, destination);
    const started = performance.now();
    return {
      run: (work) => span.run(work),
      carrier: () => span.carrier(),
      end: (outcome, error) => {
        span.end(outcome, error);
        if (timed)
          this.metrics.deliveryEnded({
            registration: this.registration,
            mode: 'http',
            outcome,
            seconds: (performance.now() - started) / 1000,
          });
      },
    };
  }
}
