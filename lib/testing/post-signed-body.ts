import { describeFetchFailure, fetchFailureCode } from '../common/fetch-failure';
import { hasUrlCredentials, hideUrlCredentials } from '../common/http-url';
import { COMPLYCUBE_SIGNATURE_HEADER } from '../verification/verify';
import { signComplyCubePayload } from '../verification/sign';

/** What the endpoint answered. */
export interface ComplyCubeWebhookResponse {
  status: number;
  /** The response body, parsed when it is JSON, otherwise the text. */
  body: unknown;
  text: string;
}

export interface PostSignedBodyOptions {
  secret: string;
  /**
   * Extra request headers, names compared case-insensitively: a `Content-Type` replaces the
   * default `application/json`; a signature header is ignored (the computed one is sent).
   */
  headers?: Record<string, string>;
  /** Give up after this many milliseconds (ComplyCube itself waits 15 s). */
  timeoutMs?: number;
}

/** The endpoint could not be reached: a message that names the URL and the cause, never the secret. */
export class ComplyCubeEndpointUnreachableError extends Error {
  constructor(
    readonly url: string,
    readonly reason: string,
  ) {
    super(`cannot reach ${url}: ${reason}`);
    this.name = 'ComplyCubeEndpointUnreachableError';
  }
}

/**
 * POSTs exactly `body`, signed as ComplyCube signs it, as `application/json`. A URL that does not
 * parse, or that has a user name or password, is refused with a TypeError that does not repeat
 * them: ComplyCube authenticates with the signature, and credentials in a URL end up in messages
 * and logs.
 */
export async function postSignedComplyCubeBody(
  url: string,
  body: string | Buffer,
  options: PostSignedBodyOptions,
): Promise<ComplyCubeWebhookResponse> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // Not the URL parser's own error: it carries the whole input, credentials included.
    throw new TypeError(`the endpoint URL ${JSON.stringify(hideUrlCredentials(String(url)))} is not a valid URL.`);
  }
  if (hasUrlCredentials(parsed)) {
    throw new TypeError('the endpoint URL must not contain a user name or password: the signature authenticates the request.');
  }
  const signature = signComplyCubePayload(body, options.secret);
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: requestHeaders(options.headers, signature),
      body: typeof body === 'string' ? body : new Uint8Array(body),
      // A redirect is an answer like any other: following it would turn the POST into a GET.
      redirect: 'manual',
      signal: options.timeoutMs === undefined ? undefined : AbortSignal.timeout(options.timeoutMs),
    });
  } catch (error) {
    throw new ComplyCubeEndpointUnreachableError(url, describeFailure(error, options.timeoutMs));
  }
  const text = await response.text();
  return { status: response.status, body: parseJson(text), text };
}

/**
 * One value per header name whatever its case (fetch would send `Content-Type` and
 * `content-type` as two values of one header): the default content type, the caller's headers
 * over it, and the computed signature over everything.
 */
function requestHeaders(extra: Record<string, string> | undefined, signature: string): Array<[string, string]> {
  const headers = new Map<string, string>([['content-type', 'application/json']]);
  for (const [name, value] of Object.entries(extra ?? {})) headers.set(name.toLowerCase(), value);
  headers.set(COMPLYCUBE_SIGNATURE_HEADER, signature);
  return [...headers];
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

// Duck-typed rather than `instanceof Error`: fetch's errors may come from another realm (a test VM context).
function describeFailure(error: unknown, timeoutMs: number | undefined): string {
  const name = (error as { name?: unknown } | undefined)?.name;
  if (name === 'TimeoutError' || name === 'AbortError')
    return `no answer within ${timeoutMs === undefined ? 'the time limit' : `${timeoutMs / 1000} s`}`;
  if (fetchFailureCode(error) === 'ECONNREFUSED') return 'connection refused (is the app running on that port?)';
  return describeFetchFailure(error);
}
