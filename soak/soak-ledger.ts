import type { SoakHandlerLedger } from './soak-app';

/**
 * What the soak's handlers did, kept outside the apps so that several instances write to one
 * ledger. It is the judge: it knows which handlers each event needs and counts their successes.
 */
export class SoakLedger implements SoakHandlerLedger {
  /** `${eventId} ${handlerKey}` -> successful runs. */
  readonly successes = new Map<string, number>();
  /** Runs of one handler for one event that overlapped in time (must stay 0). */
  overlappingRuns = 0;
  runs = 0;
  injectedFailures = 0;
  slowRuns = 0;
  private readonly running = new Set<string>();

  constructor(
    private readonly chances: { failure: number; slow: number },
    private readonly slowMs: readonly [number, number],
  ) {}

  async run(handlerKey: string, eventId: string): Promise<void> {
    const key = `${eventId} ${handlerKey}`;
    this.runs += 1;
    if (this.running.has(key)) this.overlappingRuns += 1;
    this.running.add(key);
    try {
      const slow = Math.random() < this.chances.slow;
      if (slow) this.slowRuns += 1;
      const [min, max] = this.slowMs;
      await sleep(slow ? min + Math.random() * (max - min) : Math.random() * 3);
      if (Math.random() < this.chances.failure) {
        this.injectedFailures += 1;
        throw new Error(`${handlerKey} failed on purpose`);
      }
      this.successes.set(key, (this.successes.get(key) ?? 0) + 1);
    } finally {
      this.running.delete(key);
    }
  }

  /** Whether every handler the event needs has succeeded at least once. */
  isFullyHandled(eventId: string, handlerKeys: readonly string[]): boolean {
    return handlerKeys.every((handlerKey) => (this.successes.get(`${eventId} ${handlerKey}`) ?? 0) > 0);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
