import { Controller, HttpCode, Logger, Post, Type, UseGuards } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { Redis } from 'ioredis';
import {
  ComplyCubeIdempotencyStore,
  ComplyCubeSignatureGuard,
  ComplyCubeWebhookConfigurationError,
  ComplyCubeWebhookModule,
  MemoryIdempotencyStore,
  RedisIdempotencyStore,
} from 'nestjs-complycube-webhooks';
import { deliverComplyCubeEvent, sendComplyCubeEvent } from 'nestjs-complycube-webhooks/testing';
import { DeliveryJournal, RejectedCheckHandlers } from '../src/delivery-handlers';
import { ADAPTERS, AdapterName, startTestApp, TestApp } from '../utils/app';
import { makeEvent } from '../utils/events';
import { postWebhook } from '../utils/http';
import { describeWithRedis, RedisServer } from '../utils/redis-server';

const LIVE_SECRET = 'whsec_live_account';
const SANDBOX_SECRET = 'whsec_sandbox_account';
const BOTH = ['openCase', 'sendEmail'];

function guardedController(path: string, guard: Type<unknown>): Type<unknown> {
  @Controller(path)
  @UseGuards(guard)
  class OwnWebhookController {
    @Post()
    @HttpCode(200)
    receive(): { ok: true } {
      return { ok: true };
    }
  }
  return OwnWebhookController;
}

/** An app with a live and a sandbox registration, as an account with both would have. */
function startLiveAndSandbox(
  adapter: AdapterName,
  options: {
    stores?: [ComplyCubeIdempotencyStore, ComplyCubeIdempotencyStore];
    controllers?: Type<unknown>[];
    journal?: DeliveryJournal;
  } = {},
): Promise<TestApp> {
  const [liveStore, sandboxStore] = options.stores ?? [undefined, undefined];
  return startTestApp({
    adapter,
    imports: [
      EventEmitterModule.forRoot(),
      ComplyCubeWebhookModule.forRoot({
        name: 'live',
        path: 'webhooks/live',
        secret: LIVE_SECRET,
        idempotency: liveStore ? { store: liveStore } : undefined,
      }),
      ComplyCubeWebhookModule.forRootAsync({
        name: 'sandbox',
        path: 'webhooks/sandbox',
        useFactory: async () => ({ secret: SANDBOX_SECRET, idempotency: sandboxStore ? { store: sandboxStore } : undefined }),
      }),
    ],
    controllers: options.controllers ?? [],
    providers: [{ provide: DeliveryJournal, useValue: options.journal ?? new DeliveryJournal() }, RejectedCheckHandlers],
  });
}

describe.each(ADAPTERS)('ComplyCubeSignatureGuard.for(name) on %s', (adapter) => {
  let server: TestApp;
  beforeAll(async () => {
    server = await startLiveAndSandbox(adapter, {
      controllers: [
        guardedController('own/live', ComplyCubeSignatureGuard.for('live')),
        guardedController('own/sandbox', ComplyCubeSignatureGuard.for('sandbox')),
      ],
    });
  });
  afterAll(() => server.close());

  it("verifies with the named registration's secrets only", async () => {
    const event = makeEvent('check.completed.rejected');
    expect((await postWebhook(server.url('own/live'), event, { secret: LIVE_SECRET })).status).toBe(200);
    expect((await postWebhook(server.url('own/live'), event, { secret: SANDBOX_SECRET })).status).toBe(401);
    expect((await postWebhook(server.url('own/sandbox'), event, { secret: SANDBOX_SECRET })).status).toBe(200);
    expect((await postWebhook(server.url('own/sandbox'), event, { secret: LIVE_SECRET })).status).toBe(401);
  });

  it('is one guard class per name', () => {
    expect(ComplyCubeSignatureGuard.for('live')).toBe(ComplyCubeSignatureGuard.for('live'));
    expect(ComplyCubeSignatureGuard.for('live')).not.toBe(ComplyCubeSignatureGuard.for('sandbox'));
  });
});

describe('choosing a registration fails start-up when it is ambiguous or unknown', () => {
  it('refuses the bare guard when the app has two registrations, naming them and what to write', async () => {
    const start = startLiveAndSandbox('express', { controllers: [guardedController('own', ComplyCubeSignatureGuard)] });
    await expect(start).rejects.toThrow(ComplyCubeWebhookConfigurationError);
    await expect(start).rejects.toThrow(/'live' \(webhooks\/live\), 'sandbox' \(webhooks\/sandbox\)/);
    await expect(start).rejects.toThrow("@UseGuards(ComplyCubeSignatureGuard.for('live'))");
  });

  it('refuses a guard for a name no registration has', async () => {
    const start = startLiveAndSandbox('express', { controllers: [guardedController('own', ComplyCubeSignatureGuard.for('staging'))] });
    await expect(start).rejects.toThrow(/no ComplyCubeWebhookModule registration is named 'staging'.*'live'.*'sandbox'/);
  });

  it('refuses the guard in an app without ComplyCubeWebhookModule', async () => {
    const start = startTestApp({
      adapter: 'express',
      imports: [EventEmitterModule.forRoot()],
      controllers: [guardedController('own', ComplyCubeSignatureGuard)],
    });
    await expect(start).rejects.toThrow(/ComplyCubeSignatureGuard: the app does not import ComplyCubeWebhookModule/);
  });

  it('refuses two registrations with one name', async () => {
    const start = startTestApp({
      adapter: 'express',
      imports: [
        EventEmitterModule.forRoot(),
        ComplyCubeWebhookModule.forRoot({ name: 'live', path: 'a', secret: LIVE_SECRET }),
        ComplyCubeWebhookModule.forRoot({ name: 'live', path: 'b', secret: SANDBOX_SECRET }),
      ],
    });
    await expect(start).rejects.toThrow(/Two ComplyCubeWebhookModule registrations are named 'live'/);
  });

  it.each([['live account'], [''], ['live:eu'], ['-live'], [42]])('refuses the name %p when the module is imported', (name) => {
    expect(() => ComplyCubeWebhookModule.forRoot({ name: name as string, secret: LIVE_SECRET })).toThrow(/name must be 1 to 64 letters/);
  });

  it('refuses a blank name in ComplyCubeSignatureGuard.for()', () => {
    expect(() => ComplyCubeSignatureGuard.for('')).toThrow(TypeError);
  });
});

describe.each(ADAPTERS)('idempotency records are scoped to the registration on %s', (adapter) => {
  it('handles the same event id at two registrations as two events, with one memory store shared by both', async () => {
    const shared = new MemoryIdempotencyStore();
    const journal = new DeliveryJournal();
    const server = await startLiveAndSandbox(adapter, { stores: [shared, shared], journal });
    try {
      const sandboxEvent = makeEvent('check.completed.rejected');
      const liveEvent = { ...makeEvent('check.completed.rejected'), id: sandboxEvent.id };
      expect((await postWebhook(server.url('webhooks/sandbox'), sandboxEvent, { secret: SANDBOX_SECRET })).json).toEqual({
        received: true,
      });
      expect((await postWebhook(server.url('webhooks/live'), liveEvent, { secret: LIVE_SECRET })).json).toEqual({ received: true });
      expect(journal.startsOf(sandboxEvent.id)).toEqual([...BOTH, ...BOTH].sort());
      // Within one registration the id still identifies the event.
      expect((await postWebhook(server.url('webhooks/live'), liveEvent, { secret: LIVE_SECRET })).json).toEqual({
        received: true,
        duplicate: true,
      });
    } finally {
      await server.close();
    }
  });

  it('handles the same event id at two registrations as two events with their default stores', async () => {
    const journal = new DeliveryJournal();
    const server = await startLiveAndSandbox(adapter, { journal });
    try {
      const event = makeEvent('check.completed.rejected');
      expect((await postWebhook(server.url('webhooks/live'), event, { secret: LIVE_SECRET })).json).toEqual({ received: true });
      expect((await postWebhook(server.url('webhooks/sandbox'), event, { secret: SANDBOX_SECRET })).json).toEqual({ received: true });
      expect(journal.startsOf(event.id)).toEqual([...BOTH, ...BOTH].sort());
    } finally {
      await server.close();
    }
  });
});

describeWithRedis('idempotency records are scoped to the registration in a shared Redis', () => {
  let redis: RedisServer;
  let client: Redis;
  beforeAll(async () => {
    Logger.overrideLogger(false);
    redis = await RedisServer.start();
    client = new Redis(redis.url);
  });
  afterAll(async () => {
    client.disconnect();
    await redis.stop();
  });

  it.each(ADAPTERS)('on %s: a sandbox event never makes the live event with its id a duplicate', async (adapter) => {
    const store = new RedisIdempotencyStore({ client });
    const journal = new DeliveryJournal();
    const server = await startLiveAndSandbox(adapter, { stores: [store, store], journal });
    try {
      const sandboxEvent = makeEvent('check.completed.rejected');
      const liveEvent = { ...makeEvent('check.completed.rejected'), id: sandboxEvent.id };
      expect((await postWebhook(server.url('webhooks/sandbox'), sandboxEvent, { secret: SANDBOX_SECRET })).json).toEqual({
        received: true,
      });
      expect((await postWebhook(server.url('webhooks/live'), liveEvent, { secret: LIVE_SECRET })).json).toEqual({ received: true });
      expect(journal.startsOf(sandboxEvent.id)).toEqual([...BOTH, ...BOTH].sort());
      const keys = (await client.keys('complycube-webhooks:*')).filter((key) => key.includes(sandboxEvent.id)).sort();
      expect(keys).toEqual([
        `complycube-webhooks:{live:${sandboxEvent.id}}:completed`,
        `complycube-webhooks:{sandbox:${sandboxEvent.id}}:completed`,
      ]);
    } finally {
      await server.close();
    }
  });
});

describe('the testing kit with several registrations', () => {
  let server: TestApp;
  const journal = new DeliveryJournal();
  beforeAll(async () => {
    server = await startLiveAndSandbox('express', { journal });
  });
  afterAll(() => server.close());

  it('delivers to the registration it is given, and refuses to guess', async () => {
    const event = makeEvent('check.completed.rejected');
    await expect(deliverComplyCubeEvent(server.app, event as never)).rejects.toThrow(
      /cannot tell which of the app's 2 ComplyCubeWebhookModule registrations.*with \{ registration: 'live' \}/,
    );
    expect((await deliverComplyCubeEvent(server.app, event as never, { registration: 'sandbox' })).body).toEqual({ received: true });
    expect((await deliverComplyCubeEvent(server.app, event as never, { registration: 'sandbox' })).body).toEqual({
      received: true,
      duplicate: true,
    });
    expect((await deliverComplyCubeEvent(server.app, event as never, { registration: 'live' })).body).toEqual({ received: true });
  });

  it('sends to the named registration over HTTP, and refuses to guess', async () => {
    const event = makeEvent('check.completed.rejected');
    await expect(sendComplyCubeEvent(server.app, event as never, { secret: LIVE_SECRET })).rejects.toThrow(/cannot tell which/);
    const response = await sendComplyCubeEvent(server.app, event as never, { secret: SANDBOX_SECRET, registration: 'sandbox' });
    expect(response.status).toBe(200);
    expect(journal.startsOf(event.id)).toEqual(BOTH);
  });
});
