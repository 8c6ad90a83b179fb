import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { ComplyCubeWebhookModule } from 'nestjs-complycube-webhooks';
import { ComplyCubePrometheusModule } from 'nestjs-complycube-webhooks/prometheus';
import { AuditService } from './audit/audit.service';
import { ChecksService } from './checks/checks.service';
import { ReviewQueue } from './checks/review-queue.service';
import { ClientsService } from './clients/clients.service';
import { HealthModule } from './health/health.module';
import { MetricsController } from './metrics.controller';

@Module({
  imports: [
    ConfigModule.forRoot(),
    // Wildcard mode lets handlers use 'client.*' and the catch-all '*'.
    EventEmitterModule.forRoot({ wildcard: true }),
    ComplyCubeWebhookModule.forRootAsync({
      imports: [ConfigModule],
      inject: [ConfigService],
      useFactory: (config: ConfigService) => ({
        secret: config.getOrThrow<string>('COMPLYCUBE_WEBHOOK_SECRET'),
        // Spans and OpenTelemetry metrics; src/tracing.ts registers the SDK that exports them.
        openTelemetry: true,
      }),
    }),
    // The package's metrics on prom-client's registry, served on GET /metrics.
    ComplyCubePrometheusModule.forRoot(),
    // GET /health: the idempotency store, and in queue mode the queue and its dead letters.
    HealthModule,
  ],
  controllers: [MetricsController],
  providers: [ChecksService, ReviewQueue, ClientsService, AuditService],
})
export class AppModule {}
