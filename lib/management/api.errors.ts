/** Details of the ComplyCube API call an error belongs to. */
export interface ComplyCubeApiCall {
  method: string;
  /** Path below the base URL, e.g. `/webhooks/5ed1…`. */
  path: string;
  /** How many HTTP attempts were made (retries included). */
  attempts: number;
}

/** A call to ComplyCube's API that failed, whichever way; the subclasses say how. */
export abstract class ComplyCubeApiCallError extends Error {
  readonly method: string;
  readonly path: string;
  readonly attempts: number;

  protected constructor(what: string, call: ComplyCubeApiCall) {
    super(`ComplyCube API ${call.method} ${call.path} ${what}`);
    this.method = call.method;
    this.path = call.path;
    this.attempts = call.attempts;
  }
}

/** ComplyCube answered with an error status. `apiMessage` is ComplyCube's own, with the API key redacted. */
export class ComplyCubeApiError extends ComplyCubeApiCallError {
  override readonly name = 'ComplyCubeApiError';

  constructor(
    /** HTTP status, e.g. 401 for a bad API key, 404 for an unknown webhook, 429 when rate limited. */
    readonly status: number,
    /** ComplyCube's error type, e.g. `authentication_error`; `unknown` when the body has none. */
    readonly type: string,
    readonly apiMessage: string,
    call: ComplyCubeApiCall,
  ) {
    super(`answered ${status} (${type}): ${apiMessage}`, call);
  }
}

/** ComplyCube did not answer within the time allowed. */
export class ComplyCubeApiTimeoutError extends ComplyCubeApiCallError {
  override readonly name = 'ComplyCubeApiTimeoutError';

  constructor(
    readonly timeoutMs: number,
    call: ComplyCubeApiCall,
  ) {
    super(`did not answer within ${timeoutMs} ms`, call);
  }
}

/** ComplyCube could not be reached (DNS, refused or reset connection, TLS). */
export class ComplyCubeApiConnectionError extends ComplyCubeApiCallError {
  override readonly name = 'ComplyCubeApiConnectionError';

  constructor(
    /** What failed, e.g. `connect ECONNREFUSED 127.0.0.1:443`. */
    readonly reason: string,
    call: ComplyCubeApiCall,
  ) {
    super(`could not be reached: ${reason}`, call);
  }
}

/** A webhook request that ComplyCube would refuse, rejected before any call (e.g. a non-HTTPS url). */
export class ComplyCubeWebhookRequestError extends TypeError {
  override readonly name = 'ComplyCubeWebhookRequestError';
}
