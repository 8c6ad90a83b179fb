import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { ComplyCubeEventDispatcher } from './event.dispatcher';
import { ComplyCubeEventsMetadataAccessor } from './handler-metadata.accessor';
import { ComplyCubeHandlersExplorer } from './handlers.explorer';

/**
 * What exists once per app: handler discovery and dispatch. A static module, so every endpoint
 * registration imports the same instances and handlers are subscribed once.
 */
@Module({
  imports: [DiscoveryModule],
  providers: [ComplyCubeEventsMetadataAccessor, ComplyCubeHandlersExplorer, ComplyCubeEventDispatcher],
  exports: [ComplyCubeHandlersExplorer, ComplyCubeEventDispatcher],
})
export class ComplyCubeDispatchModule {}
