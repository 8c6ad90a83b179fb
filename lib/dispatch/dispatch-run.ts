import { Deferred, deferred } from '../common/deferred';
import { ComplyCubeEvent } from '../events/event.interface';

export interface HandlerFailure {
  handlerKey: string;
  error: unknown;
}

export interface DispatchResult {
  /** Keys of the handlers that ran and succeeded in this dispatch. */
  succeeded: string[];
  /** Handlers that threw or rejected in this dispatch. */
  failed: HandlerFailure[];
}

/** A handler's run being watched (its span, its duration); the dispatch ends it as the handler settles. */
export interface HandlerWatch {
  run<T>(work: () => T): T;
  end(outcome: 'succeeded' | 'failed' | 'abandoned', error?: unknown): void;
}

export interface DispatchOptions {
  /** Return false to leave a handler out (for instance, one that already handled this event). */
  shouldRun?(handlerKey: string): boolean;
  /**
   * Called as each handler settles, even after the dispatch's caller stopped waiting; and with
   * PLAIN_LISTENER_KEY for each error of a plain `@OnEvent` listener, as it is recorded.
   */
  onHandlerSettled?(handlerKey: string, failure?: { error: unknown }): void;
  /** Watches each handler's run, when anything watches (tracing, duration metrics). */
  watchHandler?(handlerKey: string): HandlerWatch | undefined;
}

/** Key under which errors of plain `@OnEvent` listeners (which have no handler key) are reported. */
export const PLAIN_LISTENER_KEY = '@OnEvent listener';

/** A dispatch under way: which handlers are still running, and the result once all have settled. */
export interface Dispatch {
  pendingHandlerKeys(): string[];
  /** Ends the watches of the handlers still running, as abandoned. */
  giveUp(): void;
  readonly result: Promise<DispatchResult>;
}

/**
 * One dispatch of one event: each `@OnComplyCubeEvent` method runs at most once in it, even when
 * several of its patterns match, and its outcome is collected instead of thrown.
 */
export class DispatchRun implements Dispatch {
  /** What the dispatch's handlers did, once all have settled; set by whoever starts them (the dispatcher). */
  result!: Promise<DispatchResult>;
  private readonly started = new Set<string>();
  private readonly pending = new Set<string>();
  private readonly watches = new Map<string, HandlerWatch>();
  private readonly succeeded: string[] = [];
  private readonly failed: HandlerFailure[] = [];
  /** Resolved when the last pending handler settles; made only for a caller that waits for that. */
  private lastSettled?: Deferred;
  /** The first error thrown while recording a handler's outcome (by its watch or the onHandlerSettled hook). */
  private settleFailure?: { error: unknown };

  constructor(
    readonly event: ComplyCubeEvent<string>,
    private readonly options: DispatchOptions = {},
  ) {}

  /** Runs a handler once per dispatch; its outcome, settled as a promise, is collected, never thrown. */
  run(handlerKey: string, handler: () => unknown): Promise<void> | undefined {
    if (this.started.has(handlerKey)) return undefined;
    if (this.options.shouldRun && !this.options.shouldRun(handlerKey)) return undefined;
    this.started.add(handlerKey);
    // Watched first: a watch that throws leaves nothing pending for the dispatch to wait on.
    const watch = this.options.watchHandler?.(handlerKey);
    this.pending.add(handlerKey);
    if (watch) this.watches.set(handlerKey, watch);
    let returned: unknown;
    try {
      returned = watch ? watch.run(handler) : handler();
    } catch (error) {
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the handler's own throw, collected as it is
      returned = Promise.reject(error);
    }
    return Promise.resolve(returned).then(
      () => this.settle(handlerKey),
      (error: unknown) => this.settle(handlerKey, { error }),
    );
  }

  recordListenerError(error: unknown): void {
    this.failed.push({ handlerKey: PLAIN_LISTENER_KEY, error });
    this.options.onHandlerSettled?.(PLAIN_LISTENER_KEY, { error });
  }

  /** Handlers started by this dispatch that have neither returned nor thrown yet. */
  pendingHandlerKeys(): string[] {
    return [...this.pending];
  }

  /** Ends the watches of the handlers still running, as abandoned; their later outcome is not watched. */
  giveUp(): void {
    for (const handlerKey of this.pending) {
      this.watches.get(handlerKey)?.end('abandoned');
      this.watches.delete(handlerKey);
    }
  }

  /** What the handlers did, once every one started has settled (at once when none is pending). */
  whenSettled(): DispatchResult | Promise<DispatchResult> {
    if (this.pending.size === 0) return this.outcome();
    this.lastSettled ??= deferred();
    return this.lastSettled.promise.then(() => this.outcome());
  }

  private outcome(): DispatchResult {
    // A watch or a hook that threw while a handler settled fails the dispatch, not a handler.
    if (this.settleFailure) throw this.settleFailure.error;
    // Nothing is pending, so nothing changes these any more.
    return { succeeded: this.succeeded, failed: this.failed };
  }

  private settle(handlerKey: string, failure?: { error: unknown }): void {
    try {
      this.pending.delete(handlerKey);
      const watch = this.watches.get(handlerKey);
      if (watch) {
        this.watches.delete(handlerKey);
        watch.end(failure ? 'failed' : 'succeeded', failure?.error);
      }
      if (failure) this.failed.push({ handlerKey, error: failure.error });
      else this.succeeded.push(handlerKey);
      this.options.onHandlerSettled?.(handlerKey, failure);
    } catch (error) {
      // Kept for the dispatch's result, which it fails; not thrown into the emitter, where it would
      // be taken for a plain listener's error.
      this.settleFailure ??= { error };
    } finally {
      // Whatever threw above, a caller waiting for the last handler is not left waiting.
      if (this.pending.size === 0) this.lastSettled?.resolve();
    }
  }
}
