import {
  HttpStatus,
  Inject,
  Injectable,
  Logger,
  OnApplicationShutdown,
  OnModuleDestroy,
  OnModuleInit,
  Optional,
} from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ComplyCubeDispatchResult, PLAIN_LISTENER_KEY } from '../dispatch/complycube-delivery';
import { ComplyCubeEventDispatcher } from '../dispatch/complycube-event.dispatcher';
import { ComplyCubeDeliverySettings, resolveComplyCubeDeliverySettings } from '../delivery/complycube-delivery-settings';
import { COMPLYCUBE_DELIVERY_SETTINGS } from '../delivery/complycube-delivery-settings.provider';
import { beforeDeadline, DEADLINE_PASSED } from '../delivery/complycube-handler-deadline';
import { ComplyCubeWebhookMetrics } from '../delivery/complycube-webhook.metrics';
import { ComplyCubeEvent } from '../interfaces/complycube-event.interface';
import { describeError } from '../complycube-webhook.errors';

type ErrorStatus = HttpStatus.CONFLICT | HttpStatus.INTERNAL_SERVER_ERROR | HttpStatus.SERVICE_UNAVAILABLE;

/** What the endpoint answers for one verified event: a status that drives ComplyCube's retries. */
export type ComplyCubeWebhookReceipt =
  /** Every matching handler has succeeded for this event id (now, or before when `duplicate`). */
  | { status: HttpStatus.OK; body: { received: true; duplicate?: true } }
  /**
   * 409: another delivery of this id is being handled; 500: a handler failed; 503: the deadline
   * passed or the idempotency store failed. ComplyCube retries all three.
   */
  | { status: ErrorStatus; body: { statusCode: ErrorStatus; message: string } };

type Outcome = 'handled' | 'duplicate' | 'in-flight' | 'failed' | 'store-error' | 'abandoned';

const ERROR_MESSAGES: Record<ErrorStatus, string> = {
  [HttpStatus.CONFLICT]: 'This event is being handled by another delivery; retry later.',
  [HttpStatus.INTERNAL_SERVER_ERROR]: 'Internal Server Error',
  [HttpStatus.SERVICE_UNAVAILABLE]: 'Service Unavailable',
};

/**
 * Handles one verified event for one endpoint, with no HTTP in it: the controller only turns the
 * receipt into a response, and the testing kit can deliver events the same way. It claims the event
 * id, runs only the handlers that have not yet succeeded for it, records each outcome (even after
 * answering at the deadline) and never acknowledges an event whose handlers have not all succeeded.
 */
@Injectable()
export class ComplyCubeWebhookReceiver implements OnModuleInit, OnModuleDestroy, OnApplicationShutdown {
  private readonly logger = new Logger('ComplyCubeWebhooks');
  private readonly settings: ComplyCubeDeliverySettings;
  private readonly inFlight = new Set<Promise<Outcome>>();

  constructor(
    private readonly dispatcher: ComplyCubeEventDispatcher,
    @Optional() @Inject(COMPLYCUBE_DELIVERY_SETTINGS) settings?: ComplyCubeDeliverySettings,
    @Optional() private readonly metrics?: ComplyCubeWebhookMetrics,
  ) {
    this.settings = settings ?? resolveComplyCubeDeliverySettings({ secret: [] });
  }

  async onModuleInit(): Promise<void> {
    await this.settings.idempotency?.store.open?.();
  }

  /** Lets running handlers finish and record their outcome (up to the handler timeout). */
  async onModuleDestroy(): Promise<void> {
    if (this.inFlight.size === 0) return;
    await beforeDeadline(Promise.allSettled([...this.inFlight]), this.settings.handlerTimeoutMs);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.settings.idempotency?.store.close?.();
  }

  async receive(event: ComplyCubeEvent<string>): Promise<ComplyCubeWebhookReceipt> {
    const response = { answered: false };
    const handling = this.handle(event, response);
    this.inFlight.add(handling);
    const forget = (): void => void this.inFlight.delete(handling);
    handling.then(forget, forget);
    const outcome = await beforeDeadline(handling, this.settings.handlerTimeoutMs);
    response.answered = true;
    if (outcome === DEADLINE_PASSED) {
      this.metrics?.count('timeouts');
      this.logger.warn(
        `Handlers for ComplyCube event ${event.id} (${event.type}) still running after ${this.settings.handlerTimeoutMs} ms: ` +
          'answered 503; they go on and their outcome is recorded for the retry.',
      );
      return failure(HttpStatus.SERVICE_UNAVAILABLE);
    }
    switch (outcome) {
      case 'handled':
        this.metrics?.count('handled');
        return { status: HttpStatus.OK, body: { received: true } };
      case 'duplicate':
        this.metrics?.count('duplicates');
        return { status: HttpStatus.OK, body: { received: true, duplicate: true } };
      case 'in-flight':
        this.metrics?.count('inFlightConflicts');
        return failure(HttpStatus.CONFLICT);
      case 'failed':
        // The body stays generic: handler errors are logged, never sent.
        return failure(HttpStatus.INTERNAL_SERVER_ERROR);
      default:
        return failure(HttpStatus.SERVICE_UNAVAILABLE);
    }
  }

  private async handle(event: ComplyCubeEvent<string>, response: { answered: boolean }): Promise<Outcome> {
    const idempotency = this.settings.idempotency;
    if (!idempotency) {
      const { failed } = await this.dispatch(event);
      return failed.length > 0 ? 'failed' : 'handled';
    }
    const { store, claimTtlMs, ttlMs } = idempotency;
    const owner = randomUUID();
    let claim;
    try {
      claim = await store.claim(event.id, owner, claimTtlMs);
    } catch (error) {
      this.storeFailed('claim', event, error);
      // A claim that reaches the store late must not block the retry until it expires.
      void store.release(event.id, owner).catch(() => undefined);
      return 'store-error';
    }
    if (claim.status === 'completed') return 'duplicate';
    if (claim.status === 'in-flight') return 'in-flight';
    if (response.answered) {
      // The claim took longer than the deadline and 503 has gone out: leave the event to the retry.
      await store.release(event.id, owner).catch((error: unknown) => this.storeFailed('release', event, error));
      return 'abandoned';
    }

    const renewal = setInterval(() => {
      store.renewClaim(event.id, owner, claimTtlMs).then(
        (held) => {
          if (!held) this.logger.warn(`Lost the claim on ComplyCube event ${event.id} while its handlers ran.`);
        },
        (error: unknown) => this.storeFailed('claim renewal', event, error),
      );
    }, claimTtlMs / 3);
    renewal.unref();
    try {
      const done = new Set(claim.doneHandlerKeys);
      const records: Array<Promise<boolean>> = [];
      const { failed } = await this.dispatch(event, {
        shouldRun: (handlerKey) => !done.has(handlerKey),
        onSucceeded: (handlerKey) => {
          records.push(
            store.markHandlerDone(event.id, handlerKey, ttlMs).then(
              () => true,
              (error: unknown) => {
                this.storeFailed(`done record of ${handlerKey}`, event, error);
                return false;
              },
            ),
          );
        },
      });
      const recorded = (await Promise.all(records)).every(Boolean);
      if (failed.length > 0 || !recorded) {
        await store.release(event.id, owner).catch((error: unknown) => this.storeFailed('release', event, error));
        return failed.length > 0 ? 'failed' : 'store-error';
      }
      try {
        await store.complete(event.id, owner, ttlMs);
      } catch (error) {
        return this.storeFailed('completion', event, error);
      }
      return 'handled';
    } catch (error) {
      // Unexpected (handler errors are collected, not thrown): free the event for the retry.
      await store.release(event.id, owner).catch(() => undefined);
      throw error;
    } finally {
      clearInterval(renewal);
    }
  }

  /** Dispatches and reports each failure as it happens (counter, onHandlerError). */
  private async dispatch(
    event: ComplyCubeEvent<string>,
    hooks: { shouldRun?(handlerKey: string): boolean; onSucceeded?(handlerKey: string): void } = {},
  ): Promise<ComplyCubeDispatchResult> {
    const result = await this.dispatcher.dispatch(event, {
      shouldRun: hooks.shouldRun,
      onHandlerSettled: (handlerKey, failure) => {
        if (failure) this.reportFailure(failure.error, event, handlerKey);
        else hooks.onSucceeded?.(handlerKey);
      },
    });
    // Plain @OnEvent listeners have no key and do not settle one by one.
    for (const { handlerKey, error } of result.failed) {
      if (handlerKey === PLAIN_LISTENER_KEY) this.reportFailure(error, event, handlerKey);
    }
    return result;
  }

  private reportFailure(error: unknown, event: ComplyCubeEvent<string>, handlerKey: string): void {
    this.metrics?.count('handlerFailures');
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

  private storeFailed(operation: string, event: ComplyCubeEvent<string>, error: unknown): 'store-error' {
    this.metrics?.count('storeErrors');
    this.logger.error(`Idempotency store failed (${operation}) for ComplyCube event ${event.id}: ${describeError(error)}`);
    return 'store-error';
  }
}

function failure(status: ErrorStatus): ComplyCubeWebhookReceipt {
  return { status, body: { statusCode: status, message: ERROR_MESSAGES[status] } };
}
