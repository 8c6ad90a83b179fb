import { INestApplicationContext, Logger } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { Test } from '@nestjs/testing';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import {
  ComplyCubeDeadLetter,
  ComplyCubeDeadLetters,
  ComplyCubeWebhookConfigurationError,
  ComplyCubeWebhookMetrics,
  ComplyCubeWebhookModule,
  ComplyCubeWebhookModuleOptions,
  MemoryIdempotencyStore,
  RedisIdempotencyStore,
} from 'nestjs-complycube-webhooks';
import { DeliveryJournal, RejectedCheckHandlers } from '../src/delivery-handlers';
import { ADAPTERS, AdapterName, RecordingLogger, startTestApp, TestApp } from '../utils/app';
import { hexId, makeEvent } from '../utils/events';
import { HttpResult, postWebhook } from '../utils/http';
import { describeWithRedis, RedisServer } from '../utils/redis-server';
import { waitFor } from '../utils/wait';

const SECRET = 'whsec_queue_mode_secret';
const BOTH = ['openCase', 'sendEmail'];
/** Retries within the test's time: 50 ms, then 100 ms, capped at 200 ms. */
const FAST_RETRIES = { attempts: 4, backoff: { delayMs: 50, maxDelayMs: 200, jitter: 0 } };

interface QueueApp {
  server: TestApp;
  journal: DeliveryJournal;
  logger: RecordingLogger;
  deliver(event: object): Promise<HttpResult>;
  metrics(): ReturnType<ComplyCubeWebhookMetrics['snapshot']>;
}

describeWithRedis('queue mode on a real redis-server', () => {
  let redis: RedisServer;
  let client: Redis;
  const apps: Array<{ close(): Promise<unknown> }> = [];

  beforeAll(async () => {
    redis = await RedisServer.start();
    client = new Redis(redis.url);
  });
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });
  afterAll(async () => {
    client.disconnect();
    await redis.stop();
    Logger.flush();
  });

  /** An app in queue mode on its own queue (unless given one), sharing the test's Redis client. */
  async function startQueueApp(
    adapter: AdapterName,
    queue: Partial<NonNullable<ComplyCubeWebhookModuleOptions['queue']>> = {},
    options: Partial<ComplyCubeWebhookModuleOptions> = {},
    journal = new DeliveryJournal(),
  ): Promise<QueueApp> {
    const logger = new RecordingLogger();
    const server = await startTestApp({
      adapter,
      logger,
      imports: [
        EventEmitterModule.forRoot(),
        ComplyCubeWebhookModule.forRoot({
          secret: SECRET,
          idempotency: { store: new RedisIdempotencyStore({ client, keyPrefix: `records-${hexId()}` }) },
          queue: { connection: client, name: `events-${hexId()}`, ...FAST_RETRIES, ...queue },
          ...options,
        }),
      ],
      providers: [{ provide: DeliveryJournal, useValue: journal }, RejectedCheckHandlers],
    });
    apps.push(server);
    return {
      server,
      journal,
      logger,
      deliver: (event) => postWebhook(server.url(), event, { secret: SECRET }),
      metrics: () => server.app.get(ComplyCubeWebhookMetrics).snapshot(),
    };
  }

  describe.each(ADAPTERS)('on %s', (adapter) => {
    it('stores the event, answers 200 queued, and a worker runs each handler once', async () => {
      const app = await startQueueApp(adapter);
      const event = makeEvent('check.completed.rejected');
      const response = await app.deliver(event);
      expect(response.status).toBe(200);
      expect(response.json).toEqual({ received: true, queued: true });
      await waitFor('the worker to run both handlers', () => app.journal.successesOf(event.id).length === 2);
      expect(app.journal.startsOf(event.id)).toEqual(BOTH);
      await waitFor('the job to complete', () => app.metrics().handled === 1);
      expect((await app.deliver(event)).json).toEqual({ received: true, duplicate: true });
      expect(app.journal.startsOf(event.id)).toEqual(BOTH);
    });

    it('answers a redelivery of an event whose job is still waiting as queued and duplicate, adding nothing', async () => {
      const app = await startQueueApp(adapter);
      const event = makeEvent('check.completed.rejected');
      const release = app.journal.hold('sendEmail');
      expect((await app.deliver(event)).json).toEqual({ received: true, queued: true });
      await waitFor('the job to start', () => app.journal.startsOf(event.id).includes('sendEmail'));
      expect((await app.deliver(event)).json).toEqual({ received: true, queued: true, duplicate: true });
      release();
      await waitFor('the job to complete', () => app.metrics().handled === 1);
      expect(app.journal.startsOf(event.id)).toEqual(BOTH);
    });
  });

  it.each([
    ['has colons', 'evt:2026:5f1c'],
    ['is an integer', '12345'],
    ['has slashes and percent signs', 'a/b%2Fc'],
  ])('stores an event whose id %s as one job, handled once, its redelivery a duplicate', async (_kind, id) => {
    const name = `odd-ids-${hexId()}`;
    const app = await startQueueApp('express', { name });
    const event = { ...makeEvent('check.completed.rejected'), id };
    expect((await app.deliver(event)).json).toEqual({ received: true, queued: true });
    await waitFor('the job to complete', () => app.metrics().handled === 1);
    expect((await app.deliver(event)).json).toEqual({ received: true, duplicate: true });
    expect(app.journal.startsOf(id)).toEqual(BOTH);
    const queue = new Queue(name, { connection: client });
    try {
      const job = await queue.getJob(`complycube/webhooks%2Fcomplycube/${encodeURIComponent(id)}`);
      expect(job?.data.event.id).toBe(id);
      expect(await queue.getJobCounts('completed', 'failed', 'waiting', 'delayed')).toEqual({
        completed: 1,
        failed: 0,
        waiting: 0,
        delayed: 0,
      });
    } finally {
      await queue.close();
    }
  });

  it('keeps, retries and handles a dead letter whose event id has colons and slashes', async () => {
    const app = await startQueueApp('express', { attempts: 1 });
    const service = app.server.app.get(ComplyCubeDeadLetters);
    const event = { ...makeEvent('check.completed.rejected'), id: 'evt:2026/5f1c' };
    app.journal.failNext('openCase');
    await app.deliver(event);
    await waitFor('the job to become a dead letter', async () => (await service.list()).length === 1);
    const [deadLetter] = await service.list();
    expect(deadLetter.eventId).toBe(event.id);
    expect((await service.get(deadLetter.id))?.event).toEqual(event);
    expect((await app.deliver(event)).json).toEqual({ received: true, deadLettered: true });
    expect(await service.retry(deadLetter.id)).toEqual({ id: deadLetter.id, outcome: 'queued' });
    await waitFor('the retried job to complete', () => app.metrics().handled === 1);
    expect(app.journal.startsOf(event.id)).toEqual(['openCase', 'openCase', 'sendEmail']);
    expect((await app.deliver(event)).json).toEqual({ received: true, duplicate: true });
  });

  it('retries a failing handler with backoff until it succeeds, never rerunning the one that succeeded', async () => {
    const app = await startQueueApp('express');
    const event = makeEvent('check.completed.rejected');
    app.journal.failNext('openCase', 2);
    expect((await app.deliver(event)).json).toEqual({ received: true, queued: true });
    await waitFor('the job to complete', () => app.metrics().handled === 1);
    expect(app.journal.startsOf(event.id)).toEqual(['openCase', 'openCase', 'openCase', 'sendEmail']);
    expect(app.metrics().jobFailures).toBe(2);
  });

  it('makes a job out of attempts a dead letter, answers its redelivery truthfully, and runs it again on retry', async () => {
    const deadLetters: ComplyCubeDeadLetter[] = [];
    const app = await startQueueApp('express', {}, { onDeadLetter: (deadLetter) => void deadLetters.push(deadLetter) });
    const event = makeEvent('check.completed.rejected');
    app.journal.failNext('openCase', FAST_RETRIES.attempts);
    expect((await app.deliver(event)).json).toEqual({ received: true, queued: true });
    await waitFor('the job to become a dead letter', () => deadLetters.length === 1);
    expect(deadLetters[0]).toMatchObject({
      source: 'queue',
      eventId: event.id,
      eventType: 'check.completed.rejected',
      attempts: FAST_RETRIES.attempts,
    });
    expect(deadLetters[0].failures.at(-1)?.handlers).toEqual([
      { handlerKey: 'RejectedCheckHandlers.openCase', error: 'Error: openCase failed on purpose' },
    ]);
    expect(app.metrics().deadLettered).toBe(1);
    expect(app.logger.text()).toContain(`ComplyCube event ${event.id} (check.completed.rejected) is a dead letter after 4 attempts`);

    // BullMQ would silently ignore a new job with the failed job's id: the answer says what happened.
    expect((await app.deliver(event)).json).toEqual({ received: true, deadLettered: true });
    expect(app.journal.startsOf(event.id)).toEqual(['openCase', 'openCase', 'openCase', 'openCase', 'sendEmail']);

    const deadLetterService = app.server.app.get(ComplyCubeDeadLetters);
    const listed = await deadLetterService.list();
    expect(listed.map((deadLetter) => deadLetter.eventId)).toEqual([event.id]);
    expect(listed[0]).not.toHaveProperty('event');
    expect((await deadLetterService.get(listed[0].id))?.event).toEqual(event);

    // The handler works again: the retry runs only the handler that never succeeded.
    expect(await deadLetterService.retry(listed[0].id)).toEqual({ id: listed[0].id, outcome: 'queued' });
    await waitFor('the retried job to complete', () => app.metrics().handled === 1);
    expect(app.journal.startsOf(event.id)).toEqual(['openCase', 'openCase', 'openCase', 'openCase', 'openCase', 'sendEmail']);
    expect(await deadLetterService.list()).toEqual([]);
    expect((await app.deliver(event)).json).toEqual({ received: true, duplicate: true });
    await expect(deadLetterService.retry(listed[0].id)).rejects.toThrow(/No dead letter/);
  });

  it('purges a dead letter for good', async () => {
    const app = await startQueueApp('express', { attempts: 1 });
    const event = makeEvent('check.completed.rejected');
    app.journal.failNext('openCase');
    await app.deliver(event);
    const deadLetterService = app.server.app.get(ComplyCubeDeadLetters);
    await waitFor('the job to become a dead letter', async () => (await deadLetterService.list()).length === 1);
    const [deadLetter] = await deadLetterService.list();
    expect(await deadLetterService.purge(deadLetter.id)).toBe(true);
    expect(await deadLetterService.list()).toEqual([]);
    expect(await deadLetterService.purge(deadLetter.id)).toBe(false);
    // Its job is gone: a redelivery is stored again.
    expect((await app.deliver(event)).json).toEqual({ received: true, queued: true });
  });

  it('retries every dead letter with retryAll, lists at most limit of them, and deletes every one with purgeAll', async () => {
    const app = await startQueueApp('express', { attempts: 1 });
    const service = app.server.app.get(ComplyCubeDeadLetters);
    const deadLetter = async (...events: object[]): Promise<void> => {
      app.journal.failNext('openCase', events.length);
      for (const event of events) expect((await app.deliver(event)).json).toEqual({ received: true, queued: true });
      await waitFor('the jobs to become dead letters', async () => (await service.list()).length === events.length);
    };
    const retriedEvents = [makeEvent('check.completed.rejected'), makeEvent('check.completed.rejected')];
    await deadLetter(...retriedEvents);
    expect(await service.list({ limit: 1 })).toHaveLength(1);
    const listed = await service.list();

    const retried = await service.retryAll();
    expect(retried.map((retry) => retry.outcome)).toEqual(['queued', 'queued']);
    expect(retried.map((retry) => retry.id).sort()).toEqual(listed.map((letter) => letter.id).sort());
    await waitFor('the retried jobs to complete', () => app.metrics().handled === 2);
    for (const event of retriedEvents) expect(app.journal.startsOf(event.id)).toEqual(['openCase', 'openCase', 'sendEmail']);
    expect(await service.list()).toEqual([]);

    const purgedEvents = [makeEvent('check.completed.rejected'), makeEvent('check.completed.rejected')];
    await deadLetter(...purgedEvents);
    expect(await service.purgeAll()).toBe(2);
    expect(await service.list()).toEqual([]);
    expect(await service.purgeAll()).toBe(0);
    for (const event of purgedEvents) expect(app.journal.startsOf(event.id)).toEqual(['openCase', 'sendEmail']);
  });

  it('lists, retries and purges the dead letters of one registration when two share a queue', async () => {
    const sandboxSecret = 'whsec_queue_mode_sandbox';
    const name = `shared-${hexId()}`;
    const journal = new DeliveryJournal();
    const registration = (registrationName: string, secret: string): ReturnType<typeof ComplyCubeWebhookModule.forRoot> =>
      ComplyCubeWebhookModule.forRoot({
        name: registrationName,
        path: `webhooks/${registrationName}`,
        secret,
        idempotency: { store: new RedisIdempotencyStore({ client, keyPrefix: `records-${hexId()}` }) },
        queue: { connection: client, name, ...FAST_RETRIES, attempts: 1 },
      });
    const server = await startTestApp({
      adapter: 'express',
      imports: [EventEmitterModule.forRoot(), registration('live', SECRET), registration('sandbox', sandboxSecret)],
      providers: [{ provide: DeliveryJournal, useValue: journal }, RejectedCheckHandlers],
    });
    apps.push(server);
    const service = server.app.get(ComplyCubeDeadLetters);
    const live = makeEvent('check.completed.rejected');
    const sandbox = makeEvent('check.completed.rejected');
    journal.failNext('openCase', 2);
    expect((await postWebhook(server.url('webhooks/live'), live, { secret: SECRET })).json).toEqual({ received: true, queued: true });
    expect((await postWebhook(server.url('webhooks/sandbox'), sandbox, { secret: sandboxSecret })).json).toEqual({
      received: true,
      queued: true,
    });
    await waitFor('both jobs to become dead letters', async () => (await service.list()).length >= 2);
    // Both registrations read the one queue: each dead letter is listed once all the same.
    expect((await service.list()).map((letter) => letter.eventId).sort()).toEqual([live.id, sandbox.id].sort());

    expect((await service.list({ registration: 'live' })).map((letter) => letter.eventId)).toEqual([live.id]);
    expect((await service.list({ registration: 'sandbox' })).map((letter) => letter.eventId)).toEqual([sandbox.id]);
    expect(await service.purgeAll({ registration: 'sandbox' })).toBe(1);
    expect((await service.list()).map((letter) => letter.eventId)).toEqual([live.id]);
    expect(await service.retryAll({ registration: 'sandbox' })).toEqual([]);
    expect(await service.retryAll()).toEqual([{ id: expect.stringContaining('complycube/live/'), outcome: 'queued' }]);
    await waitFor('the live event to be handled', () => journal.successesOf(live.id).length === 2);
    expect(journal.startsOf(live.id)).toEqual(['openCase', 'openCase', 'sendEmail']);
    expect(journal.startsOf(sandbox.id)).toEqual(['openCase', 'sendEmail']);
  });

  it('answers 503 while Redis is down, acknowledging nothing, and stores events again once it is back', async () => {
    const flaky = await RedisServer.start();
    const flakyClient = new Redis(flaky.url, { maxRetriesPerRequest: 1 });
    const logger = new RecordingLogger();
    const journal = new DeliveryJournal();
    const server = await startTestApp({
      adapter: 'express',
      logger,
      imports: [
        EventEmitterModule.forRoot(),
        ComplyCubeWebhookModule.forRoot({
          secret: SECRET,
          idempotency: { store: new RedisIdempotencyStore({ client: flakyClient }) },
          queue: { connection: flakyClient, enqueueTimeoutMs: 500, ...FAST_RETRIES },
        }),
      ],
      providers: [{ provide: DeliveryJournal, useValue: journal }, RejectedCheckHandlers],
    });
    try {
      await flaky.stop();
      const lost = makeEvent('check.completed.rejected');
      // ComplyCube gives up after 15 s; that enqueueTimeoutMs is the bound is shown with a frozen Redis below.
      const response = await postWebhook(server.url(), lost, { secret: SECRET, signal: AbortSignal.timeout(15_000) });
      expect(response.status).toBe(503);
      expect(journal.started).toEqual([]);
      expect(server.app.get(ComplyCubeWebhookMetrics).snapshot().queueErrors).toBe(1);
      await flaky.start();
      const event = makeEvent('check.completed.rejected');
      let answer: HttpResult | undefined;
      await waitFor(
        'Redis to take jobs again',
        async () => {
          answer = await postWebhook(server.url(), event, { secret: SECRET });
          return answer.status === 200;
        },
        20_000,
      );
      expect(answer?.json).toEqual({ received: true, queued: true });
      await waitFor('the worker to run the event', () => journal.successesOf(event.id).length === 2, 20_000);
    } finally {
      await server.close();
      flakyClient.disconnect();
      await flaky.stop();
    }
  });

  it('answers 503 past enqueueTimeoutMs while Redis stays connected but does not answer, and takes the redelivery once it does', async () => {
    const frozen = await RedisServer.start();
    const frozenClient = new Redis(frozen.url);
    const logger = new RecordingLogger();
    const journal = new DeliveryJournal();
    const server = await startTestApp({
      adapter: 'express',
      logger,
      imports: [
        EventEmitterModule.forRoot(),
        ComplyCubeWebhookModule.forRoot({
          secret: SECRET,
          idempotency: { store: new RedisIdempotencyStore({ client: frozenClient }) },
          queue: { connection: frozenClient, enqueueTimeoutMs: 500, ...FAST_RETRIES },
        }),
      ],
      providers: [{ provide: DeliveryJournal, useValue: journal }, RejectedCheckHandlers],
    });
    const event = makeEvent('check.completed.rejected');
    try {
      frozen.pause();
      try {
        // The connection stays up, so only enqueueTimeoutMs bounds the wait (BullMQ would wait for
        // ever); ComplyCube itself gives up after 15 s.
        const response = await postWebhook(server.url(), event, { secret: SECRET, signal: AbortSignal.timeout(15_000) });
        expect(response.status).toBe(503);
        expect(response.json).not.toHaveProperty('received');
        expect(server.app.get(ComplyCubeWebhookMetrics).snapshot()).toMatchObject({ queueErrors: 1, queued: 0 });
        expect(logger.text()).toContain(
          `Redis did not store ComplyCube event ${event.id} (check.completed.rejected) within 500 ms; answered 503.`,
        );
        expect(journal.started).toEqual([]);
      } finally {
        frozen.resume();
      }
      // ComplyCube delivers again. The answer is queued, or a duplicate of a job the 503'd attempt
      // stored late (nothing was acknowledged, so either is right); the handlers run once either way.
      const redelivery = await postWebhook(server.url(), event, { secret: SECRET });
      expect(redelivery.status).toBe(200);
      expect([
        { received: true, queued: true },
        { received: true, queued: true, duplicate: true },
        { received: true, duplicate: true },
      ]).toContainEqual(redelivery.json);
      await waitFor('the worker to run the event', () => journal.successesOf(event.id).length === 2, 20_000);
      await waitFor('the job to complete', () => server.app.get(ComplyCubeWebhookMetrics).snapshot().handled === 1, 20_000);
      expect(journal.startsOf(event.id)).toEqual(BOTH);
      expect((await postWebhook(server.url(), event, { secret: SECRET })).json).toEqual({ received: true, duplicate: true });
    } finally {
      await server.close();
      frozenClient.disconnect();
      await frozen.stop();
    }
  });

  it('answers a redelivery of an event whose completed job was removed as a duplicate, from the idempotency records', async () => {
    const app = await startQueueApp('express', { removeOnComplete: { count: 1 } });
    const first = makeEvent('check.completed.rejected');
    const second = makeEvent('check.completed.rejected');
    await app.deliver(first);
    await waitFor('the first job to complete', () => app.metrics().handled === 1);
    await app.deliver(second);
    await waitFor('the second job to complete, removing the first', () => app.metrics().handled === 2);
    expect((await app.deliver(first)).json).toEqual({ received: true, duplicate: true });
    expect(app.journal.startsOf(first.id)).toEqual(BOTH);
  });

  it('takes an existing BullMQ Queue, as @nestjs/bullmq registers one', async () => {
    const queue = new Queue(`given-${hexId()}`, { connection: client });
    try {
      const app = await startQueueApp('express', { connection: undefined, queue, name: undefined });
      const event = makeEvent('check.completed.rejected');
      expect((await app.deliver(event)).json).toEqual({ received: true, queued: true });
      await waitFor('the worker to run the event', () => app.journal.successesOf(event.id).length === 2);
      // The handlers return before BullMQ moves the job to completed.
      await waitFor('the job to complete in the given queue', async () => (await queue.getJobCounts('completed')).completed === 1);
      expect(await queue.getJobCounts('completed', 'failed', 'waiting', 'active')).toEqual({
        completed: 1,
        failed: 0,
        waiting: 0,
        active: 0,
      });
    } finally {
      await queue.close();
    }
  });

  it('splits the roles: an endpoint-only app stores events, a worker-only application context runs them', async () => {
    const name = `roles-${hexId()}`;
    const keyPrefix = `roles-${hexId()}`;
    const journal = new DeliveryJournal();
    const endpoint = await startQueueApp(
      'fastify',
      { name, role: 'endpoint' },
      { idempotency: { store: new RedisIdempotencyStore({ client, keyPrefix }) } },
      journal,
    );
    const event = makeEvent('check.completed.rejected');
    expect((await endpoint.deliver(event)).json).toEqual({ received: true, queued: true });
    expect(journal.started).toEqual([]);

    const workerLogger = new RecordingLogger();
    const moduleRef = await Test.createTestingModule({
      imports: [
        EventEmitterModule.forRoot(),
        ComplyCubeWebhookModule.forRoot({
          secret: SECRET,
          idempotency: { store: new RedisIdempotencyStore({ client, keyPrefix }) },
          queue: { connection: client, name, role: 'worker', ...FAST_RETRIES },
        }),
      ],
      providers: [{ provide: DeliveryJournal, useValue: journal }, RejectedCheckHandlers],
    })
      .setLogger(workerLogger)
      .compile();
    const worker: INestApplicationContext = await moduleRef.init();
    apps.push(worker);
    await waitFor('the worker-only context to run the event', () => journal.successesOf(event.id).length === 2);
    expect(journal.startsOf(event.id)).toEqual(BOTH);
    // It names what it does, not a route it cannot serve.
    const started = workerLogger.lines.map((line) => line.message).filter((message) => /ComplyCube webhook/.test(message));
    expect(started).toEqual([
      expect.stringMatching(/^Running ComplyCube webhook jobs \(no HTTP server in this application\); .*queue mode \(worker\)/),
    ]);
  });

  it('refuses an endpoint-only or worker-only role with the in-memory store, saying why', async () => {
    for (const role of ['endpoint', 'worker'] as const) {
      const start = startTestApp({
        adapter: 'express',
        imports: [
          EventEmitterModule.forRoot(),
          ComplyCubeWebhookModule.forRoot({
            secret: SECRET,
            idempotency: { store: new MemoryIdempotencyStore() },
            queue: { connection: client, role },
          }),
        ],
      });
      await expect(start).rejects.toThrow(ComplyCubeWebhookConfigurationError);
      await expect(start).rejects.toThrow(`queue.role '${role}' with the in-memory idempotency store`);
    }
  });

  it('warns when Redis may evict keys (maxmemory-policy other than noeviction)', async () => {
    const evicting = await RedisServer.start(['--maxmemory-policy', 'allkeys-lru']);
    const evictingClient = new Redis(evicting.url);
    try {
      const logger = new RecordingLogger();
      const server = await startTestApp({
        adapter: 'express',
        logger,
        imports: [EventEmitterModule.forRoot(), ComplyCubeWebhookModule.forRoot({ secret: SECRET, queue: { connection: evictingClient } })],
      });
      await server.close();
      expect(logger.lines.filter((line) => line.level === 'warn').map((line) => line.message)).toContainEqual(
        expect.stringContaining('Redis maxmemory-policy is allkeys-lru'),
      );
    } finally {
      evictingClient.disconnect();
      await evicting.stop();
    }
  });
});

describe('queue options are checked at start-up', () => {
  /** ioredis options: never used, since every case below stops start-up before a connection is made. */
  const connection = { host: '127.0.0.1', lazyConnect: true };
  const invalid: Array<[string, unknown, RegExp]> = [
    ['a URL string', 'redis://127.0.0.1:6379', /queue must be an object such as \{ connection, name \} \(got the string/],
    ['an array', [connection], /queue must be an object such as \{ connection, name \}/],
    ['an unknown key', { connection, timeoutMs: 500 }, /queue\.timeoutMs is not an option \(known: connection, queue, name/],
    ['neither connection nor queue', { name: 'events' }, /queue needs exactly one of connection .* and queue/],
    ['both connection and queue', { connection, queue: { name: 'events', opts: {}, add: () => undefined } }, /queue needs exactly one of/],
    ['a queue that is not a BullMQ Queue', { queue: { name: 'events', opts: {} } }, /queue\.queue must be a BullMQ Queue/],
    ['an empty name', { connection, name: ' ' }, /queue\.name must be a non-empty string without ':'/],
    [
      'a name with a colon',
      { connection, name: 'complycube:events' },
      /queue\.name must be a non-empty string without ':' \(got the string "complycube:events"\)/,
    ],
    ['a name that is not a string', { connection, name: 7 }, /queue\.name must be a non-empty string/],
    [
      'an unknown role',
      { connection, role: 'producer' },
      /queue\.role must be one of both, endpoint, worker \(got the string "producer"\)/,
    ],
    [
      'enqueueTimeoutMs of 15 000',
      { connection, enqueueTimeoutMs: 15_000 },
      /queue\.enqueueTimeoutMs must be below 15000 \(got 15000\).*15 seconds/,
    ],
    ['enqueueTimeoutMs of 0', { connection, enqueueTimeoutMs: 0 }, /queue\.enqueueTimeoutMs must be a positive number of milliseconds/],
    ['enqueueTimeoutMs as a string', { connection, enqueueTimeoutMs: '500' }, /queue\.enqueueTimeoutMs must be a positive number .*"500"/],
    ['attempts of 0', { connection, attempts: 0 }, /queue\.attempts must be a positive integer \(got 0\)/],
    ['fractional attempts', { connection, attempts: 2.5 }, /queue\.attempts must be a positive integer/],
    ['concurrency of 0', { connection, concurrency: 0 }, /queue\.concurrency must be a positive integer/],
    [
      'a backoff that is a number',
      { connection, backoff: 5000 },
      /queue\.backoff must be \{ delayMs\?, maxDelayMs\?, jitter\? \} \(got 5000\)/,
    ],
    [
      "BullMQ's own backoff shape",
      { connection, backoff: { type: 'exponential', delay: 1000 } },
      /queue\.backoff\.type is not an option \(known: delayMs, maxDelayMs, jitter\)/,
    ],
    ['a jitter above 1', { connection, backoff: { jitter: 1.5 } }, /queue\.backoff\.jitter must be a number from 0 to 1 \(got 1\.5\)/],
    ['a negative jitter', { connection, backoff: { jitter: -0.1 } }, /queue\.backoff\.jitter must be a number from 0 to 1/],
    ['a jitter as a string', { connection, backoff: { jitter: '0.5' } }, /queue\.backoff\.jitter must be a number from 0 to 1/],
    ['a backoff delay of 0', { connection, backoff: { delayMs: 0 } }, /queue\.backoff\.delayMs must be a positive number of milliseconds/],
    [
      'a backoff cap beyond a timer',
      { connection, backoff: { maxDelayMs: 2 ** 31 } },
      /queue\.backoff\.maxDelayMs must be at most 2147483647 ms/,
    ],
    [
      'a backoff cap below the first delay',
      { connection, backoff: { delayMs: 10_000, maxDelayMs: 5_000 } },
      /queue\.backoff\.maxDelayMs \(5000\) must not be below queue\.backoff\.delayMs \(10000\)/,
    ],
    [
      'a limiter without duration',
      { connection, limiter: { max: 10 } },
      /queue\.limiter must be \{ max, duration \} with positive integers/,
    ],
    ['a limiter of 0 jobs', { connection, limiter: { max: 0, duration: 1000 } }, /queue\.limiter must be \{ max, duration \}/],
    [
      'removeOnComplete: true',
      { connection, removeOnComplete: true },
      /queue\.removeOnComplete must be \{ age, count \} \(seconds, jobs\) \(got true\)/,
    ],
    [
      'removeOnComplete: {}',
      { connection, removeOnComplete: {} },
      /queue\.removeOnComplete must be \{ age\?, count\? \} with at least one of them/,
    ],
    [
      'removeOnComplete with an unknown key',
      { connection, removeOnComplete: { ageSeconds: 60 } },
      /queue\.removeOnComplete must be \{ age\?, count\? \}/,
    ],
    [
      'a retention age of 0',
      { connection, removeOnFail: { age: 0 } },
      /queue\.removeOnFail\.age must be a positive number of seconds \(got 0\)/,
    ],
    [
      'a fractional retention count',
      { connection, removeOnFail: { count: 1.5 } },
      /queue\.removeOnFail\.count must be a positive integer \(got 1\.5\)/,
    ],
    [
      'a negative shutdownTimeoutMs',
      { connection, shutdownTimeoutMs: -1 },
      /queue\.shutdownTimeoutMs must be a positive number of milliseconds/,
    ],
  ];

  it.each(invalid)('fails for %s, naming the option', async (_name, queue, message) => {
    const start = startTestApp({
      adapter: 'express',
      imports: [EventEmitterModule.forRoot(), ComplyCubeWebhookModule.forRoot({ secret: SECRET, queue: queue as never })],
    });
    await expect(start).rejects.toThrow(ComplyCubeWebhookConfigurationError);
    await expect(start).rejects.toThrow(message);
  });

  it('refuses deadLetters in queue mode, where a job out of attempts is the dead letter', async () => {
    const start = startTestApp({
      adapter: 'express',
      imports: [
        EventEmitterModule.forRoot(),
        ComplyCubeWebhookModule.forRoot({ secret: SECRET, queue: { connection }, deadLetters: { afterFailedDeliveries: 3 } }),
      ],
    });
    await expect(start).rejects.toThrow(ComplyCubeWebhookConfigurationError);
    await expect(start).rejects.toThrow(/deadLetters is for endpoints without a queue.*queue\.attempts says when\)\. Remove deadLetters\./);
  });
});
