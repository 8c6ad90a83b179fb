import { Module } from '@nestjs/common';
import { ComplyCubeMetricsModule } from '../delivery/metrics.module';
import { ComplyCubeEndpointRegistry } from './endpoint.registry';
import { FastifyBodySupport } from './fastify-body.support';
import { OpenTelemetryMetricsBridge } from './opentelemetry-metrics';
import { ComplyCubeDeadLetters } from './dead-letters';
import { ComplyCubeWebhookEndpoints } from './webhook-endpoints';

/**
 * What exists once per app for all its endpoints: the registry of registrations, its public view
 * (`ComplyCubeWebhookEndpoints`) and, on Fastify, the body parsing the endpoints need. A static
 * module, so every registration shares it.
 */
@Module({
  imports: [ComplyCubeMetricsModule],
  providers: [
    ComplyCubeEndpointRegistry,
    ComplyCubeWebhookEndpoints,
    ComplyCubeDeadLetters,
    FastifyBodySupport,
    OpenTelemetryMetricsBridge,
  ],
  exports: [ComplyCubeEndpointRegistry, ComplyCubeWebhookEndpoints, ComplyCubeDeadLetters],
})
export class ComplyCubeEndpointsModule {}
