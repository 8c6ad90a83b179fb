import { Logger } from '@nestjs/common';
import { ComplyCubeWebhookConfigurationError, describeError } from '../common/errors';
import { joinRoutePath } from '../common/route-path';
import { DeliverySettings, describeOption, failOption, MAX_TIMER_MS, resolveDeliverySettings } from '../delivery/delivery-settings';
import { ComplyCubeDeadLetter } from '../dead-letters/dead-letter';
import { DeliveryObserver } from '../delivery/delivery.observer';
import { DeliveryRunner } from '../delivery/delivery.runner';
import { createOpenTelemetryTracing } from '../observability/opentelemetry';
import { NO_TRACING } from '../observability/tracing';
import { MemoryIdempotencyStore } from '../delivery/memory-idempotency.store';
import { ComplyCubeWebhookMetrics } from '../delivery/webhook.metrics';
import { ComplyCubeEventDispatcher } from '../dispatch/event.dispatcher';
import { QueueMode } from '../queue/queue-mode';
import { QueueSettings, resolveQueueSettings } from '../queue/queue-options';
import { ComplyCubeSignatureVerifier, createComplyCubeSignatureVerifier } from '../verification/verify';
import { COMPLYCUBE_RESPONSE_WINDOW_MS, DEFAULT_HANDLER_TIMEOUT_MS } from './deadline';
import type { ComplyCubeSubscriptionOptions } from '../management/subscription-options.interface';
import type { ComplyCubeWebhookModuleExtras, ComplyCubeWebhookModuleOptions } from './endpoint-options.interface';
import { QueueReceiver } from './queue.receiver';
import { resolveStoreDeadLetters, StoreDeadLetters } from './store-dead-letters';
import { ComplyCubeWebhookReceiver, EventReceiver } from './receiver';

/** What the start-up check of ComplyCube's webhook found: whether it is enabled, or why it could not tell. */
export interface SubscriptionState {
  checkedAt?: string;
  url?: string;
  /** Whether a webhook pointing at the endpoint is enabled; undefined when the check could not tell. */
  enabled?: boolean;
  /** Why the check could not tell (ComplyCube unreachable, key refused...). */
  error?: string;
}

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
  readonly receiver: EventReceiver;
  /** Queue mode: the BullMQ queue its events go to and the worker that runs them. */
  readonly queue?: QueueMode;
  /** Without a queue, with the `deadLetters` option: the dead letters kept in the idempotency store. */
  readonly storeDeadLetters?: StoreDeadLetters;
  /** What watches its deliveries: spans and the durations metrics exporters receive. */
  readonly observer: DeliveryObserver;
  /** Whether it exports the package's metrics through OpenTelemetry's metrics API. */
  readonly openTelemetryMetrics: boolean;
  /** What the start-up subscription check found, once it ran. */
  readonly subscriptionState: SubscriptionState;
  /** Reports an event that became a dead letter: counted, logged, passed to `onDeadLetter`. */
  readonly reportDeadLetter: (deadLetter: ComplyCubeDeadLetter) => void;
}

const logger = new Logger('ComplyCubeWebhooks');
const NAME_FORMAT = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const OPTION_KEYS = new Set([
  'secret',
  'subscription',
  'idempotency',
  'handlerTimeoutMs',
  'onHandlerError',
  'queue',
  'deadLetters',
  'onDeadLetter',
  'openTelemetry',
]);
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

/**
 * Resolves a registration's options at start-up; a wrong option stops the app with what to change.
 * In queue mode it also loads BullMQ and sets up the queue (the worker starts once the app has
 * subscribed every handler).
 */
export async function createEndpoint(
  registration: ComplyCubeEndpointRegistration,
  options: unknown,
  dispatcher: ComplyCubeEventDispatcher,
  metrics: ComplyCubeWebhookMetrics,
): Promise<ComplyCubeEndpoint> {
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
  const { onDeadLetter } = moduleOptions;
  if (onDeadLetter !== undefined && typeof onDeadLetter !== 'function') {
    failOption(`onDeadLetter must be a function (got ${describeOption(onDeadLetter)}).`);
  }
  const queueSettings = moduleOptions.queue === undefined ? undefined : resolveQueueSettings(moduleOptions.queue);
  if (queueSettings) checkQueueStore(queueSettings, delivery);
  const storeDeadLetters = resolveDeadLetters(moduleOptions.deadLetters, queueSettings, delivery, registration);
  const telemetry = resolveOpenTelemetry(moduleOptions.openTelemetry);
  const tracing = telemetry.traces ? await createOpenTelemetryTracing() : NO_TRACING;
  const observer = new DeliveryObserver(tracing, metrics, registration.name ?? registration.scope);
  const runner = new DeliveryRunner(dispatcher, delivery, metrics, observer);
  const queue = queueSettings ? await QueueMode.create(queueSettings, delivery.idempotency?.store) : undefined;
  const reportDeadLetter = (deadLetter: ComplyCubeDeadLetter): void => {
    metrics.count('deadLettered');
    const handlers = [...new Set(deadLetter.failures.flatMap((attempt) => attempt.handlers.map((handler) => handler.handlerKey)))];
    logger.error(
      `ComplyCube event ${deadLetter.eventId} (${deadLetter.eventType}) is a dead letter after ${deadLetter.attempts} attempts` +
        `${handlers.length > 0 ? ` (failing: ${handlers.join(', ')})` : ''}: it waits for an operator. ` +
        `Retry it with ComplyCubeDeadLetters.retry('${deadLetter.id}') or npx complycube-webhooks dead-letters retry.`,
    );
    if (!onDeadLetter) return;
    const logHookError = (error: unknown): void =>
      logger.error(`onDeadLetter threw for ComplyCube event ${deadLetter.eventId}: ${describeError(error)}`);
    try {
      void Promise.resolve(onDeadLetter(deadLetter)).catch(logHookError);
    } catch (error) {
      logHookError(error);
    }
  };
  const receiver: EventReceiver = queue
    ? new QueueReceiver(
        queue.eventQueue,
        { name: registration.name, scope: registration.scope },
        queue.settings.enqueueTimeoutMs,
        metrics,
        observer,
      )
    : new ComplyCubeWebhookReceiver(
        runner,
        handlerTimeoutMs,
        metrics,
        storeDeadLetters && { store: storeDeadLetters, report: reportDeadLetter },
        observer,
      );
  return {
    ...registration,
    verify,
    handlerTimeoutMs,
    subscription: moduleOptions.subscription,
    delivery,
    runner,
    receiver,
    queue,
    storeDeadLetters,
    observer,
    openTelemetryMetrics: telemetry.metrics,
    subscriptionState: {},
    reportDeadLetter,
  };
}

/** `openTelemetry: true` is both; `{ traces, metrics }` picks. */
function resolveOpenTelemetry(option: unknown): { traces: boolean; metrics: boolean } {
  if (option === undefined || option === false) return { traces: false, metrics: false };
  if (option === true) return { traces: true, metrics: true };
  if (typeof option !== 'object' || option === null || Array.isArray(option)) {
    failOption(`openTelemetry must be true, or { traces, metrics } (got ${describeOption(option)}).`);
  }
  const { traces = false, metrics = false, ...rest } = option as { traces?: unknown; metrics?: unknown };
  const unknown = Object.keys(rest);
  if (unknown.length > 0) failOption(`openTelemetry.${unknown[0]} is not an option (known: traces, metrics).`);
  if (typeof traces !== 'boolean' || typeof metrics !== 'boolean')
    failOption('openTelemetry.traces and openTelemetry.metrics must be true or false.');
  return { traces, metrics };
}

/** The `deadLetters` option: dead letters kept in the idempotency store, for endpoints without a queue. */
function resolveDeadLetters(
  option: unknown,
  queue: QueueSettings | undefined,
  delivery: DeliverySettings,
  registration: ComplyCubeEndpointRegistration,
): StoreDeadLetters | undefined {
  if (option === undefined) return undefined;
  if (queue) {
    failOption(
      "deadLetters is for endpoints without a queue: in queue mode a job out of attempts is a dead letter in BullMQ's failed set " +
        '(queue.attempts says when). Remove deadLetters.',
    );
  }
  const store = delivery.idempotency?.store;
  const settings = resolveStoreDeadLetters(option, store);
  return new StoreDeadLetters(
    store as ConstructorParameters<typeof StoreDeadLetters>[0],
    settings,
    delivery.idempotency?.ttlMs ?? settings.ttlMs,
    { name: registration.name, scope: registration.scope },
  );
}

/** In queue mode, processes that only take events in or only run them must share their records. */
function checkQueueStore(settings: QueueSettings, delivery: DeliverySettings): void {
  if (settings.role !== 'both' && delivery.idempotency?.store instanceof MemoryIdempotencyStore) {
    failOption(
      `queue.role '${settings.role}' with the in-memory idempotency store: the endpoint and its workers run in different ` +
        "processes and would not share their records. Use RedisIdempotencyStore (the queue's Redis will do).",
    );
  }
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
