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
  /** Called as each handler settles, even after the dispatch's caller stopped waiting. */
  onHandlerSettled?(handlerKey: string, failure?: { error: unknown }): void;
  /** Watches each handler's run, when anything watches (tracing, duration metrics). */
  watchHandler?(handlerKey: string): HandlerWatch | undefined;
}

/** Key under which errors of plain `@OnEvent` listeners (which have no handler key) are reported. */
export const PLAIN_LISTENER_KEY = '@OnEvent listener';

/**
 * One dispatch of one event: each `@OnComplyCubeEvent` method runs at most once in it, even when
 * several of its patterns match, and its outcome is collected instead of thrown.
 */
export class DispatchRun {
  private readonly runs = new Map<string, Promise<void>>();
  private readonly pending = new Set<string>();
  private readonly watches = new Map<string, HandlerWatch>();
  private readonly succeeded: string[] = [];
  private readonly failed: HandlerFailure[] = [];

  constructor(
    readonly event: ComplyCubeEvent<string>,
    private readonly options: DispatchOptions = {},
  ) {}

  run(handlerKey: string, handler: () => unknown): Promise<void> | undefined {
    if (this.runs.has(handlerKey)) return undefined;
    if (this.options.shouldRun && !this.options.shouldRun(handlerKey)) return undefined;
    this.pending.add(handlerKey);
    const watch = this.options.watchHandler?.(handlerKey);
    if (watch) this.watches.set(handlerKey, watch);
    const outcome = new Promise((resolve) => resolve(watch ? watch.run(handler) : handler())).then(
      () => this.settle(handlerKey),
      (error: unknown) => this.settle(handlerKey, { error }),
    );
    this.runs.set(handlerKey, outcome);
    return outcome;
  }

  recordListenerError(error: unknown): void {
    this.failed.push({ handlerKey: PLAIN_LISTENER_KEY, error });
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

  async result(): Promise<DispatchResult> {
    await Promise.all(this.runs.values());
    return { succeeded: [...this.succeeded], failed: [...this.failed] };
  }

  private settle(handlerKey: string, failure?: { error: unknown }): void {
    this.pending.delete(handlerKey);
    const watch = this.watches.get(handlerKey);
    if (watch) {
      this.watches.delete(handlerKey);
      watch.end(failure ? 'failed' : 'succeeded', failure?.error);
    }
    if (failure) this.failed.push({ handlerKey, error: failure.error });
    else this.succeeded.push(handlerKey);
    this.options.onHandlerSettled?.(handlerKey, failure);
  }
}
