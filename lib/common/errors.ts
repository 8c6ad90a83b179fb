/** Thrown at application start when the module or its handlers are set up wrongly. */
export class ComplyCubeWebhookConfigurationError extends Error {
  override readonly name = 'ComplyCubeWebhookConfigurationError';
}

/**
 * Passed to `onHandlerError` for each handler still unsettled when its delivery was abandoned
 * (`idempotency.abandonAfterMs`): the handler neither returned nor threw in that time.
 */
export class ComplyCubeHandlerAbandonedError extends Error {
  override readonly name = 'ComplyCubeHandlerAbandonedError';

  constructor(
    readonly eventId: string,
    readonly eventType: string,
    readonly handlerKey: string,
    readonly abandonAfterMs: number,
  ) {
    super(
      `Handler ${handlerKey} did not settle within ${abandonAfterMs} ms for ComplyCube event ${eventId} (${eventType}); ` +
        'the delivery was abandoned and the next one runs the handler again.',
    );
  }
}

/** The message of anything thrown, for a log line. */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
