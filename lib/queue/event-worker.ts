import { Logger } from '@nestjs/common';
import type { ConnectionOptions, Job, Worker } from 'bullmq';
import { describeError } from '../common/errors';
import type { DeliveryObserver } from '../delivery/delivery.observer';
import type { DeliveryResult, DeliveryRunner } from '../delivery/delivery.runner';
import type { ComplyCubeWebhookMetrics } from '../delivery/webhook.metrics';
import { withFailedAttempt } from '../dead-letters/dead-letter';
import { ComplyCubeEventJobData } from '../dead-letters/event-job';
import { backoffDelay, QueueSettings } from './queue-options';

/** The part of the `bullmq` module the worker uses, loaded only in queue mode. */
export interface BullMqModule {
  Queue: typeof import('bullmq').Queue;
  Worker: typeof import('bullmq').Worker;
  DelayedError: typeof import('bullmq').DelayedError;
  UnrecoverableError: typeof import('bullmq').UnrecoverableError;
}

/** What runs the jobs of one registration: its delivery protocol, and what watches its deliveries. */
export interface JobTarget {
  runner: DeliveryRunner;
  observer?: DeliveryObserver;
}

/** A job that exhausted its attempts, as the worker reports it. */
export interface DeadLetteredJob {
  job: Job<ComplyCubeEventJobData>;
  error: Error;
}

/** How long a job whose event another delivery holds waits before it looks again; not an attempt. */
const IN_FLIGHT_RETRY_MS = 5_000;

/**
 * The worker's side of queue mode: a BullMQ worker that runs each job's event through the delivery
 * protocol of the registration it belongs to, the same protocol (and idempotency records) as
 * without a queue. A job whose handlers fail is retried with capped exponential backoff; a retry
 * runs only the handlers that have not succeeded; after its last attempt it stays in BullMQ's
 * failed set, a dead letter.
 */
export class EventWorker {
  private readonly logger = new Logger('ComplyCubeWebhooks');
  private worker?: Worker<ComplyCubeEventJobData>;

  constructor(
    private readonly bull: BullMqModule,
    private readonly settings: QueueSettings,
    private readonly connection: ConnectionOptions,
    private readonly targetFor: (scope: string) => JobTarget | undefined,
    private readonly metrics: ComplyCubeWebhookMetrics,
    private readonly onDeadLetter: (deadLetter: DeadLetteredJob) => void,
  ) {}

  start(queueName: string, prefix: string | undefined): void {
    const { Worker } = this.bull;
    const worker = new Worker<ComplyCubeEventJobData>(queueName, (job, token) => this.process(job, token), {
      connection: this.connection,
      prefix,
      concurrency: this.settings.concurrency,
      limiter: this.settings.limiter,
      autorun: false,
      settings: { backoffStrategy: (attemptsMade: number) => backoffDelay(attemptsMade, this.settings.backoff) },
    });
    worker.on('failed', (job, error) => {
      if (job && this.isFinal(job, error)) this.onDeadLetter({ job, error });
    });
    worker.on('error', (error) => this.logger.error(`ComplyCube queue worker: ${describeError(error)}`));
    this.worker = worker;
    void worker.run().catch((error: unknown) => this.logger.error(`ComplyCube queue worker stopped: ${describeError(error)}`));
  }

  /** Stops taking jobs and lets the active ones finish, up to `shutdownTimeoutMs`; then stops them. */
  async close(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.worker = undefined;
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), this.settings.shutdownTimeoutMs)));
    const closed = await Promise.race([worker.close().then(() => 'closed' as const), bound]);
    clearTimeout(timer);
    if (closed === 'timeout') {
      this.logger.warn(
        `ComplyCube queue worker: active jobs still running after ${this.settings.shutdownTimeoutMs} ms; stopping them (they run again elsewhere).`,
      );
      await worker.close(true);
    }
  }

  private async process(job: Job<ComplyCubeEventJobData>, token: string | undefined): Promise<{ outcome: string }> {
    const { registration, event, trace } = job.data;
    const target = this.targetFor(registration.scope);
    if (!target) {
      throw new this.bull.UnrecoverableError(
        `No ComplyCubeWebhookModule registration with the scope '${registration.scope}' in this worker: it must register the same modules as the endpoint.`,
      );
    }
    const watch = target.observer?.delivery(event, 'worker', { destination: job.queueName, linkedTo: trace });
    const result = watch ? await watch.run(() => target.runner.run(event)) : await target.runner.run(event);
    watch?.end(result.outcome);
    switch (result.outcome) {
      case 'handled':
        this.metrics.count('handled');
        return { outcome: result.outcome };
      case 'duplicate':
        this.metrics.count('duplicates');
        return { outcome: result.outcome };
      case 'in-flight':
        // Another delivery holds the event (a worker that stalled but still runs, or one killed before its claim
        // expired): look again later, without spending an attempt.
        this.metrics.count('inFlightConflicts');
        await job.moveToDelayed(Date.now() + IN_FLIGHT_RETRY_MS, token);
        throw new this.bull.DelayedError();
      default:
        await this.recordFailure(job, result);
        throw new Error(describeFailure(result));
    }
  }

  private async recordFailure(job: Job<ComplyCubeEventJobData>, result: DeliveryResult): Promise<void> {
    this.metrics.count('jobFailures');
    const failures = withFailedAttempt(job.data.failures, job.attemptsMade + 1, result.outcome, result.failures);
    try {
      await job.updateData({ ...job.data, failures });
    } catch (error) {
      this.logger.warn(`Could not record the failures of job ${job.id ?? '?'}: ${describeError(error)}`);
    }
  }

  private isFinal(job: Job<ComplyCubeEventJobData>, error: Error): boolean {
    return isFinalFailure(job, error);
  }
}

/**
 * Whether a failure leaves the job failed for good (a dead letter): its last attempt, an unrecoverable
 * error (BullMQ 6 fails a job that stalled more than `maxStalledCount` times with one), or that
 * stall failure as BullMQ 5 reports it, a plain error, whatever attempts are left.
 */
export function isFinalFailure(job: { attemptsMade: number; opts: { attempts?: number } }, error: Error): boolean {
  if (error.name === 'DelayedError') return false;
  if (error.name === 'UnrecoverableError' || error.message === 'job stalled more than allowable limit') return true;
  return job.attemptsMade >= (job.opts.attempts ?? 1);
}

/** The job's failed reason, as BullMQ and its dashboards show it. */
function describeFailure(result: DeliveryResult): string {
  if (result.failures.length === 0) return `Delivery ended ${result.outcome}`;
  const handlers = result.failures.map(({ handlerKey }) => handlerKey).join(', ');
  return `Delivery ended ${result.outcome}: ${handlers}`;
}
