import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { BullBoardModule } from '@bull-board/nestjs';
import { getQueueToken } from '@nestjs/bull-shared';
import { Module } from '@nestjs/common';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { RedisModule } from './redis.module';

/** The queue of ComplyCube's events: the name the package uses unless told otherwise (queue.name). */
const QUEUE_NAME = 'complycube-events';

/**
 * Bull Board at /queues: ComplyCube's events waiting, running, done and failed (the dead letters).
 * It shows the events' personal data and can retry or delete jobs: put it behind your app's auth
 * (BullBoardModule.forRoot takes a `middleware`).
 */
@Module({
  imports: [
    RedisModule,
    BullBoardModule.forRoot({ route: '/queues', adapter: ExpressAdapter }),
    BullBoardModule.forFeature({ name: QUEUE_NAME, adapter: BullMQAdapter }),
  ],
  // The board finds the queue by this token, as @nestjs/bullmq's registerQueue would provide it.
  providers: [
    { provide: getQueueToken(QUEUE_NAME), inject: [Redis], useFactory: (redis: Redis) => new Queue(QUEUE_NAME, { connection: redis }) },
  ],
})
export class QueueDashboardModule {}
