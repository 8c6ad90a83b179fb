import { DynamicModule, Module } from '@nestjs/common';
import {
  COMPLYCUBE_WEBHOOK_ASYNC_OPTIONS_TYPE,
  COMPLYCUBE_WEBHOOK_OPTIONS,
  COMPLYCUBE_WEBHOOK_OPTIONS_TYPE,
  ConfigurableComplyCubeWebhookModule,
} from './complycube-webhook.module-builder';
import { ComplyCubeMetricsModule } from './delivery/metrics.module';
import { ComplyCubeDispatchModule } from './dispatch/dispatch.module';
import { ComplyCubeWebhookModuleExtras } from './endpoint/endpoint-options.interface';
import { ComplyCubeSubscriptionCheck } from './endpoint/subscription.check';
import { COMPLYCUBE_ENDPOINT, createEndpoint, defineEndpointRegistration } from './endpoint/endpoint';
import { ComplyCubeEndpointGuard } from './endpoint/endpoint.guard';
import { ComplyCubeEndpointRegistry } from './endpoint/endpoint.registry';
import { ComplyCubeEndpointsModule } from './endpoint/endpoints.module';
import { createComplyCubeWebhookController } from './endpoint/webhook.controller';
import { ComplyCubeWebhookReceiver } from './endpoint/receiver';

/**
 * A verified ComplyCube webhook endpoint. Each `forRoot()` / `forRootAsync()` adds one endpoint
 * with its own path, secrets and idempotency scope; verified events go to `@OnComplyCubeEvent` handlers.
 */
@Module({
  imports: [ComplyCubeDispatchModule, ComplyCubeMetricsModule, ComplyCubeEndpointsModule],
  providers: [ComplyCubeEndpointGuard, ComplyCubeWebhookReceiver, ComplyCubeSubscriptionCheck],
  exports: [ComplyCubeMetricsModule],
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
        inject: [COMPLYCUBE_WEBHOOK_OPTIONS, ComplyCubeEndpointRegistry],
        useFactory: (options: unknown, registry: ComplyCubeEndpointRegistry) => {
          const endpoint = createEndpoint(registration, options);
          registry.add(endpoint);
          return endpoint;
        },
      },
    ],
    controllers: [...(definition.controllers ?? []), createComplyCubeWebhookController(registration, extras.decorators ?? [])],
  };
}
