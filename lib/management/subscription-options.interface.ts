/**
 * What the start-up check does when the ComplyCube webhook targeting this endpoint is missing,
 * disabled, or does not send what the handlers take:
 * - `warn`: log it, start anyway;
 * - `error`: refuse to start (missing, disabled, or a handled type not sent);
 * - `sync`: set the webhook's `events` to what the handlers take and enable it (never creates one).
 */
export type ComplyCubeSubscriptionMode = 'warn' | 'error' | 'sync';

/** The opt-in start-up check of `ComplyCubeWebhookModule` (needs `ComplyCubeApiModule`). */
export interface ComplyCubeSubscriptionOptions {
  /**
   * The HTTPS origin (and any proxy path) where ComplyCube reaches this app, e.g.
   * `https://api.example.com`. The webhook's url is this + the global prefix + the module's path.
   */
  publicUrl: string;
  /** Default `warn`. */
  mode?: ComplyCubeSubscriptionMode;
  /** The whole check's time limit; past it, start-up goes on with an error logged. Default 5000 ms. */
  timeoutMs?: number;
}
