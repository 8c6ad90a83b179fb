import { describeOption, failOption, MAX_TIMER_MS, positiveMs } from '../delivery/delivery-settings';

/**
 * The part of a BullMQ `Queue` queue mode reads. Typed here rather than imported, so that an app
 * that never installs bullmq still compiles against the package's types.
 */
export interface ComplyCubeBullQueue {
  readonly name: string;
  readonly opts: { readonly connection?: unknown; readonly prefix?: string };
}

/** Which finished jobs BullMQ keeps: at most `count`, none older than `age` seconds. */
export interface ComplyCubeKeptJobs {
  age?: number;
  count?: number;
}

/** What one app does with the queue: take deliveries in, run their handlers, or both. */
export type ComplyCubeQueueRole = 'both' | 'endpoint' | 'worker';

/** Options of queue mode: verify, store the event as a BullMQ job, acknowledge, then run the handlers in a worker. */
export interface ComplyCubeQueueOptions {
  /**
   * The Redis connection BullMQ uses: an ioredis client (reused as it is for adding jobs; the
   * worker duplicates it, as BullMQ needs its own blocking connections) or ioredis options.
   * Give this or `queue`.
   */
  connection?: object;
  /** An existing BullMQ `Queue` (for instance one registered with `@nestjs/bullmq`); its name and connection are used. */
  queue?: ComplyCubeBullQueue;
  /** The queue's name. Default `complycube-events`. Ignored when `queue` is given. */
  name?: string;
  /** BullMQ's key prefix. Default BullMQ's own (`bull`). Ignored when `queue` is given. */
  prefix?: string;
  /**
   * `both` (default): this app takes deliveries in and runs them; `endpoint`: it only stores them
   * (its handlers never run here); `worker`: it only runs them (typically an application context
   * with no HTTP server). Several endpoints and workers can share one Redis.
   */
  role?: ComplyCubeQueueRole;
  /**
   * How long the endpoint waits for Redis to store a job before answering 503 (nothing
   * acknowledged; ComplyCube retries). Default 5 000; must be below 15 000.
   */
  enqueueTimeoutMs?: number;
  /** How many times a job runs before it becomes a dead letter. Default 20, well beyond ComplyCube's 11 deliveries. */
  attempts?: number;
  /**
   * The wait before each new attempt: exponential from `delayMs` (default 5 000), doubling each time,
   * capped at `maxDelayMs` (default 3 600 000, an hour), each delay shortened by a random share up
   * to `jitter` (default 0.5) so that retries of many jobs spread out. With the defaults the 19
   * retries span at most 10 h 25 min (about 7 h 50 min on average).
   */
  backoff?: { delayMs?: number; maxDelayMs?: number; jitter?: number };
  /** Jobs one worker runs at once. Default 10. */
  concurrency?: number;
  /** BullMQ's rate limiter for the worker: at most `max` jobs per `duration` ms (e.g. the rate of an API the handlers call). */
  limiter?: { max: number; duration: number };
  /** Completed jobs kept, by age in seconds and by count. Default `{ age: 86400, count: 10000 }`. */
  removeOnComplete?: ComplyCubeKeptJobs;
  /** Dead letters (failed jobs) kept, by age in seconds and by count. Default `{ age: 2592000 }` (30 days). */
  removeOnFail?: ComplyCubeKeptJobs;
  /** At shutdown, how long active jobs may run on before the worker stops them. Default 10 000. */
  shutdownTimeoutMs?: number;
}

export const DEFAULT_QUEUE_NAME = 'complycube-events';

/** Queue options checked, with their defaults. */
export interface QueueSettings {
  connection?: object;
  queue?: ComplyCubeBullQueue;
  name: string;
  prefix?: string;
  role: ComplyCubeQueueRole;
  enqueueTimeoutMs: number;
  attempts: number;
  backoff: { delayMs: number; maxDelayMs: number; jitter: number };
  concurrency: number;
  limiter?: { max: number; duration: number };
  removeOnComplete: ComplyCubeKeptJobs;
  removeOnFail: ComplyCubeKeptJobs;
  shutdownTimeoutMs: number;
}

const QUEUE_KEYS = new Set([
  'connection',
  'queue',
  'name',
  'prefix',
  'role',
  'enqueueTimeoutMs',
  'attempts',
  'backoff',
  'concurrency',
  'limiter',
  'removeOnComplete',
  'removeOnFail',
  'shutdownTimeoutMs',
]);
const ROLES: readonly ComplyCubeQueueRole[] = ['both', 'endpoint', 'worker'];
/** ComplyCube waits 15 s for an answer; storing the job must leave time to send it. */
const MAX_ENQUEUE_TIMEOUT_MS = 15_000;

/** Checks the queue options at start-up; throws a configuration error that says what to change. */
export function resolveQueueSettings(option: unknown): QueueSettings {
  if (typeof option !== 'object' || option === null || Array.isArray(option)) {
    failOption(`queue must be an object such as { connection, name } (got ${describeOption(option)}).`);
  }
  const given = option as ComplyCubeQueueOptions;
  for (const key of Object.keys(given)) {
    if (!QUEUE_KEYS.has(key)) failOption(`queue.${key} is not an option (known: ${[...QUEUE_KEYS].join(', ')}).`);
  }
  if ((given.connection === undefined) === (given.queue === undefined)) {
    failOption('queue needs exactly one of connection (an ioredis client or options) and queue (an existing BullMQ Queue).');
  }
  if (given.queue !== undefined && typeof (given.queue as { add?: unknown }).add !== 'function') {
    failOption('queue.queue must be a BullMQ Queue.');
  }
  const name = given.queue?.name ?? given.name ?? DEFAULT_QUEUE_NAME;
  if (typeof name !== 'string' || name.trim() === '' || name.includes(':')) {
    failOption(`queue.name must be a non-empty string without ':' (got ${describeOption(name)}).`);
  }
  const role = given.role ?? 'both';
  if (!ROLES.includes(role)) failOption(`queue.role must be one of ${ROLES.join(', ')} (got ${describeOption(role)}).`);
  const enqueueTimeoutMs = positiveMs('queue.enqueueTimeoutMs', given.enqueueTimeoutMs, 5_000);
  if (enqueueTimeoutMs >= MAX_ENQUEUE_TIMEOUT_MS) {
    failOption(
      `queue.enqueueTimeoutMs must be below ${MAX_ENQUEUE_TIMEOUT_MS} (got ${enqueueTimeoutMs}): ComplyCube retries any delivery not answered within 15 seconds.`,
    );
  }
  const backoff = resolveBackoffShape(given.backoff);
  const jitter = backoff.jitter ?? 0.5;
  if (typeof jitter !== 'number' || !(jitter >= 0 && jitter <= 1))
    failOption(`queue.backoff.jitter must be a number from 0 to 1 (got ${describeOption(jitter)}).`);
  const delayMs = positiveMs('queue.backoff.delayMs', backoff.delayMs, 5_000, MAX_TIMER_MS);
  const maxDelayMs = positiveMs('queue.backoff.maxDelayMs', backoff.maxDelayMs, 3_600_000, MAX_TIMER_MS);
  if (maxDelayMs < delayMs) failOption(`queue.backoff.maxDelayMs (${maxDelayMs}) must not be below queue.backoff.delayMs (${delayMs}).`);
  const limiter = given.limiter;
  if (limiter !== undefined && (!positiveInteger(limiter?.max) || !positiveInteger(limiter?.duration))) {
    failOption('queue.limiter must be { max, duration } with positive integers (at most max jobs per duration ms).');
  }
  return {
    connection: given.connection,
    queue: given.queue,
    name,
    prefix: given.prefix,
    role,
    enqueueTimeoutMs,
    attempts: count('queue.attempts', given.attempts, 20),
    backoff: { delayMs, maxDelayMs, jitter },
    concurrency: count('queue.concurrency', given.concurrency, 10),
    limiter,
    removeOnComplete: retention('queue.removeOnComplete', given.removeOnComplete, { age: 86_400, count: 10_000 }),
    removeOnFail: retention('queue.removeOnFail', given.removeOnFail, { age: 2_592_000 }),
    shutdownTimeoutMs: positiveMs('queue.shutdownTimeoutMs', given.shutdownTimeoutMs, 10_000, MAX_TIMER_MS),
  };
}

const BACKOFF_KEYS = ['delayMs', 'maxDelayMs', 'jitter'];

/** BullMQ's own `backoff` (a number, or `{ type, delay }`) would otherwise be ignored silently, leaving the defaults. */
function resolveBackoffShape(value: unknown): NonNullable<ComplyCubeQueueOptions['backoff']> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    failOption(`queue.backoff must be { delayMs?, maxDelayMs?, jitter? } (got ${describeOption(value)}).`);
  }
  const unknown = Object.keys(value).filter((key) => !BACKOFF_KEYS.includes(key));
  if (unknown.length > 0) {
    failOption(
      `queue.backoff.${unknown[0]} is not an option (known: ${BACKOFF_KEYS.join(', ')}): the worker's backoff is exponential, ` +
        'from delayMs, capped at maxDelayMs.',
    );
  }
  return value;
}

function positiveInteger(value: unknown): boolean {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

function count(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (!positiveInteger(value)) failOption(`${name} must be a positive integer (got ${describeOption(value)}).`);
  return value as number;
}

function retention(name: string, value: unknown, fallback: ComplyCubeKeptJobs): ComplyCubeKeptJobs {
  if (value === undefined) return fallback;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    failOption(`${name} must be { age, count } (seconds, jobs) (got ${describeOption(value)}).`);
  }
  const { age, count: kept, ...rest } = value as { age?: unknown; count?: unknown };
  if (Object.keys(rest).length > 0 || (age === undefined && kept === undefined))
    failOption(`${name} must be { age?, count? } with at least one of them.`);
  if (age !== undefined && !positiveInteger(age))
    failOption(`${name}.age must be a positive number of seconds (got ${describeOption(age)}).`);
  if (kept !== undefined && !positiveInteger(kept)) failOption(`${name}.count must be a positive integer (got ${describeOption(kept)}).`);
  return age === undefined ? { count: kept as number } : { age: age as number, count: kept as number | undefined };
}

/**
 * The delay before attempt `attemptsMade + 1`: exponential, capped, with jitter. The job ids and
 * delays are BullMQ's; this is the `custom` backoff strategy the worker registers.
 */
export function backoffDelay(attemptsMade: number, backoff: QueueSettings['backoff'], random: () => number = Math.random): number {
  const exponential = Math.min(backoff.maxDelayMs, backoff.delayMs * 2 ** Math.max(0, attemptsMade - 1));
  return Math.round(exponential * (1 - backoff.jitter * random()));
}
