import { ComplyCubeWebhookConfigurationError } from '../common/errors';
import { joinRoutePath } from '../common/route-path';
import { DeliverySettings, describeOption, failOption, MAX_TIMER_MS, resolveDeliverySettings } from '../delivery/delivery-settings';
import { DeliveryRunner } from '../delivery/delivery.runner';
import { ComplyCubeWebhookMetrics } from '../delivery/webhook.metrics';
import { ComplyCubeEventDispatcher } from '../dispatch/event.dispatcher';
import { ComplyCubeSignatureVerifier, createComplyCubeSignatureVerifier } from '../verification/verify';
import { COMPLYCUBE_RESPONSE_WINDOW_MS, DEFAULT_HANDLER_TIMEOUT_MS } from './deadline';
import type { ComplyCubeSubscriptionOptions } from '../management/subscription-options.interface';
import type { ComplyCubeWebhookModuleExtras, ComplyCubeWebhookModuleOptions } from './endpoint-options.interface';
import { ComplyCubeWebhookReceiver } from './receiver';

/** Injection token, local to each registration: its `ComplyCubeEndpoint`. */
export const COMPLYCUBE_ENDPOINT = Symbol('COMPLYCUBE_ENDPOINT');

export const DEFAULT_COMPLYCUBE_WEBHOOK_PATH = 'webhooks/complycube';

/** One `ComplyCubeWebhookModule` registration, as fixed when the module is imported. */
export interface ComplyCubeEndpointRegistration {
  /** The `name` extra; undefined for an unnamed registration. */
  readonly name?: string;
  /** The route below the app's global prefix, as given. */
  readonly path: string;
  /** What the registration's idempotency records are keyed under: its name, else its path. */
  readonly scope: string;
  /** How messages refer to it, e.g. `'live' (webhooks/live)`. */
  readonly label: string;
}

/**
 * A registration with what start-up made of its options: the verifier of its secrets, its delivery
 * settings, the delivery protocol that runs its events and the receiver that answers for them.
 */
export interface ComplyCubeEndpoint extends ComplyCubeEndpointRegistration {
  readonly verify: ComplyCubeSignatureVerifier;
  readonly handlerTimeoutMs: number;
  /** The start-up check of ComplyCube's webhook, as given (checked by the check itself). */
  readonly subscription?: ComplyCubeSubscriptionOptions;
  readonly delivery: DeliverySettings;
  readonly runner: DeliveryRunner;
  readonly receiver: ComplyCubeWebhookReceiver;
}

const NAME_FORMAT = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const OPTION_KEYS = new Set(['secret', 'subscription', 'idempotency', 'handlerTimeoutMs', 'onHandlerError']);
/** Fixed at import time, next to `useFactory`: what a factory returns cannot move the route. */
const ROUTE_OPTION_KEYS = new Set(['path', 'name', 'decorators', 'isGlobal']);
const LIKELY_MEANT: Record<string, string> = { handlerTimeout: 'handlerTimeoutMs', secrets: 'secret', onError: 'onHandlerError' };

/** Checks the route extras at import time; a wrong value stops the app with what to change. */
export function defineEndpointRegistration(extras: ComplyCubeWebhookModuleExtras): ComplyCubeEndpointRegistration {
  const path = extras.path ?? DEFAULT_COMPLYCUBE_WEBHOOK_PATH;
  if (typeof path !== 'string') {
    throw new ComplyCubeWebhookConfigurationError('ComplyCubeWebhookModule: path must be a string such as "webhooks/complycube".');
  }
  const { name } = extras;
  if (name !== undefined && (typeof name !== 'string' || !NAME_FORMAT.test(name))) {
    throw new ComplyCubeWebhookConfigurationError(
      `ComplyCubeWebhookModule: name must be 1 to 64 letters, digits, '_', '-' or '.', starting with a letter or digit, such as 'live' (got ${JSON.stringify(name)}).`,
    );
  }
  const route = joinRoutePath(path);
  return {
    name,
    path,
    scope: name ?? route,
    label: name === undefined ? `the unnamed registration (${route || '/'})` : `'${name}' (${route || '/'})`,
  };
}

/** Resolves a registration's options at start-up; a wrong option stops the app with what to change. */
export function createEndpoint(
  registration: ComplyCubeEndpointRegistration,
  options: unknown,
  dispatcher: ComplyCubeEventDispatcher,
  metrics: ComplyCubeWebhookMetrics,
): ComplyCubeEndpoint {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    failOption('the options must be an object such as { secret } (check what the forRootAsync factory returns).');
  }
  const moduleOptions = options as ComplyCubeWebhookModuleOptions;
  checkOptionNames(moduleOptions);
  let verify: ComplyCubeSignatureVerifier;
  try {
    verify = createComplyCubeSignatureVerifier(moduleOptions.secret);
  } catch (error) {
    failOption((error as Error).message);
  }
  const handlerTimeoutMs = resolveHandlerTimeout(moduleOptions.handlerTimeoutMs);
  const delivery = resolveDeliverySettings(moduleOptions, registration.scope);
  if (delivery.idempotency && delivery.idempotency.abandonAfterMs <= handlerTimeoutMs) {
    failOption(
      `idempotency.abandonAfterMs (${delivery.idempotency.abandonAfterMs}) must exceed handlerTimeoutMs (${handlerTimeoutMs}): ` +
        'a delivery is abandoned only after the endpoint has answered.',
    );
  }
  const runner = new DeliveryRunner(dispatcher, delivery, metrics);
  const receiver = new ComplyCubeWebhookReceiver(runner, handlerTimeoutMs, metrics);
  return { ...registration, verify, handlerTimeoutMs, subscription: moduleOptions.subscription, delivery, runner, receiver };
}

function checkOptionNames(options: object): void {
  for (const key of Object.keys(options)) {
    if (ROUTE_OPTION_KEYS.has(key)) {
      failOption(
        `${key} is fixed when the module is imported, so it cannot come from a forRootAsync factory: ` +
          `write ComplyCubeWebhookModule.forRootAsync({ ${key}: ..., useFactory }) next to the factory, not in what it returns.`,
      );
    }
    if (!OPTION_KEYS.has(key)) {
      const hint = LIKELY_MEANT[key] ? ` Did you mean ${LIKELY_MEANT[key]}?` : '';
      failOption(`${key} is not an option (known: ${[...OPTION_KEYS].join(', ')}).${hint}`);
    }
  }
}

function resolveHandlerTimeout(value: unknown): number {
  const handlerTimeoutMs = value ?? DEFAULT_HANDLER_TIMEOUT_MS;
  if (
    typeof handlerTimeoutMs !== 'number' ||
    !Number.isFinite(handlerTimeoutMs) ||
    handlerTimeoutMs <= 0 ||
    handlerTimeoutMs > MAX_TIMER_MS
  ) {
    failOption(`handlerTimeoutMs must be a positive number of milliseconds (got ${describeOption(value)}).`);
  }
  if (handlerTimeoutMs >= COMPLYCUBE_RESPONSE_WINDOW_MS) {
    failOption(
      `handlerTimeoutMs must be below ${COMPLYCUBE_RESPONSE_WINDOW_MS} (got ${handlerTimeoutMs}): ComplyCube ` +
        'retries any delivery not answered within 15 seconds, so the endpoint must answer before that.',
    );
  }
  return handlerTimeoutMs;
}
