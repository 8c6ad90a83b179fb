import { Controller, Get, Injectable, Logger, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { HealthCheck, HealthCheckService, TerminusModule } from '@nestjs/terminus';
import { Redis } from 'ioredis';
import {
  ComplyCubeDeadLetter,
  ComplyCubeEvent,
  ComplyCubeIdempotencyStore,
  ComplyCubeWebhookConfigurationError,
  ComplyCubeWebhookModule,
  ComplyCubeWebhookModuleOptions,
  MemoryIdempotencyStore,
  OnComplyCubeEvent,
  RedisIdempotencyStore,
} from 'nestjs-complycube-webhooks';
import { ComplyCubeApiModule } from 'nestjs-complycube-webhooks/management';
import { ComplyCubeHealthIndicator, ComplyCubeHealthOptions } from 'nestjs-complycube-webhooks/terminus';
import { DeliveryJournal, RejectedCheckHandlers } from '../src/delivery-handlers';
import { ADAPTERS, AdapterName, startTestApp, TestApp } from '../utils/app';
import { hexId, makeEvent } from '../utils/events';
import { FakeComplyCubeApi } from '../utils/fake-complycube-api';
import { postWebhook } from '../utils/http';
import { describeWithRedis, RedisServer } from '../utils/redis-server';
import { waitFor } from '../utils/wait';

const SECRET = 'whsec_health_secret';
const REDIS_PASSWORD = 'health-redis-pw-7f3a9c';

/** A health module as an app writes it: TerminusModule, a /health route, the indicator among its providers. */
function healthModule(options?: ComplyCubeHealthOptions): new () => object {
  @Controller('health')
  class HealthController {
    constructor(
      private readonly health: HealthCheckService,
      private readonly complyCube: ComplyCubeHealthIndicator,
    ) {}

    @Get()
    @HealthCheck()
    check() {
      return this.health.check([() => this.complyCube.isHealthy('complycube', options)]);
    }
  }

  @Module({ imports: [TerminusModule.forRoot({ logger: false })], controllers: [HealthController], providers: [ComplyCubeHealthIndicator] })
  class HealthModule {}
  return HealthModule;
}

interface HealthAnswer {
  status: number;
  text: string;
  body: any;
}

async function getHealth(app: TestApp): Promise<HealthAnswer> {
  const response = await fetch(app.url('health'));
  const text = await response.text();
  return { status: response.status, text, body: JSON.parse(text) };
}

/** The indicator's part of a terminus answer, wherever terminus filed it (info or error). */
const complyCubeOf = (answer: HealthAnswer): any => answer.body.details.complycube;

describeWithRedis('the terminus health indicator, on a real redis-server in queue mode', () => {
  let redis: RedisServer;
  const apps: TestApp[] = [];

  beforeAll(async () => {
    redis = await RedisServer.start(['--requirepass', REDIS_PASSWORD]);
  });
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });
  afterAll(async () => {
    await redis.stop();
    Logger.flush();
  });

  async function startQueueApp(
    health: ComplyCubeHealthOptions | undefined,
    queue: Partial<NonNullable<ComplyCubeWebhookModuleOptions['queue']>> = {},
    options: Partial<ComplyCubeWebhookModuleOptions> = {},
    journal = new DeliveryJournal(),
    adapter: AdapterName = 'express',
  ): Promise<TestApp> {
    const app = await startTestApp({
      adapter,
      imports: [
        EventEmitterModule.forRoot(),
        ComplyCubeWebhookModule.forRoot({
          secret: SECRET,
          idempotency: {
            store: new RedisIdempotencyStore({
              url: `redis://:${REDIS_PASSWORD}@127.0.0.1:${redis.port}`,
              keyPrefix: `records-${hexId()}`,
            }),
          },
          queue: {
            connection: { host: '127.0.0.1', port: redis.port, password: REDIS_PASSWORD },
            name: `events-${hexId()}`,
            attempts: 1,
            ...queue,
          },
          ...options,
        }),
        healthModule(health),
      ],
      providers: [{ provide: DeliveryJournal, useValue: journal }, RejectedCheckHandlers],
    });
    apps.push(app);
    return app;
  }

  it('answers 200, 503 naming the store and the queue while redis-server is stopped, and 200 once it is back', async () => {
    const app = await startQueueApp(undefined);
    const healthy = await getHealth(app);
    expect(healthy.status).toBe(200);
    expect(healthy.body).toMatchObject({ status: 'ok', info: { complycube: { status: 'up' } }, error: {} });
    expect(complyCubeOf(healthy).endpoints).toEqual([
      {
        route: '/webhooks/complycube',
        status: 'up',
        failing: [],
        store: { kind: 'redis', up: true },
        queue: { name: expect.stringMatching(/^events-/), up: true, waiting: 0, active: 0, delayed: 0 },
        deadLetters: 0,
      },
    ]);

    await redis.stop();
    let down!: HealthAnswer;
    try {
      await waitFor(
        '/health to answer 503',
        async () => {
          down = await getHealth(app);
          return down.status === 503;
        },
        20_000,
      );
    } finally {
      await redis.start();
    }
    expect(down.body).toMatchObject({ status: 'error', info: {}, error: { complycube: { status: 'down' } } });
    const [endpoint] = complyCubeOf(down).endpoints;
    expect(endpoint).toMatchObject({
      route: '/webhooks/complycube',
      status: 'down',
      failing: ['store', 'queue'],
      store: { kind: 'redis', up: false, error: expect.any(String) },
      queue: { up: false, error: expect.any(String) },
    });
    expect(down.text).not.toContain(REDIS_PASSWORD);

    await waitFor('/health to answer 200 again', async () => (await getHealth(app)).status === 200, 20_000);
    expect(complyCubeOf(await getHealth(app)).endpoints[0]).toMatchObject({ status: 'up', failing: [] });
  }, 60_000);

  it('checks over the connections the app already has: no connection is opened per check', async () => {
    const app = await startQueueApp({ maxWaitingJobs: 10, maxDeadLetters: 10 });
    const observer = new Redis({ host: '127.0.0.1', port: redis.port, password: REDIS_PASSWORD, lazyConnect: true });
    await observer.connect();
    try {
      // Redis counts every connection it ever accepted: one opened and closed by a check shows here.
      const connectionsAccepted = async (): Promise<number> =>
        Number(/total_connections_received:(\d+)/.exec(await observer.info('stats'))?.[1]);
      expect((await getHealth(app)).status).toBe(200);
      const before = await connectionsAccepted();
      for (let check = 0; check < 5; check += 1) expect((await getHealth(app)).status).toBe(200);
      expect(await connectionsAccepted()).toBe(before);
    } finally {
      await observer.quit();
    }
  });

  it('is down once dead letters are over maxDeadLetters, and up while they are not', async () => {
    const deadLetters: ComplyCubeDeadLetter[] = [];
    const journal = new DeliveryJournal();
    const strict = await startQueueApp({ maxDeadLetters: 0 }, {}, { onDeadLetter: (letter) => void deadLetters.push(letter) }, journal);
    expect((await getHealth(strict)).status).toBe(200);
    journal.failNext('openCase');
    expect((await postWebhook(strict.url(), makeEvent('check.completed.rejected'), { secret: SECRET })).status).toBe(200);
    await waitFor('the job to become a dead letter', () => deadLetters.length === 1);

    const down = await getHealth(strict);
    expect(down.status).toBe(503);
    expect(complyCubeOf(down).endpoints[0]).toMatchObject({ status: 'down', failing: ['deadLetters'], deadLetters: 1 });
  });

  it('is down with more waiting jobs than maxWaitingJobs (an endpoint-only app: nothing runs them)', async () => {
    const app = await startQueueApp({ maxWaitingJobs: 1, maxDeadLetters: 0 }, { role: 'endpoint' });
    await postWebhook(app.url(), makeEvent('check.completed.rejected'), { secret: SECRET });
    const atThreshold = await getHealth(app);
    expect(atThreshold.status).toBe(200);
    expect(complyCubeOf(atThreshold).endpoints[0]).toMatchObject({ status: 'up', queue: { waiting: 1 } });

    await postWebhook(app.url(), makeEvent('check.completed.rejected'), { secret: SECRET });
    const over = await getHealth(app);
    expect(over.status).toBe(503);
    expect(complyCubeOf(over).endpoints[0]).toMatchObject({ status: 'down', failing: ['waitingJobs'], queue: { waiting: 2 } });
  });

  it.each(ADAPTERS)('answers over %s, as terminus does', async (adapter) => {
    const app = await startQueueApp({ maxDeadLetters: 5 }, {}, {}, new DeliveryJournal(), adapter);
    const answer = await getHealth(app);
    expect(answer.status).toBe(200);
    expect(complyCubeOf(answer).endpoints[0]).toMatchObject({ status: 'up', deadLetters: 0 });
  });
});

@Injectable()
class ClientHandlers {
  @OnComplyCubeEvent('client.created')
  onClientCreated(_event: ComplyCubeEvent): void {}
}

describe('the terminus health indicator and the start-up subscription check, over a fake ComplyCube API', () => {
  const ENDPOINT = 'https://app.example.com/webhooks/complycube';
  let api: FakeComplyCubeApi;
  const apps: TestApp[] = [];

  beforeAll(async () => {
    api = await FakeComplyCubeApi.start();
  });
  beforeEach(() => api.reset());
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });
  afterAll(async () => {
    await api.close();
    Logger.flush();
  });

  async function start(health?: ComplyCubeHealthOptions, adapter: AdapterName = 'express'): Promise<TestApp> {
    const app = await startTestApp({
      adapter,
      imports: [
        EventEmitterModule.forRoot(),
        ComplyCubeApiModule.forRoot({ apiKey: api.apiKey, baseUrl: api.baseUrl, retries: 0 }),
        ComplyCubeWebhookModule.forRoot({ secret: SECRET, subscription: { publicUrl: 'https://app.example.com' } }),
        healthModule(health),
      ],
      providers: [ClientHandlers],
    });
    apps.push(app);
    return app;
  }

  it.each(ADAPTERS)('on %s, answers 503 naming the webhook when the check found it disabled', async (adapter) => {
    const webhook = api.addWebhook({ url: ENDPOINT, events: ['client.created'], enabled: false });
    const answer = await getHealth(await start(undefined, adapter));
    expect(answer.status).toBe(503);
    expect(answer.body.error.complycube).toEqual({
      status: 'down',
      endpoints: [
        {
          route: '/webhooks/complycube',
          status: 'down',
          failing: ['webhook'],
          store: { kind: 'memory', up: true },
          webhook: { checkedAt: expect.any(String), enabled: false },
        },
      ],
    });
    expect(answer.text).not.toContain(api.apiKey);
    expect(answer.text).not.toContain(webhook.secret);
  });

  it('answers 200 when the webhook is enabled, or when told not to require it', async () => {
    api.addWebhook({ url: ENDPOINT, events: ['client.created'] });
    const enabled = await getHealth(await start());
    expect(enabled.status).toBe(200);
    expect(complyCubeOf(enabled).endpoints[0]).toMatchObject({ status: 'up', webhook: { enabled: true } });
    await Promise.all(apps.splice(0).map((app) => app.close()));

    api.reset();
    api.addWebhook({ url: ENDPOINT, events: ['client.created'], enabled: false });
    const reported = await getHealth(await start({ requireEnabledWebhook: false }));
    expect(reported.status).toBe(200);
    expect(complyCubeOf(reported).endpoints[0]).toMatchObject({ status: 'up', failing: [], webhook: { enabled: false } });
  });

  it('stays up when ComplyCube could not be asked at start-up, saying why', async () => {
    api.script({ status: 500, body: { type: 'server_error', message: 'Something broke.' } }, { times: 5 });
    const answer = await getHealth(await start());
    expect(answer.status).toBe(200);
    const { webhook } = complyCubeOf(answer).endpoints[0];
    expect(webhook).toEqual({ checkedAt: expect.any(String), error: expect.stringContaining('Something broke.') });
  });
});

describe("the terminus health indicator's answer", () => {
  afterAll(() => Logger.flush());

  it('never shows the credentials of a URL quoted in an error', async () => {
    const memory = new MemoryIdempotencyStore();
    const unreachable: ComplyCubeIdempotencyStore = {
      claim: memory.claim.bind(memory),
      renewClaim: memory.renewClaim.bind(memory),
      markHandlerDone: memory.markHandlerDone.bind(memory),
      complete: memory.complete.bind(memory),
      release: memory.release.bind(memory),
      ping: async () => {
        throw new Error(`cannot reach redis://admin:${REDIS_PASSWORD}@cache.internal:6379 (ECONNREFUSED)`);
      },
    };
    const app = await startTestApp({
      adapter: 'express',
      imports: [
        EventEmitterModule.forRoot(),
        ComplyCubeWebhookModule.forRoot({ secret: SECRET, idempotency: { store: unreachable } }),
        healthModule(),
      ],
    });
    try {
      const answer = await getHealth(app);
      expect(answer.status).toBe(503);
      expect(complyCubeOf(answer).endpoints[0]).toMatchObject({
        failing: ['store'],
        store: { kind: 'custom', up: false, error: 'cannot reach redis://***@cache.internal:6379 (ECONNREFUSED)' },
      });
      expect(answer.text).not.toMatch(new RegExp(`admin|${REDIS_PASSWORD}|${SECRET}`));
    } finally {
      await app.close();
    }
  });
});

describe('ComplyCubeHealthIndicator, set up wrongly', () => {
  afterAll(() => Logger.flush());

  it('refuses to start in an app without ComplyCubeWebhookModule, saying what to import', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [healthModule()] }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await expect(app.init()).rejects.toThrow(
      new ComplyCubeWebhookConfigurationError(
        'ComplyCubeHealthIndicator: the app has no ComplyCube endpoint to check; import ComplyCubeWebhookModule.forRoot() in AppModule.',
      ),
    );
    await app.close();
  });

  it.each([
    [{ maxDeadLetters: -1 }, 'maxDeadLetters must be a whole number, 0 or more (got -1).'],
    [{ maxWaitingJobs: 1.5 }, 'maxWaitingJobs must be a whole number, 0 or more (got 1.5).'],
    [{ maxWaitingJobs: '10' }, 'maxWaitingJobs must be a whole number, 0 or more (got "10").'],
    [{ requireEnabledWebhook: 'no' }, 'requireEnabledWebhook must be true or false (got "no").'],
  ])('refuses the options %j, saying what to change', async (options, message) => {
    const moduleRef = await Test.createTestingModule({
      imports: [EventEmitterModule.forRoot(), ComplyCubeWebhookModule.forRoot({ secret: SECRET }), healthModule()],
    }).compile();
    const app = await moduleRef.createNestApplication({ logger: false }).init();
    try {
      const indicator = app.get(ComplyCubeHealthIndicator);
      await expect(indicator.isHealthy('complycube', options as ComplyCubeHealthOptions)).rejects.toThrow(
        new ComplyCubeWebhookConfigurationError(`ComplyCubeHealthIndicator.isHealthy: ${message}`),
      );
    } finally {
      await app.close();
    }
  });
});
