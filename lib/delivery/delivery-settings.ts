import { ComplyCubeWebhookConfigurationError } from '../common/errors';
import { ComplyCubeEvent } from '../events/event.interface';
import { ComplyCubeIdempotencyStore } from './idempotency-store.interface';
import { MemoryIdempotencyStore } from './memory-idempotency.store';

/** How an endpoint remembers which events it has handled. */
export interface ComplyCubeIdempotencyOptions {
  /** Where records live. Default: a `MemoryIdempotencyStore` of this endpoint (one instance only). */
  store?: ComplyCubeIdempotencyStore;
  /** How long done records are kept, in ms. Default 7 days, longer than ComplyCube's whole retry schedule. */
  ttlMs?: number;
  /**
   * How long a claim lasts without renewal, in ms. Default 30 000. A running delivery renews its
   * claim; the claim of a crashed instance expires after this, and the next delivery handles the event.
   */
  claimTtlMs?: number;
  /**
   * How long a delivery may wait for handlers that never settle, in ms, before it gives up its claim.
   * Default 300 000 (5 minutes); must exceed `handlerTimeoutMs`. The abandonment is logged as an
   * error, counted (`abandoned`) and reported to `onHandlerError` with a
   * `ComplyCubeHandlerAbandonedError`; the next delivery runs the unsettled handlers again (those
   * that succeeded are not rerun). Without it, one hung handler would answer every retry 409 until
   * ComplyCube disables the webhook.
   */
  abandonAfterMs?: number;
}

/** Called for every handler failure; its own errors are logged and ignored. */
export type ComplyCubeHandlerErrorHook = (error: unknown, event: ComplyCubeEvent<string>, handlerKey: string) => void | Promise<void>;

/** The options the delivery protocol reads. */
export interface DeliveryOptions {
  idempotency?: false | ComplyCubeIdempotencyOptions;
  onHandlerError?: ComplyCubeHandlerErrorHook;
}

export const DEFAULT_IDEMPOTENCY_TTL_MS = 7 * 24 * 60 * 60 * 1000;
export const DEFAULT_CLAIM_TTL_MS = 30_000;
export const DEFAULT_ABANDON_AFTER_MS = 300_000;
/** A claim is renewed every third of its TTL; shorter TTLs would flood the store with renewals. */
export const MIN_CLAIM_TTL_MS = 100;
/** The longest delay a Node timer takes; a longer one fires at once. */
export const MAX_TIMER_MS = 2_147_483_647;

export interface IdempotencySettings {
  store: ComplyCubeIdempotencyStore;
  ttlMs: number;
  claimTtlMs: number;
  abandonAfterMs: number;
}

/** The delivery options of one endpoint, checked and with their defaults filled in. */
export interface DeliverySettings {
  /** What the endpoint's idempotency records are keyed under (its registration's name, else its path). */
  scope: string;
  /** Undefined when idempotency is off. */
  idempotency?: IdempotencySettings;
  onHandlerError?: ComplyCubeHandlerErrorHook;
}

const STORE_METHODS = ['claim', 'renewClaim', 'markHandlerDone', 'complete', 'release'] as const;
const IDEMPOTENCY_KEYS = new Set(['store', 'ttlMs', 'claimTtlMs', 'abandonAfterMs']);
const LIKELY_MEANT: Record<string, string> = { ttl: 'ttlMs', claimTtl: 'claimTtlMs', abandonAfter: 'abandonAfterMs' };

/** Checks the delivery options at start-up; throws a configuration error that says what to change. */
export function resolveDeliverySettings(options: DeliveryOptions, scope: string): DeliverySettings {
  const { onHandlerError } = options;
  if (onHandlerError !== undefined && typeof onHandlerError !== 'function') {
    failOption(`onHandlerError must be a function (got ${describeOption(onHandlerError)}).`);
  }
  return { scope, idempotency: resolveIdempotency(options.idempotency), onHandlerError };
}

function resolveIdempotency(option: DeliveryOptions['idempotency']): IdempotencySettings | undefined {
  if (option === false) return undefined;
  if (option !== undefined && (typeof option !== 'object' || option === null || Array.isArray(option))) {
    failOption(
      `idempotency must be false or an object such as { store, ttlMs, claimTtlMs, abandonAfterMs } (got ${describeOption(option)}).`,
    );
  }
  const given = option ?? {};
  for (const key of Object.keys(given)) {
    if (!IDEMPOTENCY_KEYS.has(key)) {
      const hint = LIKELY_MEANT[key] ? ` Did you mean ${LIKELY_MEANT[key]} (milliseconds)?` : '';
      failOption(`idempotency.${key} is not an option (known: ${[...IDEMPOTENCY_KEYS].join(', ')}).${hint}`);
    }
  }
  const ttlMs = positiveMs('idempotency.ttlMs', given.ttlMs, DEFAULT_IDEMPOTENCY_TTL_MS);
  const claimTtlMs = positiveMs('idempotency.claimTtlMs', given.claimTtlMs, DEFAULT_CLAIM_TTL_MS, MAX_TIMER_MS);
  if (claimTtlMs < MIN_CLAIM_TTL_MS) {
    failOption(
      `idempotency.claimTtlMs must be at least ${MIN_CLAIM_TTL_MS} (got ${claimTtlMs}): a running delivery renews its claim every third of it.`,
    );
  }
  if (claimTtlMs > ttlMs) {
    failOption(`idempotency.claimTtlMs (${claimTtlMs}) must not exceed idempotency.ttlMs (${ttlMs}).`);
  }
  const abandonAfterMs = positiveMs('idempotency.abandonAfterMs', given.abandonAfterMs, DEFAULT_ABANDON_AFTER_MS, MAX_TIMER_MS);
  const store = given.store ?? new MemoryIdempotencyStore();
  const missing = STORE_METHODS.filter((method) => typeof (store as unknown as Record<string, unknown>)?.[method] !== 'function');
  if (missing.length > 0) {
    failOption(
      `idempotency.store must implement ComplyCubeIdempotencyStore (missing ${missing.join(', ')}): ` +
        'use MemoryIdempotencyStore, RedisIdempotencyStore or your own implementation.',
    );
  }
  return { store, ttlMs, claimTtlMs, abandonAfterMs };
}

/** A number of milliseconds from the options, its default when absent. */
export function positiveMs(name: string, value: unknown, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    failOption(`${name} must be a positive number of milliseconds (got ${describeOption(value)}).`);
  }
  if (value > max) failOption(`${name} must be at most ${max} ms (got ${value}).`);
  return value;
}

/** Stops start-up with a message about one of the module's options. */
export function failOption(message: string): never {
  throw new ComplyCubeWebhookConfigurationError(`ComplyCubeWebhookModule: ${message}`);
}

/** An option's value as a message may show it (strings cut short: they might be secrets). */
export function describeOption(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return `the string ${JSON.stringify(value.slice(0, 40))}`;
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}
