import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { ComplyCubeEndpointRegistry } from '../webhook/complycube-endpoint.registry';
import { ComplyCubeEventDispatcher } from './complycube-event.dispatcher';
import { ComplyCubeEventsMetadataAccessor } from './complycube-events-metadata.accessor';
import { ComplyCubeHandlersExplorer } from './complycube-handlers.explorer';

/**
 * What exists once per app: handler discovery, dispatch and the registry of endpoint paths.
 * A static module, so every endpoint registration imports the same instances and handlers
 * are subscribed once.
 */
@Module({
  imports: [DiscoveryModule],
  providers: [ComplyCubeEventsMetadataAccessor, ComplyCubeHandlersExplorer, ComplyCubeEventDispatcher, ComplyCubeEndpointRegistry],
  exports: [ComplyCubeHandlersExplorer, ComplyCubeEventDispatcher, ComplyCubeEndpointRegistry],
})
export class ComplyCubeDispatchModule {}
