import { Module } from '@nestjs/common';
import { ComplyCubeMetricsModule } from '../delivery/metrics.module';
import { ComplyCubeEndpointRegistry } from './endpoint.registry';
import { FastifyBodySupport } from './fastify-body.support';

/**
 * What exists once per app for all its endpoints: the registry of registrations and, on Fastify,
 * the body parsing the endpoints need. A static module, so every registration shares it.
 */
@Module({
  imports: [ComplyCubeMetricsModule],
  providers: [ComplyCubeEndpointRegistry, FastifyBodySupport],
  exports: [ComplyCubeEndpointRegistry],
})
export class ComplyCubeEndpointsModule {}
