import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { Redis } from 'ioredis';
import { ComplyCubeWebhookModule, RedisIdempotencyStore } from 'nestjs-complycube-webhooks';
import { AuditService } from '../audit/audit.service';
import { ChecksService } from '../checks/checks.service';
import { ReviewQueue } from '../checks/review-queue.service';
import { ClientsService } from '../clients/clients.service';
import { QueueDashboardModule } from '../queue-dashboard.module';
import { RedisModule } from '../redis.module';

/**
 * The sample app in queue mode (npm run sample with REDIS_URL set): the endpoint stores each
 * verified event in Redis and answers at once; a worker in this process runs the same handlers.
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
      }),
    }),
    QueueDashboardModule,
  ],
  providers: [ChecksService, ReviewQueue, ClientsService, AuditService],
})
export class AppModule {}
