import { EventVerifier } from '@complycube/api';
import fc from 'fast-check';
import { createHmac } from 'node:crypto';
import { verifyComplyCubeSignature } from 'nestjs-complycube-webhooks';

const sign = (body: string | Buffer, secret: string): string => createHmac('sha256', secret).update(body).digest('hex');

/** What the official SDK decides: 'accept', 'reject', or 'crash' (it threw something other than its own error). */
function officialVerdict(body: Buffer, signature: unknown, secret: string): 'accept' | 'reject' | 'crash' {
  try {
    new EventVerifier(secret).constructEvent(body as unknown as string, signature as string);
    return 'accept';
  } catch (error) {
    return (error as Error).constructor.name === 'ComplyCubeError' ? 'reject' : 'crash';
  }
}

const secretArb = fc.string({ minLength: 1, maxLength: 64 }).filter((secret) => secret.trim().length > 0);
const jsonBodyArb = fc.jsonValue().map((value) => Buffer.from(JSON.stringify({ id: 'e', type: 't', payload: { value } })));

describe('verifyComplyCubeSignature', () => {
  const body = Buffer.from('{"id":"5ed170fe99c81a0007b9a3d3","type":"check.completed.clear","payload":{}}');
  const secret = 'whsec_unit';
  const good = sign(body, secret);

  it('accepts the hex HMAC-SHA256 of the raw bytes, as a Buffer or a string', () => {
    expect(verifyComplyCubeSignature(body, good, secret)).toBe(true);
    expect(verifyComplyCubeSignature(body.toString(), good, secret)).toBe(true);
  });

  it('accepts upper-case hex and surrounding whitespace', () => {
    expect(verifyComplyCubeSignature(body, good.toUpperCase(), secret)).toBe(true);
    expect(verifyComplyCubeSignature(body, `\t ${good}\n`, secret)).toBe(true);
  });

  it('tries every secret, so a rotated secret keeps working', () => {
    expect(verifyComplyCubeSignature(body, good, ['new-secret', secret])).toBe(true);
    expect(verifyComplyCubeSignature(body, good, [secret, 'new-secret'])).toBe(true);
    expect(verifyComplyCubeSignature(body, good, ['new-secret', 'older-secret'])).toBe(false);
  });

  it.each<[string, unknown]>([
    ['undefined', undefined],
    ['null', null],
    ['a number', 42],
    ['an array of the right value (repeated header)', [good, good]],
    ['a comma-joined repeated header', `${good}, ${good}`],
    ['empty', ''],
    ['63 digits', good.slice(0, 63)],
    ['65 digits', `${good}a`],
    ['valid then junk', `${good}zz`],
    ['valid then one odd digit (the official SDK accepts it)', `${good}0`],
    ['non-hex', 'g'.repeat(64)],
    ['a buffer', Buffer.from(good, 'hex')],
    ['base64', Buffer.from(good, 'hex').toString('base64')],
    ['signature of another body', sign(`${body.toString()} `, secret)],
  ])('rejects %s without throwing', (_name, signature) => {
    expect(verifyComplyCubeSignature(body, signature, secret)).toBe(false);
  });

  it('rejects a body that is not a Buffer or a string (a parsed object) instead of hashing it', () => {
    expect(verifyComplyCubeSignature(JSON.parse(body.toString()), good, secret)).toBe(false);
  });

  it.each<[string, unknown]>([
    ['an empty string', ''],
    ['a blank string', '  \n'],
    ['an empty list', []],
    ['a list with a blank secret', ['kept-secret-value', ' ']],
    ['undefined', undefined],
    ['a number', 7],
  ])('throws a TypeError for %s as secret, never quoting a secret', (_name, secrets) => {
    const attempt = (): boolean => verifyComplyCubeSignature(body, good, secrets as string[]);
    expect(attempt).toThrow(TypeError);
    expect(attempt).not.toThrow(/kept-secret-value/);
  });

  describe('against the official SDK (EventVerifier of @complycube/api)', () => {
    it('accepts every correctly signed body the SDK accepts', () => {
      fc.assert(
        fc.property(jsonBodyArb, secretArb, (raw, key) => {
          const signature = sign(raw, key);
          expect(officialVerdict(raw, signature, key)).toBe('accept');
          expect(verifyComplyCubeSignature(raw, signature, key)).toBe(true);
        }),
        { numRuns: 500 },
      );
    });

    it('rejects the malformed signatures the SDK wrongly accepts or crashes on', () => {
      const junkArb = fc.oneof(
        fc.constantFrom('zz', 'z', '0', 'a', ' x', '--', 'ff00', '\u00e9'),
        fc.string({ minLength: 1, maxLength: 8 }),
      );
      fc.assert(
        fc.property(jsonBodyArb, secretArb, junkArb, (raw, key, junk) => {
          const extended = `${sign(raw, key)}${junk}`;
          // The SDK's hex decoding drops what it cannot read, so it accepts the signature or
          // crashes on its length; it never rejects it as its own error.
          expect(officialVerdict(raw, extended, key)).not.toBe('reject');
          // The package rejects it, except for trailing whitespace, which it trims on purpose.
          expect(verifyComplyCubeSignature(raw, extended, key)).toBe(junk.trim() === '');
        }),
        { numRuns: 500 },
      );
    });

    it('shows the SDK weaknesses it guards against (so this cross-check can fail if they change)', () => {
      const raw = Buffer.from('{"id":"a","type":"t","payload":{}}');
      const signature = sign(raw, secret);
      expect(officialVerdict(raw, `${signature}zz`, secret)).toBe('accept');
      expect(officialVerdict(raw, `${signature}0`, secret)).toBe('accept');
      expect(officialVerdict(raw, signature.slice(0, 10), secret)).toBe('crash');
      expect(officialVerdict(raw, undefined, secret)).toBe('crash');
      expect(verifyComplyCubeSignature(raw, `${signature}zz`, secret)).toBe(false);
      expect(verifyComplyCubeSignature(raw, `${signature}0`, secret)).toBe(false);
      expect(verifyComplyCubeSignature(raw, signature.slice(0, 10), secret)).toBe(false);
      expect(verifyComplyCubeSignature(raw, undefined, secret)).toBe(false);
    });

    it('rejects every random signature, as the SDK does when it does not crash', () => {
      fc.assert(
        fc.property(jsonBodyArb, secretArb, fc.string({ maxLength: 80 }), (raw, key, signature) => {
          fc.pre(signature.trim().toLowerCase() !== sign(raw, key));
          expect(verifyComplyCubeSignature(raw, signature, key)).toBe(false);
          expect(officialVerdict(raw, signature, key)).not.toBe('accept');
        }),
        { numRuns: 1000 },
      );
    });

    it('rejects signatures made with another secret and bodies changed by one byte', () => {
      fc.assert(
        fc.property(jsonBodyArb, secretArb, secretArb, fc.nat(), (raw, key, otherKey, position) => {
          fc.pre(key !== otherKey);
          expect(verifyComplyCubeSignature(raw, sign(raw, otherKey), key)).toBe(false);
          const tampered = Buffer.from(raw);
          const index = position % tampered.length;
          tampered[index] = tampered[index] ^ 0x01;
          expect(verifyComplyCubeSignature(tampered, sign(raw, key), key)).toBe(false);
        }),
        { numRuns: 500 },
      );
    });
  });
});
