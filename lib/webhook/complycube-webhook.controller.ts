import {
  Body,
  Controller,
  HttpCode,
  HttpException,
  HttpStatus,
  Logger,
  OnApplicationBootstrap,
  Post,
  Type,
  UseGuards,
} from '@nestjs/common';
import { ApplicationConfig } from '@nestjs/core';
import { ComplyCubeEvent } from '../interfaces/complycube-event.interface';
import { ComplyCubeSignatureGuard } from '../verification/complycube-signature.guard';
import { ComplyCubeEventPipe } from './complycube-event.pipe';
import { ComplyCubeWebhookReceiver } from './complycube-webhook.receiver';
import { joinRoutePath } from '../common/route-path';

/**
 * A fresh controller class per module registration, so that two endpoints (two paths, two
 * secrets) never share, or overwrite, one class's route metadata.
 */
export function createComplyCubeWebhookController(path: string, decorators: readonly ClassDecorator[]): Type<unknown> {
  @Controller(path)
  @UseGuards(ComplyCubeSignatureGuard)
  class ComplyCubeWebhookController implements OnApplicationBootstrap {
    private readonly logger = new Logger('ComplyCubeWebhooks');

    constructor(
      private readonly receiver: ComplyCubeWebhookReceiver,
      private readonly appConfig: ApplicationConfig,
    ) {}

    onApplicationBootstrap(): void {
      const route = joinRoutePath(this.appConfig.getGlobalPrefix(), path);
      this.logger.log(`Receiving ComplyCube webhooks at POST /${route}`);
    }

    @Post()
    @HttpCode(HttpStatus.OK)
    async receive(@Body(ComplyCubeEventPipe) event: ComplyCubeEvent<string>): Promise<object> {
      const receipt = await this.receiver.receive(event);
      if (receipt.status !== HttpStatus.OK) throw new HttpException(receipt.body, receipt.status);
      return receipt.body;
    }
  }

  let controller: Type<unknown> = ComplyCubeWebhookController;
  for (const decorate of [...decorators].reverse()) {
    controller = (decorate(controller) as Type<unknown> | void) ?? controller;
  }
  return controller;
}
