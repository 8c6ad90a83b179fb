import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import { ComplyCubeIdempotencyStore, MemoryIdempotencyStore, RedisIdempotencyStore } from 'nestjs-complycube-webhooks';
import { hexId } from '../utils/events';
import { ManualClock } from '../utils/manual-clock';
import { describeWithRedis, ioredisUnderTest, RedisServer } from '../utils/redis-server';
import { sleep } from '../utils/wait';

const HOUR = 60 * 60 * 1000;

// The Redis store reports connection loss through Nest's Logger; these tests stop Redis on purpose.
beforeAll(() => Logger.overrideLogger(false));

/**
 * Lets time pass for a store: a manual clock moves at once, Redis needs real time. The real-time
 * TTLs leave seconds of slack for a loaded machine wherever a record must still be alive.
 */
interface Time {
  pass(ms: number): Promise<void>;
}
const CLAIM_TTL = 1500;
const RENEWALS = 4;
const RECORD_TTL = 1500;

/** What every ComplyCubeIdempotencyStore promises, whatever keeps the records. */
function storeContract(open: () => Promise<ComplyCubeIdempotencyStore>, time: Time): void {
  let store: ComplyCubeIdempotencyStore;
  beforeAll(async () => {
    store = await open();
  });

  it('claims a new event once: the second claimer finds it in flight', async () => {
    const id = hexId();
    expect(await store.claim(id, 'a', HOUR)).toEqual({ status: 'claimed', doneHandlerKeys: [] });
    expect(await store.claim(id, 'b', HOUR)).toEqual({ status: 'in-flight' });
    expect(await store.claim(id, 'a', HOUR)).toEqual({ status: 'in-flight' });
  });

  it('hands the next claimer the handlers already done after a release', async () => {
    const id = hexId();
    await store.claim(id, 'a', HOUR);
    await store.markHandlerDone(id, 'Mailer.send', HOUR);
    await store.markHandlerDone(id, 'Mailer.send', HOUR);
    await store.release(id, 'a');
    const claim = await store.claim(id, 'b', HOUR);
    expect(claim).toEqual({ status: 'claimed', doneHandlerKeys: ['Mailer.send'] });
  });

  it('reports a completed event as completed, to every later claimer', async () => {
    const id = hexId();
    await store.claim(id, 'a', HOUR);
    await store.markHandlerDone(id, 'Mailer.send', HOUR);
    await store.complete(id, 'a', HOUR);
    expect(await store.claim(id, 'b', HOUR)).toEqual({ status: 'completed' });
    expect(await store.claim(id, 'c', HOUR)).toEqual({ status: 'completed' });
  });

  it('lets only the owner renew or release a claim', async () => {
    const id = hexId();
    await store.claim(id, 'a', HOUR);
    expect(await store.renewClaim(id, 'b', HOUR)).toBe(false);
    await store.release(id, 'b');
    expect(await store.claim(id, 'b', HOUR)).toEqual({ status: 'in-flight' });
    expect(await store.renewClaim(id, 'a', HOUR)).toBe(true);
    await store.release(id, 'a');
    expect(await store.renewClaim(id, 'a', HOUR)).toBe(false);
    expect((await store.claim(id, 'b', HOUR)).status).toBe('claimed');
  });

  it('lets a claim expire after its TTL unless renewed, keeping what was done', async () => {
    const id = hexId();
    await store.claim(id, 'crashed', 150);
    await store.markHandlerDone(id, 'Ledger.write', HOUR);
    await time.pass(250);
    expect(await store.claim(id, 'next', CLAIM_TTL)).toEqual({ status: 'claimed', doneHandlerKeys: ['Ledger.write'] });
    // Renewed well within its TTL, the claim outlives that TTL several times over.
    for (let renewal = 0; renewal < RENEWALS; renewal += 1) {
      await time.pass(CLAIM_TTL / 3);
      expect(await store.renewClaim(id, 'next', CLAIM_TTL)).toBe(true);
    }
    expect(await store.claim(id, 'other', CLAIM_TTL)).toEqual({ status: 'in-flight' });
  });

  it('forgets a completed event after the record TTL', async () => {
    const id = hexId();
    await store.claim(id, 'a', 100);
    await store.complete(id, 'a', RECORD_TTL);
    expect((await store.claim(id, 'b', 100)).status).toBe('completed');
    await time.pass(RECORD_TTL + 500);
    expect((await store.claim(id, 'b', 100)).status).toBe('claimed');
  });

  it('gives exactly one of many concurrent claimers the event', async () => {
    const id = hexId();
    const claims = await Promise.all(Array.from({ length: 50 }, (_, index) => store.claim(id, `owner-${index}`, HOUR)));
    expect(claims.filter((claim) => claim.status === 'claimed')).toHaveLength(1);
    expect(claims.filter((claim) => claim.status === 'in-flight')).toHaveLength(49);
  });
}

describe('MemoryIdempotencyStore', () => {
  const clock = new ManualClock();
  storeContract(async () => new MemoryIdempotencyStore({ now: clock.now }), { pass: async (ms) => clock.advance(ms) });

  it('is bounded in entries: the least recently used event is forgotten', async () => {
    const store = new MemoryIdempotencyStore({ maxEntries: 3 });
    const ids = [hexId(), hexId(), hexId(), hexId()];
    for (const id of ids) {
      await store.claim(id, 'a', HOUR);
      await store.complete(id, 'a', HOUR);
    }
    expect(store.size).toBe(3);
    expect((await store.claim(ids[0], 'b', HOUR)).status).toBe('claimed');
    expect((await store.claim(ids[3], 'b', HOUR)).status).toBe('completed');
  });

  it('never evicts the claim of a running delivery, however many other events come and go', async () => {
    const store = new MemoryIdempotencyStore({ maxEntries: 2 });
    const running = hexId();
    await store.claim(running, 'first-delivery', HOUR);
    await store.markHandlerDone(running, 'Mailer.send', HOUR);
    for (let index = 0; index < 10; index += 1) {
      const id = hexId();
      await store.claim(id, 'a', HOUR);
      await store.complete(id, 'a', HOUR);
    }
    expect(await store.claim(running, 'retry', HOUR)).toEqual({ status: 'in-flight' });
    await store.release(running, 'first-delivery');
    expect(await store.claim(running, 'retry', HOUR)).toEqual({ status: 'claimed', doneHandlerKeys: ['Mailer.send'] });
  });

  it('refuses a new claim past maxRunning rather than forget a running one', async () => {
    const store = new MemoryIdempotencyStore({ maxRunning: 2 });
    const [a, b, c] = [hexId(), hexId(), hexId()];
    await store.claim(a, 'a', HOUR);
    await store.claim(b, 'b', HOUR);
    await expect(store.claim(c, 'c', HOUR)).rejects.toThrow(/MemoryIdempotencyStore is full: 2 deliveries are running \(maxRunning 2/);
    expect(await store.claim(a, 'other', HOUR)).toEqual({ status: 'in-flight' });
    await store.complete(a, 'a', HOUR);
    expect((await store.claim(c, 'c', HOUR)).status).toBe('claimed');
  });

  it('makes room for a new claim by dropping running claims that have expired, keeping what they had done', async () => {
    const clock = new ManualClock();
    const store = new MemoryIdempotencyStore({ maxRunning: 1, now: clock.now });
    const [stale, fresh] = [hexId(), hexId()];
    await store.claim(stale, 'crashed', 100);
    await store.markHandlerDone(stale, 'Ledger.write', HOUR);
    clock.advance(101);
    expect((await store.claim(fresh, 'a', HOUR)).status).toBe('claimed');
    await store.release(fresh, 'a');
    expect(await store.claim(stale, 'next', HOUR)).toEqual({ status: 'claimed', doneHandlerKeys: ['Ledger.write'] });
  });

  it('is bounded in bytes: long event ids make it forget the least recently used events sooner', async () => {
    const store = new MemoryIdempotencyStore({ maxBytes: 10_000 });
    const ids = Array.from({ length: 20 }, () => `${hexId()}${'x'.repeat(1000)}`);
    for (const id of ids) {
      await store.claim(id, 'a', HOUR);
      await store.complete(id, 'a', HOUR);
    }
    expect(store.size).toBeLessThan(10);
    expect((await store.claim(ids[0], 'b', HOUR)).status).toBe('claimed');
    expect((await store.claim(ids[19], 'b', HOUR)).status).toBe('completed');
  });

  it('refuses a claim whose key alone would exceed maxBytes', async () => {
    const store = new MemoryIdempotencyStore({ maxBytes: 1000 });
    await expect(store.claim('x'.repeat(1000), 'a', HOUR)).rejects.toThrow(/is full/);
  });

  it('rejects bounds that are not positive integers', () => {
    expect(() => new MemoryIdempotencyStore({ maxEntries: 0 })).toThrow(/maxEntries must be a positive integer/);
    expect(() => new MemoryIdempotencyStore({ maxEntries: 1.5 })).toThrow(/maxEntries/);
    expect(() => new MemoryIdempotencyStore({ maxBytes: -1 })).toThrow(/maxBytes must be a positive integer/);
    expect(() => new MemoryIdempotencyStore({ maxRunning: Number.NaN })).toThrow(/maxRunning must be a positive integer/);
  });

  it('rejects a now that is not a function', () => {
    expect(() => new MemoryIdempotencyStore({ now: 5 as never })).toThrow(/now must be a function/);
  });
});

const ioredis = ioredisUnderTest();

describeWithRedis(`RedisIdempotencyStore on a real redis-server, ioredis ${ioredis.version}`, () => {
  let redis: RedisServer;
  const stores: RedisIdempotencyStore[] = [];
  const clients: Redis[] = [];
  beforeAll(async () => {
    redis = await RedisServer.start();
  });
  afterAll(async () => {
    await Promise.all(stores.map((store) => store.close()));
    await Promise.all(clients.map((client) => client.quit()));
    await redis.stop();
  });

  it('runs on the ioredis major its jest project is for (ioredis, or ioredis-6 in the "ioredis 6" project)', () => {
    expect(ioredis.major).toBe(ioredis.expectedMajor);
  });

  describe('with the client it creates from { url }', () => {
    storeContract(
      async () => {
        const store = new RedisIdempotencyStore({ url: redis.url, keyPrefix: `contract-${hexId()}` });
        stores.push(store);
        await store.open();
        return store;
      },
      { pass: sleep },
    );
  });

  describe('given the ioredis client itself', () => {
    storeContract(
      async () => {
        const client = new Redis(redis.url);
        clients.push(client);
        return new RedisIdempotencyStore(client);
      },
      { pass: sleep },
    );
  });

  it('works through the ioredis client it is given, and leaves closing it to its owner', async () => {
    const client = new Redis(redis.url);
    clients.push(client);
    const evalCalls = jest.spyOn(client, 'eval');
    const store = new RedisIdempotencyStore(client);
    const id = hexId();
    expect(await store.claim(id, 'a', HOUR)).toEqual({ status: 'claimed', doneHandlerKeys: [] });
    expect(await new RedisIdempotencyStore({ client }).claim(id, 'b', HOUR)).toEqual({ status: 'in-flight' });
    expect(evalCalls).toHaveBeenCalledTimes(2);
    await store.close();
    expect(client.status).toBe('ready');
    expect(await client.ping()).toBe('PONG');
  });

  it('takes a URL as its only argument, and closes the client it creates from it', async () => {
    const store = new RedisIdempotencyStore(redis.url);
    await store.open();
    const id = hexId();
    expect(await store.claim(id, 'a', HOUR)).toEqual({ status: 'claimed', doneHandlerKeys: [] });
    await store.close();
    const other = new RedisIdempotencyStore({ url: redis.url });
    stores.push(other);
    expect(await other.claim(id, 'b', HOUR)).toEqual({ status: 'in-flight' });
    await expect(store.claim(hexId(), 'a', HOUR)).rejects.toThrow();
  });

  it('fails an operation within operationTimeoutMs while Redis is down, and works again once it is back', async () => {
    const flaky = await RedisServer.start();
    const store = new RedisIdempotencyStore({ url: flaky.url, operationTimeoutMs: 300 });
    try {
      await store.open();
      expect((await store.claim(hexId(), 'a', HOUR)).status).toBe('claimed');
      await flaky.stop();
      await expect(store.claim(hexId(), 'a', HOUR)).rejects.toThrow();
      await flaky.start();
      const id = hexId();
      let claim;
      for (let attempt = 0; attempt < 100 && !claim; attempt += 1) {
        claim = await store.claim(id, 'a', HOUR).catch(() => sleep(50).then(() => undefined));
      }
      expect(claim).toEqual({ status: 'claimed', doneHandlerKeys: [] });
    } finally {
      await store.close();
      await flaky.stop();
    }
  });

  it('refuses options that cannot work', () => {
    expect(() => new RedisIdempotencyStore({})).toThrow(/pass an ioredis client .*\{ client \}, \{ url \} or \{ redisOptions \}/);
    expect(() => new RedisIdempotencyStore({ url: ' ' })).toThrow(/url must be a non-empty string/);
    expect(() => new RedisIdempotencyStore('')).toThrow(/url must be a non-empty string/);
    expect(() => new RedisIdempotencyStore({ url: redis.url, client: { eval: async () => null } })).toThrow(/either client or url/);
    expect(() => new RedisIdempotencyStore({ client: {} as never })).toThrow(/no eval method/);
    expect(() => new RedisIdempotencyStore({ url: redis.url, operationTimeoutMs: 0 })).toThrow(/operationTimeoutMs/);
  });

  it('refuses what is neither a client, a URL nor options, saying what to pass instead', () => {
    const expected: Array<[unknown, string]> = [
      [undefined, 'got undefined'],
      [null, 'got null'],
      [6379, 'got number'],
      [[redis?.url], 'got an array'],
      [new (class NodeRedisClient {})(), 'got NodeRedisClient, which has no eval method: not an ioredis client'],
    ];
    for (const [input, got] of expected) {
      expect(() => new RedisIdempotencyStore(input as never)).toThrow(
        `RedisIdempotencyStore: pass an ioredis client (new RedisIdempotencyStore(redis)), a URL ('redis://host:6379'), ` +
          `or options: { client }, { url } or { redisOptions } (${got}).`,
      );
    }
    expect(() => new RedisIdempotencyStore({ host: '127.0.0.1', port: 6379 } as never)).toThrow(
      "RedisIdempotencyStore: unknown options 'host', 'port'. The options are client, url, redisOptions, keyPrefix, " +
        'operationTimeoutMs; ioredis settings such as host, port or password go in redisOptions.',
    );
    expect(() => new RedisIdempotencyStore({ url: redis.url, keyprefix: 'app' } as never)).toThrow(/unknown option 'keyprefix'\./);
  });

  it('never quotes a URL in its errors: it may carry a password', () => {
    const url = 'redis://default:s3cret-password@127.0.0.1:6379';
    const misuses: unknown[] = [
      { uri: url },
      [url],
      { url, client: { eval: async () => null } },
      { url, keyPrefix: '' },
      { url, operationTimeoutMs: -1 },
    ];
    for (const input of misuses) {
      let message = '';
      try {
        new RedisIdempotencyStore(input as never);
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(/^RedisIdempotencyStore: /);
      expect(message).not.toContain('s3cret');
    }
  });
});
