/**
 * `npm run soak`: hammers the endpoint as ComplyCube would on a bad day, on loopback only, and
 * checks the delivery guarantees: every event's handlers each succeed exactly once, no 2xx before
 * an event is fully handled, and the memory store stays bounded; in queue mode (endpoint and
 * worker processes, one of them killed), no 2xx before the event is stored, nothing lost, and
 * reruns only of handlers the killed worker had not finished. Exits 1 on any violation.
 */
import 'reflect-metadata';
import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { ComplyCubeWebhookMetrics, ComplyCubeWebhookModuleOptions, RedisIdempotencyStore } from 'nestjs-complycube-webhooks';
import { Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { RedisServer, redisServerAvailability } from '../test/utils/redis-server';
import { printDeliveries, SimulatedEvent, simulateComplyCube, SimulationReport } from './complycube-simulator';
import { measureMemoryGrowth } from './memory-growth';
import { queueScenario } from './queue-scenario';
import { SOAK_HANDLERS_BY_TYPE, soakAppModule } from './soak-app';
import { SoakLedger } from './soak-ledger';
import { killOnExit } from './soak-processes';

const DELIVERIES = 20_000;
const DUPLICATE_SHARE = 0.3;
const CONCURRENCY = 32;
const HANDLER_TIMEOUT_MS = 250;
const MEMORY_IDS = 200_000;
const MEMORY_LIMIT_MB = 100;
/**
 * Once the store is full (halfway), the live heap still moves by several MB between readings (7 to 10 MB
 * measured); a leak of 200 bytes an event would add 20 MB over the second 100 000 ids.
 */
const SECOND_HALF_LIMIT_MB = 20;
/** MemoryIdempotencyStore's default maxEntries. */
const STORE_BOUND = 100_000;

const violations: string[] = [];

function check(condition: boolean, message: string): void {
  if (!condition) violations.push(message);
}

async function startInstance(
  adapter: 'express' | 'fastify',
  ledger: SoakLedger,
  options: Partial<ComplyCubeWebhookModuleOptions>,
): Promise<{ app: INestApplication; url: string }> {
  const httpAdapter = adapter === 'express' ? new ExpressAdapter() : new FastifyAdapter();
  const app = await NestFactory.create(soakAppModule(ledger, { handlerTimeoutMs: HANDLER_TIMEOUT_MS, ...options }), httpAdapter, {
    rawBody: true,
    logger: false,
  });
  await app.listen(0, '127.0.0.1');
  const { port } = (app.getHttpServer() as Server).address() as AddressInfo;
  return { app, url: `http://127.0.0.1:${port}/webhooks/complycube` };
}

async function runScenario(name: string, instances: Array<{ app: INestApplication; url: string }>, ledger: SoakLedger): Promise<void> {
  console.log(`\n== ${name}`);
  const fullyHandled = (event: SimulatedEvent): boolean => ledger.isFullyHandled(event.id, SOAK_HANDLERS_BY_TYPE[event.type]);
  const report = await simulateComplyCube({
    urls: instances.map((instance) => instance.url),
    deliveries: DELIVERIES,
    duplicateShare: DUPLICATE_SHARE,
    concurrency: CONCURRENCY,
    maxAttempts: 50,
    mayAcknowledge: fullyHandled,
  });
  // Let handlers still running after their 503 finish before the apps close.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const timeouts = instances.reduce((sum, instance) => sum + instance.app.get(ComplyCubeWebhookMetrics).snapshot().timeouts, 0);
  const lostEvents = report.events.filter((event) => !fullyHandled(event)).length;
  let doubleHandled = 0;
  for (const count of ledger.successes.values()) doubleHandled += count - 1;
  printReport(report, ledger, timeouts, { lostEvents, doubleHandled });
  check(lostEvents === 0, `${name}: ${lostEvents} events lost`);
  check(doubleHandled === 0, `${name}: ${doubleHandled} double-handled`);
  check(report.prematureAcks === 0, `${name}: ${report.prematureAcks} 2xx before the event was fully handled`);
  check(report.givenUp === 0, `${name}: ${report.givenUp} deliveries never acknowledged`);
  check(ledger.overlappingRuns === 0, `${name}: ${ledger.overlappingRuns} overlapping runs of one handler for one event`);
  check(![...report.answers.keys()].some((answer) => answer.startsWith('connection')), `${name}: connection errors`);
}

function printReport(
  report: SimulationReport,
  ledger: SoakLedger,
  timeouts: number,
  found: { lostEvents: number; doubleHandled: number },
): void {
  printDeliveries(report);
  console.log(
    `  handler runs: ${ledger.runs} (failed on purpose ${ledger.injectedFailures}, slower than the ${HANDLER_TIMEOUT_MS} ms deadline ${ledger.slowRuns}; deadline 503s ${timeouts})`,
  );
  console.log(
    `  lost events: ${found.lostEvents}, double-handled: ${found.doubleHandled}, 2xx before fully handled: ${report.prematureAcks}, never acknowledged: ${report.givenUp}`,
  );
}

async function memoryStoreScenario(): Promise<void> {
  const ledger = new SoakLedger({ failure: 0.05, slow: 0.01 }, [300, 500]);
  const instance = await startInstance('express', ledger, {});
  try {
    await runScenario('memory store, one instance (Express)', [instance], ledger);
  } finally {
    await instance.app.close();
  }
}

/**
 * Runs `scenario` on a private redis-server, stopped however the soak ends. Without redis-server
 * the scenario is skipped with the reason, and fails under CI=true.
 */
async function withRedisServer(name: string, scenario: (redis: RedisServer) => Promise<void>): Promise<void> {
  const availability = redisServerAvailability();
  if (!availability.available) {
    if (process.env.CI === 'true') {
      violations.push(`${name}: CI=true but ${availability.reason}`);
    } else {
      console.log(`\n== ${name}: skipped, ${availability.reason}`);
    }
    return;
  }
  const redis = await RedisServer.start();
  const forgetRedis = killOnExit(() => void redis.stop());
  try {
    await scenario(redis);
  } finally {
    await redis.stop();
    forgetRedis();
  }
}

async function redisScenario(redis: RedisServer): Promise<void> {
  const ledger = new SoakLedger({ failure: 0.05, slow: 0.01 }, [300, 500]);
  const instances: Array<{ app: INestApplication; url: string }> = [];
  try {
    for (const adapter of ['express', 'fastify'] as const) {
      instances.push(await startInstance(adapter, ledger, { idempotency: { store: new RedisIdempotencyStore({ url: redis.url }) } }));
    }
    await runScenario('Redis store, two instances (Express + Fastify) behind a random balancer', instances, ledger);
  } finally {
    for (const instance of instances) await instance.app.close();
  }
}

async function memoryGrowth(): Promise<void> {
  console.log(`\n== memory store growth over ${MEMORY_IDS} distinct ids`);
  const report = await measureMemoryGrowth(MEMORY_IDS);
  const growth = Math.round((report.heapAfterMb - report.heapBeforeMb) * 10) / 10;
  const secondHalf = Math.round((report.heapAfterMb - report.heapHalfwayMb) * 10) / 10;
  console.log(
    `  live heap ${report.heapBeforeMb} MB -> ${report.heapHalfwayMb} MB halfway -> ${report.heapAfterMb} MB: ` +
      `growth ${growth} MB (limit ${MEMORY_LIMIT_MB} MB), over the second half ${secondHalf} MB (limit ${SECOND_HALF_LIMIT_MB} MB)`,
  );
  console.log(`  resident memory ${report.rssBeforeMb} MB -> ${report.rssAfterMb} MB (reported only: it keeps freed pages)`);
  console.log(`  handled ${report.handled}, ids remembered ${report.remembered} (the store's default bound: ${STORE_BOUND})`);
  check(report.handled === MEMORY_IDS, `memory growth: ${report.handled} of ${MEMORY_IDS} events handled`);
  check(report.remembered <= STORE_BOUND, `memory growth: the store remembers ${report.remembered} ids, past its bound`);
  check(growth < MEMORY_LIMIT_MB, `memory growth: the live heap grew ${growth} MB`);
  // Past its bound the store forgets the oldest ids: the second 100 000 ids must not grow the heap.
  check(
    secondHalf < SECOND_HALF_LIMIT_MB,
    `memory growth: the live heap grew ${secondHalf} MB over the second half, past the store's bound`,
  );
}

async function main(): Promise<void> {
  const started = performance.now();
  if (!(globalThis as { gc?: unknown }).gc) console.log('(run node with --expose-gc for settled RSS figures)');
  await memoryGrowth();
  await memoryStoreScenario();
  await withRedisServer('Redis store', redisScenario);
  await withRedisServer('queue mode', (redis) => queueScenario(redis.url, check));
  console.log(`\nSoak finished in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
  if (violations.length > 0) {
    console.error(`\nFAILED:\n${violations.map((violation) => `  - ${violation}`).join('\n')}`);
    process.exitCode = 1;
  } else {
    console.log('All guarantees held: zero lost, zero double-handled, no early 2xx.');
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
