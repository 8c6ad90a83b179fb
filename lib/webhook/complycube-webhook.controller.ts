import {
  Body,
  Controller,
  HttpCode,
  HttpStatus,
  InternalServerErrorException,
  Logger,
  OnApplicationBootstrap,
  Post,
  Type,
  UseGuards,
} from '@nestjs/common';
import { ApplicationConfig } from '@nestjs/core';
import { ComplyCubeEventDispatcher } from '../dispatch/complycube-event.dispatcher';
import { ComplyCubeEvent } from '../interfaces/complycube-event.interface';
import { ComplyCubeSignatureGuard } from '../verification/complycube-signature.guard';
import { ComplyCubeEventPipe } from './complycube-event.pipe';

export interface ComplyCubeWebhookReceipt {
  received: true;
}

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
      private readonly dispatcher: ComplyCubeEventDispatcher,
      private readonly appConfig: ApplicationConfig,
    ) {}

    onApplicationBootstrap(): void {
      const route = [this.appConfig.getGlobalPrefix(), path].map(trimSlashes).filter(Boolean).join('/');
      this.logger.log(`Receiving ComplyCube webhooks at POST /${route}`);
    }

    @Post()
    @HttpCode(HttpStatus.OK)
    async receive(@Body(ComplyCubeEventPipe) event: ComplyCubeEvent<string>): Promise<ComplyCubeWebhookReceipt> {
      const { failed } = await this.dispatcher.dispatch(event);
      // A non-2xx makes ComplyCube deliver the event again; the body stays generic.
      if (failed.length > 0) throw new InternalServerErrorException();
      return { received: true };
    }
  }

  let controller: Type<unknown> = ComplyCubeWebhookController;
  for (const decorate of [...decorators].reverse()) {
    controller = (decorate(controller) as Type<unknown> | void) ?? controller;
  }
  return controller;
}

function trimSlashes(segment: string): string {
  return segment.replace(/^\/+|\/+$/g, '');
}
