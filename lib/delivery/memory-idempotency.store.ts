import { LRUCache } from 'lru-cache';
import { ComplyCubeClaimResult, ComplyCubeIdempotencyStore } from './complycube-idempotency-store.interface';

export interface MemoryIdempotencyStoreOptions {
  /** Most event ids remembered at once; the least recently used are forgotten first. Default 100 000. */
  maxEntries?: number;
  /**
   * The clock claims and records expire by, in ms. Default `performance.now`. Pass your own to
   * test expiry without waiting.
   */
  now?: () => number;
}

interface EventRecord {
  claim?: { owner: string; expiresAt: number };
  /** Handlers that succeeded; emptied once the event is completed. */
  done: string[];
  completed: boolean;
}

const DEFAULT_MAX_ENTRIES = 100_000;

/**
 * The default store: one process's memory, bounded in entries (LRU) and in time (each record's TTL).
 * Right for a single instance; records are lost on restart, so a redelivery after a restart runs
 * the handlers again. Use `RedisIdempotencyStore` when several instances receive webhooks.
 */
export class MemoryIdempotencyStore implements ComplyCubeIdempotencyStore {
  private readonly records: LRUCache<string, EventRecord>;
  private readonly now: () => number;

  constructor(options: MemoryIdempotencyStoreOptions = {}) {
    const maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
    if (!Number.isSafeInteger(maxEntries) || maxEntries <= 0) {
      throw new TypeError(`MemoryIdempotencyStore: maxEntries must be a positive integer (got ${String(maxEntries)}).`);
    }
    if (options.now !== undefined && typeof options.now !== 'function') {
      throw new TypeError('MemoryIdempotencyStore: now must be a function returning milliseconds.');
    }
    this.now = options.now ?? (() => performance.now());
    // A given clock is read at every check: the cache's default caches the time for a millisecond.
    this.records = options.now
      ? new LRUCache<string, EventRecord>({ max: maxEntries, perf: { now: options.now }, ttlResolution: 0 })
      : new LRUCache<string, EventRecord>({ max: maxEntries });
  }

  /** How many event ids are remembered now. */
  get size(): number {
    return this.records.size;
  }

  async claim(eventId: string, owner: string, claimTtlMs: number): Promise<ComplyCubeClaimResult> {
    const now = this.now();
    const record = this.records.get(eventId);
    if (record?.completed) return { status: 'completed' };
    if (record?.claim && record.claim.expiresAt > now) return { status: 'in-flight' };
    const claim = { owner, expiresAt: now + claimTtlMs };
    if (record) {
      record.claim = claim;
      return { status: 'claimed', doneHandlerKeys: [...record.done] };
    }
    // A record that only holds a claim lives as long as the claim.
    this.records.set(eventId, { claim, done: [], completed: false }, { ttl: claimTtlMs });
    return { status: 'claimed', doneHandlerKeys: [] };
  }

  async renewClaim(eventId: string, owner: string, claimTtlMs: number): Promise<boolean> {
    const record = this.records.get(eventId);
    if (!record?.claim || record.claim.owner !== owner) return false;
    record.claim.expiresAt = this.now() + claimTtlMs;
    if (record.done.length === 0 && !record.completed) this.records.set(eventId, record, { ttl: claimTtlMs });
    return true;
  }

  async markHandlerDone(eventId: string, handlerKey: string, ttlMs: number): Promise<void> {
    const record = this.records.get(eventId) ?? { done: [], completed: false };
    if (record.completed) return;
    if (!record.done.includes(handlerKey)) record.done.push(handlerKey);
    this.records.set(eventId, record, { ttl: ttlMs });
  }

  async complete(eventId: string, _owner: string, ttlMs: number): Promise<void> {
    // Only the flag is kept, so a completed event costs a few dozen bytes.
    this.records.set(eventId, { done: [], completed: true }, { ttl: ttlMs });
  }

  async release(eventId: string, owner: string): Promise<void> {
    const record = this.records.get(eventId);
    if (!record?.claim || record.claim.owner !== owner) return;
    if (record.done.length === 0 && !record.completed) this.records.delete(eventId);
    else record.claim = undefined;
  }
}
