import { ComplyCubeWebhookConfigurationError } from '../complycube-webhook.errors';
import { ComplyCubeEvent } from '../interfaces/complycube-event.interface';
import { ComplyCubeWebhookModuleOptions } from '../interfaces/complycube-webhook-options.interface';
import { ComplyCubeIdempotencyStore } from './complycube-idempotency-store.interface';
import { COMPLYCUBE_RESPONSE_WINDOW_MS, DEFAULT_HANDLER_TIMEOUT_MS } from './complycube-handler-deadline';
import { MemoryIdempotencyStore } from './memory-idempotency.store';

export const DEFAULT_IDEMPOTENCY_TTL_MS = 7 * 24 * 60 * 60 * 1000;
export const DEFAULT_CLAIM_TTL_MS = 30_000;
/** A claim is renewed every third of its TTL; shorter TTLs would flood the store with renewals. */
export const MIN_CLAIM_TTL_MS = 100;

/** The delivery options of one endpoint, checked and with their defaults filled in. */
export interface ComplyCubeDeliverySettings {
  handlerTimeoutMs: number;
  /** Undefined when idempotency is off. */
  idempotency?: { store: ComplyCubeIdempotencyStore; ttlMs: number; claimTtlMs: number };
  onHandlerError?: (error: unknown, event: ComplyCubeEvent<string>, handlerKey: string) => void | Promise<void>;
}

const STORE_METHODS = ['claim', 'renewClaim', 'markHandlerDone', 'complete', 'release'] as const;
const IDEMPOTENCY_KEYS = new Set(['store', 'ttlMs', 'claimTtlMs']);
const LIKELY_MEANT: Record<string, string> = { ttl: 'ttlMs', claimTtl: 'claimTtlMs' };

/** Checks the delivery options at start-up; throws a configuration error that says what to change. */
export function resolveComplyCubeDeliverySettings(options: ComplyCubeWebhookModuleOptions): ComplyCubeDeliverySettings {
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
  return { handlerTimeoutMs, idempotency: resolveIdempotency(options.idempotency), onHandlerError };
}

function resolveIdempotency(option: ComplyCubeWebhookModuleOptions['idempotency']): ComplyCubeDeliverySettings['idempotency'] {
  if (option === false) return undefined;
  if (option !== undefined && (typeof option !== 'object' || option === null || Array.isArray(option))) {
    fail(`idempotency must be false or an object such as { store, ttlMs, claimTtlMs } (got ${describe(option)}).`);
  }
  const given = option ?? {};
  for (const key of Object.keys(given)) {
    if (!IDEMPOTENCY_KEYS.has(key)) {
      const hint = LIKELY_MEANT[key] ? ` Did you mean ${LIKELY_MEANT[key]} (milliseconds)?` : '';
      fail(`idempotency.${key} is not an option (known: store, ttlMs, claimTtlMs).${hint}`);
    }
  }
  const ttlMs = positiveMs('idempotency.ttlMs', given.ttlMs, DEFAULT_IDEMPOTENCY_TTL_MS);
  const claimTtlMs = positiveMs('idempotency.claimTtlMs', given.claimTtlMs, DEFAULT_CLAIM_TTL_MS);
  if (claimTtlMs < MIN_CLAIM_TTL_MS) {
    fail(`idempotency.claimTtlMs must be at least ${MIN_CLAIM_TTL_MS} (got ${claimTtlMs}): a running delivery renews its claim every third of it.`);
  }
  if (claimTtlMs > ttlMs) {
    fail(`idempotency.claimTtlMs (${claimTtlMs}) must not exceed idempotency.ttlMs (${ttlMs}).`);
  }
  const store = given.store ?? new MemoryIdempotencyStore();
  const missing = STORE_METHODS.filter((method) => typeof (store as unknown as Record<string, unknown>)?.[method] !== 'function');
  if (missing.length > 0) {
    fail(
      `idempotency.store must implement ComplyCubeIdempotencyStore (missing ${missing.join(', ')}): ` +
        'use MemoryIdempotencyStore, RedisIdempotencyStore or your own implementation.',
    );
  }
  return { store, ttlMs, claimTtlMs };
}

function positiveMs(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    fail(`${name} must be a positive number of milliseconds (got ${describe(value)}).`);
  }
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
