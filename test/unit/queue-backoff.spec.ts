import { backoffDelay, resolveQueueSettings } from '../../lib/queue/queue-options';

const HOUR_MS = 3_600_000;

describe('the backoff between job attempts', () => {
  const { attempts, backoff } = resolveQueueSettings({ connection: {} });

  it('defaults to 20 attempts, 5 s doubling up to an hour, with half of each delay left to chance', () => {
    expect({ attempts, backoff }).toEqual({ attempts: 20, backoff: { delayMs: 5_000, maxDelayMs: HOUR_MS, jitter: 0.5 } });
  });

  it('doubles from delayMs after each failed attempt, and stops at maxDelayMs', () => {
    const noJitter = { ...backoff, jitter: 0 };
    const delays = [1, 2, 3, 4, 10, 11, 12, 19].map((attemptsMade) => backoffDelay(attemptsMade, noJitter));
    expect(delays).toEqual([5_000, 10_000, 20_000, 40_000, 2_560_000, HOUR_MS, HOUR_MS, HOUR_MS]);
  });

  it('takes up to jitter of each delay off, at random: never more, never adds', () => {
    const atLeast = (attemptsMade: number): number => backoffDelay(attemptsMade, backoff, () => 1);
    const atMost = (attemptsMade: number): number => backoffDelay(attemptsMade, backoff, () => 0);
    expect([atMost(1), atLeast(1)]).toEqual([5_000, 2_500]);
    expect([atMost(15), atLeast(15)]).toEqual([HOUR_MS, HOUR_MS / 2]);
    expect(backoffDelay(3, backoff, () => 0.25)).toBe(20_000 * 0.875);
  });

  it("spans the README's 10 h 25 min at most and about 7 h 50 min on average, well past ComplyCube's retries", () => {
    const waits = Array.from({ length: attempts - 1 }, (_, index) => index + 1);
    const longest = waits.reduce((sum, attemptsMade) => sum + backoffDelay(attemptsMade, backoff, () => 0), 0);
    const average = waits.reduce((sum, attemptsMade) => sum + backoffDelay(attemptsMade, backoff, () => 0.5), 0);
    const minutes = (ms: number): number => Math.floor(ms / 60_000);
    expect(minutes(longest)).toBe(10 * 60 + 25);
    expect(minutes(average)).toBeGreaterThanOrEqual(7 * 60 + 45);
    expect(minutes(average)).toBeLessThanOrEqual(7 * 60 + 55);
  });
});
