import type { ComplyCubeIdempotencyStore } from './idempotency-store.interface';

/** The claim of one running delivery, as the keeper holds it. */
export interface HeldClaim {
  readonly key: string;
  readonly owner: string;
  /** When the delivery began, in `performance.now()` ms. */
  readonly began: number;
  /** When the claim was taken or last renewed, in `performance.now()` ms. */
  renewedAt: number;
  /** Called once if the delivery's handlers are still unsettled `abandonAfterMs` after it began. */
  abandon(): void;
  /** Called when a renewal finds the claim no longer this delivery's, or fails. */
  renewalFailed(error?: unknown): void;
}

/**
 * Keeps the claims of one endpoint's running deliveries alive and gives up those that run too long,
 * on one timer for all of them rather than two per delivery: it ticks while any claim is held,
 * renews each claim before half its TTL has passed, and abandons each delivery older than
 * `abandonAfterMs` (within one tick: at most a third of the claim TTL late).
 */
export class ClaimKeeper {
  private readonly held = new Set<HeldClaim>();
  private readonly interval: number;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly store: ComplyCubeIdempotencyStore,
    private readonly claimTtlMs: number,
    private readonly abandonAfterMs: number,
  ) {
    this.interval = Math.min(claimTtlMs / 3, abandonAfterMs / 4);
  }

  hold(claim: HeldClaim): void {
    this.held.add(claim);
    if (!this.timer) {
      this.timer = setInterval(() => this.tick(), this.interval);
      this.timer.unref();
    }
  }

  release(claim: HeldClaim): void {
    this.held.delete(claim);
  }

  /**
   * Stops keeping the claims held now (at shutdown): they are neither renewed nor abandoned any
   * more, so each expires after the claim TTL and the event's next delivery, at any instance, runs
   * it again.
   */
  stop(): void {
    this.held.clear();
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private tick(): void {
    if (this.held.size === 0) {
      // Idle: stop until the next claim, rather than arm and clear a timer per delivery.
      clearInterval(this.timer);
      this.timer = undefined;
      return;
    }
    const now = performance.now();
    for (const claim of this.held) {
      if (now - claim.began >= this.abandonAfterMs) {
        this.held.delete(claim);
        claim.abandon();
        continue;
      }
      // Renewed now unless the claim would still be under half its TTL at the next tick.
      if (now - claim.renewedAt + this.interval < this.claimTtlMs / 2) continue;
      claim.renewedAt = now;
      this.store.renewClaim(claim.key, claim.owner, this.claimTtlMs).then(
        (stillHeld) => {
          if (!stillHeld) claim.renewalFailed();
        },
        (error: unknown) => claim.renewalFailed(error),
      );
    }
  }
}
