import { createHmac } from 'node:crypto';

/**
 * The `ComplyCube-Signature` header value for `body`: lowercase hex HMAC-SHA256 of the exact
 * bytes, keyed by the webhook secret, as ComplyCube computes it.
 */
export function signComplyCubePayload(body: string | Buffer, secret: string): string {
  if (typeof secret !== 'string' || secret.trim() === '') {
    throw new TypeError('signComplyCubePayload(): the secret must be a non-empty string.');
  }
  if (typeof body !== 'string' && !Buffer.isBuffer(body)) {
    throw new TypeError('signComplyCubePayload(): the body must be a string or a Buffer (the exact bytes to send).');
  }
  return createHmac('sha256', secret).update(body).digest('hex');
}
