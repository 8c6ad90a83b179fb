import { MemoryIdempotencyStore } from 'nestjs-complycube-webhooks';
import { resolveDeliverySettings } from '../../lib/delivery/delivery-settings';

describe('the delivery options, resolved at start-up', () => {
  it('fills in the documented defaults: records 7 days, claims 30 s, abandonment after 5 minutes, a memory store', () => {
    const { idempotency } = resolveDeliverySettings({}, 'webhooks/complycube');
    expect(idempotency).toMatchObject({ ttlMs: 7 * 24 * 60 * 60 * 1000, claimTtlMs: 30_000, abandonAfterMs: 300_000 });
    expect(idempotency?.store).toBeInstanceOf(MemoryIdempotencyStore);
  });

  it('keeps the defaults of the options not given next to those given', () => {
    const { idempotency } = resolveDeliverySettings({ idempotency: { claimTtlMs: 1_000 } }, 'live');
    expect(idempotency).toMatchObject({ claimTtlMs: 1_000, abandonAfterMs: 300_000 });
  });

  it('takes abandonAfterMs as given', () => {
    expect(resolveDeliverySettings({ idempotency: { abandonAfterMs: 20_000 } }, 'live').idempotency?.abandonAfterMs).toBe(20_000);
  });

  it('has no idempotency settings at all when idempotency is off', () => {
    expect(resolveDeliverySettings({ idempotency: false }, 'live').idempotency).toBeUndefined();
  });
});
