import type { Job, Queue } from 'bullmq';
import { ComplyCubeDeadLetterWithEvent, ComplyCubeFailedAttempt, parseStoredDeadLetter } from '../dead-letters/dead-letter';
import { ComplyCubeEventJobData, deadLetterOfJob, EVENT_JOB_ID_PREFIX } from '../dead-letters/event-job';
import { isJsonObject } from '../common/json-object';
import { RedisIdempotencyStore } from '../index';
import { CliUsageError } from './cli-command';
import { CliRedisClient, loadCliPeer } from './redis-connection';

/** Where a dead letter is kept: BullMQ's failed set (queue mode), or the idempotency store (the `deadLetters` option). */
export type DeadLetterSource = 'queue' | 'store';

/** Where to look in Redis: the names the app was configured with. */
export interface DeadLetterLocation {
  /** The queue's name (`queue.name`). */
  queueName: string;
  /** BullMQ's key prefix (`queue.prefix`); undefined for BullMQ's own. */
  queuePrefix?: string;
  /** The idempotency store's `keyPrefix`. */
  keyPrefix: string;
}

/** A dead letter with its event, and for a failed job the reason BullMQ recorded last. */
export interface FoundDeadLetter extends ComplyCubeDeadLetterWithEvent {
  failedReason?: string;
}

export interface DeadLetterFilter {
  sources: ReadonlySet<DeadLetterSource>;
  /** A registration's name, or an unnamed registration's path. */
  registration?: string;
}

/** The source of a dead letter's id: job ids start with `complycube/`; a store key is `<scope>:<event id>`, its scope URI-encoded. */
export function sourceOfId(id: string): DeadLetterSource {
  return id.startsWith(EVENT_JOB_ID_PREFIX) ? 'queue' : 'store';
}

/** Whether a dead letter belongs to the registration named (or, when it has no name, to the one at that path). */
export function belongsTo(letter: { registration?: string; scope: string }, registration: string): boolean {
  if (letter.registration !== undefined) return letter.registration === registration;
  return letter.scope === registration.replace(/^\/+/, '');
}

const PAGE_SIZE = 500;

type BullMq = { Queue: typeof import('bullmq').Queue };

/**
 * The dead letters of one Redis, read and changed as the app's `ComplyCubeDeadLetters` does, but
 * without the app: BullMQ's failed jobs of the queue whose ids are the package's, and the dead
 * letters in the idempotency store. bullmq is loaded only when the queue is read.
 */
export class RedisDeadLetters {
  private readonly store: RedisIdempotencyStore;
  private queue?: Queue;
  private queueOpening?: Promise<Queue | undefined>;

  constructor(
    private readonly client: CliRedisClient,
    private readonly location: DeadLetterLocation,
    /** Told when a queue that was not asked for explicitly is skipped, bullmq not being installed. */
    private readonly note: (text: string) => void,
  ) {
    this.store = new RedisIdempotencyStore({ client, keyPrefix: location.keyPrefix });
  }

  /** Every dead letter of the sources and registration, oldest first. */
  async list(filter: DeadLetterFilter, optionalQueue: boolean): Promise<FoundDeadLetter[]> {
    const found: FoundDeadLetter[] = [];
    if (filter.sources.has('queue')) {
      const queue = await this.openQueue(optionalQueue);
      if (queue) found.push(...(await this.failedJobs(queue)));
    }
    if (filter.sources.has('store')) found.push(...(await this.storeDeadLetters()));
    return found
      .filter((letter) => filter.registration === undefined || belongsTo(letter, filter.registration))
      .sort((a, b) => a.deadLetteredAt.localeCompare(b.deadLetteredAt));
  }

  /** One dead letter, or undefined when there is none with this id. */
  async get(id: string): Promise<FoundDeadLetter | undefined> {
    if (sourceOfId(id) === 'queue') {
      const job = await this.failedJob(id);
      return job && letterOfJob(job);
    }
    const text = await this.store.getDeadLetter(id);
    return text === undefined ? undefined : readStoredDeadLetter(text);
  }

  /**
   * Runs a dead-lettered job again, with a fresh set of attempts: the failed job itself, since
   * BullMQ would silently ignore a new job with its id. False when there is no such failed job.
   */
  async retryJob(id: string): Promise<boolean> {
    const job = await this.failedJob(id);
    if (!job) return false;
    await job.retry('failed', { resetAttemptsMade: true });
    return true;
  }

  /** Deletes a dead letter for good; false when there was none. */
  async purge(id: string): Promise<boolean> {
    if (sourceOfId(id) === 'store') return this.store.deleteDeadLetter(id);
    const job = await this.failedJob(id);
    if (!job) return false;
    await job.remove();
    return true;
  }

  /** Deletes a dead letter kept in the store, once its event has been delivered again. */
  deleteStored(id: string): Promise<boolean> {
    return this.store.deleteDeadLetter(id);
  }

  /** Closes the queue (the connection is the caller's). */
  async close(): Promise<void> {
    const queue = this.queue ?? (await this.queueOpening?.catch(() => undefined));
    await queue?.close().catch(() => undefined);
  }

  /**
   * The store's dead letters. One whose event has been handled since (a later delivery succeeded)
   * is deleted on the way, as the app's `ComplyCubeDeadLetters` does.
   */
  private async storeDeadLetters(): Promise<FoundDeadLetter[]> {
    const letters: FoundDeadLetter[] = [];
    for (const { key, deadLetter } of await this.store.listDeadLetters()) {
      const letter = readStoredDeadLetter(deadLetter);
      if (!letter) continue;
      if (await this.store.isCompleted(key)) await this.store.deleteDeadLetter(key);
      else letters.push(letter);
    }
    return letters;
  }

  private async failedJobs(queue: Queue): Promise<FoundDeadLetter[]> {
    const letters: FoundDeadLetter[] = [];
    const total = await queue.getFailedCount();
    for (let start = 0; start < total; start += PAGE_SIZE) {
      for (const job of (await queue.getFailed(start, start + PAGE_SIZE - 1)) as Array<Job | undefined>) {
        if (isEventJob(job)) letters.push(letterOfJob(job));
      }
    }
    return letters;
  }

  private async failedJob(id: string): Promise<Job<ComplyCubeEventJobData> | undefined> {
    const queue = await this.openQueue(false);
    const job = (await queue!.getJob(id)) as Job | undefined;
    return isEventJob(job) && (await job.getState()) === 'failed' ? job : undefined;
  }

  /** The queue, opened once; undefined when it is optional and bullmq is not installed. */
  private openQueue(optional: boolean): Promise<Queue | undefined> {
    this.queueOpening ??= (async () => {
      const bull = await loadCliPeer<BullMq>('bullmq', "reading the queue's dead letters");
      const queue = new bull.Queue(this.location.queueName, { connection: this.client, prefix: this.location.queuePrefix });
      // Connection errors surface as the failed commands; the queue's own event would go unheard.
      queue.on('error', () => undefined);
      this.queue = queue;
      return queue;
    })();
    return this.queueOpening.catch((error: unknown) => {
      if (optional && error instanceof CliUsageError) {
        this.note(`note: ${error.message.replace(/\.$/, '')}; showing only the dead letters kept in the idempotency store.`);
        return undefined;
      }
      throw error;
    });
  }
}

function isEventJob(job: Job | undefined): job is Job<ComplyCubeEventJobData> {
  if (!job?.id?.startsWith(EVENT_JOB_ID_PREFIX)) return false;
  const data: unknown = job.data;
  if (!isJsonObject(data) || !isJsonObject(data.registration) || !isJsonObject(data.event)) return false;
  return typeof data.registration.scope === 'string' && typeof data.event.id === 'string' && typeof data.event.type === 'string';
}

function letterOfJob(job: Job<ComplyCubeEventJobData>): FoundDeadLetter {
  return { ...deadLetterOfJob(job), event: job.data.event, failedReason: job.failedReason || undefined };
}

/**
 * A dead letter from the store, as printed: a field that another version of the package left out,
 * or wrote in another shape, gets a neutral value rather than failing the whole command.
 */
function readStoredDeadLetter(text: string): FoundDeadLetter | undefined {
  const letter = parseStoredDeadLetter(text);
  if (!letter) return undefined;
  const failures: unknown = letter.failures;
  return {
    ...letter,
    source: 'store',
    scope: String(letter.scope ?? ''),
    eventType: String(letter.eventType ?? ''),
    attempts: Number(letter.attempts) || 0,
    failures: Array.isArray(failures)
      ? failures.filter((failure: unknown): failure is ComplyCubeFailedAttempt => isJsonObject(failure) && Array.isArray(failure.handlers))
      : [],
    deadLetteredAt: String(letter.deadLetteredAt ?? ''),
  };
}
