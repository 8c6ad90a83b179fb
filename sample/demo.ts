/**
 * `npm run demo`: boots the sample app on a free port and plays ComplyCube for a few requests,
 * showing for each the HTTP status and which handlers ran. With REDIS_URL set, it boots the sample
 * app in queue mode (sample/queue-mode) on that Redis: events are stored, then handled by the
 * worker, and a poison event becomes a dead letter that ComplyCubeDeadLetters retries.
 */
import 'reflect-metadata';
import { ConsoleLogger, INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { getQueueToken } from '@nestjs/bull-shared';
import type { Queue } from 'bullmq';
import { randomBytes } from 'node:crypto';
import { Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { ComplyCubeDeadLetters, ComplyCubeWebhookMetrics } from 'nestjs-complycube-webhooks';
import { signComplyCubePayload } from 'nestjs-complycube-webhooks/testing';
import { ReviewQueue } from './checks/review-queue.service';

const HANDLER_CONTEXTS = new Set(['ChecksService', 'ClientsService', 'AuditService']);

/** Keeps the handlers' log lines for the current request; the framework's own lines stay quiet. */
class DemoLogger extends ConsoleLogger {
  readonly lines: string[] = [];

  override log(message: unknown, context?: string): void {
    if (context && HANDLER_CONTEXTS.has(context)) this.lines.push(`${context}: ${String(message)}`);
  }
  override error(message: unknown, ...rest: unknown[]): void {
    const context = rest.filter((part): part is string => typeof part === 'string').pop();
    this.lines.push(`error${context ? ` [${context}]` : ''}: ${String(message)}`);
  }
  override warn(message: unknown, context?: string): void {
    this.lines.push(`warn${context ? ` [${context}]` : ''}: ${String(message)}`);
  }
}

const id = (): string => randomBytes(12).toString('hex');
const now = (): string => new Date().toISOString();
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface DemoEvent {
  id: string;
  type: string;
  resourceType: string;
  payload: { id: string } & Record<string, unknown>;
  createdAt: string;
}

function event(type: string, resourceType: string, payload: Record<string, unknown>): DemoEvent {
  return { id: id(), type, resourceType, payload: { id: id(), ...payload }, createdAt: now() };
}

/** Plays ComplyCube against one app: signs, posts and prints each step with the log lines it caused. */
class Player {
  /** Requests answered with a server error. */
  serverErrors = 0;
  private step = 0;

  constructor(
    private readonly url: string,
    private readonly secret: string,
    private readonly logger: DemoLogger,
  ) {}

  async send(title: string, body: object, signature: string | undefined = this.sign(body)): Promise<void> {
    this.logger.lines.length = 0;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (signature) headers['complycube-signature'] = signature;
    const response = await fetch(this.url, { method: 'POST', headers, body: JSON.stringify(body) });
    const text = await response.text();
    this.title(title);
    console.log(`   -> ${response.status} ${text}`);
    if (response.status >= 500) this.serverErrors += 1;
  }

  sign(body: object, key = this.secret): string {
    return signComplyCubePayload(JSON.stringify(body), key);
  }

  title(title: string): void {
    this.step += 1;
    console.log(`${this.step}. ${title}`);
  }

  /** Prints the log lines since the step began, a line repeated once with its count; then starts afresh. */
  printLines(noneRan = 'handlers: none ran'): void {
    const counts = new Map<string, number>();
    for (const line of this.logger.lines) counts.set(line, (counts.get(line) ?? 0) + 1);
    if (counts.size === 0) console.log(`   ${noneRan}`);
    for (const [line, count] of counts) console.log(`   ${line}${count > 1 ? `  (${count} times)` : ''}`);
    console.log('');
    this.logger.lines.length = 0;
  }
}

/** Without a queue: every handler runs inside ComplyCube's request. */
async function playWithoutQueue(player: Player): Promise<void> {
  const rejected = event('check.completed.rejected', 'check', { status: 'complete', outcome: 'rejected' });
  const steps: Array<{ title: string; body: object; signature?: string }> = [
    { title: 'client.created', body: event('client.created', 'client', { type: 'person' }) },
    { title: 'check.pending', body: event('check.pending', 'check', { status: 'pending' }) },
    { title: 'check.completed.rejected', body: rejected },
    { title: 'check.completed.rejected again (ComplyCube retrying the same event id)', body: rejected },
    {
      title: 'check.completed.rejected, signed with the wrong secret (forged)',
      body: rejected,
      signature: player.sign(rejected, 'not-the-secret'),
    },
    { title: 'check.completed.rejected, no signature at all', body: rejected, signature: '' },
    { title: 'person.verified (a type ComplyCube may add later)', body: event('person.verified', 'person', {}) },
    { title: 'a signed body that is not an event', body: { hello: 'world' } },
  ];
  for (const step of steps) {
    await player.send(step.title, step.body, step.signature ?? player.sign(step.body));
    player.printLines();
  }
}

/** Queue mode: the endpoint stores and acknowledges; the worker runs the handlers, retries, and sets poison aside. */
async function playWithQueue(player: Player, app: INestApplication, baseUrl: string): Promise<void> {
  const queue = app.get<Queue>(getQueueToken('complycube-events'));
  const deadLetters = app.get(ComplyCubeDeadLetters);
  // The job id the package gives an event of the sample's (unnamed) registration, as the README documents it.
  const jobIdOf = (body: { id: string }): string =>
    `complycube/${encodeURIComponent('webhooks/complycube')}/${encodeURIComponent(body.id)}`;
  const stateOf = async (body: { id: string }): Promise<string> => (await (await queue.getJob(jobIdOf(body)))?.getState()) ?? 'missing';
  const settled = async (body: { id: string }): Promise<string> => {
    for (let waited = 0; waited < 10_000; waited += 20) {
      const state = await stateOf(body);
      if (state === 'completed' || state === 'failed') return state;
      await sleep(20);
    }
    throw new Error(`event ${body.id} was not handled within 10 s: is a worker running?`);
  };

  // The review queue refuses one check, whatever happens: its event can never be handled.
  const reviewQueue = app.get(ReviewQueue);
  const refused = new Set<string>();
  const add = reviewQueue.add.bind(reviewQueue);
  reviewQueue.add = async (checkId: string) => {
    if (refused.has(checkId)) throw new Error(`the review queue refuses check ${checkId}`);
    return add(checkId);
  };

  const client = event('client.created', 'client', { type: 'person' });
  await player.send('client.created: stored, answered at once, then handled by the worker', client);
  console.log(`   worker: job ${await settled(client)}`);
  player.printLines();

  const rejected = event('check.completed.rejected', 'check', { status: 'complete', outcome: 'rejected' });
  await player.send('check.completed.rejected', rejected);
  console.log(`   worker: job ${await settled(rejected)}`);
  player.printLines();

  await player.send('check.completed.rejected again (ComplyCube retrying the same event id)', rejected);
  player.printLines();

  await player.send('check.completed.rejected, signed with the wrong secret (forged)', rejected, player.sign(rejected, 'not-the-secret'));
  player.printLines();

  const poison = event('check.completed.rejected', 'check', { status: 'complete', outcome: 'rejected' });
  refused.add(poison.payload.id);
  await player.send('check.completed.rejected for a check the review queue refuses (a poison event)', poison);
  let promoted = 0;
  for (let state = await stateOf(poison); state !== 'failed'; state = await stateOf(poison)) {
    if (state === 'completed') throw new Error('the poison event was handled');
    if (state === 'delayed') {
      // Each failed attempt waits before the next (5 s, 10 s, 20 s, ... up to an hour): skip the wait.
      await (await queue.getJob(jobIdOf(poison)))?.promote();
      promoted += 1;
    }
    await sleep(20);
  }
  console.log(`   worker: ${promoted + 1} attempts, each after the first rerunning only the handler still failing`);
  console.log('   (the waits between attempts, from 5 s doubling up to an hour, skipped here with BullMQ job.promote())');
  player.printLines();

  await player.send('the poison event again (ComplyCube retrying): answered 200, so ComplyCube keeps the webhook enabled', poison);
  player.printLines();

  player.title('ComplyCubeDeadLetters.list()');
  for (const letter of await deadLetters.list()) {
    if (letter.eventId !== poison.id) continue;
    const last = letter.failures.at(-1);
    console.log(`   ${letter.id}: ${letter.eventType}, ${letter.attempts} attempts`);
    for (const handler of last?.handlers ?? []) console.log(`   last failure: ${handler.handlerKey}: ${handler.error}`);
  }
  console.log('');

  refused.delete(poison.payload.id);
  player.title('the review queue is fixed: ComplyCubeDeadLetters.retry(id)');
  console.log(`   -> ${JSON.stringify(await deadLetters.retry(jobIdOf(poison)))}`);
  console.log(`   worker: job ${await settled(poison)}`);
  player.printLines();

  await player.send('the poison event again, now handled', poison);
  player.printLines();

  player.title(`the dashboard, ${baseUrl}/queues (its API: GET /queues/api/queues)`);
  const board = (await (await fetch(`${baseUrl}/queues/api/queues`)).json()) as { queues: Array<{ name: string; counts: object }> };
  for (const { name, counts } of board.queues) console.log(`   ${name}: ${JSON.stringify(counts)}`);
  console.log('');
}

/** An endpoint as the sample's GET /health reports it (ComplyCubeHealthIndicator). */
interface EndpointHealth {
  route: string;
  status: string;
  failing: string[];
  store?: { kind: string; up: boolean };
  queue?: { name: string; up: boolean };
}

/** The sample's monitoring routes: GET /health (@nestjs/terminus) and the package's lines of GET /metrics (prom-client). */
async function showMonitoring(player: Player, baseUrl: string): Promise<void> {
  player.title(`GET ${baseUrl}/health (@nestjs/terminus with ComplyCubeHealthIndicator)`);
  const health = await fetch(`${baseUrl}/health`);
  const answer = (await health.json()) as { status: string; details?: { complycube?: { endpoints?: EndpointHealth[] } } };
  console.log(`   -> ${health.status} ${answer.status}`);
  for (const { route, status, failing, store, queue } of answer.details?.complycube?.endpoints ?? []) {
    const parts = [store && `store ${store.kind} ${store.up ? 'up' : 'down'}`, queue && `queue ${queue.name} ${queue.up ? 'up' : 'down'}`];
    console.log(
      `   ${route}: ${status}${failing.length > 0 ? ` (failing: ${failing.join(', ')})` : ''}; ${parts.filter(Boolean).join(', ')}`,
    );
  }
  console.log('');

  player.title(`GET ${baseUrl}/metrics (prom-client): the package's counters above zero, and how often each handler ran`);
  const metrics = await (await fetch(`${baseUrl}/metrics`)).text();
  for (const line of metrics.split('\n')) {
    const counter = /^complycube_webhook_\w+_total[{ ]/.test(line) && !/ 0$/.test(line);
    if (counter || line.startsWith('complycube_webhook_handler_duration_seconds_count')) console.log(`   ${line}`);
  }
  console.log('');
}

/** A reason the demo cannot run, said in one line. */
class DemoSetupError extends Error {}

/** Fails fast, without the URL (it may hold a password), when REDIS_URL's Redis does not answer. */
async function checkRedis(url: string): Promise<void> {
  const { Redis } = await import('ioredis');
  const redis = new Redis(url, { lazyConnect: true, connectTimeout: 3_000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  let connectionError: Error | undefined;
  redis.on('error', (error: Error) => (connectionError = error));
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    const reason = (connectionError ?? (error as Error)).message;
    throw new DemoSetupError(`No Redis answers at REDIS_URL (${reason}): start one (redis-server), or unset REDIS_URL.`);
  } finally {
    redis.disconnect();
  }
}

async function main(): Promise<void> {
  const secret = randomBytes(24).toString('base64url');
  process.env.COMPLYCUBE_WEBHOOK_SECRET = secret;
  const queueMode = Boolean(process.env.REDIS_URL);
  if (process.env.REDIS_URL) await checkRedis(process.env.REDIS_URL);
  // Queue mode loads BullMQ, ioredis and Bull Board; without REDIS_URL none of them is needed.
  const { AppModule } = queueMode ? await import('./queue-mode/app.module') : await import('./app.module');
  const logger = new DemoLogger();
  const app = await NestFactory.create(AppModule, { rawBody: true, logger, abortOnError: false });
  await app.listen(0, '127.0.0.1');
  const { port } = (app.getHttpServer() as Server).address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  const url = `${baseUrl}/webhooks/complycube`;
  console.log(`Sample app listening${queueMode ? ' in queue mode' : ''}; ComplyCube webhooks go to POST ${url}`);
  if (!queueMode) console.log('(Set REDIS_URL, e.g. redis://127.0.0.1:6379, to see queue mode and dead letters.)');
  for (const line of logger.lines) console.log(line);
  logger.lines.length = 0;
  console.log('');

  const player = new Player(url, secret, logger);
  if (queueMode) await playWithQueue(player, app, baseUrl);
  else await playWithoutQueue(player);

  await showMonitoring(player, baseUrl);
  console.log('Counters:', JSON.stringify(app.get(ComplyCubeWebhookMetrics).snapshot()));
  await app.close();
  if (player.serverErrors > 0) {
    console.error(`${player.serverErrors} request(s) got a server error`);
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof DemoSetupError ? error.message : error);
  process.exit(1);
});
