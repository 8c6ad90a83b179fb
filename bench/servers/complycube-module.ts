import 'reflect-metadata';
import { DynamicModule, Injectable, Module, Type } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { Redis } from 'ioredis';
import { parseArgs } from 'node:util';
import type { ComplyCubeEvent, ComplyCubeEventPattern } from '../../lib';
import { BENCH_EVENT_TYPE, COMPLYCUBE_BENCH_SECRET } from '../events';
import { benchRedisUrl } from '../queue-bench';
import { loadPackageUnderTest } from '../package-under-test';
import { recordHandledEvent, serveBenchCase } from '../server-harness';
import { nestBenchApp, parseAdapter } from './nest-app';

/**
 * Cases C, E, F, G, Q, T0 and T1: the package as a user wires it — EventEmitterModule,
 * ComplyCubeWebhookModule and @OnComplyCubeEvent handlers — loaded from dist (or lib, see
 * package-under-test.ts).
 *
 *   --adapter express|fastify
 *   --handlers many       200 handlers over 200 patterns (wildcard emitter), exactly one matches
 *   --idempotency default leave the option out, so the package's default applies (case G);
 *                         otherwise `idempotency: false` is passed (ignored by builds without it)
 *   --queue NAME          queue mode, endpoint role, on the bench's redis-server (BENCH_REDIS_URL),
 *                         with a RedisIdempotencyStore on the same client (case Q): each delivery
 *                         becomes a job in the queue NAME and no handler runs here
 *   --tracing api|sdk     `openTelemetry: true`; `api`: no SDK registered, so the API's no-op (case
 *                         T0); `sdk`: an SDK tracer provider registered first, its spans dropped (T1)
 */
const { values } = parseArgs({
  options: {
    adapter: { type: 'string' },
    handlers: { type: 'string', default: 'one' },
    idempotency: { type: 'string', default: 'off' },
    queue: { type: 'string' },
    tracing: { type: 'string' },
  },
});
if (values.tracing !== undefined && values.tracing !== 'api' && values.tracing !== 'sdk') {
  throw new Error(`--tracing must be api or sdk (got ${JSON.stringify(values.tracing)}).`);
}
const { ComplyCubeWebhookModule, OnComplyCubeEvent, RedisIdempotencyStore } = loadPackageUnderTest();

@Injectable()
class ChecksHandlers {
  @OnComplyCubeEvent(BENCH_EVENT_TYPE)
  onCheckClear(event: ComplyCubeEvent): void {
    recordHandledEvent(event);
  }
}

/**
 * 199 patterns that do not match `check.completed.clear` (the other documented types, siblings
 * under `check.completed`, and wildcards that share its first or last segment, so the emitter's
 * wildcard tree is walked), plus the one handler that does.
 */
function manyHandlerPatterns(types: readonly string[]): string[] {
  const indices = (count: number): number[] => Array.from({ length: count }, (_, index) => index);
  const exact = [...types.filter((type) => type !== BENCH_EVENT_TYPE), ...indices(75).map((index) => `check.completed.custom_${index}`)];
  const wildcards = [
    ...indices(25).map((index) => `check.custom_${index}.*`),
    ...indices(25).map((index) => `*.custom_${index}.clear`),
    ...indices(25).map((index) => `check.*.custom_${index}`),
    ...indices(25).map((index) => `tenant_${index}.**`),
  ];
  return [...exact, ...wildcards];
}

function nonMatchingHandlerClass(index: number, pattern: string): Type<unknown> {
  class GeneratedHandler {
    handle(event: ComplyCubeEvent): void {
      recordHandledEvent(event);
    }
  }
  // The handler key is ClassName.method, so every generated class needs a name of its own.
  Object.defineProperty(GeneratedHandler, 'name', { value: `BenchHandler${index}` });
  const method = Object.getOwnPropertyDescriptor(GeneratedHandler.prototype, 'handle') as PropertyDescriptor;
  OnComplyCubeEvent(pattern as ComplyCubeEventPattern)(GeneratedHandler.prototype, 'handle', method);
  Injectable()(GeneratedHandler);
  return GeneratedHandler;
}

function appModule(): Type<unknown> {
  const many = values.handlers === 'many';
  const { COMPLYCUBE_EVENT_TYPES } = loadPackageUnderTest();
  const handlers: Type<unknown>[] = many
    ? [ChecksHandlers, ...manyHandlerPatterns(COMPLYCUBE_EVENT_TYPES).map((pattern, index) => nonMatchingHandlerClass(index, pattern))]
    : [ChecksHandlers];
  const options: Parameters<typeof ComplyCubeWebhookModule.forRoot>[0] = {
    secret: COMPLYCUBE_BENCH_SECRET,
    ...(values.idempotency === 'default' ? {} : { idempotency: false }),
    ...(values.tracing === undefined ? {} : { openTelemetry: true }),
  };
  if (values.queue !== undefined) {
    // One client for the store and the queue, as the README shows; endpoint role, so no worker here.
    const redis = new Redis(benchRedisUrl());
    options.idempotency = { store: new RedisIdempotencyStore(redis) };
    options.queue = { connection: redis, name: values.queue, role: 'endpoint' };
  }
  const imports: DynamicModule[] = [EventEmitterModule.forRoot({ wildcard: many }), ComplyCubeWebhookModule.forRoot(options)];

  @Module({ imports, providers: handlers })
  class ComplyCubeBenchAppModule {}
  return ComplyCubeBenchAppModule;
}

serveBenchCase(async () => {
  // Only T1 loads the SDK, and before the app is made, as an app's tracing set-up runs first.
  if (values.tracing === 'sdk') (await import('../tracing-sdk')).registerDroppingTracerProvider();
  return nestBenchApp(appModule(), parseAdapter(values.adapter));
});
