import {
  Body,
  Controller,
  HttpCode,
  HttpException,
  HttpStatus,
  Inject,
  Logger,
  OnApplicationBootstrap,
  Post,
  Req,
  Type,
  UseGuards,
} from '@nestjs/common';
import { ApplicationConfig } from '@nestjs/core';
import { joinRoutePath } from '../common/route-path';
import { DeliverySettings } from '../delivery/delivery-settings';
import { MemoryIdempotencyStore } from '../delivery/memory-idempotency.store';
import { RedisIdempotencyStore } from '../delivery/redis-idempotency.store';
import { ComplyCubeEvent } from '../events/event.interface';
import { COMPLYCUBE_ENDPOINT, ComplyCubeEndpoint, ComplyCubeEndpointRegistration } from './endpoint';
import { ComplyCubeEndpointGuard } from './endpoint.guard';
import { ComplyCubeEventPipe } from './event.pipe';

/**
 * A fresh controller class per module registration, so that two endpoints (two paths, two
 * secrets) never share, or overwrite, one class's route metadata.
 */
export function createComplyCubeWebhookController(
  registration: ComplyCubeEndpointRegistration,
  decorators: readonly ClassDecorator[],
): Type<unknown> {
  @Controller(registration.path)
  @UseGuards(ComplyCubeEndpointGuard)
  class ComplyCubeWebhookController implements OnApplicationBootstrap {
    private readonly logger = new Logger('ComplyCubeWebhooks');

    constructor(
      @Inject(COMPLYCUBE_ENDPOINT) private readonly endpoint: ComplyCubeEndpoint,
      private readonly appConfig: ApplicationConfig,
    ) {}

    onApplicationBootstrap(): void {
      const route = joinRoutePath(this.appConfig.getGlobalPrefix(), registration.path);
      const which = registration.name === undefined ? '' : ` for registration '${registration.name}'`;
      const queue = this.endpoint.queue?.settings;
      const mode = queue ? `; queue mode (${queue.role}) on BullMQ queue '${this.endpoint.queue?.eventQueue.queue.name}'` : '';
      this.logger.log(`Receiving ComplyCube webhooks${which} at POST /${route}; ${describeIdempotency(this.endpoint.delivery)}${mode}`);
    }

    @Post()
    @HttpCode(HttpStatus.OK)
    async receive(@Body(ComplyCubeEventPipe) event: ComplyCubeEvent<string>, @Req() request: { rawBody?: unknown }): Promise<object> {
      const receipt = await this.endpoint.receiver.receive(event, Buffer.isBuffer(request.rawBody) ? request.rawBody : undefined);
      if (receipt.status !== HttpStatus.OK) throw new HttpException(receipt.body, receipt.status);
      return receipt.body;
    }
  }

  let controller: Type<unknown> = ComplyCubeWebhookController;
  for (const decorate of [...decorators].reverse()) {
    controller = decorate<Type<unknown>>(controller) ?? controller;
  }
  return controller;
}

/** Which store remembers handled events, and under which scope: what an operator checks first. */
function describeIdempotency(settings: DeliverySettings): string {
  const { idempotency, scope } = settings;
  if (!idempotency) return 'idempotency off: every delivery runs every handler';
  const { store } = idempotency;
  const where =
    store instanceof MemoryIdempotencyStore
      ? 'MemoryIdempotencyStore (this process only)'
      : store instanceof RedisIdempotencyStore
        ? `RedisIdempotencyStore (key prefix ${store.keyPrefix})`
        : store.constructor?.name || 'a custom store';
  return `idempotency records in ${where}, scoped to '${scope}'`;
}
