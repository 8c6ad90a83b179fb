import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { Redis } from 'ioredis';
import { ComplyCubeWebhookModule, RedisIdempotencyStore } from 'nestjs-complycube-webhooks';
import { ComplyCubePrometheusModule } from 'nestjs-complycube-webhooks/prometheus';
import { AuditService } from '../audit/audit.service';
import { ChecksService } from '../checks/checks.service';
import { ReviewQueue } from '../checks/review-queue.service';
import { ClientsService } from '../clients/clients.service';
import { HealthModule } from '../health/health.module';
import { MetricsController } from '../metrics.controller';
import { QueueDashboardModule } from '../queue-dashboard.module';
import { RedisModule } from '../redis.module';

/**
 * The sample app in queue mode (npm run sample with REDIS_URL set): the endpoint stores each
 * verified event in Redis and answers at once; a worker in this process runs the same handlers.
 * Observability as in ../app.module.ts: spans, GET /metrics, and GET /health, which here also
 * checks the queue's Redis and its dead letters.
 */
@Module({
  imports: [
    ConfigModule.forRoot(),
    EventEmitterModule.forRoot({ wildcard: true }),
    ComplyCubeWebhookModule.forRootAsync({
      imports: [ConfigModule, RedisModule],
      inject: [ConfigService, Redis],
      useFactory: (config: ConfigService, redis: Redis) => ({
        secret: config.getOrThrow<string>('COMPLYCUBE_WEBHOOK_SECRET'),
        idempotency: { store: new RedisIdempotencyStore(redis) },
        queue: { connection: redis },
        openTelemetry: true,
      }),
    }),
    QueueDashboardModule,
    ComplyCubePrometheusModule.forRoot(),
    HealthModule,
  ],
  controllers: [MetricsController],
  providers: [ChecksService, ReviewQueue, ClientsService, AuditService],
})
export class AppModule {}
