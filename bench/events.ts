import { createHmac, randomBytes } from 'node:crypto';
import Stripe from 'stripe';

/** Secrets the bench servers are configured with; loopback-only test values. */
export const COMPLYCUBE_BENCH_SECRET = 'whsec_bench_complycube_0123456789abcdef';
export const STRIPE_BENCH_SECRET = 'whsec_bench_stripe_0123456789abcdef';
export const STRIPE_BENCH_API_KEY = 'sk_test_bench_not_a_real_key';

/** The type every bench delivery carries, and the one the single handler listens to. */
export const BENCH_EVENT_TYPE = 'check.completed.clear';
export const STRIPE_BENCH_EVENT_TYPE = 'customer.updated';

const ID_PLACEHOLDER = '__EVENT_ID__';

/**
 * A body template with one id slot, so that each request carries a fresh event id (a store that
 * remembers ids must see new events, as it would in production) without serialising JSON per request.
 */
export interface EventTemplate {
  before: string;
  after: string;
  /** Body length in bytes with an id filled in. */
  bytes: number;
}

/** A completed screening check, as ComplyCube sends it, padded with result detail to about `targetBytes`. */
export function complyCubeEventTemplate(targetBytes: number): EventTemplate {
  const createdAt = '2026-11-25T10:14:23.964Z';
  const base = {
    id: ID_PLACEHOLDER,
    type: BENCH_EVENT_TYPE,
    resourceType: 'check',
    payload: {
      id: '5ed3918fbf06f30008e552c9',
      clientId: '5eb04fcd0f3e360008035eb1',
      entityName: 'John Doe',
      type: 'extensive_screening_check',
      status: 'complete',
      outcome: 'clear',
      result: { outcome: 'clear', breakdown: [] as Array<Record<string, string>> },
      createdAt,
      updatedAt: createdAt,
    },
    createdAt,
  };
  return pad(base, targetBytes, newEventId().length, (index) => {
    base.payload.result.breakdown.push({
      source: `watchlist-${index}`,
      category: 'sanctions',
      outcome: 'no_match',
      checkedAt: createdAt,
    });
  });
}

/** A Stripe `customer.updated` event of about `targetBytes`, for the peer module's case. */
export function stripeEventTemplate(targetBytes: number): EventTemplate {
  const base = {
    id: ID_PLACEHOLDER,
    object: 'event',
    api_version: '2025-12-15.clover',
    created: 1764065663,
    livemode: false,
    pending_webhooks: 1,
    request: { id: 'req_bench0001', idempotency_key: null },
    type: STRIPE_BENCH_EVENT_TYPE,
    data: {
      object: {
        id: 'cus_bench0001',
        object: 'customer',
        email: 'john.doe@example.com',
        name: 'John Doe',
        metadata: {} as Record<string, string>,
      },
    },
  };
  return pad(base, targetBytes, newStripeEventId().length, (index) => {
    base.data.object.metadata[`screening_source_${index}`] = `watchlist-${index}:sanctions:no_match`;
  });
}

function pad(base: object, targetBytes: number, idLength: number, grow: (index: number) => void): EventTemplate {
  const extra = idLength - ID_PLACEHOLDER.length;
  for (let index = 0; Buffer.byteLength(JSON.stringify(base)) + extra < targetBytes; index++) grow(index);
  const [before, after] = JSON.stringify(base).split(ID_PLACEHOLDER);
  return { before, after, bytes: Buffer.byteLength(before) + Buffer.byteLength(after) + idLength };
}

const ID_PREFIX = randomBytes(4).toString('hex');
let idCounter = 0;

/** A 24-hex-digit id, as ComplyCube's ids are, unique within this process. */
export function newEventId(): string {
  idCounter += 1;
  return ID_PREFIX + idCounter.toString(16).padStart(16, '0');
}

export function newStripeEventId(): string {
  return `evt_${newEventId()}`;
}

export function fillTemplate(template: EventTemplate, id: string): string {
  return template.before + id + template.after;
}

export function signComplyCube(body: string | Buffer, secret = COMPLYCUBE_BENCH_SECRET): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

const stripe = new Stripe(STRIPE_BENCH_API_KEY);

/** A `Stripe-Signature` header as Stripe sends it (timestamped, so it is made per request). */
export function signStripe(body: string, secret = STRIPE_BENCH_SECRET): string {
  return stripe.webhooks.generateTestHeaderString({ payload: body, secret });
}
