/** Options of `ComplyCubeApiModule` and `ComplyCubeWebhooksClient`. */
export interface ComplyCubeApiOptions {
  /** A ComplyCube API key (live or test). Sent as the `Authorization` header, never logged. */
  apiKey: string;
  /**
   * Default `https://api.complycube.com/v1`. Must be HTTPS, except on a loopback host
   * (127.0.0.1, ::1, localhost) for tests, so the key never crosses a network in clear text.
   */
  baseUrl?: string;
  /** Time allowed to each HTTP attempt, answer body included. Default 10 000 ms. */
  timeoutMs?: number;
  /** Extra attempts of an idempotent call after 429, 5xx or a connection failure. Default 2. */
  retries?: number;
  /** First back-off delay; each retry doubles it (a `Retry-After` answer wins). Default 500 ms. */
  retryDelayMs?: number;
}

/** Settings fixed when the module is imported. */
export interface ComplyCubeApiModuleExtras {
  /** Make `ComplyCubeWebhooksClient` injectable app-wide. */
  isGlobal?: boolean;
}
