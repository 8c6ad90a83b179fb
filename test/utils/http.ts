import { createHmac } from 'node:crypto';

export interface HttpResult {
  status: number;
  text: string;
  json: any;
  headers: Headers;
}

export function hmacHex(body: string | Buffer, secret: string): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

export interface PostOptions {
  /** Signs the exact bytes sent with this secret, unless `signature` is given. */
  secret?: string;
  /** The header value to send; `null` sends no header. */
  signature?: string | null;
  headers?: Record<string, string>;
  contentType?: string | null;
  /** Gives up on the answer, as ComplyCube does after 15 s. */
  signal?: AbortSignal;
}

/** POSTs exactly `body` (serialised first when not a string/Buffer) over real HTTP. */
export async function postWebhook(url: string, body: unknown, options: PostOptions = {}): Promise<HttpResult> {
  const bytes = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  const headers: Record<string, string> = { ...options.headers };
  if (options.contentType !== null) headers['content-type'] = options.contentType ?? 'application/json';
  const signature = options.signature !== undefined ? options.signature : options.secret ? hmacHex(bytes, options.secret) : null;
  if (signature !== null) headers['complycube-signature'] = signature;
  const response = await fetch(url, { method: 'POST', headers, body: bytes, signal: options.signal });
  const text = await response.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, text, json, headers: response.headers };
}
