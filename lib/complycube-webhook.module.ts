import { DynamicModule, Module } from '@nestjs/common';
import {
  COMPLYCUBE_WEBHOOK_ASYNC_OPTIONS_TYPE,
  COMPLYCUBE_WEBHOOK_OPTIONS,
  COMPLYCUBE_WEBHOOK_OPTIONS_TYPE,
  ConfigurableComplyCubeWebhookModule,
} from './complycube-webhook.module-builder';
import { COMPLYCUBE_WEBHOOK_PATH, DEFAULT_COMPLYCUBE_WEBHOOK_PATH } from './constants';
import { complyCubeDeliverySettingsProvider } from './delivery/complycube-delivery-settings.provider';
import { ComplyCubeMetricsModule } from './delivery/complycube-metrics.module';
import { ComplyCubeDispatchModule } from './dispatch/complycube-dispatch.module';
import { ComplyCubeWebhookModuleExtras } from './interfaces/complycube-webhook-options.interface';
import { ComplyCubeSubscriptionCheck } from './management/complycube-subscription.check';
import { COMPLYCUBE_WEBHOOK_SECRETS, complyCubeWebhookSecretsProvider } from './verification/complycube-webhook-secrets.provider';
import { ComplyCubeSignatureGuard } from './verification/complycube-signature.guard';
import { ComplyCubeEndpointRegistry } from './webhook/complycube-endpoint.registry';
import { createComplyCubeWebhookController } from './webhook/complycube-webhook.controller';
import { ComplyCubeWebhookReceiver } from './webhook/complycube-webhook.receiver';

/**
 * A verified ComplyCube webhook endpoint. Each `forRoot()` / `forRootAsync()` adds one endpoint
 * with its own path and secrets; verified events go to `@OnComplyCubeEvent` handlers.
 */
@Module({
  imports: [ComplyCubeDispatchModule, ComplyCubeMetricsModule],
  providers: [
    complyCubeWebhookSecretsProvider,
    complyCubeDeliverySettingsProvider,
    ComplyCubeSignatureGuard,
    ComplyCubeWebhookReceiver,
    ComplyCubeSubscriptionCheck,
  ],
  exports: [
    COMPLYCUBE_WEBHOOK_OPTIONS,
    COMPLYCUBE_WEBHOOK_SECRETS,
    COMPLYCUBE_WEBHOOK_PATH,
    ComplyCubeSignatureGuard,
    ComplyCubeWebhookReceiver,
    ComplyCubeDispatchModule,
    ComplyCubeMetricsModule,
  ],
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
  const path = extras.path ?? DEFAULT_COMPLYCUBE_WEBHOOK_PATH;
  if (typeof path !== 'string') {
    throw new TypeError('ComplyCubeWebhookModule: path must be a string such as "webhooks/complycube".');
  }
  return {
    ...definition,
    providers: [
      ...(definition.providers ?? []),
      {
        provide: COMPLYCUBE_WEBHOOK_PATH,
        inject: [ComplyCubeEndpointRegistry],
        useFactory: (endpoints: ComplyCubeEndpointRegistry) => endpoints.register(path),
      },
    ],
    controllers: [...(definition.controllers ?? []), createComplyCubeWebhookController(path, extras.decorators ?? [])],
  };
}
