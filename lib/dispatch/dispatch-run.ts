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

export interface DispatchOptions {
  /** Return false to leave a handler out (for instance, one that already handled this event). */
  shouldRun?(handlerKey: string): boolean;
  /** Called as each handler settles, even after the dispatch's caller stopped waiting. */
  onHandlerSettled?(handlerKey: string, failure?: { error: unknown }): void;
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
    const outcome = new Promise((resolve) => resolve(handler())).then(
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

  async result(): Promise<DispatchResult> {
    await Promise.all(this.runs.values());
    return { succeeded: [...this.succeeded], failed: [...this.failed] };
  }

  private settle(handlerKey: string, failure?: { error: unknown }): void {
    this.pending.delete(handlerKey);
    if (failure) this.failed.push({ handlerKey, error: failure.error });
    else this.succeeded.push(handlerKey);
    this.options.onHandlerSettled?.(handlerKey, failure);
  }
}
