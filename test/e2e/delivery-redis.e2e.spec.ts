import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import { RedisIdempotencyStore } from 'nestjs-complycube-webhooks';
import { DeliveryJournal } from '../src/delivery-handlers';
import { DeliveryEndpoint, startDeliveryEndpoint } from '../utils/delivery-endpoint';
import { makeEvent, recordKeyOf } from '../utils/events';
import { HttpResult } from '../utils/http';
import { describeWithRedis, RedisServer } from '../utils/redis-server';
import { sleep, waitFor } from '../utils/wait';

const BOTH = ['openCase', 'sendEmail'];
/** Redis expires the claim in real time; long enough that the first delivery surely finds it. */
const CRASHED_CLAIM_TTL_MS = 2000;

describeWithRedis('two app instances sharing one Redis', () => {
  let redis: RedisServer;
  let ownClient: Redis;
  let journal: DeliveryJournal;
  let express: DeliveryEndpoint;
  let fastify: DeliveryEndpoint;

  beforeAll(async () => {
    redis = await RedisServer.start();
    journal = new DeliveryJournal();
    // One instance lets the store create its client from a URL, the other passes the app's own client.
    express = await startDeliveryEndpoint(
      'express',
      { handlerTimeoutMs: 1000, idempotency: { store: new RedisIdempotencyStore({ url: redis.url, operationTimeoutMs: 500 }) } },
      journal,
    );
    ownClient = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    ownClient.on('error', () => undefined);
    fastify = await startDeliveryEndpoint(
      'fastify',
      { handlerTimeoutMs: 1000, idempotency: { store: new RedisIdempotencyStore({ client: ownClient, operationTimeoutMs: 500 }) } },
      journal,
    );
  });
  afterAll(async () => {
    await express?.server.close();
    await fastify?.server.close();
    ownClient?.disconnect();
    await redis?.stop();
  });
  beforeEach(() => journal.reset());

  it('runs each handler exactly once when both receive the same event concurrently, 100 times over', async () => {
    journal.delays.set('sendEmail', 5);
    journal.delays.set('openCase', 5);
    const statuses = new Map<string, number>();
    for (let round = 0; round < 100; round += 1) {
      const event = makeEvent('check.completed.rejected');
      const responses = await Promise.all([express.deliver(event), fastify.deliver(event), express.deliver(event), fastify.deliver(event)]);
      for (const response of responses) {
        const key = `${response.status} ${JSON.stringify(response.json)}`;
        statuses.set(key, (statuses.get(key) ?? 0) + 1);
      }
      expect(journal.startsOf(event.id)).toEqual(BOTH);
      expect(responses.filter((response) => response.status === 200 && !response.json.duplicate)).toHaveLength(1);
    }
    for (const key of statuses.keys()) {
      expect(key).toMatch(/^(200 \{"received":true(,"duplicate":true)?\}|409 .*)$/);
    }
    expect(statuses.get('200 {"received":true}')).toBe(100);
  });

  it('does not run again, on the other instance, the handler that succeeded before its sibling failed', async () => {
    const event = makeEvent('check.completed.rejected');
    journal.failNext('openCase');
    expect((await express.deliver(event)).status).toBe(500);
    expect(journal.successesOf(event.id)).toEqual(['sendEmail']);
    const retry = await fastify.deliver(event);
    expect(retry.status).toBe(200);
    expect(retry.json).toEqual({ received: true });
    expect(journal.startsOf(event.id)).toEqual(['openCase', 'openCase', 'sendEmail']);
    expect((await express.deliver(event)).json).toEqual({ received: true, duplicate: true });
  });

  it('answers 409 on the other instance while a handler outlives the deadline, then 200 duplicate; it ran once', async () => {
    const event = makeEvent('check.completed.rejected');
    const release = journal.hold('openCase');
    expect((await express.deliver(event)).status).toBe(503);
    expect((await fastify.deliver(event)).status).toBe(409);
    release();
    expect((await fastify.redeliver(event)).json).toEqual({ received: true, duplicate: true });
    expect(journal.startsOf(event.id)).toEqual(BOTH);
  });

  it("lets the other instance handle an event once a crashed instance's claim expires", async () => {
    const event = makeEvent('check.completed.rejected');
    const crashed = new RedisIdempotencyStore({ url: redis.url });
    try {
      expect((await crashed.claim(recordKeyOf(event.id), 'instance-that-crashed', CRASHED_CLAIM_TTL_MS)).status).toBe('claimed');
    } finally {
      await crashed.close();
    }
    expect((await fastify.deliver(event)).status).toBe(409);
    expect(journal.startsOf(event.id)).toEqual([]);
    let retry: HttpResult | undefined;
    await waitFor(
      'the crashed claim to expire',
      async () => (retry = await express.deliver(event)).status !== 409,
      CRASHED_CLAIM_TTL_MS + 10_000,
    );
    expect(retry?.json).toEqual({ received: true });
    expect(journal.startsOf(event.id)).toEqual(BOTH);
  });

  it('answers 503 and runs nothing while Redis is down, then serves normally once it is back, without a restart', async () => {
    const before = makeEvent('check.completed.rejected');
    expect((await express.deliver(before)).status).toBe(200);

    await redis.stop();
    const during: HttpResult[] = [];
    const whileDown = makeEvent('check.completed.rejected');
    try {
      for (let attempt = 0; attempt < 3; attempt += 1) {
        during.push(await express.deliver(whileDown), await fastify.deliver(whileDown), await fastify.deliver(before));
      }
    } finally {
      await redis.start();
    }
    expect(during.map((response) => response.status)).toEqual(Array(9).fill(503));
    expect(journal.startsOf(whileDown.id)).toEqual([]);

    // Redis restarted empty; both clients reconnect on their own.
    const after = makeEvent('check.completed.rejected');
    for (const endpoint of [express, fastify]) {
      let response: HttpResult | undefined;
      for (let attempt = 0; attempt < 100 && response?.status !== 200; attempt += 1) {
        response = await endpoint.deliver(after);
        if (response.status === 503) await sleep(50);
      }
      expect(response?.status).toBe(200);
    }
    expect(journal.startsOf(after.id)).toEqual(BOTH);
    expect((await fastify.redeliver(whileDown)).json).toEqual({ received: true });
    expect(journal.startsOf(whileDown.id)).toEqual(BOTH);
  });
});

afterAll(() => Logger.flush());
