import 'reflect-metadata';
import { ExecutionContext, Injectable, Module } from '@nestjs/common';
import { ModuleRef, NestFactory } from '@nestjs/core';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { Bench } from 'tinybench';
import type { ComplyCubeEvent } from '../lib';
import { BENCH_EVENT_TYPE, COMPLYCUBE_BENCH_SECRET, complyCubeEventTemplate, fillTemplate, newEventId, signComplyCube } from './events';
import { loadPackageUnderTest } from './package-under-test';

/**
 * What the package adds per delivery, without HTTP: the signature guard against a hand-written
 * check, and a delivery without HTTP (`ComplyCubeWebhookEndpoints.deliver`: a JSON copy of the
 * event, then dispatch through EventEmitter2 to one @OnComplyCubeEvent handler) against calling the
 * handler directly. Explains the HTTP cases' ratios; not part of RESULTS.md.
 *
 *   npx ts-node --transpile-only bench/dispatch-micro.ts   (BENCH_PACKAGE=lib to skip the build)
 */
const { ComplyCubeWebhookModule, OnComplyCubeEvent, ComplyCubeWebhookEndpoints, ComplyCubeSignatureGuard } = loadPackageUnderTest();
let handled = 0;

@Injectable()
class ChecksHandlers {
  @OnComplyCubeEvent(BENCH_EVENT_TYPE)
  onCheckClear(): void {
    handled += 1;
  }
}

@Module({
  imports: [EventEmitterModule.forRoot(), ComplyCubeWebhookModule.forRoot({ secret: COMPLYCUBE_BENCH_SECRET, idempotency: false })],
  providers: [ChecksHandlers],
})
class DispatchBenchModule {}

function isSigned(body: Buffer, signature: string): boolean {
  if (signature.length !== 64) return false;
  const received = Buffer.from(signature, 'hex');
  return received.length === 32 && timingSafeEqual(createHmac('sha256', COMPLYCUBE_BENCH_SECRET).update(body).digest(), received);
}

async function main(): Promise<void> {
  const app = await NestFactory.createApplicationContext(DispatchBenchModule, { logger: false });
  const endpoints = app.get(ComplyCubeWebhookEndpoints);
  const guard = new ComplyCubeSignatureGuard(app.get(ModuleRef));
  guard.onModuleInit();
  const body = Buffer.from(fillTemplate(complyCubeEventTemplate(1024), newEventId()));
  const signature = signComplyCube(body);
  const event = JSON.parse(body.toString('utf8')) as ComplyCubeEvent<string>;
  const request = { headers: { 'complycube-signature': signature, 'content-type': 'application/json' }, rawBody: body };
  const context = { switchToHttp: () => ({ getRequest: () => request }) } as unknown as ExecutionContext;
  const handleDirectly = async (received: ComplyCubeEvent<string>): Promise<void> => {
    if (received.type === BENCH_EVENT_TYPE) handled += 1;
  };

  const bench = new Bench({ time: 2000, warmupTime: 300, throws: true });
  bench
    .add('ComplyCubeSignatureGuard.canActivate', () => {
      if (!guard.canActivate(context)) throw new Error('refused a valid signature');
    })
    .add('hand-written HMAC check', () => {
      if (!isSigned(body, signature)) throw new Error('refused a valid signature');
    })
    .add('ComplyCubeWebhookEndpoints.deliver (JSON copy, EventEmitter2, one handler)', async () => {
      await endpoints.deliver(event);
    })
    .add('await handler(event) directly', async () => {
      await handleDirectly(event);
    });
  await bench.run();
  await app.close();
  if (handled === 0) throw new Error('no handler ran');
  console.table(
    bench.tasks.map((task) => ({
      task: task.name,
      'mean µs': task.result.state === 'completed' ? (task.result.period * 1000).toFixed(3) : task.result.state,
    })),
  );
}

void main();
