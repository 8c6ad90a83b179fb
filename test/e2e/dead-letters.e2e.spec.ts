import { Logger } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { Redis } from 'ioredis';
import {
  ComplyCubeClaimResult,
  ComplyCubeDeadLetter,
  ComplyCubeDeadLetters,
  ComplyCubeIdempotencyStore,
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
import { hmacHex, postWebhook } from '../utils/http';
import { describeWithRedis, RedisServer } from '../utils/redis-server';

const SECRET = 'whsec_dead_letters_secret';

interface App {
  server: TestApp;
  journal: DeliveryJournal;
  logger: RecordingLogger;
  deadLetters: ComplyCubeDeadLetter[];
  deliver(event: object): ReturnType<typeof postWebhook>;
}

async function startApp(adapter: AdapterName, options: Partial<ComplyCubeWebhookModuleOptions>): Promise<App> {
  const logger = new RecordingLogger();
  const journal = new DeliveryJournal();
  const deadLetters: ComplyCubeDeadLetter[] = [];
  const server = await startTestApp({
    adapter,
    logger,
    imports: [
      EventEmitterModule.forRoot(),
      ComplyCubeWebhookModule.forRoot({
        secret: SECRET,
        deadLetters: { afterFailedDeliveries: 3 },
        onDeadLetter: (deadLetter) => void deadLetters.push(deadLetter),
        ...options,
      }),
    ],
    providers: [{ provide: DeliveryJournal, useValue: journal }, RejectedCheckHandlers],
  });
  return { server, journal, logger, deadLetters, deliver: (event) => postWebhook(server.url(), event, { secret: SECRET }) };
}

/** What every store that keeps dead letters must do, over real HTTP. */
function deadLetterContract(store: () => ComplyCubeIdempotencyStore): void {
  describe.each(ADAPTERS)('on %s', (adapter) => {
    let app: App;
    beforeEach(async () => {
      app = await startApp(adapter, { idempotency: { store: store() } });
    });
    afterEach(() => app.server.close());

    it('sets the event aside at its third failed delivery and answers 200, so ComplyCube stops resending it', async () => {
      const event = makeEvent('check.completed.rejected');
      app.journal.failNext('openCase', 5);
      expect((await app.deliver(event)).status).toBe(500);
      expect((await app.deliver(event)).status).toBe(500);
      const third = await app.deliver(event);
      expect(third.status).toBe(200);
      expect(third.json).toEqual({ received: true, deadLettered: true });
      expect(app.deadLetters).toHaveLength(1);
      expect(app.deadLetters[0]).toMatchObject({ source: 'store', eventId: event.id, eventType: 'check.completed.rejected', attempts: 3 });
      expect(app.deadLetters[0].failures[0].handlers).toEqual([
        { handlerKey: 'RejectedCheckHandlers.openCase', error: 'Error: openCase failed on purpose' },
      ]);
      expect(app.server.app.get(ComplyCubeWebhookMetrics).snapshot().deadLettered).toBe(1);
      expect(app.logger.lines.some((line) => line.level === 'error' && line.message.includes('is a dead letter after 3 attempts'))).toBe(
        true,
      );
      // The handler that succeeded ran once; the failing one on each delivery.
      expect(app.journal.startsOf(event.id)).toEqual(['openCase', 'openCase', 'openCase', 'sendEmail']);
    });

    it('lists it without the event, gets it with the event, and a retry runs only what never succeeded', async () => {
      const event = makeEvent('check.completed.rejected');
      app.journal.failNext('openCase', 3);
      for (let delivery = 0; delivery < 3; delivery += 1) await app.deliver(event);
      const service = app.server.app.get(ComplyCubeDeadLetters);
      const [listed, ...others] = await service.list();
      expect(others).toEqual([]);
      expect(listed).toMatchObject({ eventId: event.id });
      expect(listed).not.toHaveProperty('event');
      expect(listed).not.toHaveProperty('rawBody');
      const got = await service.get(listed.id);
      expect(got?.event).toEqual(event);
      expect(got?.rawBody).toBe(JSON.stringify(event));

      expect(await service.retry(listed.id)).toEqual({ id: listed.id, outcome: 'handled' });
      expect(app.journal.startsOf(event.id)).toEqual(['openCase', 'openCase', 'openCase', 'openCase', 'sendEmail']);
      expect(await service.list()).toEqual([]);
      expect((await app.deliver(event)).json).toEqual({ received: true, duplicate: true });
    });

    it('keeps a dead letter whose retry fails again, and purges it on demand', async () => {
      const event = makeEvent('check.completed.rejected');
      app.journal.failNext('openCase', 4);
      for (let delivery = 0; delivery < 3; delivery += 1) await app.deliver(event);
      const service = app.server.app.get(ComplyCubeDeadLetters);
      const [listed] = await service.list();
      expect((await service.retry(listed.id)).outcome).toBe('failed');
      expect((await service.list()).map((deadLetter) => deadLetter.id)).toEqual([listed.id]);
      expect(await service.purge(listed.id)).toBe(true);
      expect(await service.list()).toEqual([]);
      expect(await service.purge(listed.id)).toBe(false);
    });

    it('retries every dead letter with retryAll, and deletes every one with purgeAll', async () => {
      const service = app.server.app.get(ComplyCubeDeadLetters);
      const deadLetter = async (...events: object[]): Promise<void> => {
        app.journal.failNext('openCase', 3 * events.length);
        for (const event of events) for (let delivery = 0; delivery < 3; delivery += 1) await app.deliver(event);
      };
      const retriedEvents = [makeEvent('check.completed.rejected'), makeEvent('check.completed.rejected')];
      await deadLetter(...retriedEvents);
      const listed = await service.list();
      expect(listed.map((letter) => letter.eventId).sort()).toEqual(retriedEvents.map((event) => event.id).sort());

      const retried = await service.retryAll();
      expect(retried).toHaveLength(2);
      expect(retried.map((retry) => retry.id).sort()).toEqual(listed.map((letter) => letter.id).sort());
      expect(retried.map((retry) => retry.outcome)).toEqual(['handled', 'handled']);
      for (const event of retriedEvents) {
        expect(app.journal.startsOf(event.id)).toEqual(['openCase', 'openCase', 'openCase', 'openCase', 'sendEmail']);
      }
      expect(await service.list()).toEqual([]);
      expect(await service.retryAll()).toEqual([]);

      const purgedEvents = [makeEvent('check.completed.rejected'), makeEvent('check.completed.rejected')];
      await deadLetter(...purgedEvents);
      expect(await service.purgeAll()).toBe(2);
      expect(await service.list()).toEqual([]);
      expect(await service.purgeAll()).toBe(0);
      for (const event of purgedEvents) expect(app.journal.startsOf(event.id)).toEqual(['openCase', 'openCase', 'openCase', 'sendEmail']);
    });

    it('keeps the body as received with the dead letter', async () => {
      const event = makeEvent('check.completed.rejected');
      const body = JSON.stringify(event, null, 2);
      app.journal.failNext('openCase', 3);
      for (let delivery = 0; delivery < 3; delivery += 1) {
        await postWebhook(app.server.url(), body, { signature: hmacHex(body, SECRET) });
      }
      const service = app.server.app.get(ComplyCubeDeadLetters);
      const [listed] = await service.list();
      expect((await service.get(listed.id))?.rawBody).toBe(body);
    });
  });
}

describe('dead letters without a queue, in the memory store', () => {
  deadLetterContract(() => new MemoryIdempotencyStore());

  it('warns at start-up that they do not survive a restart', async () => {
    const app = await startApp('express', {});
    await app.server.close();
    expect(
      app.logger.lines.some((line) => line.level === 'warn' && line.message.includes('kept in memory: they do not survive a restart')),
    ).toBe(true);
  });
});

describeWithRedis('dead letters without a queue, in Redis', () => {
  let redis: RedisServer;
  let client: Redis;
  beforeAll(async () => {
    redis = await RedisServer.start();
    client = new Redis(redis.url);
  });
  afterAll(async () => {
    client.disconnect();
    await redis.stop();
  });

  deadLetterContract(() => new RedisIdempotencyStore({ client, keyPrefix: `dead-letters-${hexId()}` }));
});

describe('dead letters of several registrations, without a queue', () => {
  const SANDBOX_SECRET = 'whsec_dead_letters_sandbox';
  let server: TestApp;
  let journal: DeliveryJournal;
  let service: ComplyCubeDeadLetters;

  beforeEach(async () => {
    journal = new DeliveryJournal();
    server = await startTestApp({
      adapter: 'express',
      imports: [
        EventEmitterModule.forRoot(),
        ComplyCubeWebhookModule.forRoot({ name: 'live', path: 'webhooks/live', secret: SECRET, deadLetters: { afterFailedDeliveries: 1 } }),
        ComplyCubeWebhookModule.forRoot({
          name: 'sandbox',
          path: 'webhooks/sandbox',
          secret: SANDBOX_SECRET,
          deadLetters: { afterFailedDeliveries: 1 },
        }),
      ],
      providers: [{ provide: DeliveryJournal, useValue: journal }, RejectedCheckHandlers],
    });
    service = server.app.get(ComplyCubeDeadLetters);
  });
  afterEach(() => server.close());

  /** One dead letter at each registration: the live event and the sandbox event. */
  async function deadLetterAtEach(): Promise<Record<'live' | 'sandbox', ReturnType<typeof makeEvent>>> {
    const live = makeEvent('check.completed.rejected');
    const sandbox = makeEvent('check.completed.rejected');
    journal.failNext('openCase', 2);
    expect((await postWebhook(server.url('webhooks/live'), live, { secret: SECRET })).json).toEqual({ received: true, deadLettered: true });
    expect((await postWebhook(server.url('webhooks/sandbox'), sandbox, { secret: SANDBOX_SECRET })).json).toEqual({
      received: true,
      deadLettered: true,
    });
    return { live, sandbox };
  }

  it("lists one registration's dead letters when asked for it, and every one otherwise", async () => {
    const { live, sandbox } = await deadLetterAtEach();
    expect((await service.list({ registration: 'live' })).map((letter) => letter.eventId)).toEqual([live.id]);
    expect((await service.list({ registration: 'sandbox' })).map((letter) => letter.eventId)).toEqual([sandbox.id]);
    expect((await service.list()).map((letter) => letter.eventId).sort()).toEqual([live.id, sandbox.id].sort());
    await expect(service.list({ registration: 'staging' })).rejects.toThrow(
      /ComplyCubeDeadLetters: no ComplyCubeWebhookModule registration is named 'staging'/,
    );
  });

  it('retries and purges the dead letters of the registration asked for only', async () => {
    const { live, sandbox } = await deadLetterAtEach();
    const retried = await service.retryAll({ registration: 'sandbox' });
    expect(retried).toEqual([{ id: expect.stringContaining(sandbox.id), outcome: 'handled' }]);
    expect(journal.startsOf(sandbox.id)).toEqual(['openCase', 'openCase', 'sendEmail']);
    expect(journal.startsOf(live.id)).toEqual(['openCase', 'sendEmail']);
    expect((await service.list()).map((letter) => letter.eventId)).toEqual([live.id]);

    const { sandbox: another } = await deadLetterAtEach();
    expect(await service.purgeAll({ registration: 'live' })).toBe(2);
    expect((await service.list()).map((letter) => letter.eventId)).toEqual([another.id]);
  });
});

describe('the deadLetters option is checked at start-up', () => {
  /** A store with the idempotency records only. */
  class RecordsOnlyStore implements ComplyCubeIdempotencyStore {
    private readonly inner = new MemoryIdempotencyStore();
    claim(key: string, owner: string, ttl: number): Promise<ComplyCubeClaimResult> {
      return this.inner.claim(key, owner, ttl);
    }
    renewClaim(key: string, owner: string, ttl: number): Promise<boolean> {
      return this.inner.renewClaim(key, owner, ttl);
    }
    markHandlerDone(key: string, handlerKey: string, ttl: number): Promise<void> {
      return this.inner.markHandlerDone(key, handlerKey, ttl);
    }
    complete(key: string, owner: string, ttl: number): Promise<void> {
      return this.inner.complete(key, owner, ttl);
    }
    release(key: string, owner: string): Promise<void> {
      return this.inner.release(key, owner);
    }
  }

  it.each<[string, Partial<ComplyCubeWebhookModuleOptions>, RegExp]>([
    [
      'more than 10 failed deliveries',
      { deadLetters: { afterFailedDeliveries: 11 } },
      /afterFailedDeliveries must be a whole number from 1 to 10.*after 11 failed deliveries/,
    ],
    ['0 failed deliveries', { deadLetters: { afterFailedDeliveries: 0 } }, /afterFailedDeliveries must be a whole number from 1 to 10/],
    ['an unknown key', { deadLetters: { afterFailedDeliveries: 3, after: 2 } as never }, /deadLetters\.after is not an option/],
    ['idempotency off', { idempotency: false }, /deadLetters needs idempotency/],
    [
      'a store without dead letters',
      { idempotency: { store: new RecordsOnlyStore() } },
      /deadLetters needs a store that keeps dead letters/,
    ],
  ])('fails for %s, saying what to change', async (_name, options, message) => {
    const start = startApp('express', options);
    await expect(start).rejects.toThrow(ComplyCubeWebhookConfigurationError);
    await expect(start).rejects.toThrow(message);
  });
});

afterAll(() => Logger.flush());
