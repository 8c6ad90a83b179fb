import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { ComplyCubeWebhookModule } from 'nestjs-complycube-webhooks';
import { AuditService } from './audit/audit.service';
import { ChecksService } from './checks/checks.service';
import { ReviewQueue } from './checks/review-queue.service';
import { ClientsService } from './clients/clients.service';

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
      }),
    }),
  ],
  providers: [ChecksService, ReviewQueue, ClientsService, AuditService],
})
export class AppModule {}
