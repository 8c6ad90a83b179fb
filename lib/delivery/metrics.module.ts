import { Module } from '@nestjs/common';
import { ComplyCubeWebhookMetrics } from './webhook.metrics';

/** One set of counters per app: a static module, so every endpoint registration shares it. */
@Module({
  providers: [ComplyCubeWebhookMetrics],
  exports: [ComplyCubeWebhookMetrics],
})
export class ComplyCubeMetricsModule {}
