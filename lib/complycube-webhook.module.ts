import { DynamicModule, Module } from '@nestjs/common';
import {
  COMPLYCUBE_WEBHOOK_ASYNC_OPTIONS_TYPE,
  COMPLYCUBE_WEBHOOK_OPTIONS,
  COMPLYCUBE_WEBHOOK_OPTIONS_TYPE,
  ConfigurableComplyCubeWebhookModule,
} from './complycube-webhook.module-builder';
import { ComplyCubeMetricsModule } from './delivery/metrics.module';
import { ComplyCubeWebhookMetrics } from './delivery/webhook.metrics';
import { ComplyCubeDispatchModule } from './dispatch/dispatch.module';
import { ComplyCubeEventDispatcher } from './dispatch/event.dispatcher';
import { COMPLYCUBE_ENDPOINT, createEndpoint, defineEndpointRegistration } from './endpoint/endpoint';
import { ComplyCubeWebhookModuleExtras } from './endpoint/endpoint-options.interface';
import { ComplyCubeEndpointGuard } from './endpoint/endpoint.guard';
import { EndpointLifecycle } from './endpoint/endpoint.lifecycle';
import { ComplyCubeEndpointRegistry } from './endpoint/endpoint.registry';
import { ComplyCubeEndpointsModule } from './endpoint/endpoints.module';
import { ComplyCubeSubscriptionCheck } from './endpoint/subscription.check';
import { createComplyCubeWebhookController } from './endpoint/webhook.controller';

/**
 * A verified ComplyCube webhook endpoint. Each `forRoot()` / `forRootAsync()` adds one endpoint
 * with its own path, secrets and idempotency scope; verified events go to `@OnComplyCubeEvent`
 * handlers. The module file only wires: each layer's pieces live in their folder.
 */
@Module({
  imports: [ComplyCubeDispatchModule, ComplyCubeMetricsModule, ComplyCubeEndpointsModule],
  providers: [ComplyCubeEndpointGuard, EndpointLifecycle, ComplyCubeSubscriptionCheck],
  exports: [ComplyCubeMetricsModule, ComplyCubeEndpointsModule],
})
export class ComplyCubeWebhookModule extends ConfigurableComplyCubeWebhookModule {
  static override forRoot(options: typeof COMPLYCUBE_WEBHOOK_OPTIONS_TYPE): DynamicModule {
    return withEndpoint(super.forRoot(options), options);
  }

  static override forRootAsync(options: typeof COMPLYCUBE_WEBHOOK_ASYNC_OPTIONS_TYPE): DynamicModule {
    return withEndpoint(super.forRootAsync(options), options);
  }
}

function withEndpoint(definition: DynamicModule, extras: ComplyCubeWebhookModuleExtras): DynamicModule {
  const registration = defineEndpointRegistration(extras);
  return {
    ...definition,
    providers: [
      ...(definition.providers ?? []),
      {
        provide: COMPLYCUBE_ENDPOINT,
        inject: [COMPLYCUBE_WEBHOOK_OPTIONS, ComplyCubeEndpointRegistry, ComplyCubeEventDispatcher, ComplyCubeWebhookMetrics],
        useFactory: async (
          options: unknown,
          registry: ComplyCubeEndpointRegistry,
          dispatcher: ComplyCubeEventDispatcher,
          metrics: ComplyCubeWebhookMetrics,
        ) => {
          const endpoint = await createEndpoint(registration, options, dispatcher, metrics);
          registry.add(endpoint);
          return endpoint;
        },
      },
    ],
    controllers: [...(definition.controllers ?? []), createComplyCubeWebhookController(registration, extras.decorators ?? [])],
  };
}
