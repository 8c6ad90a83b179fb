import { HttpStatus, Logger } from '@nestjs/common';
import { describeError } from '../common/errors';
import type { DeliveryObserver } from '../delivery/delivery.observer';
import type { ComplyCubeWebhookMetrics } from '../delivery/webhook.metrics';
import type { ComplyCubeEvent } from '../events/event.interface';
import type { EnqueueOutcome, EventQueue, JobRegistration } from '../queue/event-queue';
import { beforeDeadline, DEADLINE_PASSED } from './deadline';
import { ComplyCubeWebhookReceipt, EventReceiver, failure } from './receiver';

/**
 * The HTTP side of queue mode: stores a verified event as a job and answers 2xx only once Redis
 * holds it; past `enqueueTimeoutMs`, or when Redis fails, it answers 503 and acknowledges nothing,
 * so ComplyCube delivers the event again.
 */
export class QueueReceiver implements EventReceiver {
  private readonly logger = new Logger('ComplyCubeWebhooks');

  constructor(
    private readonly queue: EventQueue,
    private readonly registration: JobRegistration,
    private readonly enqueueTimeoutMs: number,
    private readonly metrics: ComplyCubeWebhookMetrics,
    private readonly observer?: DeliveryObserver,
  ) {}

  async receive(event: ComplyCubeEvent<string>): Promise<ComplyCubeWebhookReceipt> {
    const watch = this.observer?.enqueue(event, this.queue.queue.name);
    const enqueue = (): Promise<EnqueueOutcome> => this.queue.enqueue(this.registration, event, watch?.carrier());
    let outcome;
    try {
      outcome = await beforeDeadline(watch ? watch.run(enqueue) : enqueue(), this.enqueueTimeoutMs);
    } catch (error) {
      watch?.end('queue-error', error);
      this.metrics.count('queueErrors');
      this.logger.error(`Could not store ComplyCube event ${event.id} (${event.type}) as a job: ${describeError(error)}; answered 503.`);
      return failure(HttpStatus.SERVICE_UNAVAILABLE);
    }
    watch?.end(outcome === DEADLINE_PASSED ? 'queue-error' : outcome);
    return this.answer(event, outcome);
  }

  private answer(event: ComplyCubeEvent<string>, outcome: EnqueueOutcome | typeof DEADLINE_PASSED): ComplyCubeWebhookReceipt {
    const { id, type } = event;
    switch (outcome) {
      case DEADLINE_PASSED:
        this.metrics.count('queueErrors');
        this.logger.error(`Redis did not store ComplyCube event ${id} (${type}) within ${this.enqueueTimeoutMs} ms; answered 503.`);
        return failure(HttpStatus.SERVICE_UNAVAILABLE);
      case 'queued':
        this.metrics.count('queued');
        return { status: HttpStatus.OK, body: { received: true, queued: true } };
      case 'already-queued':
        this.metrics.count('duplicates');
        return { status: HttpStatus.OK, body: { received: true, queued: true, duplicate: true } };
      case 'duplicate':
        this.metrics.count('duplicates');
        return { status: HttpStatus.OK, body: { received: true, duplicate: true } };
      case 'dead-lettered':
        this.logger.warn(
          `ComplyCube delivered event ${id} (${type}) again, but it is a dead letter: answered 200 without running it. ` +
            'Retry it with ComplyCubeDeadLetters or `npx complycube-webhooks dead-letters retry`.',
        );
        return { status: HttpStatus.OK, body: { received: true, deadLettered: true } };
    }
  }
}
