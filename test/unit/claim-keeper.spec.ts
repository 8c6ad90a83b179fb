import { ComplyCubeIdempotencyStore } from 'nestjs-complycube-webhooks';
import { ClaimKeeper, HeldClaim } from '../../lib/delivery/claim-keeper';

function heldClaim(key: string): HeldClaim & { abandoned: number; failures: unknown[] } {
  const now = performance.now();
  const claim = {
    key,
    owner: `owner-of-${key}`,
    began: now,
    renewedAt: now,
    abandoned: 0,
    failures: [] as unknown[],
    abandon: () => void (claim.abandoned += 1),
    renewalFailed: (error?: unknown) => void claim.failures.push(error ?? 'lost'),
  };
  return claim;
}

describe('ClaimKeeper, one timer for the claims of every running delivery', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('renews each held claim before half its TTL has passed, and no longer once released', async () => {
    const renewClaim = jest.fn().mockResolvedValue(true);
    const keeper = new ClaimKeeper({ renewClaim } as unknown as ComplyCubeIdempotencyStore, 3_000, 60_000);
    const first = heldClaim('a');
    const second = heldClaim('b');
    keeper.hold(first);
    keeper.hold(second);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(renewClaim.mock.calls).toEqual([
      ['a', 'owner-of-a', 3_000],
      ['b', 'owner-of-b', 3_000],
    ]);
    keeper.release(first);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(renewClaim.mock.calls.map(([key]) => key)).toEqual(['a', 'b', 'b']);
    expect(jest.getTimerCount()).toBe(1);
  });

  it('gives up a delivery still running abandonAfterMs after it began, once', async () => {
    const keeper = new ClaimKeeper(
      { renewClaim: jest.fn().mockResolvedValue(true) } as unknown as ComplyCubeIdempotencyStore,
      30_000,
      4_000,
    );
    const claim = heldClaim('hung');
    keeper.hold(claim);
    await jest.advanceTimersByTimeAsync(3_999);
    expect(claim.abandoned).toBe(0);
    await jest.advanceTimersByTimeAsync(1_001);
    expect(claim.abandoned).toBe(1);
    await jest.advanceTimersByTimeAsync(10_000);
    expect(claim.abandoned).toBe(1);
  });

  it('reports a claim lost to another delivery, and a renewal that failed', async () => {
    const renewClaim = jest.fn().mockResolvedValueOnce(false).mockRejectedValueOnce(new Error('ECONNRESET'));
    const keeper = new ClaimKeeper({ renewClaim } as unknown as ComplyCubeIdempotencyStore, 300, 60_000);
    const claim = heldClaim('taken');
    keeper.hold(claim);
    await jest.advanceTimersByTimeAsync(200);
    expect(claim.failures).toEqual(['lost', new Error('ECONNRESET')]);
  });

  it('stops its timer when no claim is held, and starts it again for the next one', async () => {
    const keeper = new ClaimKeeper(
      { renewClaim: jest.fn().mockResolvedValue(true) } as unknown as ComplyCubeIdempotencyStore,
      3_000,
      60_000,
    );
    const claim = heldClaim('short');
    keeper.hold(claim);
    keeper.release(claim);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(jest.getTimerCount()).toBe(0);
    keeper.hold(heldClaim('next'));
    expect(jest.getTimerCount()).toBe(1);
  });

  it('stops keeping the claims it holds: no renewal, no abandonment, no timer', async () => {
    const renewClaim = jest.fn().mockResolvedValue(true);
    const keeper = new ClaimKeeper({ renewClaim } as unknown as ComplyCubeIdempotencyStore, 3_000, 4_000);
    const claim = heldClaim('left-at-shutdown');
    keeper.hold(claim);
    keeper.stop();
    expect(jest.getTimerCount()).toBe(0);
    await jest.advanceTimersByTimeAsync(10_000);
    expect(renewClaim).not.toHaveBeenCalled();
    expect(claim.abandoned).toBe(0);
  });
});
