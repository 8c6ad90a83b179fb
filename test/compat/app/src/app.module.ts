import { Module } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { ComplyCubeWebhookModule } from 'nestjs-complycube-webhooks';
import { ReceivedEventsController } from './received-events.controller.js';
import { ReceivedEventsHandler } from './received-events.handler.js';

@Module({
  imports: [
    EventEmitterModule.forRoot(),
    ComplyCubeWebhookModule.forRootAsync({
      useFactory: () => ({ secret: process.env.COMPLYCUBE_WEBHOOK_SECRET ?? '' }),
    }),
  ],
  controllers: [ReceivedEventsController],
  providers: [ReceivedEventsHandler],
})
export class AppModule {}
