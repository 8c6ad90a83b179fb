import { Logger } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { describeError } from '../common/errors';
import { loadOptionalPeer } from '../common/optional-peer';
import type { ComplyCubeIdempotencyStore } from '../delivery/idempotency-store.interface';
import type { ComplyCubeWebhookMetrics } from '../delivery/webhook.metrics';
import { EventQueue } from './event-queue';
import { BullMqModule, DeadLetteredJob, EventWorker, JobTarget } from './event-worker';
import type { QueueSettings } from './queue-options';

/** The part of an ioredis client (Redis or Cluster) queue mode uses. */
interface RedisClientLike {
  duplicate(options?: Record<string, unknown>): RedisClientLike;
  config(...args: string[]): Promise<unknown>;
  info(section: string): Promise<string>;
  quit(): Promise<unknown>;
  disconnect(): void;
  status: string;
}

function isRedisClient(value: unknown): value is RedisClientLike {
  return typeof (value as Partial<RedisClientLike> | undefined)?.duplicate === 'function';
}

export interface QueueModeHooks {
  /** What runs the jobs of the registration a job belongs to (its runner and observer), by its scope. */
  targetFor: (scope: string) => JobTarget | undefined;
  onDeadLetter: (deadLetter: DeadLetteredJob) => void;
}

/**
 * The BullMQ side of one registration in queue mode: the producer queue the endpoint adds jobs to
 * and, unless the app is endpoint-only, the worker that runs them. It reuses the connection the app
 * gives for adding jobs; the worker gets a duplicate of it (BullMQ's workers need connections of
 * their own, that wait without a retry limit). Connections it creates, it closes.
 */
export class QueueMode {
  private readonly logger = new Logger('ComplyCubeWebhooks');
  private worker?: EventWorker;

  private constructor(
    readonly settings: QueueSettings,
    readonly eventQueue: EventQueue,
    private readonly bull: BullMqModule,
    private readonly client: RedisClientLike,
    private readonly ownedQueue: Queue | undefined,
    private readonly owned: RedisClientLike[],
  ) {}

  /** Loads bullmq (and ioredis when given options rather than a client) and sets the producer up. */
  static async create(settings: QueueSettings, store: ComplyCubeIdempotencyStore | undefined): Promise<QueueMode> {
    const bull = await loadOptionalPeer<BullMqModule>('bullmq', 'ComplyCubeWebhookModule queue mode', 'bullmq ioredis');
    const owned: RedisClientLike[] = [];
    const given = settings.queue?.opts.connection ?? settings.connection;
    let client: RedisClientLike;
    if (isRedisClient(given)) {
      client = given;
    } else {
      const { Redis } = await loadOptionalPeer<{ Redis: new (options: unknown) => RedisClientLike }>(
        'ioredis',
        'ComplyCubeWebhookModule queue mode',
      );
      // Adding a job fails at once while Redis is away, instead of waiting in ioredis's offline queue.
      client = new Redis({ ...(given as object), maxRetriesPerRequest: 1, enableOfflineQueue: false });
      owned.push(client);
    }
    const ownedQueue = settings.queue ? undefined : new bull.Queue(settings.name, { connection: client, prefix: settings.prefix });
    // Checked to be a BullMQ Queue with the options (it has `add`); typed loosely in the public options.
    const queue = (settings.queue as Queue | undefined) ?? ownedQueue!;
    queue.on('error', (error: Error) => new Logger('ComplyCubeWebhooks').warn(`ComplyCube queue: ${describeError(error)}`));
    return new QueueMode(settings, new EventQueue(queue, settings, store), bull, client, ownedQueue, owned);
  }

  /** Starts the worker (unless the role is `endpoint`); call once every handler is subscribed. */
  startWorker(metrics: ComplyCubeWebhookMetrics, hooks: QueueModeHooks): void {
    if (this.settings.role === 'endpoint' || this.worker) return;
    const connection = this.client.duplicate({ maxRetriesPerRequest: null, enableOfflineQueue: true });
    this.owned.push(connection);
    const queue = this.eventQueue.queue;
    this.worker = new EventWorker(this.bull, this.settings, connection, hooks.targetFor, metrics, hooks.onDeadLetter);
    this.worker.start(queue.name, queue.opts.prefix);
  }

  /**
   * Warns when Redis may evict keys: BullMQ (and the idempotency records) are only correct with
   * `maxmemory-policy noeviction`. Hosts that refuse CONFIG and INFO are tolerated.
   */
  async checkEvictionPolicy(): Promise<void> {
    let policy: string | undefined;
    try {
      const reply = await this.client.config('GET', 'maxmemory-policy');
      policy = Array.isArray(reply) ? String(reply[1]) : undefined;
    } catch {
      try {
        policy = /maxmemory_policy:(\S+)/.exec(await this.client.info('memory'))?.[1];
      } catch {
        policy = undefined;
      }
    }
    if (policy === undefined) {
      this.logger.log('Could not read Redis maxmemory-policy (CONFIG and INFO refused); make sure it is noeviction.');
    } else if (policy !== 'noeviction') {
      this.logger.warn(
        `Redis maxmemory-policy is ${policy}: under memory pressure Redis may evict queued events and idempotency records. ` +
          "Set it to noeviction (CONFIG SET maxmemory-policy noeviction, or your host's setting).",
      );
    }
  }

  /** Stops the worker: no new jobs, active ones finish up to `shutdownTimeoutMs`. */
  async stopWorker(): Promise<void> {
    await this.worker?.close();
    this.worker = undefined;
  }

  /** Stops the worker if it still runs, then closes the producer queue and the connections made here. */
  async close(): Promise<void> {
    await this.stopWorker();
    await this.ownedQueue?.close().catch(() => undefined);
    for (const client of this.owned.splice(0)) {
      if (client.status === 'ready') await client.quit().catch(() => client.disconnect());
      else client.disconnect();
    }
  }
}
