import { Module } from '@nestjs/common';
import { ConfigurableComplyCubeApiModule } from './api.module-builder';
import { ComplyCubeWebhooksClient } from './webhooks.client';

/**
 * Access to ComplyCube's API with one API key: provides `ComplyCubeWebhooksClient`.
 * Separate from `ComplyCubeWebhookModule`, which may be registered once per endpoint,
 * while an account has one key; the subscription check finds the client here.
 */
@Module({
  providers: [ComplyCubeWebhooksClient],
  exports: [ComplyCubeWebhooksClient],
})
export class ComplyCubeApiModule extends ConfigurableComplyCubeApiModule {}
