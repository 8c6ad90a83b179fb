import type { ComplyCubeDeadLetter, ComplyCubeFailedAttempt } from './dead-letter';
import type { ComplyCubeEvent } from '../events/event.interface';

/** What one job holds: the event as received, for the registration that received it. */
export interface ComplyCubeEventJobData {
  /** The registration whose handlers and records the event belongs to. */
  registration: { name?: string; scope: string };
  /** The event as verified, parsed from the body ComplyCube signed. */
  event: ComplyCubeEvent<string>;
  /** When the endpoint stored it (ISO 8601). */
  receivedAt: string;
  /** The failed attempts so far, the latest last (the last five are kept). */
  failures?: ComplyCubeFailedAttempt[];
  /** The trace context of the span that added the job (W3C trace-context headers), when tracing is on. */
  trace?: Record<string, string>;
}

/** The prefix of every job id the package adds, which tells its dead letters from the store's. */
export const EVENT_JOB_ID_PREFIX = 'complycube/';

/**
 * The job id of an event at a registration. BullMQ ignores a second job with an id it already
 * holds, which makes redeliveries one job; it refuses ids with `:` and ids that are integers, so
 * both parts are URI-encoded (no `:` left, `/` always separates them) behind a fixed prefix.
 */
export function eventJobId(scope: string, eventId: string): string {
  return `${EVENT_JOB_ID_PREFIX}${encodeURIComponent(scope)}/${encodeURIComponent(eventId)}`;
}

/** What a job says of itself as a dead letter (or of a failed attempt so far). */
export function deadLetterOfJob(job: {
  id?: string;
  data: ComplyCubeEventJobData;
  attemptsMade: number;
  finishedOn?: number;
}): ComplyCubeDeadLetter {
  const { registration, event, receivedAt, failures } = job.data;
  return {
    id: job.id ?? eventJobId(registration.scope, event.id),
    source: 'queue',
    registration: registration.name,
    scope: registration.scope,
    eventId: event.id,
    eventType: event.type,
    attempts: job.attemptsMade,
    failures: failures ?? [],
    receivedAt,
    deadLetteredAt: new Date(job.finishedOn ?? Date.now()).toISOString(),
  };
}
