import { Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { COMPLYCUBE_EVENT_HANDLER_METADATA } from './constants';
import { ComplyCubeEventHandlerMetadata } from './on-complycube-event.decorator';

/** The one place that reads `@OnComplyCubeEvent` metadata. */
@Injectable()
export class ComplyCubeEventsMetadataAccessor {
  constructor(private readonly reflector: Reflector) {}

  getHandlerMetadata(target: unknown): ComplyCubeEventHandlerMetadata[] | undefined {
    if (typeof target !== 'function') return undefined;
    return this.reflector.get<ComplyCubeEventHandlerMetadata[] | undefined>(COMPLYCUBE_EVENT_HANDLER_METADATA, target);
  }
}
