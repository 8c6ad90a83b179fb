import { createHmac, createSecretKey, timingSafeEqual } from 'node:crypto';

/** The header ComplyCube signs with, as Node names it (lowercase). */
export const COMPLYCUBE_SIGNATURE_HEADER = 'complycube-signature';

const SIGNATURE_FORMAT = /^[0-9a-fA-F]{64}$/;

/**
 * Checks the secret option and returns a frozen copy of it as a non-empty list of non-blank
 * secrets: a later change to the caller's array cannot add a secret (an empty one, say).
 * Throws a TypeError that names the problem (never the secret itself).
 */
export function normalizeComplyCubeSecrets(secrets: unknown): readonly string[] {
  const list = Array.isArray(secrets) ? secrets : [secrets];
  if (list.length === 0) {
    throw new TypeError('ComplyCube webhook secret list is empty: give at least one secret.');
  }
  list.forEach((secret, index) => {
    if (typeof secret !== 'string' || secret.trim().length === 0) {
      const which = Array.isArray(secrets) ? `secret[${index}]` : 'secret';
      throw new TypeError(`ComplyCube webhook ${which} must be a non-empty string (got ${describe(secret)}).`);
    }
  });
  return Object.freeze([...(list as string[])]);
}

/** Checks one request's raw body and `ComplyCube-Signature` value against secrets fixed in advance. */
export type ComplyCubeSignatureVerifier = (rawBody: Buffer | string, signature: unknown) => boolean;

/**
 * A verifier for a fixed set of secrets, checked once here rather than on every request.
 * Throws a TypeError for invalid secrets, like verifyComplyCubeSignature.
 */
export function createComplyCubeSignatureVerifier(secrets: string | readonly string[]): ComplyCubeSignatureVerifier {
  // Key objects made once: a string key is encoded again by every createHmac.
  const keys = normalizeComplyCubeSecrets(secrets).map((secret) => createSecretKey(secret, 'utf8'));
  return (rawBody, signature) => {
    if (typeof signature !== 'string') return false;
    const hex = signature.trim();
    if (!SIGNATURE_FORMAT.test(hex)) return false;
    if (typeof rawBody !== 'string' && !Buffer.isBuffer(rawBody)) return false;

    const received = Buffer.from(hex, 'hex');
    let matched = false;
    for (const key of keys) {
      const expected = createHmac('sha256', key).update(rawBody).digest();
      // Every secret is compared, so timing does not reveal which one matched.
      if (timingSafeEqual(expected, received)) matched = true;
    }
    return matched;
  };
}

/**
 * Checks a `ComplyCube-Signature` header value: lowercase or uppercase hex of HMAC-SHA256 over the
 * raw request body, keyed by the webhook secret. Every secret is tried (key rotation), each in
 * constant time. Returns false for any malformed signature: missing, repeated (an array or a
 * comma-joined value), empty, not exactly 64 hex digits. Only invalid secrets throw, as a
 * configuration error.
 *
 * Pass the bytes as received: a body that was parsed and serialised again is not what was signed.
 */
export function verifyComplyCubeSignature(rawBody: Buffer | string, signature: unknown, secrets: string | readonly string[]): boolean {
  return createComplyCubeSignatureVerifier(secrets)(rawBody, signature);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return 'a blank string';
  if (value === null) return 'null';
  return typeof value;
}
