import {
  BadRequestException,
  Body,
  Controller,
  HttpException,
  HttpStatus,
  Inject,
  Logger,
  OnApplicationBootstrap,
  Post,
  Req,
  Res,
  Type,
  UseGuards,
} from '@nestjs/common';
import { ApplicationConfig, HttpAdapterHost } from '@nestjs/core';
import { joinRoutePath } from '../common/route-path';
import { DeliverySettings } from '../delivery/delivery-settings';
import { MemoryIdempotencyStore } from '../delivery/memory-idempotency.store';
import { RedisIdempotencyStore } from '../delivery/redis-idempotency.store';
import { ComplyCubeWebhookMetrics } from '../delivery/webhook.metrics';
import { findComplyCubeEventProblem } from '../events/event-envelope';
import { ComplyCubeEvent } from '../events/event.interface';
import { AnswerWriter, createAnswerWriter } from './answer-writer';
import { COMPLYCUBE_ENDPOINT, ComplyCubeEndpoint, ComplyCubeEndpointRegistration } from './endpoint';
import { ComplyCubeEndpointGuard } from './endpoint.guard';

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
    private writeAnswer?: AnswerWriter;

    constructor(
      @Inject(COMPLYCUBE_ENDPOINT) private readonly endpoint: ComplyCubeEndpoint,
      private readonly appConfig: ApplicationConfig,
      private readonly adapterHost: HttpAdapterHost,
      private readonly metrics: ComplyCubeWebhookMetrics,
    ) {}

    onApplicationBootstrap(): void {
      // The HTTP adapter is known once the application exists, after the providers are made.
      const which = registration.name === undefined ? '' : ` for registration '${registration.name}'`;
      const queue = this.endpoint.queue;
      const mode = queue ? `; queue mode (${queue.settings.role}) on BullMQ queue '${queue.eventQueue.queue.name}'` : '';
      const idempotency = describeIdempotency(this.endpoint.delivery);
      // An application context (a worker-only process) has no HTTP adapter and serves no route.
      if (!this.adapterHost.httpAdapter) {
        const doing =
          queue && queue.settings.role !== 'endpoint' ? 'Running ComplyCube webhook jobs' : 'ComplyCube webhooks take no HTTP requests';
        this.logger.log(`${doing}${which} (no HTTP server in this application); ${idempotency}${mode}`);
        return;
      }
      this.writeAnswer = createAnswerWriter(this.adapterHost.httpAdapter);
      const route = joinRoutePath(this.appConfig.getGlobalPrefix(), registration.path);
      this.logger.log(`Receiving ComplyCube webhooks${which} at POST /${route}; ${idempotency}${mode}`);
    }

    @Post()
    async receive(@Body() body: unknown, @Req() request: { rawBody?: unknown }, @Res() response: unknown): Promise<void> {
      // The envelope is checked here rather than in a parameter pipe: the same place in Nest's order
      // (after the app's global pipes, inside its interceptors and exception filters), without the
      // promises Nest chains through for a pipe on every request.
      const problem = findComplyCubeEventProblem(body);
      if (problem) {
        this.metrics.countRejection('body');
        throw new BadRequestException(`Not a ComplyCube event: ${problem}.`);
      }
      const event = body as ComplyCubeEvent<string>;
      const receipt = await this.endpoint.receiver.receive(event, Buffer.isBuffer(request.rawBody) ? request.rawBody : undefined);
      if (receipt.status !== HttpStatus.OK) throw new HttpException(receipt.body, receipt.status);
      (this.writeAnswer ??= createAnswerWriter(this.adapterHost.httpAdapter))(response, receipt.body);
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
