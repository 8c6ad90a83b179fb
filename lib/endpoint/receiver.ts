import { HttpStatus, Logger } from '@nestjs/common';
import { DeliveryOutcome, DeliveryRunner } from '../delivery/delivery.runner';
import { ComplyCubeWebhookMetrics } from '../delivery/webhook.metrics';
import { ComplyCubeEvent } from '../events/event.interface';
import { beforeDeadline, DEADLINE_PASSED } from './deadline';

type ErrorStatus = HttpStatus.CONFLICT | HttpStatus.INTERNAL_SERVER_ERROR | HttpStatus.SERVICE_UNAVAILABLE;

/** What the endpoint answers for one verified event: a status that drives ComplyCube's retries. */
export type ComplyCubeWebhookReceipt =
  /** Every matching handler has succeeded for this event id (now, or before when `duplicate`). */
  | { status: HttpStatus.OK; body: { received: true; duplicate?: true } }
  /**
   * 409: another delivery of this id is being handled; 500: a handler failed; 503: the deadline
   * passed or the idempotency store failed. ComplyCube retries all three.
   */
  | { status: ErrorStatus; body: { statusCode: ErrorStatus; message: string } };

const ERROR_MESSAGES: Record<ErrorStatus, string> = {
  [HttpStatus.CONFLICT]: 'This event is being handled by another delivery; retry later.',
  [HttpStatus.INTERNAL_SERVER_ERROR]: 'Internal Server Error',
  [HttpStatus.SERVICE_UNAVAILABLE]: 'Service Unavailable',
};

/**
 * The HTTP side of one endpoint's deliveries: runs a verified event through the delivery protocol,
 * answers by `handlerTimeoutMs` at the latest, and says which status each outcome is. It never
 * acknowledges an event whose handlers have not all succeeded. The controller turns the receipt
 * into a response; `ComplyCubeWebhookEndpoints.deliver` (and so the testing kit) returns it as is.
 */
export class ComplyCubeWebhookReceiver {
  private readonly logger = new Logger('ComplyCubeWebhooks');

  constructor(
    private readonly runner: DeliveryRunner,
    private readonly handlerTimeoutMs: number,
    private readonly metrics: ComplyCubeWebhookMetrics,
  ) {}

  async receive(event: ComplyCubeEvent<string>): Promise<ComplyCubeWebhookReceipt> {
    const { id, type } = event;
    const stopWaiting = new AbortController();
    const outcome = await beforeDeadline(this.runner.run(event, { signal: stopWaiting.signal }), this.handlerTimeoutMs);
    if (outcome === DEADLINE_PASSED) {
      stopWaiting.abort();
      this.metrics.count('timeouts');
      this.logger.warn(
        `Handlers for ComplyCube event ${id} (${type}) still running after ${this.handlerTimeoutMs} ms: ` +
          'answered 503; they go on and their outcome is recorded for the retry.',
      );
      return failure(HttpStatus.SERVICE_UNAVAILABLE);
    }
    return this.answer(outcome);
  }

  private answer(outcome: DeliveryOutcome): ComplyCubeWebhookReceipt {
    switch (outcome) {
      case 'handled':
        this.metrics.count('handled');
        return { status: HttpStatus.OK, body: { received: true } };
      case 'duplicate':
        this.metrics.count('duplicates');
        return { status: HttpStatus.OK, body: { received: true, duplicate: true } };
      case 'in-flight':
        this.metrics.count('inFlightConflicts');
        return failure(HttpStatus.CONFLICT);
      case 'failed':
        // The body stays generic: handler errors are logged, never sent.
        return failure(HttpStatus.INTERNAL_SERVER_ERROR);
      case 'store-error':
      case 'abandoned':
      case 'not-started':
        return failure(HttpStatus.SERVICE_UNAVAILABLE);
    }
  }
}

function failure(status: ErrorStatus): ComplyCubeWebhookReceipt {
  return { status, body: { statusCode: status, message: ERROR_MESSAGES[status] } };
}
