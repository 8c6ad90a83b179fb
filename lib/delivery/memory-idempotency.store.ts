import { LRUCache } from 'lru-cache';
import { ComplyCubeClaimResult, ComplyCubeDeadLetterStore, ComplyCubeIdempotencyStore } from './idempotency-store.interface';

export interface MemoryIdempotencyStoreOptions {
  /** Most events remembered at once; the least recently used are forgotten first. Default 100 000. */
  maxEntries?: number;
  /**
   * Most memory, in bytes (estimated from the lengths of keys and handler keys), that remembered
   * events take; the least recently used are forgotten first. The claims of running deliveries are
   * bounded apart, by `maxRunning` and by this same number of bytes. Default 64 MiB: event ids come
   * from signed events, but nothing bounds their length.
   */
  maxBytes?: number;
  /**
   * Most deliveries running at once. A running delivery's claim is never forgotten to make room:
   * past this bound, or past `maxBytes`, a new claim fails and the endpoint answers 503 (ComplyCube
   * retries) rather than risk running one event twice at once. Default 10 000.
   */
  maxRunning?: number;
  /**
   * The clock claims and records expire by, in ms. Default `performance.now`. Pass your own to
   * test expiry without waiting.
   */
  now?: () => number;
}

/** An event no delivery is running: the handlers that succeeded, or the event done. */
interface EventRecord {
  done: readonly string[];
  completed: boolean;
}

/** A claim held by a running delivery, with the handlers that have succeeded so far. */
interface RunningClaim {
  owner: string;
  expiresAt: number;
  done: Set<string>;
  /** How long `done` is kept once the claim is released (the last `markHandlerDone` TTL). */
  doneTtlMs: number;
  bytes: number;
}

const DEFAULT_MAX_ENTRIES = 100_000;
const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;
const DEFAULT_MAX_RUNNING = 10_000;
/** What a record costs beyond its strings: the cache's node, the object, the array. */
const RECORD_OVERHEAD_BYTES = 96;
const COMPLETED: EventRecord = Object.freeze({ done: Object.freeze([]), completed: true });

/**
 * The default store: one process's memory, bounded in entries and bytes (least recently used first)
 * and in time (each record's TTL). Claims of running deliveries are kept apart and never evicted.
 * Right for a single instance; records are lost on restart, so a redelivery after a restart runs
 * the handlers again. Use `RedisIdempotencyStore` when several instances receive webhooks.
 */
export class MemoryIdempotencyStore implements ComplyCubeIdempotencyStore, ComplyCubeDeadLetterStore {
  private readonly records: LRUCache<string, EventRecord>;
  private readonly failedDeliveries: LRUCache<string, number>;
  private readonly deadLetters: LRUCache<string, string>;
  private readonly running = new Map<string, RunningClaim>();
  private runningBytes = 0;
  private readonly maxBytes: number;
  private readonly maxRunning: number;
  private readonly now: () => number;

  constructor(options: MemoryIdempotencyStoreOptions = {}) {
    const maxEntries = positiveInteger('maxEntries', options.maxEntries, DEFAULT_MAX_ENTRIES);
    this.maxBytes = positiveInteger('maxBytes', options.maxBytes, DEFAULT_MAX_BYTES);
    this.maxRunning = positiveInteger('maxRunning', options.maxRunning, DEFAULT_MAX_RUNNING);
    if (options.now !== undefined && typeof options.now !== 'function') {
      throw new TypeError('MemoryIdempotencyStore: now must be a function returning milliseconds.');
    }
    this.now = options.now ?? (() => performance.now());
    const bounds = {
      max: maxEntries,
      maxSize: this.maxBytes,
      sizeCalculation: (record: EventRecord, key: string) => recordBytes(key, record.done),
    };
    // A given clock is read at every check: the cache's default caches the time for a millisecond.
    this.records = options.now
      ? new LRUCache<string, EventRecord>({ ...bounds, perf: { now: options.now }, ttlResolution: 0 })
      : new LRUCache<string, EventRecord>(bounds);
    const clock = options.now ? { perf: { now: options.now }, ttlResolution: 0 } : {};
    this.failedDeliveries = new LRUCache<string, number>({ max: maxEntries, ...clock });
    // Dead letters hold whole events: bounded by the same bytes as the records.
    this.deadLetters = new LRUCache<string, string>({
      max: maxEntries,
      maxSize: this.maxBytes,
      sizeCalculation: (deadLetter, key) => RECORD_OVERHEAD_BYTES + (key.length + deadLetter.length) * 2,
      ...clock,
    });
  }

  /** How many events are remembered now, running ones included. */
  get size(): number {
    return this.records.size + this.running.size;
  }

  async claim(key: string, owner: string, claimTtlMs: number): Promise<ComplyCubeClaimResult> {
    const now = this.now();
    const record = this.records.get(key);
    if (record?.completed) return { status: 'completed' };
    const held = this.running.get(key);
    if (held && held.expiresAt > now) return { status: 'in-flight' };
    if (held) {
      // An expired claim (its delivery stopped renewing it): taken over with what it had done.
      held.owner = owner;
      held.expiresAt = now + claimTtlMs;
      return { status: 'claimed', doneHandlerKeys: [...held.done] };
    }
    const done = record ? new Set(record.done) : new Set<string>();
    const bytes = recordBytes(key, done);
    this.makeRoom(bytes, now);
    this.running.set(key, { owner, expiresAt: now + claimTtlMs, done, doneTtlMs: 0, bytes });
    this.runningBytes += bytes;
    // While the event runs, its done handlers live with the claim, out of the evictable records.
    // (A record the cache did not return is not in it: an expired one is dropped as it is read.)
    if (record) this.records.delete(key);
    return { status: 'claimed', doneHandlerKeys: record ? [...done] : [] };
  }

  async isCompleted(key: string): Promise<boolean> {
    return this.records.get(key)?.completed === true;
  }

  async renewClaim(key: string, owner: string, claimTtlMs: number): Promise<boolean> {
    const now = this.now();
    const held = this.running.get(key);
    if (!held || held.owner !== owner || held.expiresAt <= now) return false;
    held.expiresAt = now + claimTtlMs;
    return true;
  }

  async markHandlerDone(key: string, handlerKey: string, ttlMs: number): Promise<void> {
    const held = this.running.get(key);
    if (held) {
      if (!held.done.has(handlerKey)) {
        held.done.add(handlerKey);
        const added = handlerKey.length * 2;
        held.bytes += added;
        this.runningBytes += added;
      }
      held.doneTtlMs = Math.max(held.doneTtlMs, ttlMs);
      return;
    }
    const record = this.records.get(key);
    if (record?.completed) return;
    const done = record?.done.includes(handlerKey) ? record.done : [...(record?.done ?? []), handlerKey];
    this.records.set(key, { done, completed: false }, { ttl: ttlMs });
  }

  async complete(key: string, owner: string, ttlMs: number): Promise<void> {
    const held = this.running.get(key);
    if (held?.owner === owner) this.forget(key, held);
    // Only the flag is kept, so a completed event costs a few dozen bytes.
    this.records.set(key, COMPLETED, { ttl: ttlMs });
  }

  async release(key: string, owner: string): Promise<void> {
    const held = this.running.get(key);
    if (!held || held.owner !== owner) return;
    this.forget(key, held);
    this.keepDone(key, held);
  }

  async countFailedDelivery(key: string, ttlMs: number): Promise<number> {
    const count = (this.failedDeliveries.get(key) ?? 0) + 1;
    this.failedDeliveries.set(key, count, { ttl: ttlMs });
    return count;
  }

  async saveDeadLetter(key: string, deadLetter: string, ttlMs: number): Promise<void> {
    this.deadLetters.delete(key);
    this.deadLetters.set(key, deadLetter, { ttl: ttlMs });
  }

  async getDeadLetter(key: string): Promise<string | undefined> {
    return this.deadLetters.get(key);
  }

  async listDeadLetters(): Promise<Array<{ key: string; deadLetter: string }>> {
    // The cache lists the most recently used first.
    return [...this.deadLetters.entries()].map(([key, deadLetter]) => ({ key, deadLetter })).reverse();
  }

  async deleteDeadLetter(key: string): Promise<boolean> {
    this.failedDeliveries.delete(key);
    return this.deadLetters.delete(key);
  }

  private forget(key: string, held: RunningClaim): void {
    this.running.delete(key);
    this.runningBytes -= held.bytes;
  }

  /** Moves a finished claim's done handlers to the records, unless the event was completed meanwhile. */
  private keepDone(key: string, held: RunningClaim): void {
    if (held.done.size === 0 || this.records.get(key)?.completed) return;
    this.records.set(key, { done: [...held.done], completed: false }, { ttl: held.doneTtlMs || undefined });
  }

  /** Throws, rather than evict a running claim, when a new one would exceed the bounds. */
  private makeRoom(bytes: number, now: number): void {
    if (!this.isFull(bytes)) return;
    for (const [key, held] of this.running) {
      if (held.expiresAt > now) continue;
      this.forget(key, held);
      this.keepDone(key, held);
    }
    if (this.isFull(bytes)) {
      throw new Error(
        `MemoryIdempotencyStore is full: ${this.running.size} deliveries are running (maxRunning ${this.maxRunning}, ` +
          `maxBytes ${this.maxBytes}); the delivery is refused so that no event runs twice at once.`,
      );
    }
  }

  private isFull(bytes: number): boolean {
    return this.running.size >= this.maxRunning || this.runningBytes + bytes > this.maxBytes;
  }
}

function recordBytes(key: string, done: Iterable<string>): number {
  let bytes = RECORD_OVERHEAD_BYTES + key.length * 2;
  for (const handlerKey of done) bytes += handlerKey.length * 2;
  return bytes;
}

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new TypeError(`MemoryIdempotencyStore: ${name} must be a positive integer (got ${String(value)}).`);
  }
  return value;
}
