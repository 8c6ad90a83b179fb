import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { MemoryIdempotencyStore } from '../delivery/memory-idempotency.store';
import { ComplyCubeWebhookMetrics } from '../delivery/webhook.metrics';
import { deadLetterOfJob } from '../dead-letters/event-job';
import { COMPLYCUBE_ENDPOINT, ComplyCubeEndpoint } from './endpoint';
import { ComplyCubeEndpointRegistry } from './endpoint.registry';

/**
 * A registration's start and stop: opens its idempotency store; in queue mode starts the worker once
 * every handler is subscribed (a worker started earlier would run jobs with no handler) and checks
 * Redis' eviction policy. At shutdown it stops the worker, lets running deliveries finish, then
 * closes the queue and the store.
 */
@Injectable()
export class EndpointLifecycle implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy, OnApplicationShutdown {
  constructor(
    @Inject(COMPLYCUBE_ENDPOINT) private readonly endpoint: ComplyCubeEndpoint,
    private readonly registry: ComplyCubeEndpointRegistry,
    private readonly metrics: ComplyCubeWebhookMetrics,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.endpoint.delivery.idempotency?.store.open?.();
  }

  async onApplicationBootstrap(): Promise<void> {
    const { queue, storeDeadLetters, delivery, label } = this.endpoint;
    if (storeDeadLetters && delivery.idempotency?.store instanceof MemoryIdempotencyStore) {
      new Logger('ComplyCubeWebhooks').warn(
        `Dead letters of ${label} are kept in memory: they do not survive a restart. Use RedisIdempotencyStore to keep them.`,
      );
    }
    if (!queue) return;
    queue.startWorker(this.metrics, {
      targetFor: (scope) => this.registry.byScope(scope),
      onDeadLetter: ({ job }) =>
        (this.registry.byScope(job.data.registration.scope) ?? this.endpoint).reportDeadLetter(deadLetterOfJob(job)),
    });
    await queue.checkEvictionPolicy();
  }

  /** Stops the worker, then lets running deliveries finish and record their outcome, up to the handler timeout. */
  async onModuleDestroy(): Promise<void> {
    await this.endpoint.queue?.stopWorker();
    await this.endpoint.runner.drain(this.endpoint.handlerTimeoutMs);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.endpoint.queue?.close();
    await this.endpoint.delivery.idempotency?.store.close?.();
  }
}
