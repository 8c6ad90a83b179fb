import { Injectable, Logger, Optional } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { toEmitterEventName } from '../events/event-pattern';
import { ComplyCubeEvent } from '../events/event.interface';
import { ComplyCubeDelivery, ComplyCubeDispatchOptions, ComplyCubeDispatchResult } from './dispatch-run';
import { describeError } from '../common/errors';

/** A dispatch under way: which handlers are still running, and the result once all have settled. */
export interface ComplyCubeDispatch {
  pendingHandlerKeys(): string[];
  readonly result: Promise<ComplyCubeDispatchResult>;
}

/**
 * Emits a verified event as `complycube.<type>` and waits for every matching handler. A failing
 * handler never stops the others; failures come back in the result (and are logged) instead of
 * being thrown, so the caller can answer ComplyCube with a status that makes it retry.
 */
@Injectable()
export class ComplyCubeEventDispatcher {
  private readonly logger = new Logger('ComplyCubeWebhooks');

  constructor(@Optional() private readonly emitter?: EventEmitter2) {}

  async dispatch(event: ComplyCubeEvent<string>, options: ComplyCubeDispatchOptions = {}): Promise<ComplyCubeDispatchResult> {
    return this.start(event, options).result;
  }

  /**
   * Starts every matching handler (EventEmitter2 calls its listeners synchronously, so all have
   * started when this returns) and hands back the dispatch, for callers that may stop waiting.
   */
  start(event: ComplyCubeEvent<string>, options: ComplyCubeDispatchOptions = {}): ComplyCubeDispatch {
    const delivery = new ComplyCubeDelivery(event, options);
    let emitted: Promise<unknown> | undefined;
    try {
      emitted = this.emitter?.emitAsync(toEmitterEventName(event.type), event, delivery);
    } catch (error) {
      delivery.recordListenerError(error);
    }
    return { pendingHandlerKeys: () => delivery.pendingHandlerKeys(), result: this.collect(event, delivery, emitted) };
  }

  private async collect(
    event: ComplyCubeEvent<string>,
    delivery: ComplyCubeDelivery,
    emitted: Promise<unknown> | undefined,
  ): Promise<ComplyCubeDispatchResult> {
    try {
      await emitted;
    } catch (error) {
      // Only a plain @OnEvent listener with suppressErrors: false gets here.
      delivery.recordListenerError(error);
    }
    const result = await delivery.result();
    for (const { handlerKey, error } of result.failed) {
      this.logger.error(
        `Handler ${handlerKey} failed for ComplyCube event ${event.id} (${event.type}): ${describeError(error)}`,
        error instanceof Error ? error.stack : undefined,
      );
    }
    return result;
  }
}
