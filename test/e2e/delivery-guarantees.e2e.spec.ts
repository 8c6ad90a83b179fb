import { Logger } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import {
  ComplyCubeClaimResult,
  ComplyCubeHandlerAbandonedError,
  ComplyCubeIdempotencyStore,
  ComplyCubeWebhookConfigurationError,
  ComplyCubeWebhookMetrics,
  ComplyCubeWebhookModule,
  ComplyCubeWebhookModuleOptions,
  MemoryIdempotencyStore,
} from 'nestjs-complycube-webhooks';
import { DeliveryRunner } from '../../lib/delivery/delivery.runner';
import { RejectedCheckHandlers } from '../src/delivery-handlers';
import { ADAPTERS, startTestApp } from '../utils/app';
import { DELIVERY_SECRET, DeliveryEndpoint, startDeliveryEndpoint } from '../utils/delivery-endpoint';
import { makeEvent, recordKeyOf } from '../utils/events';
import { ManualClock } from '../utils/manual-clock';
import { postWebhook } from '../utils/http';
import { isPending, sleep, waitFor } from '../utils/wait';

const BOTH = ['openCase', 'sendEmail'];

/** The memory store, counting the claim renewals it has applied. */
class RenewalCountingStore extends MemoryIdempotencyStore {
  renewals = 0;
  override async renewClaim(eventId: string, owner: string, claimTtlMs: number): Promise<boolean> {
    const held = await super.renewClaim(eventId, owner, claimTtlMs);
    this.renewals += 1;
    return held;
  }
}

/** The memory store, failing its next `failCompletions` completions as an unreachable backend would. */
class CompletionFailingStore extends MemoryIdempotencyStore {
  failCompletions = 0;
  override async complete(key: string, owner: string, ttlMs: number): Promise<void> {
    if (this.failCompletions > 0) {
      this.failCompletions -= 1;
      throw new Error('connect ECONNRESET');
    }
    return super.complete(key, owner, ttlMs);
  }
}

/** A store whose backend is down: every operation rejects. */
class UnreachableStore implements ComplyCubeIdempotencyStore {
  calls = 0;
  private fail(): Promise<never> {
    this.calls += 1;
    return Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:1'));
  }
  claim(): Promise<ComplyCubeClaimResult> {
    return this.fail();
  }
  renewClaim(): Promise<boolean> {
    return this.fail();
  }
  markHandlerDone(): Promise<void> {
    return this.fail();
  }
  complete(): Promise<void> {
    return this.fail();
  }
  release(): Promise<void> {
    return this.fail();
  }
}

describe.each(ADAPTERS)('delivery guarantees with the default memory store on %s', (adapter) => {
  let endpoint: DeliveryEndpoint;
  beforeAll(async () => {
    endpoint = await startDeliveryEndpoint(adapter);
  });
  afterAll(() => endpoint.server.close());
  beforeEach(() => endpoint.journal.reset());

  it('runs every matching handler on the first delivery and none on a redelivery, which gets 200 duplicate', async () => {
    const event = makeEvent('check.completed.rejected');
    const first = await endpoint.deliver(event);
    expect(first.status).toBe(200);
    expect(first.json).toEqual({ received: true });
    const second = await endpoint.deliver(event);
    expect(second.status).toBe(200);
    expect(second.json).toEqual({ received: true, duplicate: true });
    expect(endpoint.journal.startsOf(event.id)).toEqual(BOTH);
  });

  it('after a partial failure, runs only the handlers that have not yet succeeded', async () => {
    const event = makeEvent('check.completed.rejected');
    endpoint.journal.failNext('openCase');
    expect((await endpoint.deliver(event)).status).toBe(500);
    expect(endpoint.journal.successesOf(event.id)).toEqual(['sendEmail']);

    endpoint.journal.failNext('openCase');
    expect((await endpoint.deliver(event)).status).toBe(500);
    expect(endpoint.journal.startsOf(event.id)).toEqual(['openCase', 'openCase', 'sendEmail']);

    const third = await endpoint.deliver(event);
    expect(third.status).toBe(200);
    expect(third.json).toEqual({ received: true });
    expect(endpoint.journal.successesOf(event.id)).toEqual(BOTH);
    expect(endpoint.journal.startsOf(event.id)).toEqual(['openCase', 'openCase', 'openCase', 'sendEmail']);

    expect((await endpoint.deliver(event)).json).toEqual({ received: true, duplicate: true });
    expect(endpoint.journal.startsOf(event.id)).toHaveLength(4);
  });

  it('answers 409 and runs nothing while the same id is being handled, then handles it once', async () => {
    const event = makeEvent('check.completed.rejected');
    const release = endpoint.journal.hold('sendEmail');
    const first = endpoint.deliver(event);
    await waitFor('sendEmail to start', () => endpoint.journal.startsOf(event.id).includes('sendEmail'));
    const concurrent = await endpoint.deliver(event);
    expect(concurrent.status).toBe(409);
    expect(concurrent.json).toEqual({ statusCode: 409, message: expect.any(String) });
    release();
    expect((await first).status).toBe(200);
    expect(endpoint.journal.startsOf(event.id)).toEqual(BOTH);
  });

  it('treats the same id under two event types as one event (the id is the key)', async () => {
    const event = makeEvent('check.completed.rejected');
    expect((await endpoint.deliver(event)).status).toBe(200);
    const sameId = { ...makeEvent('check.completed.clear'), id: event.id };
    expect((await endpoint.deliver(sameId)).json).toEqual({ received: true, duplicate: true });
  });
});

describe.each(ADAPTERS)('claims and stores on %s', (adapter) => {
  it('lets the next delivery handle an event whose claim was left by a crashed instance, once the claim TTL passes', async () => {
    const clock = new ManualClock();
    const store = new MemoryIdempotencyStore({ now: clock.now });
    const endpoint = await startDeliveryEndpoint(adapter, { idempotency: { store, claimTtlMs: 300 } });
    try {
      const event = makeEvent('check.completed.rejected');
      expect((await store.claim(recordKeyOf(event.id), 'instance-that-crashed', 300)).status).toBe('claimed');
      clock.advance(299);
      expect((await endpoint.deliver(event)).status).toBe(409);
      expect(endpoint.journal.startsOf(event.id)).toEqual([]);
      clock.advance(1);
      const retry = await endpoint.deliver(event);
      expect(retry.status).toBe(200);
      expect(retry.json).toEqual({ received: true });
      expect(endpoint.journal.startsOf(event.id)).toEqual(BOTH);
    } finally {
      await endpoint.server.close();
    }
  });

  it("keeps a running delivery's claim alive past the claim TTL, so a retry gets 409 and not a second run", async () => {
    const clock = new ManualClock();
    const store = new RenewalCountingStore({ now: clock.now });
    const endpoint = await startDeliveryEndpoint(adapter, { idempotency: { store, claimTtlMs: 300 }, handlerTimeoutMs: 100 });
    try {
      const event = makeEvent('check.completed.rejected');
      const release = endpoint.journal.hold('openCase');
      expect((await endpoint.deliver(event)).status).toBe(503);
      // Each step waits for a renewal, then moves the store's clock by two thirds of the claim TTL.
      for (let step = 0; step < 3; step += 1) {
        const renewalsBefore = store.renewals;
        await waitFor('the running delivery to renew its claim', () => store.renewals > renewalsBefore);
        clock.advance(200);
      }
      expect((await endpoint.deliver(event)).status).toBe(409);
      release();
      expect((await endpoint.redeliver(event)).json).toEqual({ received: true, duplicate: true });
      expect(endpoint.journal.startsOf(event.id)).toEqual(BOTH);
    } finally {
      await endpoint.server.close();
    }
  });

  it('answers 503 and runs no handler when the store is unreachable, and logs why', async () => {
    const store = new UnreachableStore();
    const endpoint = await startDeliveryEndpoint(adapter, { idempotency: { store } });
    try {
      const event = makeEvent('check.completed.rejected');
      for (let attempt = 0; attempt < 3; attempt += 1) {
        const response = await endpoint.deliver(event);
        expect(response.status).toBe(503);
        expect(response.json).toEqual({ statusCode: 503, message: 'Service Unavailable' });
      }
      expect(store.calls).toBeGreaterThanOrEqual(3);
      expect(endpoint.journal.started).toEqual([]);
      expect(endpoint.logger.text()).toContain('ECONNREFUSED');
      expect(endpoint.server.app.get(ComplyCubeWebhookMetrics).snapshot().storeErrors).toBe(3);
    } finally {
      await endpoint.server.close();
    }
  });

  it('releases the claim when recording completion fails, so the retry is not held off by a 409', async () => {
    const store = new CompletionFailingStore();
    const endpoint = await startDeliveryEndpoint(adapter, { idempotency: { store } });
    try {
      const event = makeEvent('check.completed.rejected');
      store.failCompletions = 1;
      expect((await endpoint.deliver(event)).status).toBe(503);
      const retry = await endpoint.deliver(event);
      expect(retry.json).toEqual({ received: true });
      expect(endpoint.journal.startsOf(event.id)).toEqual(BOTH);
      expect(endpoint.logger.text()).toContain('Idempotency store failed (completion)');
    } finally {
      await endpoint.server.close();
    }
  });

  it('answers 503 when the memory store is full of running deliveries, and runs nothing', async () => {
    const store = new MemoryIdempotencyStore({ maxRunning: 1 });
    const endpoint = await startDeliveryEndpoint(adapter, { idempotency: { store }, handlerTimeoutMs: 100 });
    try {
      const running = makeEvent('check.completed.rejected');
      const release = endpoint.journal.hold('sendEmail');
      expect((await endpoint.deliver(running)).status).toBe(503);
      const refused = makeEvent('check.completed.rejected');
      expect((await endpoint.deliver(refused)).status).toBe(503);
      expect(endpoint.journal.startsOf(refused.id)).toEqual([]);
      expect(endpoint.logger.text()).toContain('MemoryIdempotencyStore is full');
      release();
      expect((await endpoint.redeliver(running)).json).toEqual({ received: true, duplicate: true });
      expect((await endpoint.deliver(refused)).json).toEqual({ received: true });
    } finally {
      await endpoint.server.close();
    }
  });

  it('with idempotency: false, runs every handler on every delivery and never answers duplicate', async () => {
    const endpoint = await startDeliveryEndpoint(adapter, { idempotency: false });
    try {
      const event = makeEvent('check.completed.rejected');
      const responses = [await endpoint.deliver(event), await endpoint.deliver(event)];
      expect(responses.map((response) => response.json)).toEqual([{ received: true }, { received: true }]);
      expect(endpoint.journal.startsOf(event.id)).toEqual(['openCase', 'openCase', 'sendEmail', 'sendEmail']);
    } finally {
      await endpoint.server.close();
    }
  });
});

describe.each(ADAPTERS)('the handler deadline on %s', (adapter) => {
  let endpoint: DeliveryEndpoint;
  beforeAll(async () => {
    endpoint = await startDeliveryEndpoint(adapter, { handlerTimeoutMs: 150 });
  });
  afterAll(() => endpoint.server.close());
  beforeEach(() => endpoint.journal.reset());

  it('answers 503 at the deadline, lets the handler finish, and the retry gets 200 duplicate', async () => {
    const event = makeEvent('check.completed.rejected');
    const release = endpoint.journal.hold('sendEmail');
    const response = await endpoint.deliver(event);
    expect(response.status).toBe(503);
    expect(endpoint.journal.successesOf(event.id)).toEqual(['openCase']);
    release();
    await waitFor('sendEmail to finish', () => endpoint.journal.successesOf(event.id).length === 2);
    const retry = await endpoint.redeliver(event);
    expect(retry.json).toEqual({ received: true, duplicate: true });
    expect(endpoint.journal.startsOf(event.id)).toEqual(BOTH);
  });

  it('records a late failure, so the retry runs only the handler that failed after the deadline', async () => {
    const event = makeEvent('check.completed.rejected');
    const release = endpoint.journal.hold('sendEmail');
    endpoint.journal.failNext('sendEmail');
    expect((await endpoint.deliver(event)).status).toBe(503);
    release();
    const retry = await endpoint.redeliver(event);
    expect(retry.status).toBe(200);
    expect(retry.json).toEqual({ received: true });
    expect(endpoint.journal.startsOf(event.id)).toEqual(['openCase', 'sendEmail', 'sendEmail']);
  });

  it('answers at the deadline without idempotency too, never with a 2xx', async () => {
    const plain = await startDeliveryEndpoint(adapter, { handlerTimeoutMs: 150, idempotency: false });
    try {
      const event = makeEvent('check.completed.rejected');
      const release = plain.journal.hold('openCase');
      expect((await plain.deliver(event)).status).toBe(503);
      release();
    } finally {
      await plain.server.close();
    }
  });
});

describe.each(ADAPTERS)('abandoning a delivery whose handlers never settle on %s', (adapter) => {
  it('answers 503, then 409 while the claim is held, then gives the claim up and runs the hung handler again', async () => {
    const reports: Array<{ error: unknown; id: string; handlerKey: string }> = [];
    const endpoint = await startDeliveryEndpoint(adapter, {
      handlerTimeoutMs: 1000,
      idempotency: { abandonAfterMs: 3000 },
      onHandlerError: (error, event, handlerKey) => void reports.push({ error, id: event.id, handlerKey }),
    });
    const metrics = endpoint.server.app.get(ComplyCubeWebhookMetrics);
    try {
      const event = makeEvent('check.completed.rejected');
      endpoint.journal.hold('sendEmail'); // never released: the handler hangs
      const began = Date.now();
      expect((await endpoint.deliver(event)).status).toBe(503);
      await sleep(Math.max(0, 1500 - (Date.now() - began)));
      expect((await endpoint.deliver(event)).status).toBe(409);
      expect(endpoint.journal.startsOf(event.id)).toEqual(BOTH);

      await waitFor('the delivery to be abandoned', () => metrics.snapshot().abandoned === 1, 10_000);
      expect((await endpoint.deliver(event)).status).toBe(503);
      // The hung handler runs again; the one that succeeded does not.
      expect(endpoint.journal.startsOf(event.id)).toEqual(['openCase', 'sendEmail', 'sendEmail']);

      const log = endpoint.logger.lines.find((line) => line.level === 'error' && line.message.startsWith('Gave up'));
      expect(log?.message).toContain(event.id);
      expect(log?.message).toContain('check.completed.rejected');
      expect(log?.message).toContain('RejectedCheckHandlers.sendEmail');
      expect(log?.message).not.toContain('RejectedCheckHandlers.openCase');
      expect(reports).toHaveLength(1);
      expect(reports[0]).toMatchObject({ id: event.id, handlerKey: 'RejectedCheckHandlers.sendEmail' });
      expect(reports[0].error).toBeInstanceOf(ComplyCubeHandlerAbandonedError);
      expect(reports[0].error).toMatchObject({ eventId: event.id, handlerKey: 'RejectedCheckHandlers.sendEmail', abandonAfterMs: 3000 });
      expect(metrics.snapshot().handlerFailures).toBe(0);
    } finally {
      await endpoint.server.close();
    }
  });

  it("never lets the abandoned run's late outcome overwrite the records of the run that replaced it", async () => {
    const endpoint = await startDeliveryEndpoint(adapter, { handlerTimeoutMs: 100, idempotency: { abandonAfterMs: 1500 } });
    const metrics = endpoint.server.app.get(ComplyCubeWebhookMetrics);
    try {
      const event = makeEvent('check.completed.rejected');
      const releaseFirstRun = endpoint.journal.hold('sendEmail');
      expect((await endpoint.deliver(event)).status).toBe(503);
      await waitFor('the first run to be abandoned', () => metrics.snapshot().abandoned === 1);

      const releaseSecondRun = endpoint.journal.hold('sendEmail');
      expect((await endpoint.deliver(event)).status).toBe(503);
      releaseFirstRun();
      await waitFor("the abandoned run's handler to finish", () => endpoint.journal.successesOf(event.id).includes('sendEmail'));
      await waitFor('the late outcome to be logged', () =>
        endpoint.logger.text().includes('after its delivery was abandoned; not recorded'),
      );
      // Recorded, the late success would have completed the event: 200 duplicate instead of 409.
      expect((await endpoint.deliver(event)).status).toBe(409);

      endpoint.journal.failNext('sendEmail');
      releaseSecondRun();
      await waitFor('the second run to fail', () => metrics.snapshot().handlerFailures === 1);
      expect((await endpoint.redeliver(event)).json).toEqual({ received: true });
      expect(endpoint.journal.startsOf(event.id)).toEqual(['openCase', 'sendEmail', 'sendEmail', 'sendEmail']);
    } finally {
      await endpoint.server.close();
    }
  });
});

describe.each(ADAPTERS)('handlers get an envelope they cannot change on %s', (adapter) => {
  it('records the id received, whatever a handler assigns to the event', async () => {
    const endpoint = await startDeliveryEndpoint(adapter);
    try {
      const event = makeEvent('check.completed.rejected');
      const hijacked = makeEvent('check.completed.rejected');
      const assignments: Array<{ frozen: boolean; error?: string; payloadWritable: boolean }> = [];
      const handlers = endpoint.server.app.get(RejectedCheckHandlers);
      const original = handlers.openCase.bind(handlers);
      jest.spyOn(handlers, 'openCase').mockImplementation(async (received) => {
        const payloadWritable = Reflect.set(received.payload, 'note', 'a handler may annotate the payload');
        try {
          (received as { id: string }).id = hijacked.id;
          assignments.push({ frozen: Object.isFrozen(received), payloadWritable });
        } catch (error) {
          assignments.push({ frozen: Object.isFrozen(received), error: (error as Error).name, payloadWritable });
        }
        return original(received);
      });
      expect((await endpoint.deliver(event)).json).toEqual({ received: true });
      expect(assignments).toEqual([{ frozen: true, error: 'TypeError', payloadWritable: true }]);
      expect((await endpoint.deliver(event)).json).toEqual({ received: true, duplicate: true });
      expect((await endpoint.deliver(hijacked)).json).toEqual({ received: true });
      expect(endpoint.journal.startsOf(hijacked.id)).toEqual(BOTH);
    } finally {
      await endpoint.server.close();
    }
  });
});

describe.each(ADAPTERS)('shutdown on %s', (adapter) => {
  it('waits for handlers still running after the deadline, so their outcome is recorded', async () => {
    const store = new MemoryIdempotencyStore();
    // Shutdown waits for running handlers up to handlerTimeoutMs: long enough to see it waiting.
    const endpoint = await startDeliveryEndpoint(adapter, { handlerTimeoutMs: 1500, idempotency: { store } });
    const event = makeEvent('check.completed.rejected');
    const release = endpoint.journal.hold('sendEmail');
    expect((await endpoint.deliver(event)).status).toBe(503);
    const drain = jest.spyOn(DeliveryRunner.prototype, 'drain');
    let closed = false;
    const closing = endpoint.server.close().then(() => (closed = true));
    try {
      await waitFor('shutdown to start draining the running delivery', () => drain.mock.calls.length > 0);
      expect(await isPending(drain.mock.results[0].value as Promise<void>)).toBe(true);
      expect(closed).toBe(false);
    } finally {
      drain.mockRestore();
      release();
    }
    await closing;
    expect(endpoint.journal.successesOf(event.id)).toEqual(BOTH);
    expect(await store.claim(recordKeyOf(event.id), 'after-restart', 1000)).toEqual({ status: 'completed' });
  });

  it('leaves a handler still hung after the drain to its claim expiry: neither renewed nor abandoned by a closed app', async () => {
    const store = new MemoryIdempotencyStore();
    const endpoint = await startDeliveryEndpoint(adapter, {
      handlerTimeoutMs: 200,
      idempotency: { store, claimTtlMs: 1000, abandonAfterMs: 1500 },
    });
    const metrics = endpoint.server.app.get(ComplyCubeWebhookMetrics);
    const event = makeEvent('check.completed.rejected');
    endpoint.journal.hold('sendEmail'); // never released
    const began = Date.now();
    expect((await endpoint.deliver(event)).status).toBe(503);
    await endpoint.server.close();
    expect(endpoint.logger.text()).toContain('Shutting down with 1 ComplyCube delivery still running after 200 ms');

    // Unrenewed, the claim expires: an instance started after this one takes the event over.
    await waitFor(
      'the claim to expire',
      async () => (await store.claim(recordKeyOf(event.id), 'next-instance', 60_000)).status === 'claimed',
    );
    // Past abandonAfterMs (and a tick), a keeper still running would have given the delivery up.
    await sleep(Math.max(0, 1500 + 500 - (Date.now() - began)));
    expect(endpoint.logger.lines.filter((line) => line.message.startsWith('Gave up'))).toEqual([]);
    expect(metrics.snapshot().abandoned).toBe(0);
  });
});

describe.each(ADAPTERS)('onHandlerError and the counters on %s', (adapter) => {
  it('calls onHandlerError with the error, the event and the handler key, and a throwing hook changes nothing', async () => {
    const reports: Array<{ message: string; id: string; handlerKey: string }> = [];
    const endpoint = await startDeliveryEndpoint(adapter, {
      onHandlerError: (error, event, handlerKey) => {
        reports.push({ message: (error as Error).message, id: event.id, handlerKey });
        throw new Error('the reporting service is down');
      },
    });
    try {
      const event = makeEvent('check.completed.rejected');
      endpoint.journal.failNext('openCase');
      endpoint.journal.failNext('sendEmail');
      expect((await endpoint.deliver(event)).status).toBe(500);
      expect(reports.sort((a, b) => a.handlerKey.localeCompare(b.handlerKey))).toEqual([
        { message: 'openCase failed on purpose', id: event.id, handlerKey: 'RejectedCheckHandlers.openCase' },
        { message: 'sendEmail failed on purpose', id: event.id, handlerKey: 'RejectedCheckHandlers.sendEmail' },
      ]);
      expect(endpoint.logger.text()).toContain('onHandlerError threw');
      expect((await endpoint.deliver(event)).status).toBe(200);
      expect(reports).toHaveLength(2);
    } finally {
      await endpoint.server.close();
    }
  });

  it('counts every outcome, readable from the exported ComplyCubeWebhookMetrics', async () => {
    const endpoint = await startDeliveryEndpoint(adapter, { handlerTimeoutMs: 150 });
    try {
      const { journal, server } = endpoint;
      const deliver = (event: object) => endpoint.deliver(event);
      const handled = makeEvent('check.completed.rejected');
      expect((await deliver(handled)).status).toBe(200);
      expect((await deliver(handled)).status).toBe(200);
      const failing = makeEvent('check.completed.rejected');
      journal.failNext('openCase');
      expect((await deliver(failing)).status).toBe(500);
      const slow = makeEvent('check.completed.rejected');
      const release = journal.hold('sendEmail');
      expect((await deliver(slow)).status).toBe(503);
      expect((await deliver(slow)).status).toBe(409);
      release();
      await waitFor('the slow event to finish', () => journal.successesOf(slow.id).length === 2);
      const body = JSON.stringify(handled);
      expect((await postWebhook(server.url(), body, { signature: 'f'.repeat(64) })).status).toBe(401);
      expect((await postWebhook(server.url(), body, { secret: DELIVERY_SECRET, contentType: 'text/plain' })).status).toBe(415);
      expect((await postWebhook(server.url(), '{"id":1}', { secret: DELIVERY_SECRET })).status).toBe(400);

      expect(server.app.get(ComplyCubeWebhookMetrics).snapshot()).toEqual({
        received: 8,
        verified: 6,
        rejected: { signature: 1, mediaType: 1, body: 1, rawBodyMissing: 0 },
        handled: 1,
        duplicates: 1,
        inFlightConflicts: 1,
        handlerFailures: 1,
        timeouts: 1,
        abandoned: 0,
        storeErrors: 0,
        queued: 0,
        queueErrors: 0,
        jobFailures: 0,
        deadLettered: 0,
      });
    } finally {
      await endpoint.server.close();
    }
  });
});

describe('options are checked at start-up', () => {
  const invalid: Array<[string, Partial<ComplyCubeWebhookModuleOptions>, RegExp]> = [
    ['handlerTimeoutMs of 15 000', { handlerTimeoutMs: 15_000 }, /handlerTimeoutMs must be below 15000.*15 seconds/],
    ['handlerTimeoutMs of 0', { handlerTimeoutMs: 0 }, /handlerTimeoutMs must be a positive number .*got 0/],
    ['a negative handlerTimeoutMs', { handlerTimeoutMs: -1 }, /handlerTimeoutMs must be a positive number/],
    ['handlerTimeoutMs NaN', { handlerTimeoutMs: Number.NaN }, /handlerTimeoutMs must be a positive number/],
    ['handlerTimeoutMs as a string', { handlerTimeoutMs: '5000' as unknown as number }, /got the string "5000"/],
    ['idempotency.ttl (not ttlMs)', { idempotency: { ttl: 1000 } as never }, /idempotency\.ttl is not an option.*Did you mean ttlMs/],
    ['a store without methods', { idempotency: { store: {} as never } }, /missing claim, renewClaim, markHandlerDone, complete, release/],
    ['a claim TTL too short to renew', { idempotency: { claimTtlMs: 10 } }, /claimTtlMs must be at least 100/],
    ['a claim TTL over the record TTL', { idempotency: { ttlMs: 1000, claimTtlMs: 5000 } }, /claimTtlMs \(5000\) must not exceed/],
    [
      'abandonAfterMs equal to handlerTimeoutMs',
      { handlerTimeoutMs: 5000, idempotency: { abandonAfterMs: 5000 } },
      /idempotency\.abandonAfterMs \(5000\) must exceed handlerTimeoutMs \(5000\).*after the endpoint has answered/,
    ],
    [
      'abandonAfterMs below the default handlerTimeoutMs',
      { idempotency: { abandonAfterMs: 1000 } },
      /idempotency\.abandonAfterMs \(1000\) must exceed handlerTimeoutMs \(10000\)/,
    ],
    [
      'abandonAfterMs of 0',
      { idempotency: { abandonAfterMs: 0 } },
      /idempotency\.abandonAfterMs must be a positive number of milliseconds/,
    ],
    ['idempotency: true', { idempotency: true as never }, /idempotency must be false or an object/],
    ['onHandlerError not a function', { onHandlerError: 'sentry' as never }, /onHandlerError must be a function/],
  ];

  it.each(invalid)('fails for %s, naming the option', async (_name, options, message) => {
    const start = startTestApp({
      adapter: 'express',
      imports: [EventEmitterModule.forRoot(), ComplyCubeWebhookModule.forRoot({ secret: DELIVERY_SECRET, ...options })],
    });
    await expect(start).rejects.toThrow(ComplyCubeWebhookConfigurationError);
    await expect(start).rejects.toThrow(message);
  });

  it('checks options resolved by forRootAsync the same way', async () => {
    const start = startTestApp({
      adapter: 'express',
      imports: [
        EventEmitterModule.forRoot(),
        ComplyCubeWebhookModule.forRootAsync({ useFactory: async () => ({ secret: DELIVERY_SECRET, handlerTimeoutMs: 20_000 }) }),
      ],
    });
    await expect(start).rejects.toThrow(/handlerTimeoutMs must be below 15000/);
  });
});

afterAll(() => Logger.flush());
