import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { ComplyCubeDeadLetter, ComplyCubeDeadLetterWithEvent, summaryOf } from '../dead-letters/dead-letter';
import { DeliveryOutcome } from '../delivery/delivery.runner';
import { ComplyCubeEventJobData, deadLetterOfJob, EVENT_JOB_ID_PREFIX } from '../dead-letters/event-job';
import { ComplyCubeEndpoint } from './endpoint';
import { ComplyCubeEndpointRegistry } from './endpoint.registry';

export interface ComplyCubeDeadLetterQuery {
  /** Only the dead letters of the registration with this `name`. */
  registration?: string;
  /** At most this many from each queue (queue mode). Default 1 000. */
  limit?: number;
}

/**
 * What a retry did: `queued` (queue mode: the job runs again, with a fresh set of attempts), or,
 * without a queue, how running the event's remaining handlers now ended (`handled` removes the dead
 * letter; `failed` keeps it).
 */
export interface ComplyCubeDeadLetterRetry {
  id: string;
  outcome: 'queued' | DeliveryOutcome;
}

const DEFAULT_LIMIT = 1_000;

/**
 * The app's dead letters, in both modes: BullMQ's failed jobs of the endpoints in queue mode, and
 * without a queue the events the `deadLetters` option set aside in the idempotency store. A retry
 * runs only the handlers that never succeeded for the event (its idempotency records say which).
 */
@Injectable()
export class ComplyCubeDeadLetters {
  /** @internal Made by Nest: inject it. */
  constructor(private readonly registry: ComplyCubeEndpointRegistry) {}

  /** Every dead letter, oldest first; without the events (personal data): `get` has them. */
  async list(query: ComplyCubeDeadLetterQuery = {}): Promise<ComplyCubeDeadLetter[]> {
    const endpoints = this.endpointsFor(query.registration);
    const scopes = new Set(endpoints.map((endpoint) => endpoint.scope));
    const found: ComplyCubeDeadLetter[] = [];
    // Registrations may share one BullMQ queue (the default name), each through its own Queue object:
    // a job id names one event of one registration, so a job seen through another is the same dead letter.
    const seenJobIds = new Set<string>();
    for (const queue of new Set(endpoints.flatMap((endpoint) => (endpoint.queue ? [endpoint.queue.eventQueue.queue] : [])))) {
      const jobs = (await queue.getFailed(0, (query.limit ?? DEFAULT_LIMIT) - 1)) as Array<Job<ComplyCubeEventJobData>>;
      for (const job of jobs) {
        if (!job?.id?.startsWith(EVENT_JOB_ID_PREFIX) || !scopes.has(job.data.registration.scope) || seenJobIds.has(job.id)) continue;
        seenJobIds.add(job.id);
        found.push(deadLetterOfJob(job));
      }
    }
    for (const endpoint of endpoints) {
      for (const letter of (await endpoint.storeDeadLetters?.list()) ?? []) found.push(summaryOf(letter));
    }
    return found.sort((a, b) => a.deadLetteredAt.localeCompare(b.deadLetteredAt));
  }

  /** One dead letter with its event, or undefined when there is none with this id. */
  async get(id: string): Promise<ComplyCubeDeadLetterWithEvent | undefined> {
    const source = this.sourceOf(id);
    if (source.kind === 'queue') {
      const job = await this.failedJob(source.endpoint, id);
      return job && { ...deadLetterOfJob(job), event: job.data.event };
    }
    return source.endpoint?.storeDeadLetters?.get(id);
  }

  /** Runs a dead letter's event again (its handlers that never succeeded); throws for an unknown id. */
  async retry(id: string): Promise<ComplyCubeDeadLetterRetry> {
    const source = this.sourceOf(id);
    if (source.kind === 'queue') {
      const job = await this.failedJob(source.endpoint, id);
      if (!job) throw new Error(`No dead letter ${JSON.stringify(id)}: no failed job with this id.`);
      // A job added again under a failed job's id would be ignored by BullMQ: the failed job itself runs again.
      await job.retry('failed', { resetAttemptsMade: true });
      return { id, outcome: 'queued' };
    }
    const endpoint = source.endpoint;
    const letter = await endpoint?.storeDeadLetters?.get(id);
    if (!endpoint || !letter) throw new Error(`No dead letter ${JSON.stringify(id)}.`);
    const { outcome } = await endpoint.runner.run(structuredClone(letter.event));
    if (outcome === 'handled' || outcome === 'duplicate') await endpoint.storeDeadLetters?.delete(id);
    return { id, outcome };
  }

  /** Retries every dead letter (of one registration, if given), one after the other. */
  async retryAll(query: ComplyCubeDeadLetterQuery = {}): Promise<ComplyCubeDeadLetterRetry[]> {
    const retried: ComplyCubeDeadLetterRetry[] = [];
    for (const { id } of await this.list(query)) retried.push(await this.retry(id));
    return retried;
  }

  /** Deletes one dead letter for good; false when there was none. */
  async purge(id: string): Promise<boolean> {
    const source = this.sourceOf(id);
    if (source.kind === 'queue') {
      const job = await this.failedJob(source.endpoint, id);
      if (!job) return false;
      await job.remove();
      return true;
    }
    return (await source.endpoint?.storeDeadLetters?.delete(id)) ?? false;
  }

  /** Deletes every dead letter (of one registration, if given); returns how many. */
  async purgeAll(query: ComplyCubeDeadLetterQuery = {}): Promise<number> {
    let purged = 0;
    for (const { id } of await this.list(query)) if (await this.purge(id)) purged += 1;
    return purged;
  }

  private endpointsFor(registration: string | undefined): readonly ComplyCubeEndpoint[] {
    if (registration === undefined) return this.registry.all;
    return [this.registry.select(registration, 'ComplyCubeDeadLetters', (name) => `{ registration: '${name}' }`)];
  }

  /** Where a dead letter id points: a job id (`complycube/<scope>/<event id>`) or a record key (`<scope>:<event id>`). */
  private sourceOf(id: string): { kind: 'queue' | 'store'; endpoint?: ComplyCubeEndpoint } {
    if (typeof id !== 'string' || id === '') throw new TypeError('A dead letter id must be a non-empty string.');
    if (id.startsWith(EVENT_JOB_ID_PREFIX)) {
      const scope = decodeSegment(id.slice(EVENT_JOB_ID_PREFIX.length).split('/')[0]);
      return { kind: 'queue', endpoint: scope === undefined ? undefined : this.registry.byScope(scope) };
    }
    const colon = id.indexOf(':');
    const scope = colon > 0 ? decodeSegment(id.slice(0, colon)) : undefined;
    return { kind: 'store', endpoint: scope === undefined ? undefined : this.registry.byScope(scope) };
  }

  private async failedJob(endpoint: ComplyCubeEndpoint | undefined, id: string): Promise<Job<ComplyCubeEventJobData> | undefined> {
    const queue = endpoint?.queue?.eventQueue.queue;
    if (!queue) return undefined;
    const job = (await queue.getJob(id)) as Job<ComplyCubeEventJobData> | undefined;
    return job && (await job.getState()) === 'failed' ? job : undefined;
  }
}

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
