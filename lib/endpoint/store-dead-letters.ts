import {
  ComplyCubeDeadLetter,
  ComplyCubeDeadLetterWithEvent,
  parseStoredDeadLetter,
  summaryOf,
  withFailedAttempt,
} from '../dead-letters/dead-letter';
import { describeOption, failOption, positiveMs } from '../delivery/delivery-settings';
import { recordKey } from '../delivery/delivery.runner';
import { ComplyCubeDeadLetterStore, ComplyCubeIdempotencyStore, isDeadLetterStore } from '../delivery/idempotency-store.interface';
import type { HandlerFailure } from '../dispatch/dispatch-run';
import type { ComplyCubeEvent } from '../events/event.interface';

/** Dead letters without a queue: how many failed deliveries set an event aside, and for how long it is kept. */
export interface ComplyCubeDeadLetterOptions {
  /**
   * The failed delivery of one event that makes it a dead letter: answered `200 {"received":true,
   * "deadLettered":true}` so that ComplyCube stops resending it and keeps the webhook enabled. From 1
   * to 10 (ComplyCube disables a webhook after 11 failed deliveries). Failed deliveries are those
   * answered 500 (a handler failed), 503 at the deadline, or 409 (still running from an earlier one).
   */
  afterFailedDeliveries: number;
  /** How long a dead letter is kept, in ms. Default 30 days. */
  ttlMs?: number;
}

export interface StoreDeadLetterSettings {
  afterFailedDeliveries: number;
  ttlMs: number;
}

/** ComplyCube resends an event 10 times after its first delivery, then disables the webhook. */
const MAX_FAILED_DELIVERIES = 10;
const DEFAULT_DEAD_LETTER_TTL_MS = 30 * 24 * 60 * 60 * 1000;

/** Checks the `deadLetters` option at start-up against the store it needs. */
export function resolveStoreDeadLetters(option: unknown, store: ComplyCubeIdempotencyStore | undefined): StoreDeadLetterSettings {
  if (typeof option !== 'object' || option === null || Array.isArray(option)) {
    failOption(`deadLetters must be an object such as { afterFailedDeliveries: 5 } (got ${describeOption(option)}).`);
  }
  const { afterFailedDeliveries, ttlMs, ...rest } = option as Partial<ComplyCubeDeadLetterOptions>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) failOption(`deadLetters.${unknown[0]} is not an option (known: afterFailedDeliveries, ttlMs).`);
  if (
    typeof afterFailedDeliveries !== 'number' ||
    !Number.isInteger(afterFailedDeliveries) ||
    afterFailedDeliveries < 1 ||
    afterFailedDeliveries > MAX_FAILED_DELIVERIES
  ) {
    failOption(
      `deadLetters.afterFailedDeliveries must be a whole number from 1 to ${MAX_FAILED_DELIVERIES} (got ${describeOption(afterFailedDeliveries)}): ` +
        'ComplyCube disables the webhook after 11 failed deliveries of one event.',
    );
  }
  if (!store) failOption('deadLetters needs idempotency: the failed deliveries and dead letters are kept in the idempotency store.');
  if (!isDeadLetterStore(store)) {
    failOption(
      'deadLetters needs a store that keeps dead letters (ComplyCubeDeadLetterStore): MemoryIdempotencyStore or RedisIdempotencyStore.',
    );
  }
  return { afterFailedDeliveries, ttlMs: positiveMs('deadLetters.ttlMs', ttlMs, DEFAULT_DEAD_LETTER_TTL_MS) };
}

/**
 * Dead letters without a queue, kept in the idempotency store: counts each failed delivery of an
 * event and, at the `afterFailedDeliveries`-th, keeps the event (the body as received, the handlers
 * that failed and their errors) for an operator.
 */
export class StoreDeadLetters {
  constructor(
    private readonly store: ComplyCubeIdempotencyStore & ComplyCubeDeadLetterStore,
    private readonly settings: StoreDeadLetterSettings,
    private readonly countTtlMs: number,
    private readonly registration: { name?: string; scope: string },
  ) {}

  /** Counts a failed delivery; returns the dead letter when this one made the event one. */
  async failedDelivery(
    event: ComplyCubeEvent<string>,
    outcome: string,
    failures: readonly HandlerFailure[],
    rawBody: Buffer | undefined,
  ): Promise<ComplyCubeDeadLetter | undefined> {
    const key = recordKey(this.registration.scope, event.id);
    const count = await this.store.countFailedDelivery(key, this.countTtlMs);
    if (count < this.settings.afterFailedDeliveries) return undefined;
    const now = new Date().toISOString();
    const letter: ComplyCubeDeadLetterWithEvent = {
      id: key,
      source: 'store',
      registration: this.registration.name,
      scope: this.registration.scope,
      eventId: event.id,
      eventType: event.type,
      attempts: count,
      failures: withFailedAttempt(undefined, count, outcome, failures),
      deadLetteredAt: now,
      event,
      rawBody: rawBody?.toString('utf8'),
    };
    await this.store.saveDeadLetter(key, JSON.stringify(letter), this.settings.ttlMs);
    return summaryOf(letter);
  }

  /**
   * This registration's dead letters, oldest first. One whose event has been handled since (a later
   * delivery succeeded) is dropped on the way.
   */
  async list(): Promise<ComplyCubeDeadLetterWithEvent[]> {
    const letters: ComplyCubeDeadLetterWithEvent[] = [];
    for (const { key, deadLetter } of await this.store.listDeadLetters()) {
      const letter = parseStoredDeadLetter(deadLetter);
      if (!letter || letter.scope !== this.registration.scope) continue;
      if (await this.store.isCompleted?.(key)) await this.store.deleteDeadLetter(key);
      else letters.push(letter);
    }
    return letters;
  }

  async get(key: string): Promise<ComplyCubeDeadLetterWithEvent | undefined> {
    const text = await this.store.getDeadLetter(key);
    return text === undefined ? undefined : parseStoredDeadLetter(text);
  }

  /** Removes a dead letter, and the failed deliveries counted for its event. */
  delete(key: string): Promise<boolean> {
    return this.store.deleteDeadLetter(key);
  }
}
