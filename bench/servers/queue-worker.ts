import 'reflect-metadata';
import { HttpStatus, Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { Redis } from 'ioredis';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import type { ComplyCubeEvent } from '../../lib';
import { BENCH_EVENT_TYPE, COMPLYCUBE_BENCH_SECRET, complyCubeEventTemplate, fillTemplate, newEventId } from '../events';
import { loadPackageUnderTest } from '../package-under-test';
import { benchRedisUrl } from '../queue-bench';
import { DriverMessage, recordHandledEvent, sendToDriver, serveBenchCase } from '../server-harness';

/**
 * The worker throughput measurement's processes: a Nest application context (no HTTP server) in
 * queue mode on the bench's redis-server, with a RedisIdempotencyStore on the same client, as a
 * user's worker process is wired.
 *
 *   --queue NAME          the queue
 *   --role worker         runs the jobs (default concurrency): the one handler awaits --io-ms of I/O
 *   --role endpoint       the filler: on a `fill` message, stores that many fresh events as jobs
 *                         through ComplyCubeWebhookEndpoints.deliver (the endpoint's own path)
 *   --io-ms MS            the handler's I/O, a timer (default 20)
 *   --body-bytes N        approximate size of the events the filler stores (default 1024)
 */
const { values } = parseArgs({
  options: {
    queue: { type: 'string' },
    role: { type: 'string' },
    'io-ms': { type: 'string', default: '20' },
    'body-bytes': { type: 'string', default: '1024' },
  },
});
const role = values.role;
if (role !== 'worker' && role !== 'endpoint') throw new Error(`--role must be worker or endpoint (got ${JSON.stringify(role)}).`);
if (!values.queue) throw new Error('--queue NAME is required.');
const ioMs = Number(values['io-ms']);
const { ComplyCubeWebhookEndpoints, ComplyCubeWebhookModule, OnComplyCubeEvent, RedisIdempotencyStore } = loadPackageUnderTest();

@Injectable()
class ChecksHandlers {
  @OnComplyCubeEvent(BENCH_EVENT_TYPE)
  async onCheckClear(event: ComplyCubeEvent): Promise<void> {
    await sleep(ioMs);
    recordHandledEvent(event);
  }
}

const redis = new Redis(benchRedisUrl());

@Module({
  imports: [
    EventEmitterModule.forRoot(),
    ComplyCubeWebhookModule.forRoot({
      secret: COMPLYCUBE_BENCH_SECRET,
      idempotency: { store: new RedisIdempotencyStore(redis) },
      queue: { connection: redis, name: values.queue, role },
    }),
  ],
  providers: [ChecksHandlers],
})
class QueueWorkerBenchModule {}

/** Events stored this many at a time: enough to keep Redis busy, few enough not to pile up promises. */
const FILL_BATCH = 100;

async function fill(endpoints: InstanceType<typeof ComplyCubeWebhookEndpoints>, count: number): Promise<void> {
  const template = complyCubeEventTemplate(Number(values['body-bytes']));
  let queued = 0;
  let otherAnswers = 0;
  for (let done = 0; done < count; done += FILL_BATCH) {
    const batch = Array.from({ length: Math.min(FILL_BATCH, count - done) }, () =>
      endpoints.deliver(JSON.parse(fillTemplate(template, newEventId())) as ComplyCubeEvent<string>),
    );
    for (const receipt of await Promise.all(batch)) {
      if (receipt.status === HttpStatus.OK && receipt.body.queued && !receipt.body.duplicate) queued += 1;
      else otherAnswers += 1;
    }
  }
  sendToDriver({ type: 'filled', queued, otherAnswers });
}

serveBenchCase(async () => {
  const app = await NestFactory.createApplicationContext(QueueWorkerBenchModule, { logger: ['error', 'warn'] });
  if (role === 'endpoint') {
    const endpoints = app.get(ComplyCubeWebhookEndpoints);
    process.on('message', (message: DriverMessage) => {
      if (message.type === 'fill') {
        fill(endpoints, message.count).catch((error: unknown) => {
          console.error(error);
          process.exit(1);
        });
      }
    });
  }
  return undefined;
});
