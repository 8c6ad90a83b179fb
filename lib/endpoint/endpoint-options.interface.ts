import type { ComplyCubeDeadLetter } from '../dead-letters/dead-letter';
import type { ComplyCubeHandlerErrorHook, ComplyCubeIdempotencyOptions } from '../delivery/delivery-settings';
import type { ComplyCubeSubscriptionOptions } from '../management/subscription-options.interface';
import type { ComplyCubeQueueOptions } from '../queue/queue-options';
import type { ComplyCubeDeadLetterOptions } from './store-dead-letters';

/** Options of one ComplyCube webhook endpoint, as `forRoot()` takes them or `forRootAsync()` resolves them. */
export interface ComplyCubeWebhookModuleOptions {
  /**
   * The webhook's signing secret, as ComplyCube returned it when the webhook was created.
   * Give several to rotate without downtime: a signature made with any of them is accepted.
   */
  secret: string | string[];
  /**
   * Opt-in start-up check of the ComplyCube webhook that targets this endpoint (missing,
   * disabled, event types not sent or not handled). Needs `ComplyCubeApiModule`.
   */
  subscription?: ComplyCubeSubscriptionOptions;
  /**
   * Handle each event id once per handler (on by default, in memory). `false` runs every handler
   * on every delivery.
   */
  idempotency?: false | ComplyCubeIdempotencyOptions;
  /**
   * When handlers are still running after this many ms, the endpoint answers 503 and lets them
   * finish; their outcome is recorded for ComplyCube's retry. Default 10 000; must be below 15 000.
   */
  handlerTimeoutMs?: number;
  /** Called for every handler failure, e.g. to report it to Sentry. Its own errors are logged and ignored. */
  onHandlerError?: ComplyCubeHandlerErrorHook;
  /**
   * Queue mode: the endpoint verifies each event, stores it as a BullMQ job and answers
   * `200 {"received":true,"queued":true}`; workers run the handlers, retrying with backoff, and a job
   * out of attempts becomes a dead letter. Needs the optional peers `bullmq` and `ioredis`.
   */
  queue?: ComplyCubeQueueOptions;
  /**
   * Without a queue: set an event aside as a dead letter at its Nth failed delivery and answer it
   * 200, so ComplyCube keeps the webhook enabled. Kept in the idempotency store.
   */
  deadLetters?: ComplyCubeDeadLetterOptions;
  /**
   * Trace deliveries and handlers with OpenTelemetry, and export the package's metrics through its
   * metrics API: `true` for both, or `{ traces, metrics }`. Needs the optional peer
   * `@opentelemetry/api`; the app registers the SDK (without one, the API does nothing).
   */
  openTelemetry?: boolean | { traces?: boolean; metrics?: boolean };
  /** Called for every event that becomes a dead letter, e.g. to alert someone. Its own errors are logged and ignored. */
  onDeadLetter?: (deadLetter: ComplyCubeDeadLetter) => void | Promise<void>;
}

/**
 * Settings fixed when the module is imported (they shape the route), for `forRoot()` and
 * `forRootAsync()` alike.
 */
export interface ComplyCubeWebhookModuleExtras {
  /**
   * Names the registration, for apps that register the module more than once (a live and a sandbox
   * account, say): `ComplyCubeSignatureGuard.for(name)` and the testing kit select it by this name,
   * and its idempotency records are scoped to it. Letters, digits, `_`, `-`, `.`. Default: unnamed,
   * its records scoped to its path.
   */
  name?: string;
  /** Route of the endpoint, below the app's global prefix. Default `webhooks/complycube`. */
  path?: string;
  /**
   * Class decorators applied to the endpoint's controller, e.g. an app's `@Public()` or
   * `@SkipThrottle()`, so that global guards let ComplyCube through.
   */
  decorators?: ClassDecorator[];
  /** Make the module's exports (`ComplyCubeWebhookMetrics`, `ComplyCubeWebhookEndpoints`) injectable app-wide. */
  isGlobal?: boolean;
}
