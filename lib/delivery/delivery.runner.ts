import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Deferred, deferred } from '../common/deferred';
import { ComplyCubeHandlerAbandonedError, describeError } from '../common/errors';
import { Dispatch, DispatchResult, HandlerFailure } from '../dispatch/dispatch-run';
import { ComplyCubeEventDispatcher } from '../dispatch/event.dispatcher';
import { ComplyCubeEvent } from '../events/event.interface';
import { DeliverySettings, IdempotencySettings } from './delivery-settings';
import { ClaimKeeper, HeldClaim } from './claim-keeper';
import type { DeliveryObserver } from './delivery.observer';
import { ComplyCubeWebhookMetrics } from './webhook.metrics';

/** How one delivery of one event ended, before anything is said about it over HTTP. */
export type DeliveryOutcome =
  /** Every matching handler has now succeeded for the event. */
  | 'handled'
  /** Every matching handler had succeeded on an earlier delivery: nothing ran. */
  | 'duplicate'
  /** Another delivery holds the event's claim: nothing ran. */
  | 'in-flight'
  /** A handler threw or rejected; what succeeded is recorded, the claim released. */
  | 'failed'
  /** The idempotency store failed: nothing is acknowledged. */
  | 'store-error'
  /** Handlers were still unsettled after `abandonAfterMs`: the claim was given up. */
  | 'abandoned'
  /** The caller stopped waiting before any handler started: the claim was released. */
  | 'not-started';

/** How a delivery ended, and which handlers failed or never settled in it (none unless `failed` or `abandoned`). */
export interface DeliveryResult {
  readonly outcome: DeliveryOutcome;
  readonly failures: readonly HandlerFailure[];
}

const NO_FAILURES: readonly HandlerFailure[] = Object.freeze([]);
/** The results that carry no failure, allocated once. */
const RESULTS = Object.freeze({
  handled: Object.freeze({ outcome: 'handled', failures: NO_FAILURES }),
  duplicate: Object.freeze({ outcome: 'duplicate', failures: NO_FAILURES }),
  'in-flight': Object.freeze({ outcome: 'in-flight', failures: NO_FAILURES }),
  'store-error': Object.freeze({ outcome: 'store-error', failures: NO_FAILURES }),
  'not-started': Object.freeze({ outcome: 'not-started', failures: NO_FAILURES }),
} satisfies Record<string, DeliveryResult>);

/**
 * Whether the caller still waits for a run's outcome, read once the claim is back. An `AbortSignal`
 * is one; the receiver passes a plain flag, as an AbortController made for every delivery took
 * about 3 % of its CPU and nothing listens for its event.
 */
export interface DeliveryWaiter {
  readonly aborted: boolean;
}

export interface DeliveryRunOptions {
  /** Aborted when the caller no longer waits for the outcome; handlers not yet started are not started. */
  signal?: DeliveryWaiter;
}

/**
 * The idempotent run of one event, with no HTTP in it: claim the event id for this delivery, run
 * only the handlers that have not yet succeeded for it, record each success, then complete the
 * event or release it for the next delivery. A running delivery renews its claim; one whose
 * handlers are still unsettled after `abandonAfterMs` gives the claim up, so that a hung handler
 * cannot block its event (and ComplyCube's webhook) for ever.
 */
export class DeliveryRunner {
  private readonly logger = new Logger('ComplyCubeWebhooks');
  /** Runs under way, and what `drain` waits on: resolved when the last of them ends. */
  private running = 0;
  private allEnded?: Deferred;
  private keeper?: ClaimKeeper;

  constructor(
    private readonly dispatcher: ComplyCubeEventDispatcher,
    private readonly settings: DeliverySettings,
    private readonly metrics: ComplyCubeWebhookMetrics,
    private readonly observer?: DeliveryObserver,
  ) {}

  /**
   * Runs the handlers of `event`, which is frozen first: handlers get an envelope they cannot
   * change, and the id and type recorded are the ones received.
   */
  run(event: ComplyCubeEvent<string>, options: DeliveryRunOptions = {}): Promise<DeliveryResult> {
    const frozen = Object.isFrozen(event) ? event : Object.freeze(event);
    // Counted here and uncounted in the run's own `finally` (no promise, closure or set entry per run).
    this.running += 1;
    return this.settings.idempotency ? this.runOnce(frozen, this.settings.idempotency, options.signal) : this.runAll(frozen);
  }

  private ended(): void {
    this.running -= 1;
    if (this.running === 0 && this.allEnded) {
      this.allEnded.resolve();
      this.allEnded = undefined;
    }
  }

  /**
   * Resolves once every run under way has ended, or after `timeoutMs`, whichever is first (at
   * shutdown). Runs still going then keep running, but their claims are no longer renewed: each
   * expires after `claimTtlMs`, and the event's next delivery runs its unsettled handlers again.
   */
  async drain(timeoutMs: number): Promise<void> {
    if (this.running === 0) return;
    this.allEnded ??= deferred();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    await Promise.race([this.allEnded.promise, timeout]);
    clearTimeout(timer);
    if (this.running === 0) return;
    this.keeper?.stop();
    const size = this.running;
    this.logger.warn(
      `Shutting down with ${size} ComplyCube deliver${size === 1 ? 'y' : 'ies'} still running after ${timeoutMs} ms; ` +
        'their claims expire unrenewed, and the next delivery of each event runs its unsettled handlers again.',
    );
  }

  private async runAll(event: ComplyCubeEvent<string>): Promise<DeliveryResult> {
    try {
      const { failed } = await this.dispatch(event).result;
      return failed.length > 0 ? { outcome: 'failed', failures: failed } : RESULTS.handled;
    } finally {
      this.ended();
    }
  }

  private async runOnce(
    event: ComplyCubeEvent<string>,
    idempotency: IdempotencySettings,
    signal?: DeliveryWaiter,
  ): Promise<DeliveryResult> {
    try {
      const began = performance.now();
      const { id } = event;
      const { store, claimTtlMs, ttlMs, abandonAfterMs } = idempotency;
      const key = recordKey(this.settings.scope, id);
      const owner = randomUUID();
      const release = (): Promise<void> => store.release(key, owner).catch((error: unknown) => this.storeFailed('release', event, error));

      let claim;
      try {
        claim = await store.claim(key, owner, claimTtlMs);
      } catch (error) {
        this.storeFailed('claim', event, error);
        // A claim that reaches the store late must not block the retry until it expires.
        void store.release(key, owner).catch(() => undefined);
        return RESULTS['store-error'];
      }
      if (claim.status === 'completed') return RESULTS.duplicate;
      if (claim.status === 'in-flight') return RESULTS['in-flight'];
      if (signal?.aborted) {
        // The claim took longer than the caller would wait: leave the event to the next delivery.
        await release();
        return RESULTS['not-started'];
      }

      const done = new Set(claim.doneHandlerKeys);
      const records: Array<Promise<boolean>> = [];
      let abandoned = false;
      const dispatch = this.dispatch(event, {
        shouldRun: (handlerKey) => !done.has(handlerKey),
        onSucceeded: (handlerKey) => {
          if (abandoned) {
            this.logger.warn(`Handler ${handlerKey} finished ComplyCube event ${id} after its delivery was abandoned; not recorded.`);
            return;
          }
          records.push(
            store.markHandlerDone(key, handlerKey, ttlMs).then(
              () => true,
              (error: unknown) => {
                this.storeFailed(`done record of ${handlerKey}`, event, error);
                return false;
              },
            ),
          );
        },
      });

      const keeper = this.claimKeeper(idempotency);
      let held: HeldClaim | undefined;
      // Settles with the dispatch's result, or with 'abandon' when the keeper gives the delivery up.
      const settledOrAbandoned = new Promise<DispatchResult | 'abandon'>((resolve, reject) => {
        held = {
          key,
          owner,
          began,
          renewedAt: performance.now(),
          abandon: () => resolve('abandon'),
          renewalFailed: (error) => {
            if (error === undefined) this.logger.warn(`Lost the claim on ComplyCube event ${id} while its handlers ran.`);
            else this.storeFailed('claim renewal', event, error);
          },
        };
        dispatch.result.then(resolve, reject);
      });
      keeper.hold(held!);
      try {
        const settled = await settledOrAbandoned;
        keeper.release(held!);
        if (settled === 'abandon') {
          abandoned = true;
          const failures = this.abandon(event, dispatch, abandonAfterMs);
          await Promise.all(records);
          await release();
          return { outcome: 'abandoned', failures };
        }
        const recorded = (await Promise.all(records)).every(Boolean);
        if (settled.failed.length > 0 || !recorded) {
          await release();
          return settled.failed.length > 0 ? { outcome: 'failed', failures: settled.failed } : RESULTS['store-error'];
        }
        try {
          await store.complete(key, owner, ttlMs);
        } catch (error) {
          this.storeFailed('completion', event, error);
          await release();
          return RESULTS['store-error'];
        }
        return RESULTS.handled;
      } catch (error) {
        // Unexpected (handler errors are collected, not thrown): free the event for the retry.
        await store.release(key, owner).catch(() => undefined);
        throw error;
      } finally {
        keeper.release(held!);
      }
    } finally {
      this.ended();
    }
  }

  /** One keeper of the claims of this endpoint's running deliveries (made at the first one). */
  private claimKeeper(idempotency: IdempotencySettings): ClaimKeeper {
    this.keeper ??= new ClaimKeeper(idempotency.store, idempotency.claimTtlMs, idempotency.abandonAfterMs);
    return this.keeper;
  }

  /** Reports the handlers that never settled, and returns them as the delivery's failures. */
  private abandon(event: ComplyCubeEvent<string>, dispatch: Dispatch, abandonAfterMs: number): HandlerFailure[] {
    const unsettled = dispatch.pendingHandlerKeys();
    dispatch.giveUp();
    this.metrics.count('abandoned');
    this.logger.error(
      `Gave up ComplyCube event ${event.id} (${event.type}) after ${abandonAfterMs} ms: handler${unsettled.length === 1 ? '' : 's'} ` +
        `${unsettled.join(', ')} never settled. Its claim is released; the next delivery runs ${unsettled.length === 1 ? 'it' : 'them'} again.`,
    );
    return unsettled.map((handlerKey) => {
      const error = new ComplyCubeHandlerAbandonedError(event.id, event.type, handlerKey, abandonAfterMs);
      this.reportToHook(error, event, handlerKey);
      return { handlerKey, error };
    });
  }

  /** Starts the dispatch and reports each failure as it happens (counter, onHandlerError). */
  private dispatch(
    event: ComplyCubeEvent<string>,
    hooks: { shouldRun?: (handlerKey: string) => boolean; onSucceeded?(handlerKey: string): void } = {},
  ): Dispatch {
    const observer = this.observer;
    // Plain @OnEvent listeners have no key: their errors come here under PLAIN_LISTENER_KEY.
    return this.dispatcher.start(event, {
      watchHandler: observer && ((handlerKey) => observer.handler(handlerKey, event)),
      shouldRun: hooks.shouldRun,
      onHandlerSettled: (handlerKey, failure) => {
        if (failure) this.reportFailure(failure.error, event, handlerKey);
        else hooks.onSucceeded?.(handlerKey);
      },
    });
  }

  private reportFailure(error: unknown, event: ComplyCubeEvent<string>, handlerKey: string): void {
    this.metrics.count('handlerFailures');
    this.reportToHook(error, event, handlerKey);
  }

  private reportToHook(error: unknown, event: ComplyCubeEvent<string>, handlerKey: string): void {
    const hook = this.settings.onHandlerError;
    if (!hook) return;
    const logHookError = (hookError: unknown): void =>
      this.logger.error(`onHandlerError threw for ComplyCube event ${event.id}: ${describeError(hookError)}`);
    try {
      void Promise.resolve(hook(error, event, handlerKey)).catch(logHookError);
    } catch (hookError) {
      logHookError(hookError);
    }
  }

  private storeFailed(operation: string, event: ComplyCubeEvent<string>, error: unknown): void {
    this.metrics.count('storeErrors');
    this.logger.error(`Idempotency store failed (${operation}) for ComplyCube event ${event.id}: ${describeError(error)}`);
  }
}

/**
 * The idempotency store's key for one event at one registration: the same event id at two
 * registrations (a live and a sandbox account, say) is two events. The scope is URI-encoded, so
 * the first `:` always ends it.
 */
export function recordKey(scope: string, eventId: string): string {
  // A registration's scope does not change: encode it once, not on every delivery.
  if (scope !== encodedScope.scope) encodedScope = { scope, prefix: `${encodeURIComponent(scope)}:` };
  return encodedScope.prefix + eventId;
}

let encodedScope = { scope: '', prefix: ':' };
