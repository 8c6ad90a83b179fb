/** Details of the ComplyCube API call an error belongs to. */
export interface ComplyCubeApiCall {
  method: string;
  /** Path below the base URL, e.g. `/webhooks/5ed1…`. */
  path: string;
  /** How many HTTP attempts were made (retries included). */
  attempts: number;
}

/** ComplyCube answered with an error status. `message` is ComplyCube's own, with the API key redacted. */
export class ComplyCubeApiError extends Error {
  override readonly name = 'ComplyCubeApiError';
  readonly method: string;
  readonly path: string;
  readonly attempts: number;

  constructor(
    /** HTTP status, e.g. 401 for a bad API key, 404 for an unknown webhook, 429 when rate limited. */
    readonly status: number,
    /** ComplyCube's error type, e.g. `authentication_error`; `unknown` when the body has none. */
    readonly type: string,
    readonly apiMessage: string,
    call: ComplyCubeApiCall,
  ) {
    super(`ComplyCube API ${call.method} ${call.path} answered ${status} (${type}): ${apiMessage}`);
    this.method = call.method;
    this.path = call.path;
    this.attempts = call.attempts;
  }
}

/** ComplyCube did not answer within the time allowed. */
export class ComplyCubeApiTimeoutError extends Error {
  override readonly name = 'ComplyCubeApiTimeoutError';
  readonly method: string;
  readonly path: string;
  readonly attempts: number;

  constructor(
    readonly timeoutMs: number,
    call: ComplyCubeApiCall,
  ) {
    super(`ComplyCube API ${call.method} ${call.path} did not answer within ${timeoutMs} ms`);
    this.method = call.method;
    this.path = call.path;
    this.attempts = call.attempts;
  }
}

/** ComplyCube could not be reached (DNS, refused or reset connection, TLS). */
export class ComplyCubeApiConnectionError extends Error {
  override readonly name = 'ComplyCubeApiConnectionError';
  readonly method: string;
  readonly path: string;
  readonly attempts: number;

  constructor(
    /** What failed, e.g. `connect ECONNREFUSED 127.0.0.1:443`. */
    readonly reason: string,
    call: ComplyCubeApiCall,
  ) {
    super(`ComplyCube API ${call.method} ${call.path} could not be reached: ${reason}`);
    this.method = call.method;
    this.path = call.path;
    this.attempts = call.attempts;
  }
}

/** A webhook request that ComplyCube would refuse, rejected before any call (e.g. a non-HTTPS url). */
export class ComplyCubeWebhookRequestError extends TypeError {
  override readonly name = 'ComplyCubeWebhookRequestError';
}
