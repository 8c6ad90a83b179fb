import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { ComplyCubeEventDispatcher } from './complycube-event.dispatcher';
import { ComplyCubeEventsMetadataAccessor } from './complycube-events-metadata.accessor';
import { ComplyCubeHandlersExplorer } from './complycube-handlers.explorer';

/**
 * Handler discovery and dispatch, once per app: a static module, so every endpoint
 * registration imports the same instance and handlers are subscribed once.
 */
@Module({
  imports: [DiscoveryModule],
  providers: [ComplyCubeEventsMetadataAccessor, ComplyCubeHandlersExplorer, ComplyCubeEventDispatcher],
  exports: [ComplyCubeHandlersExplorer, ComplyCubeEventDispatcher],
})
export class ComplyCubeDispatchModule {}
