import { Inject, Injectable, OnApplicationShutdown, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { COMPLYCUBE_ENDPOINT, ComplyCubeEndpoint } from './endpoint';

/** Opens a registration's idempotency store at start, lets running deliveries finish at shutdown, then closes the store. */
@Injectable()
export class EndpointLifecycle implements OnModuleInit, OnModuleDestroy, OnApplicationShutdown {
  constructor(@Inject(COMPLYCUBE_ENDPOINT) private readonly endpoint: ComplyCubeEndpoint) {}

  async onModuleInit(): Promise<void> {
    await this.endpoint.delivery.idempotency?.store.open?.();
  }

  /** Lets running handlers finish and record their outcome, up to the handler timeout. */
  async onModuleDestroy(): Promise<void> {
    await this.endpoint.runner.drain(this.endpoint.handlerTimeoutMs);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.endpoint.delivery.idempotency?.store.close?.();
  }
}
