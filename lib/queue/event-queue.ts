import type { Job, KeepJobs, Queue } from 'bullmq';
import { recordKey } from '../delivery/delivery.runner';
import type { ComplyCubeIdempotencyStore } from '../delivery/idempotency-store.interface';
import type { ComplyCubeEvent } from '../events/event.interface';
import { ComplyCubeEventJobData, eventJobId } from '../dead-letters/event-job';
import type { QueueSettings } from './queue-options';

/**
 * What storing an event found:
 * - `queued`: a new job holds it;
 * - `already-queued`: a job of this event is waiting, delayed or running (a redelivery);
 * - `duplicate`: the event was handled (its job completed, or its records say so after the job went);
 * - `dead-lettered`: its job exhausted its attempts and waits for an operator, who retries it with
 *   `ComplyCubeDeadLetters` (re-adding its id would be silently ignored by BullMQ).
 */
export type EnqueueOutcome = 'queued' | 'already-queued' | 'duplicate' | 'dead-lettered';

/** The registration an event belongs to, as a job records it. */
export interface JobRegistration {
  name?: string;
  scope: string;
}

/**
 * The endpoint's side of queue mode: stores each verified event as one BullMQ job, whose id is
 * derived from the registration and the event id, and tells what it found. It answers only once
 * Redis has the job; the caller bounds the wait.
 */
export class EventQueue {
  constructor(
    readonly queue: Queue,
    private readonly settings: QueueSettings,
    private readonly store?: ComplyCubeIdempotencyStore,
  ) {}

  /** `trace`: the producer span's context, carried in the job for the worker's span to link to. */
  async enqueue(registration: JobRegistration, event: ComplyCubeEvent<string>, trace?: Record<string, string>): Promise<EnqueueOutcome> {
    const jobId = eventJobId(registration.scope, event.id);
    // BullMQ ignores an add whose id it holds in any state, and says nothing: look first.
    const [existing, completed] = await Promise.all([
      this.queue.getJob(jobId) as Promise<Job | undefined>,
      this.store?.isCompleted ? this.store.isCompleted(recordKey(registration.scope, event.id)) : Promise.resolve(false),
    ]);
    if (existing) {
      const state = await existing.getState();
      if (state === 'completed') return 'duplicate';
      if (state === 'failed') return 'dead-lettered';
      if (state !== 'unknown') return 'already-queued';
    }
    if (completed) return 'duplicate';
    const data: ComplyCubeEventJobData = { registration, event, receivedAt: new Date().toISOString() };
    if (trace && Object.keys(trace).length > 0) data.trace = trace;
    await this.queue.add(event.type, data, {
      jobId,
      attempts: this.settings.attempts,
      backoff: { type: 'custom' },
      removeOnComplete: this.settings.removeOnComplete as KeepJobs,
      removeOnFail: this.settings.removeOnFail as KeepJobs,
    });
    return 'queued';
  }
}
