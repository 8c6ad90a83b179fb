import type { Queue } from 'bullmq';
import type { Redis, RedisOptions } from 'ioredis';
import { describeError } from '../common/errors';
import { loadCliPeer, parseRedisUrl, withoutPassword } from './redis-connection';

/**
 * What `doctor` reads in the app's Redis, from outside the app: whether it answers, its eviction
 * policy, the queue's job counts and the dead letters of the queue and of the idempotency store.
 * It only reads: no key is written, not even the queue's metadata.
 */
export interface RedisCheckSettings {
  url: string;
  /** Where the URL came from, for messages: `--redis-url` or `$REDIS_URL`. */
  source: string;
  queueName: string;
  /** Whether the queue name was given (a default queue that is not there is no finding). */
  queueNameGiven: boolean;
  queuePrefix: string;
  keyPrefix: string;
  timeoutMs: number;
  maxWaitingJobs?: number;
  maxDeadLetters?: number;
}

export interface RedisFinding {
  kind: 'unreachable' | 'eviction-policy' | 'eviction-policy-unknown' | 'queue-not-found' | 'waiting-jobs' | 'dead-letters';
  severity: 'error' | 'warning';
  message: string;
}

export interface RedisReport {
  /** The URL with its user name and password shown as `***`. */
  url: string;
  reachable: boolean;
  error?: string;
  /** Undefined when the host refuses both CONFIG and INFO. */
  maxmemoryPolicy?: string;
  queue?: {
    name: string;
    prefix: string;
    found: boolean;
    jobs: { waiting: number; active: number; delayed: number; failed: number; completed: number };
  };
  store?: { keyPrefix: string; deadLetters: number };
  findings: RedisFinding[];
}

interface Peers {
  Redis: new (url: string, options: RedisOptions) => Redis;
  Queue: typeof Queue;
}

/** Loads ioredis and bullmq (optional peers), or says what to install: before any connection is made. */
export async function loadRedisPeers(source: string): Promise<Peers> {
  const neededFor = `doctor, to check Redis (${source}),`;
  const { Redis } = await loadCliPeer<{ Redis: Peers['Redis'] }>('ioredis', neededFor);
  const { Queue } = await loadCliPeer<{ Queue: Peers['Queue'] }>('bullmq', neededFor, 'bullmq ioredis');
  return { Redis, Queue };
}

export async function checkRedis(settings: RedisCheckSettings, peers: Peers): Promise<RedisReport> {
  const target = parseRedisUrl(settings.url, settings.source);
  const shownUrl = target.shown;
  /** Driver messages, with no URL credentials and never the password. */
  const safe = (text: string): string => withoutPassword(text, target);
  const report: RedisReport = { url: shownUrl, reachable: false, findings: [] };
  let lastError: Error | undefined;
  const client = new peers.Redis(settings.url, {
    lazyConnect: true,
    // Some hosts refuse INFO, which ioredis's ready check sends: the PING below is the check.
    enableReadyCheck: false,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: settings.timeoutMs,
    commandTimeout: settings.timeoutMs,
  });
  client.on('error', (error: Error) => (lastError = error));
  try {
    try {
      await client.connect();
      await client.ping();
    } catch (error) {
      // ioredis rejects with "Connection is closed."; the reason came as an 'error' event.
      report.error = safe(describeRedisFailure(lastError ?? (error as Error)));
      report.findings.push({ kind: 'unreachable', severity: 'error', message: `Redis at ${shownUrl} ${report.error}.` });
      return report;
    }
    report.reachable = true;
    report.maxmemoryPolicy = await readEvictionPolicy(client);
    if (report.maxmemoryPolicy === undefined) {
      report.findings.push({
        kind: 'eviction-policy-unknown',
        severity: 'warning',
        message: 'Could not read maxmemory-policy (the host refuses CONFIG and INFO): make sure it is noeviction.',
      });
    } else if (report.maxmemoryPolicy !== 'noeviction') {
      report.findings.push({
        kind: 'eviction-policy',
        severity: 'warning',
        message:
          `Redis maxmemory-policy is ${report.maxmemoryPolicy}: under memory pressure Redis may evict queued events and ` +
          "idempotency records. Set it to noeviction (CONFIG SET maxmemory-policy noeviction, or your host's setting).",
      });
    }
    try {
      report.queue = await readQueue(client, peers, settings);
      report.store = { keyPrefix: settings.keyPrefix, deadLetters: await countStoreDeadLetters(client, settings.keyPrefix) };
    } catch (error) {
      report.reachable = false;
      report.error = safe(describeRedisFailure(error as Error));
      report.findings.push({ kind: 'unreachable', severity: 'error', message: `Redis at ${shownUrl} ${report.error}.` });
      return report;
    }
    report.findings.push(...thresholdFindings(report, settings));
    return report;
  } finally {
    client.disconnect();
  }
}

/** "cannot be reached: connect ECONNREFUSED ...", "refused the password: WRONGPASS ...". */
function describeRedisFailure(error: Error): string {
  const message = describeError(error);
  if (/^(WRONGPASS|NOAUTH)\b/.test(message)) {
    return `refused the connection: ${message} Check the user name and password in the URL`;
  }
  if (/timed? ?out/i.test(message)) return `did not answer in time: ${message}`;
  return `cannot be reached: ${message}`;
}

async function readEvictionPolicy(client: Redis): Promise<string | undefined> {
  try {
    const reply: unknown = await client.config('GET', 'maxmemory-policy');
    if (Array.isArray(reply) && reply.length >= 2) return String(reply[1]);
  } catch {
    // Hosted Redis often refuses CONFIG; INFO may still tell.
  }
  try {
    return /^maxmemory_policy:(\S+)/m.exec(await client.info('memory'))?.[1];
  } catch {
    return undefined;
  }
}

async function readQueue(client: Redis, peers: Peers, settings: RedisCheckSettings): Promise<NonNullable<RedisReport['queue']>> {
  const { queueName: name, queuePrefix: prefix } = settings;
  const found = (await client.exists(`${prefix}:${name}:meta`, `${prefix}:${name}:id`)) > 0;
  // A Queue writes its metadata when created unless told not to; the version check would send INFO.
  const queue = new peers.Queue(name, { connection: client, prefix, skipMetasUpdate: true, skipVersionCheck: true });
  queue.on('error', () => undefined);
  try {
    const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed');
    return {
      name,
      prefix,
      found,
      jobs: {
        waiting: counts.waiting ?? 0,
        active: counts.active ?? 0,
        delayed: counts.delayed ?? 0,
        failed: counts.failed ?? 0,
        completed: counts.completed ?? 0,
      },
    };
  } finally {
    await queue.close().catch(() => undefined);
  }
}

/**
 * The dead letters `RedisIdempotencyStore` keeps (without a queue, with the `deadLetters` option):
 * the members of its index `<keyPrefix>:dead-letters` whose `<keyPrefix>:{<key>}:dead-letter` has
 * not expired.
 */
async function countStoreDeadLetters(client: Redis, keyPrefix: string): Promise<number> {
  const keys = await client.zrange(`${keyPrefix}:dead-letters`, 0, -1);
  if (keys.length === 0) return 0;
  const pipeline = client.pipeline();
  for (const key of keys) pipeline.exists(`${keyPrefix}:{${key}}:dead-letter`);
  const replies = (await pipeline.exec()) ?? [];
  return replies.filter(([error, exists]) => {
    if (error) throw error;
    return Number(exists) === 1;
  }).length;
}

function thresholdFindings(report: RedisReport, settings: RedisCheckSettings): RedisFinding[] {
  const findings: RedisFinding[] = [];
  const { queue, store } = report;
  const { maxWaitingJobs, maxDeadLetters } = settings;
  const queueLabel = queue ? `queue ${queue.name} (prefix ${queue.prefix})` : '';
  if (queue && !queue.found && settings.queueNameGiven) {
    findings.push({
      kind: 'queue-not-found',
      severity: 'warning',
      message: `No ${queueLabel} in this Redis: check --queue and --queue-prefix (an app in queue mode creates it when it starts).`,
    });
  }
  if (queue && maxWaitingJobs !== undefined && queue.jobs.waiting > maxWaitingJobs) {
    findings.push({
      kind: 'waiting-jobs',
      severity: 'error',
      message: `${queue.jobs.waiting} jobs wait in ${queueLabel}, over --max-waiting-jobs ${maxWaitingJobs}: are its workers running?`,
    });
  }
  const deadLetterSources = [
    ...(queue ? [{ where: queueLabel, count: queue.jobs.failed }] : []),
    ...(store ? [{ where: `the store (key prefix ${store.keyPrefix})`, count: store.deadLetters }] : []),
  ];
  for (const { where, count } of deadLetterSources) {
    if (count === 0) continue;
    const over = maxDeadLetters !== undefined && count > maxDeadLetters;
    if (!over && maxDeadLetters !== undefined) continue;
    findings.push({
      kind: 'dead-letters',
      severity: over ? 'error' : 'warning',
      message:
        `${count} dead letter${count === 1 ? '' : 's'} in ${where}${over ? `, over --max-dead-letters ${maxDeadLetters}` : ''}: ` +
        "events whose handlers failed every attempt. 'complycube-webhooks dead-letters --help' shows how to see and retry them.",
    });
  }
  return findings;
}
