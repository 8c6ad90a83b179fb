import { ComplyCubeWebhookConfigurationError } from '../common/errors';
import { ComplyCubeEvent } from '../events/event.interface';
import { ComplyCubeWebhookModuleOptions } from '../endpoint/endpoint-options.interface';
import { ComplyCubeIdempotencyStore } from './idempotency-store.interface';
import { COMPLYCUBE_RESPONSE_WINDOW_MS, DEFAULT_HANDLER_TIMEOUT_MS } from '../endpoint/deadline';
import { MemoryIdempotencyStore } from './memory-idempotency.store';

export const DEFAULT_IDEMPOTENCY_TTL_MS = 7 * 24 * 60 * 60 * 1000;
export const DEFAULT_CLAIM_TTL_MS = 30_000;
export const DEFAULT_ABANDON_AFTER_MS = 300_000;
/** A claim is renewed every third of its TTL; shorter TTLs would flood the store with renewals. */
export const MIN_CLAIM_TTL_MS = 100;
/** The longest delay a Node timer takes; a longer one fires at once. */
const MAX_TIMER_MS = 2_147_483_647;

export interface IdempotencySettings {
  store: ComplyCubeIdempotencyStore;
  ttlMs: number;
  claimTtlMs: number;
  abandonAfterMs: number;
}

/** The delivery options of one endpoint, checked and with their defaults filled in. */
export interface ComplyCubeDeliverySettings {
  /** What the endpoint's idempotency records are keyed under (its registration's name, else its path). */
  scope: string;
  handlerTimeoutMs: number;
  /** Undefined when idempotency is off. */
  idempotency?: IdempotencySettings;
  onHandlerError?: (error: unknown, event: ComplyCubeEvent<string>, handlerKey: string) => void | Promise<void>;
}

const OPTION_KEYS = new Set(['secret', 'subscription', 'idempotency', 'handlerTimeoutMs', 'onHandlerError']);
/** Fixed at import time, next to `useFactory`: what a factory returns cannot move the route. */
const ROUTE_OPTION_KEYS = new Set(['path', 'name', 'decorators', 'isGlobal']);
const STORE_METHODS = ['claim', 'renewClaim', 'markHandlerDone', 'complete', 'release'] as const;
const IDEMPOTENCY_KEYS = new Set(['store', 'ttlMs', 'claimTtlMs', 'abandonAfterMs']);
const LIKELY_MEANT: Record<string, string> = {
  ttl: 'ttlMs',
  claimTtl: 'claimTtlMs',
  abandonAfter: 'abandonAfterMs',
  handlerTimeout: 'handlerTimeoutMs',
  secrets: 'secret',
  onError: 'onHandlerError',
};

/** Checks the delivery options at start-up; throws a configuration error that says what to change. */
export function resolveComplyCubeDeliverySettings(options: ComplyCubeWebhookModuleOptions, scope: string): ComplyCubeDeliverySettings {
  for (const key of Object.keys(options)) {
    if (ROUTE_OPTION_KEYS.has(key)) {
      fail(
        `${key} is fixed when the module is imported, so it cannot come from a forRootAsync factory: ` +
          `write ComplyCubeWebhookModule.forRootAsync({ ${key}: ..., useFactory }) next to the factory, not in what it returns.`,
      );
    }
    if (!OPTION_KEYS.has(key)) {
      const hint = LIKELY_MEANT[key] ? ` Did you mean ${LIKELY_MEANT[key]}?` : '';
      fail(`${key} is not an option (known: ${[...OPTION_KEYS].join(', ')}).${hint}`);
    }
  }
  const handlerTimeoutMs = options.handlerTimeoutMs ?? DEFAULT_HANDLER_TIMEOUT_MS;
  if (typeof handlerTimeoutMs !== 'number' || !Number.isFinite(handlerTimeoutMs) || handlerTimeoutMs <= 0) {
    fail(`handlerTimeoutMs must be a positive number of milliseconds (got ${describe(options.handlerTimeoutMs)}).`);
  }
  if (handlerTimeoutMs >= COMPLYCUBE_RESPONSE_WINDOW_MS) {
    fail(
      `handlerTimeoutMs must be below ${COMPLYCUBE_RESPONSE_WINDOW_MS} (got ${handlerTimeoutMs}): ComplyCube ` +
        'retries any delivery not answered within 15 seconds, so the endpoint must answer before that.',
    );
  }
  const { onHandlerError } = options;
  if (onHandlerError !== undefined && typeof onHandlerError !== 'function') {
    fail(`onHandlerError must be a function (got ${describe(onHandlerError)}).`);
  }
  return { scope, handlerTimeoutMs, idempotency: resolveIdempotency(options.idempotency, handlerTimeoutMs), onHandlerError };
}

function resolveIdempotency(option: ComplyCubeWebhookModuleOptions['idempotency'], handlerTimeoutMs: number): IdempotencySettings | undefined {
  if (option === false) return undefined;
  if (option !== undefined && (typeof option !== 'object' || option === null || Array.isArray(option))) {
    fail(`idempotency must be false or an object such as { store, ttlMs, claimTtlMs, abandonAfterMs } (got ${describe(option)}).`);
  }
  const given = option ?? {};
  for (const key of Object.keys(given)) {
    if (!IDEMPOTENCY_KEYS.has(key)) {
      const hint = LIKELY_MEANT[key] ? ` Did you mean ${LIKELY_MEANT[key]} (milliseconds)?` : '';
      fail(`idempotency.${key} is not an option (known: ${[...IDEMPOTENCY_KEYS].join(', ')}).${hint}`);
    }
  }
  const ttlMs = positiveMs('idempotency.ttlMs', given.ttlMs, DEFAULT_IDEMPOTENCY_TTL_MS);
  const claimTtlMs = positiveMs('idempotency.claimTtlMs', given.claimTtlMs, DEFAULT_CLAIM_TTL_MS, MAX_TIMER_MS);
  if (claimTtlMs < MIN_CLAIM_TTL_MS) {
    fail(`idempotency.claimTtlMs must be at least ${MIN_CLAIM_TTL_MS} (got ${claimTtlMs}): a running delivery renews its claim every third of it.`);
  }
  if (claimTtlMs > ttlMs) {
    fail(`idempotency.claimTtlMs (${claimTtlMs}) must not exceed idempotency.ttlMs (${ttlMs}).`);
  }
  const abandonAfterMs = positiveMs('idempotency.abandonAfterMs', given.abandonAfterMs, DEFAULT_ABANDON_AFTER_MS, MAX_TIMER_MS);
  if (abandonAfterMs <= handlerTimeoutMs) {
    fail(
      `idempotency.abandonAfterMs (${abandonAfterMs}) must exceed handlerTimeoutMs (${handlerTimeoutMs}): ` +
        'a delivery is abandoned only after the endpoint has answered.',
    );
  }
  const store = given.store ?? new MemoryIdempotencyStore();
  const missing = STORE_METHODS.filter((method) => typeof (store as unknown as Record<string, unknown>)?.[method] !== 'function');
  if (missing.length > 0) {
    fail(
      `idempotency.store must implement ComplyCubeIdempotencyStore (missing ${missing.join(', ')}): ` +
        'use MemoryIdempotencyStore, RedisIdempotencyStore or your own implementation.',
    );
  }
  return { store, ttlMs, claimTtlMs, abandonAfterMs };
}

function positiveMs(name: string, value: unknown, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    fail(`${name} must be a positive number of milliseconds (got ${describe(value)}).`);
  }
  if (value > max) fail(`${name} must be at most ${max} ms (got ${value}).`);
  return value;
}

function fail(message: string): never {
  throw new ComplyCubeWebhookConfigurationError(`ComplyCubeWebhookModule: ${message}`);
}

function describe(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return `the string ${JSON.stringify(value.slice(0, 40))}`;
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}
