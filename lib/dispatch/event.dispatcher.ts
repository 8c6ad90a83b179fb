import { Injectable, Logger, Optional } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { describeError } from '../common/errors';
import { ComplyCubeEvent } from '../events/event.interface';
import { Dispatch, DispatchOptions, DispatchResult, DispatchRun } from './dispatch-run';
import { toEmitterEventName } from './emitter-routing';

export type { Dispatch } from './dispatch-run';

/**
 * Emits a verified event as `complycube.<type>` on the app's EventEmitter2 and collects what every
 * matching handler did. A failing handler never stops the others; failures come back in the
 * result (and are logged) instead of being thrown, so the caller can answer with a status that
 * makes ComplyCube retry.
 *
 * Listeners receive the event only. The `@OnComplyCubeEvent` listeners find the dispatch they run
 * in through `runHandler`: EventEmitter2 calls listeners synchronously inside `emit`, so the
 * dispatch being emitted is the one whose event they were called with.
 */
@Injectable()
export class ComplyCubeEventDispatcher {
  private readonly logger = new Logger('ComplyCubeWebhooks');
  private emitting?: DispatchRun;

  // Optional so that a missing EventEmitterModule gets the explorer's message saying what to import.
  constructor(@Optional() private readonly emitter?: EventEmitter2) {}

  /**
   * Starts every matching handler (all have started when this returns) and hands back the
   * dispatch, for callers that may stop waiting.
   */
  start(event: ComplyCubeEvent<string>, options: DispatchOptions = {}): Dispatch {
    const run = new DispatchRun(event, options);
    let emitted: Promise<unknown> | undefined;
    const outer = this.emitting;
    this.emitting = run;
    try {
      emitted = this.emitter?.emitAsync(toEmitterEventName(event.type), event);
    } catch (error) {
      run.recordListenerError(error);
    } finally {
      this.emitting = outer;
    }
    run.result = this.collect(event, run, emitted);
    return run;
  }

  /**
   * Runs one `@OnComplyCubeEvent` handler for `event`: within the dispatch emitting it (once per
   * dispatch, its outcome collected), or plainly when the app emitted the event itself.
   */
  runHandler(event: unknown, handlerKey: string, handler: () => unknown): unknown {
    const run = this.emitting;
    if (run !== undefined && run.event === event) return run.run(handlerKey, handler);
    return handler();
  }

  private async collect(event: ComplyCubeEvent<string>, run: DispatchRun, emitted: Promise<unknown> | undefined): Promise<DispatchResult> {
    try {
      // Settles once every listener's returned promise has: the module's handlers have then all
      // settled too, unless a plain listener rejected first.
      await emitted;
    } catch (error) {
      // Only a plain @OnEvent listener with suppressErrors: false gets here.
      run.recordListenerError(error);
    }
    const result = await run.whenSettled();
    for (const { handlerKey, error } of result.failed) {
      this.logger.error(
        `Handler ${handlerKey} failed for ComplyCube event ${event.id} (${event.type}): ${describeError(error)}`,
        error instanceof Error ? error.stack : undefined,
      );
    }
    return result;
  }
}
