import { HttpStatus, Logger } from '@nestjs/common';
import { DeliveryOutcome, DeliveryRunner } from '../delivery/delivery.runner';
import { ComplyCubeWebhookMetrics } from '../delivery/webhook.metrics';
import { ComplyCubeEvent } from '../events/event.interface';
import { ComplyCubeDeadLetter } from '../dead-letters/dead-letter';
import { HandlerFailure } from '../dispatch/dispatch-run';
import { describeError } from '../common/errors';
import { DEADLINE_PASSED, Deadlines } from './deadline';
import { StoreDeadLetters } from './store-dead-letters';
import type { DeliveryObserver, Watch } from '../delivery/delivery.observer';

type ErrorStatus = HttpStatus.CONFLICT | HttpStatus.INTERNAL_SERVER_ERROR | HttpStatus.SERVICE_UNAVAILABLE;

/** What the endpoint answers for one verified event: a status that drives ComplyCube's retries. */
export type ComplyCubeWebhookReceipt =
  /**
   * Without a queue: every matching handler has succeeded for this event id (now, or before when
   * `duplicate`). In queue mode: the event is stored as a job (`queued`), was handled before
   * (`duplicate`), or is a dead letter waiting for an operator (`deadLettered`).
   */
  | { status: HttpStatus.OK; body: { received: true; duplicate?: true; queued?: true; deadLettered?: true } }
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

/** What answers for a verified event: the receiver without a queue, or the queue receiver. */
export interface EventReceiver {
  /** `rawBody`: the bytes as received, kept with a dead letter. */
  receive(event: ComplyCubeEvent<string>, rawBody?: Buffer): Promise<ComplyCubeWebhookReceipt>;
}

/** Dead letters without a queue, as the receiver uses them. */
export interface ReceiverDeadLetters {
  store: StoreDeadLetters;
  report(deadLetter: ComplyCubeDeadLetter): void;
}

/**
 * The HTTP side of one endpoint's deliveries: runs a verified event through the delivery protocol,
 * answers by `handlerTimeoutMs` at the latest, and says which status each outcome is. It never
 * acknowledges an event whose handlers have not all succeeded. The controller turns the receipt
 * into a response; `ComplyCubeWebhookEndpoints.deliver` (and so the testing kit) returns it as is.
 */
export class ComplyCubeWebhookReceiver implements EventReceiver {
  private readonly logger = new Logger('ComplyCubeWebhooks');
  private readonly deadlines: Deadlines;

  constructor(
    private readonly runner: DeliveryRunner,
    private readonly handlerTimeoutMs: number,
    private readonly metrics: ComplyCubeWebhookMetrics,
    private readonly deadLetters?: ReceiverDeadLetters,
    private readonly observer?: DeliveryObserver,
  ) {
    this.deadlines = new Deadlines(handlerTimeoutMs);
  }

  receive(event: ComplyCubeEvent<string>, rawBody?: Buffer): Promise<ComplyCubeWebhookReceipt> {
    const watch = this.observer?.delivery(event, 'http');
    return watch ? watch.run(() => this.deliver(event, rawBody, watch)) : this.deliver(event, rawBody);
  }

  /** The answer; a watched delivery is ended with its outcome as spans and duration metrics name it (`timeout` at the deadline). */
  private async deliver(event: ComplyCubeEvent<string>, rawBody: Buffer | undefined, watch?: Watch): Promise<ComplyCubeWebhookReceipt> {
    const { id, type } = event;
    const waiting = { aborted: false };
    const result = await this.deadlines.race(this.runner.run(event, { signal: waiting }));
    if (result === DEADLINE_PASSED) {
      waiting.aborted = true;
      this.metrics.count('timeouts');
      this.logger.warn(
        `Handlers for ComplyCube event ${id} (${type}) still running after ${this.handlerTimeoutMs} ms: ` +
          'answered 503; they go on and their outcome is recorded for the retry.',
      );
      return ended(watch, await this.failedDelivery(event, 'timeout', [], rawBody, failure(HttpStatus.SERVICE_UNAVAILABLE)));
    }
    const receipt = this.answer(result.outcome);
    if (result.outcome === 'failed' || result.outcome === 'in-flight') {
      return ended(watch, await this.failedDelivery(event, result.outcome, result.failures, rawBody, receipt));
    }
    watch?.end(result.outcome);
    return receipt;
  }

  /**
   * With dead letters on, counts a delivery that failed because of the event's handlers; at the
   * configured count the event becomes a dead letter and the answer a 200, so that ComplyCube stops
   * resending it (and never disables the webhook over it). Otherwise the failure's own answer.
   */
  private async failedDelivery(
    event: ComplyCubeEvent<string>,
    outcome: string,
    failures: readonly HandlerFailure[],
    rawBody: Buffer | undefined,
    receipt: ComplyCubeWebhookReceipt,
  ): Promise<{ receipt: ComplyCubeWebhookReceipt; outcome: string }> {
    if (!this.deadLetters) return { receipt, outcome };
    let deadLetter: ComplyCubeDeadLetter | undefined;
    try {
      deadLetter = await this.deadLetters.store.failedDelivery(event, outcome, failures, rawBody);
    } catch (error) {
      this.metrics.count('storeErrors');
      this.logger.error(`Could not count the failed delivery of ComplyCube event ${event.id}: ${describeError(error)}`);
      return { receipt, outcome };
    }
    if (!deadLetter) return { receipt, outcome };
    this.deadLetters.report(deadLetter);
    return { receipt: { status: HttpStatus.OK, body: { received: true, deadLettered: true } }, outcome: 'dead-lettered' };
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

/** Ends a watched delivery with its outcome, and gives its answer. */
function ended(
  watch: Watch | undefined,
  { receipt, outcome }: { receipt: ComplyCubeWebhookReceipt; outcome: string },
): ComplyCubeWebhookReceipt {
  watch?.end(outcome);
  return receipt;
}

export function failure(status: ErrorStatus): ComplyCubeWebhookReceipt {
  return { status, body: { statusCode: status, message: ERROR_MESSAGES[status] } };
}
