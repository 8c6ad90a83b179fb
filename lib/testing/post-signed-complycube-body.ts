import { COMPLYCUBE_SIGNATURE_HEADER } from '../constants';
import { signComplyCubePayload } from './sign-complycube-payload';

/** What the endpoint answered. */
export interface ComplyCubeWebhookResponse {
  status: number;
  /** The response body, parsed when it is JSON, otherwise the text. */
  body: unknown;
  text: string;
}

export interface PostSignedBodyOptions {
  secret: string;
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

/** POSTs exactly `body`, signed as ComplyCube signs it, as `application/json`. */
export async function postSignedComplyCubeBody(
  url: string,
  body: string | Buffer,
  options: PostSignedBodyOptions,
): Promise<ComplyCubeWebhookResponse> {
  const signature = signComplyCubePayload(body, options.secret);
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...options.headers, [COMPLYCUBE_SIGNATURE_HEADER]: signature },
      body: typeof body === 'string' ? body : new Uint8Array(body),
      // A redirect is an answer like any other: following it would turn the POST into a GET.
      redirect: 'manual',
      signal: options.timeoutMs === undefined ? undefined : AbortSignal.timeout(options.timeoutMs),
    });
  } catch (error) {
    throw new ComplyCubeEndpointUnreachableError(url, describeFetchFailure(error, options.timeoutMs));
  }
  const text = await response.text();
  return { status: response.status, body: parseJson(text), text };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

const NETWORK_CAUSES: Record<string, string> = {
  ECONNREFUSED: 'connection refused (is the app running on that port?)',
  ECONNRESET: 'the connection was reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ETIMEDOUT: 'the connection timed out',
};

// Duck-typed rather than `instanceof Error`: fetch's errors may come from another realm (a test VM context).
function describeFetchFailure(error: unknown, timeoutMs: number | undefined): string {
  const failure = (typeof error === 'object' && error !== null ? error : {}) as { name?: unknown; message?: unknown; cause?: unknown };
  if (failure.name === 'TimeoutError' || failure.name === 'AbortError') return `no answer within ${timeoutMs === undefined ? 'the time limit' : `${timeoutMs / 1000} s`}`;
  const cause = (typeof failure.cause === 'object' && failure.cause !== null ? failure.cause : {}) as { code?: unknown; message?: unknown };
  if (typeof cause.code === 'string') return NETWORK_CAUSES[cause.code] ?? cause.code;
  if (typeof cause.message === 'string') return cause.message;
  return typeof failure.message === 'string' ? failure.message : String(error);
}
