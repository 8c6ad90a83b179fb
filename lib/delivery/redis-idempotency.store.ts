import { Logger } from '@nestjs/common';
import { loadOptionalPeer } from '../common/optional-peer';
import { ComplyCubeClaimResult, ComplyCubeDeadLetterStore, ComplyCubeIdempotencyStore } from './idempotency-store.interface';
import {
  CLAIM_SCRIPT,
  COMPLETE_SCRIPT,
  COUNT_FAILURE_SCRIPT,
  DELETE_DEAD_LETTER_SCRIPT,
  EXISTS_SCRIPT,
  GET_SCRIPT,
  INDEX_DEAD_LETTER_SCRIPT,
  LIST_INDEX_SCRIPT,
  MARK_DONE_SCRIPT,
  PING_SCRIPT,
  RELEASE_SCRIPT,
  RENEW_SCRIPT,
  SAVE_DEAD_LETTER_SCRIPT,
  UNINDEX_DEAD_LETTER_SCRIPT,
} from './redis-idempotency.scripts';

/** The part of an ioredis client the store uses; any ioredis `Redis` or `Cluster` fits. */
export interface ComplyCubeRedisClient {
  eval(script: string, numkeys: number, ...args: Array<string | number>): Promise<unknown>;
}

export interface RedisIdempotencyStoreOptions {
  /** A client you create and close yourself (ioredis). Give this, or `url` / `redisOptions`. */
  client?: ComplyCubeRedisClient;
  /** `redis://[:password@]host:port/db`: the store creates an ioredis client and closes it at shutdown. */
  url?: string;
  /** ioredis options for the client the store creates (host, port, password, tls, ...). */
  redisOptions?: Record<string, unknown>;
  /** Prefix of every key. Default `complycube-webhooks`. */
  keyPrefix?: string;
  /** An operation not answered within this many ms fails (and the endpoint answers 503). Default 2000. */
  operationTimeoutMs?: number;
}

const OPTION_NAMES: ReadonlyArray<keyof RedisIdempotencyStoreOptions> = [
  'client',
  'url',
  'redisOptions',
  'keyPrefix',
  'operationTimeoutMs',
];

const USAGE =
  "pass an ioredis client (new RedisIdempotencyStore(redis)), a URL ('redis://host:6379'), " +
  'or options: { client }, { url } or { redisOptions }';

/**
 * What the constructor was given, as options. An ioredis client is told apart from options by its
 * `eval` method: it also has a `client` method (Redis's CLIENT command), so it cannot be read as
 * `{ client }`. Values are never quoted in errors: a URL may carry a password.
 */
function storeOptionsFrom(input: unknown): RedisIdempotencyStoreOptions {
  if (typeof input === 'string') return { url: input };
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    const got = input === null ? 'null' : Array.isArray(input) ? 'an array' : typeof input;
    throw new TypeError(`RedisIdempotencyStore: ${USAGE} (got ${got}).`);
  }
  if (typeof (input as Partial<ComplyCubeRedisClient>).eval === 'function') return { client: input as ComplyCubeRedisClient };
  const prototype: unknown = Object.getPrototypeOf(input);
  if (prototype !== null && Object.getPrototypeOf(prototype) !== null) {
    const name = input.constructor?.name || 'an object';
    throw new TypeError(`RedisIdempotencyStore: ${USAGE} (got ${name}, which has no eval method: not an ioredis client).`);
  }
  const unknown = Object.keys(input).filter((key) => !(OPTION_NAMES as readonly string[]).includes(key));
  if (unknown.length > 0) {
    throw new TypeError(
      `RedisIdempotencyStore: unknown option${unknown.length > 1 ? 's' : ''} ${unknown.map((key) => `'${key}'`).join(', ')}. ` +
        `The options are ${OPTION_NAMES.join(', ')}; ioredis settings such as host, port or password go in redisOptions.`,
    );
  }
  return input;
}

interface OwnedRedisClient extends ComplyCubeRedisClient {
  readonly status: string;
  on(event: string, listener: (...args: any[]) => void): unknown;
  once(event: string, listener: (...args: any[]) => void): unknown;
  quit(): Promise<unknown>;
  disconnect(): void;
}

const DEFAULT_KEY_PREFIX = 'complycube-webhooks';
const DEFAULT_OPERATION_TIMEOUT_MS = 2000;

/**
 * Idempotency records in Redis, shared by every instance of the app. Claims are atomic Lua scripts
 * (`SET NX PX` underneath), so one event is handled by one instance at a time; a crashed instance's
 * claim expires after the claim TTL. `ioredis` is loaded only when this store creates its client.
 */
export class RedisIdempotencyStore implements ComplyCubeIdempotencyStore, ComplyCubeDeadLetterStore {
  private readonly logger = new Logger('ComplyCubeWebhooks');
  /** Prefix of every key the store writes. */
  readonly keyPrefix: string;
  private readonly operationTimeoutMs: number;
  private client?: ComplyCubeRedisClient;
  private owned?: OwnedRedisClient;
  private opening?: Promise<void>;
  private closed = false;
  private readonly options: RedisIdempotencyStoreOptions;

  /**
   * `redis`: an ioredis client (`Redis` or `Cluster`, major 5 or 6) that you create and close
   * yourself; a URL, for a client the store creates and closes; or options.
   */
  constructor(redis: ComplyCubeRedisClient | string | RedisIdempotencyStoreOptions) {
    const options = storeOptionsFrom(redis);
    this.options = options;
    const creates = options.url !== undefined || options.redisOptions !== undefined;
    if (options.client !== undefined && creates) {
      throw new TypeError('RedisIdempotencyStore: give either client or url/redisOptions, not both.');
    }
    if (options.client !== undefined && typeof options.client?.eval !== 'function') {
      throw new TypeError('RedisIdempotencyStore: client must be an ioredis client (it has no eval method).');
    }
    if (options.client === undefined && !creates) {
      throw new TypeError(`RedisIdempotencyStore: ${USAGE}.`);
    }
    if (options.url !== undefined && (typeof options.url !== 'string' || options.url.trim() === '')) {
      throw new TypeError('RedisIdempotencyStore: url must be a non-empty string such as "redis://127.0.0.1:6379".');
    }
    this.keyPrefix = options.keyPrefix ?? DEFAULT_KEY_PREFIX;
    if (typeof this.keyPrefix !== 'string' || this.keyPrefix === '') {
      throw new TypeError('RedisIdempotencyStore: keyPrefix must be a non-empty string.');
    }
    this.operationTimeoutMs = options.operationTimeoutMs ?? DEFAULT_OPERATION_TIMEOUT_MS;
    if (!Number.isFinite(this.operationTimeoutMs) || this.operationTimeoutMs <= 0) {
      throw new TypeError('RedisIdempotencyStore: operationTimeoutMs must be a positive number of milliseconds.');
    }
    this.client = options.client;
  }

  async open(): Promise<void> {
    if (this.client) return;
    this.opening ??= this.createClient();
    await this.opening;
  }

  async close(): Promise<void> {
    const client = this.owned;
    if (this.closed || !client) return;
    this.closed = true;
    if (client.status !== 'ready') {
      // Not connected (Redis down, reconnecting): just stop the reconnection attempts.
      client.disconnect();
      return;
    }
    // Resolve once the socket is really closed, so that shutdown leaves nothing behind.
    const ended = new Promise((resolve) => client.once('end', resolve));
    try {
      await client.quit();
    } catch {
      client.disconnect();
    }
    await ended;
  }

  async claim(key: string, owner: string, claimTtlMs: number): Promise<ComplyCubeClaimResult> {
    const reply = await this.run(CLAIM_SCRIPT, this.keys(key), [owner, Math.ceil(claimTtlMs)]);
    if (!Array.isArray(reply) || typeof reply[0] !== 'string') {
      throw new Error('RedisIdempotencyStore: unexpected reply to the claim script.');
    }
    const [status, ...doneHandlerKeys] = reply.map(String);
    if (status === 'completed' || status === 'in-flight') return { status };
    return { status: 'claimed', doneHandlerKeys };
  }

  /** One round trip over the store's connection: rejects when Redis does not answer within operationTimeoutMs. */
  async ping(): Promise<void> {
    await this.run(PING_SCRIPT, [], []);
  }

  async isCompleted(key: string): Promise<boolean> {
    const [, , completedKey] = this.keys(key);
    return Number(await this.run(EXISTS_SCRIPT, [completedKey], [])) === 1;
  }

  async renewClaim(key: string, owner: string, claimTtlMs: number): Promise<boolean> {
    const [claimKey] = this.keys(key);
    return Number(await this.run(RENEW_SCRIPT, [claimKey], [owner, Math.ceil(claimTtlMs)])) === 1;
  }

  async markHandlerDone(key: string, handlerKey: string, ttlMs: number): Promise<void> {
    const [, doneKey] = this.keys(key);
    await this.run(MARK_DONE_SCRIPT, [doneKey], [handlerKey, Math.ceil(ttlMs)]);
  }

  async complete(key: string, owner: string, ttlMs: number): Promise<void> {
    await this.run(COMPLETE_SCRIPT, this.keys(key), [owner, Math.ceil(ttlMs)]);
  }

  async release(key: string, owner: string): Promise<void> {
    const [claimKey] = this.keys(key);
    await this.run(RELEASE_SCRIPT, [claimKey], [owner]);
  }

  async countFailedDelivery(key: string, ttlMs: number): Promise<number> {
    return Number(await this.run(COUNT_FAILURE_SCRIPT, [this.deadLetterKeys(key).failures], [Math.ceil(ttlMs)]));
  }

  async saveDeadLetter(key: string, deadLetter: string, ttlMs: number): Promise<void> {
    await this.run(SAVE_DEAD_LETTER_SCRIPT, [this.deadLetterKeys(key).letter], [deadLetter, Math.ceil(ttlMs)]);
    await this.run(INDEX_DEAD_LETTER_SCRIPT, [this.deadLetterIndex], [key, Date.now()]);
  }

  async getDeadLetter(key: string): Promise<string | undefined> {
    const reply = await this.run(GET_SCRIPT, [this.deadLetterKeys(key).letter], []);
    return typeof reply === 'string' ? reply : undefined;
  }

  async listDeadLetters(): Promise<Array<{ key: string; deadLetter: string }>> {
    const keys = await this.run(LIST_INDEX_SCRIPT, [this.deadLetterIndex], []);
    const found: Array<{ key: string; deadLetter: string }> = [];
    for (const key of Array.isArray(keys) ? keys.map(String) : []) {
      const deadLetter = await this.getDeadLetter(key);
      // A dead letter past its TTL is gone: its entry in the index goes too.
      if (deadLetter === undefined) await this.run(UNINDEX_DEAD_LETTER_SCRIPT, [this.deadLetterIndex], [key]);
      else found.push({ key, deadLetter });
    }
    return found;
  }

  async deleteDeadLetter(key: string): Promise<boolean> {
    const { letter, failures } = this.deadLetterKeys(key);
    const removed = Number(await this.run(DELETE_DEAD_LETTER_SCRIPT, [letter, failures], [])) === 1;
    await this.run(UNINDEX_DEAD_LETTER_SCRIPT, [this.deadLetterIndex], [key]);
    return removed;
  }

  private get deadLetterIndex(): string {
    return `${this.keyPrefix}:dead-letters`;
  }

  private deadLetterKeys(key: string): { letter: string; failures: string } {
    const base = `${this.keyPrefix}:{${key}}`;
    return { letter: `${base}:dead-letter`, failures: `${base}:failures` };
  }

  private keys(key: string): [claim: string, done: string, completed: string] {
    const base = `${this.keyPrefix}:{${key}}`;
    return [`${base}:claim`, `${base}:done`, `${base}:completed`];
  }

  private async run(script: string, keys: string[], args: Array<string | number>): Promise<unknown> {
    if (!this.client) await this.open();
    const client = this.client as ComplyCubeRedisClient;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`Redis did not answer within ${this.operationTimeoutMs} ms`)), this.operationTimeoutMs);
    });
    try {
      return await Promise.race([client.eval(script, keys.length, ...keys, ...args), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async createClient(): Promise<void> {
    const { Redis } = await loadOptionalPeer<{ Redis: new (...args: unknown[]) => OwnedRedisClient }>('ioredis', 'RedisIdempotencyStore');
    // Fail queued commands after one reconnection attempt instead of twenty: the endpoint answers
    // 503 at once and ComplyCube retries, rather than holding the request until the deadline.
    const settings = { maxRetriesPerRequest: 1, ...this.options.redisOptions };
    const client = this.options.url ? new Redis(this.options.url, settings) : new Redis(settings);
    let reported = false;
    client.on('error', (error: Error) => {
      if (reported) return;
      reported = true;
      this.logger.warn(`Redis idempotency store: ${error.message}; webhooks answer 503 until it is back.`);
    });
    client.on('ready', () => {
      if (reported) this.logger.log('Redis idempotency store is reachable again.');
      reported = false;
    });
    this.owned = client;
    this.client = client;
  }
}
