import { Logger } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import {
  ComplyCubeEvent,
  ComplyCubeHandlerAbandonedError,
  ComplyCubeIdempotencyStore,
  ComplyCubeWebhookMetrics,
  MemoryIdempotencyStore,
} from 'nestjs-complycube-webhooks';
import { DeliverySettings } from '../../lib/delivery/delivery-settings';
import { DeliveryRunner, recordKey } from '../../lib/delivery/delivery.runner';
import { DispatchOptions, DispatchRun, PLAIN_LISTENER_KEY } from '../../lib/dispatch/dispatch-run';
import { ComplyCubeEventDispatcher, Dispatch } from '../../lib/dispatch/event.dispatcher';
import { makeEvent } from '../utils/events';
import { isPending, waitFor } from '../utils/wait';

type Handler = (event: ComplyCubeEvent<string>) => unknown;

/** A dispatcher with no EventEmitter2: every handler given to it matches every event. */
class HandlerTable {
  readonly handlers = new Map<string, Handler>();
  readonly runs: string[] = [];

  start(event: ComplyCubeEvent<string>, options: DispatchOptions): Dispatch {
    const run = new DispatchRun(event, options);
    for (const [key, handler] of this.handlers) {
      // Its outcome is collected by the run, as the dispatcher's listeners leave it.
      void run.run(key, () => {
        this.runs.push(key);
        return handler(event);
      });
    }
    run.result = Promise.resolve(run.whenSettled());
    return run;
  }
}

/** The memory store, with hooks to make an operation fail or wait. */
class ScriptedStore extends MemoryIdempotencyStore {
  readonly keys: string[] = [];
  failing = new Set<'claim' | 'markHandlerDone' | 'complete'>();
  claimGate?: Promise<void>;

  override async claim(key: string, owner: string, claimTtlMs: number) {
    this.keys.push(key);
    await this.claimGate;
    if (this.failing.has('claim')) throw new Error('claim failed');
    return super.claim(key, owner, claimTtlMs);
  }

  override async markHandlerDone(key: string, handlerKey: string, ttlMs: number) {
    if (this.failing.has('markHandlerDone')) throw new Error('record failed');
    return super.markHandlerDone(key, handlerKey, ttlMs);
  }

  override async complete(key: string, owner: string, ttlMs: number) {
    if (this.failing.has('complete')) throw new Error('completion failed');
    return super.complete(key, owner, ttlMs);
  }
}

const HOUR = 60 * 60 * 1000;

function setUp(
  options: {
    store?: ComplyCubeIdempotencyStore | false;
    abandonAfterMs?: number;
    onHandlerError?: DeliverySettings['onHandlerError'];
  } = {},
) {
  const table = new HandlerTable();
  const metrics = new ComplyCubeWebhookMetrics();
  const store = options.store === undefined ? new ScriptedStore() : options.store;
  const settings: DeliverySettings = {
    scope: 'live',
    idempotency: store === false ? undefined : { store, ttlMs: HOUR, claimTtlMs: 30_000, abandonAfterMs: options.abandonAfterMs ?? HOUR },
    onHandlerError: options.onHandlerError,
  };
  const runner = new DeliveryRunner(table as unknown as ComplyCubeEventDispatcher, settings, metrics);
  return { table, metrics, runner, store };
}

const event = (): ComplyCubeEvent<string> => makeEvent('check.completed.rejected') as ComplyCubeEvent<string>;

beforeAll(() => Logger.overrideLogger(false));

describe('DeliveryRunner, the idempotent run of one event', () => {
  it('runs every handler once, then answers duplicate without running any', async () => {
    const { table, runner } = setUp();
    table.handlers.set('a', () => undefined).set('b', async () => undefined);
    const sent = event();
    expect((await runner.run(sent)).outcome).toBe('handled');
    expect((await runner.run(JSON.parse(JSON.stringify(sent)))).outcome).toBe('duplicate');
    expect(table.runs).toEqual(['a', 'b']);
  });

  it('after a failure, runs only the handlers that have not succeeded', async () => {
    const { table, runner, metrics } = setUp();
    let failures = 1;
    table.handlers
      .set('a', () => undefined)
      .set('b', () => {
        if (failures-- > 0) throw new Error('b failed');
      });
    const sent = event();
    const failed = await runner.run(sent);
    expect(failed.outcome).toBe('failed');
    expect(failed.failures).toEqual([{ handlerKey: 'b', error: new Error('b failed') }]);
    expect(await runner.run(JSON.parse(JSON.stringify(sent)))).toEqual({ outcome: 'handled', failures: [] });
    expect(table.runs).toEqual(['a', 'b', 'b']);
    expect(metrics.snapshot().handlerFailures).toBe(1);
  });

  it('finds a second concurrent delivery of one event in flight', async () => {
    const { table, runner } = setUp();
    let release!: () => void;
    table.handlers.set('a', () => new Promise<void>((resolve) => (release = resolve)));
    const sent = event();
    const first = runner.run(sent);
    await waitFor('the handler to start', () => table.runs.length === 1);
    expect((await runner.run(JSON.parse(JSON.stringify(sent)))).outcome).toBe('in-flight');
    release();
    expect((await first).outcome).toBe('handled');
  });

  it('keys its records by the registration scope and the event id', async () => {
    const { runner, store } = setUp();
    const sent = event();
    await runner.run(sent);
    expect((store as ScriptedStore).keys).toEqual([recordKey('live', sent.id)]);
    expect(recordKey('webhooks/complycube', 'id:1')).toBe('webhooks%2Fcomplycube:id:1');
  });

  it('hands handlers a frozen event, so the id it records is the one received', async () => {
    const { table, runner } = setUp();
    table.handlers.set('a', (received) => {
      (received as { id: string }).id = 'another-id';
    });
    const sent = event();
    expect((await runner.run(sent)).outcome).toBe('failed');
    expect(Object.isFrozen(sent)).toBe(true);
  });

  it('runs every handler on every delivery with idempotency off', async () => {
    const { table, runner } = setUp({ store: false });
    table.handlers.set('a', () => undefined);
    const sent = event();
    expect((await runner.run(sent)).outcome).toBe('handled');
    expect((await runner.run(JSON.parse(JSON.stringify(sent)))).outcome).toBe('handled');
    expect(table.runs).toEqual(['a', 'a']);
  });

  it('starts nothing, and frees the event, when the caller stopped waiting before the claim came back', async () => {
    const { table, runner, store } = setUp();
    const scripted = store as ScriptedStore;
    let claimed!: () => void;
    scripted.claimGate = new Promise<void>((resolve) => (claimed = resolve));
    table.handlers.set('a', () => undefined);
    const stopWaiting = new AbortController();
    const sent = event();
    const outcome = runner.run(sent, { signal: stopWaiting.signal });
    stopWaiting.abort();
    claimed();
    expect((await outcome).outcome).toBe('not-started');
    expect(table.runs).toEqual([]);
    scripted.claimGate = undefined;
    expect(await scripted.claim(recordKey('live', sent.id), 'next', HOUR)).toEqual({ status: 'claimed', doneHandlerKeys: [] });
  });

  it.each(['claim', 'markHandlerDone', 'complete'] as const)(
    'answers store-error when %s fails, and never holds the claim',
    async (operation) => {
      const { table, runner, store, metrics } = setUp();
      const scripted = store as ScriptedStore;
      table.handlers.set('a', () => undefined);
      scripted.failing.add(operation);
      const sent = event();
      expect((await runner.run(sent)).outcome).toBe('store-error');
      expect(metrics.snapshot().storeErrors).toBe(1);
      scripted.failing.clear();
      expect((await scripted.claim(recordKey('live', sent.id), 'next', HOUR)).status).toBe('claimed');
    },
  );

  it('gives up a delivery whose handler never settles, keeping what succeeded and reporting what did not', async () => {
    const reports: Array<{ error: unknown; handlerKey: string }> = [];
    const { table, runner, store, metrics } = setUp({
      abandonAfterMs: 50,
      onHandlerError: (error, _event, handlerKey) => void reports.push({ error, handlerKey }),
    });
    table.handlers.set('quick', () => undefined).set('hung', () => new Promise(() => undefined));
    const sent = event();
    const abandoned = await runner.run(sent);
    expect(abandoned.outcome).toBe('abandoned');
    expect(abandoned.failures.map((failure) => failure.handlerKey)).toEqual(['hung']);
    expect(abandoned.failures[0].error).toBeInstanceOf(ComplyCubeHandlerAbandonedError);
    expect(metrics.snapshot().abandoned).toBe(1);
    expect(reports).toHaveLength(1);
    expect(reports[0].handlerKey).toBe('hung');
    expect(reports[0].error).toBeInstanceOf(ComplyCubeHandlerAbandonedError);
    const next = await (store as ScriptedStore).claim(recordKey('live', sent.id), 'next', HOUR);
    expect(next).toEqual({ status: 'claimed', doneHandlerKeys: ['quick'] });
  });

  it('drains: waits for running deliveries, up to a bound', async () => {
    const { table, runner } = setUp();
    let release!: () => void;
    table.handlers.set('a', () => new Promise<void>((resolve) => (release = resolve)));
    const outcome = runner.run(event());
    await waitFor('the handler to start', () => table.runs.length === 1);
    const draining = runner.drain(60_000);
    expect(await isPending(draining)).toBe(true);
    release();
    await draining;
    expect((await outcome).outcome).toBe('handled');
    await expect(runner.drain(60_000)).resolves.toBeUndefined();
  });

  it('drains every running delivery, with idempotency on and off, and stops waiting at the bound', async () => {
    for (const store of [undefined, false] as const) {
      const { table, runner } = setUp({ store });
      const releases: Array<() => void> = [];
      table.handlers.set('a', () => new Promise<void>((resolve) => releases.push(resolve)));
      const first = runner.run(event());
      const second = runner.run(event());
      await waitFor('both handlers to start', () => table.runs.length === 2);
      const draining = runner.drain(60_000);
      releases[0]();
      expect((await first).outcome).toBe('handled');
      expect(await isPending(draining)).toBe(true);
      releases[1]();
      await draining;
      expect((await second).outcome).toBe('handled');

      // A drain after one that has finished waits again.
      const third = runner.run(event());
      await waitFor('the third handler to start', () => table.runs.length === 3);
      const again = runner.drain(60_000);
      expect(await isPending(again)).toBe(true);
      releases[2]();
      await again;
      expect((await third).outcome).toBe('handled');

      const hung = runner.run(event());
      await waitFor('the fourth handler to start', () => table.runs.length === 4);
      const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
      try {
        await runner.drain(20);
        expect(warn).toHaveBeenCalledWith(expect.stringContaining('Shutting down with 1 ComplyCube delivery still running after 20 ms'));
      } finally {
        warn.mockRestore();
      }
      releases[3]();
      expect((await hung).outcome).toBe('handled');
      await expect(runner.drain(60_000)).resolves.toBeUndefined();
    }
  });
});

describe('DeliveryRunner with the dispatcher: plain @OnEvent listeners on the event', () => {
  /** A runner on a real dispatcher and emitter; with `store`, idempotency on. */
  function withEmitter(onHandlerError: NonNullable<DeliverySettings['onHandlerError']>, store?: ComplyCubeIdempotencyStore) {
    const emitter = new EventEmitter2({ wildcard: true });
    const dispatcher = new ComplyCubeEventDispatcher(emitter);
    const metrics = new ComplyCubeWebhookMetrics();
    const settings: DeliverySettings = {
      scope: 'live',
      onHandlerError,
      idempotency: store && { store, ttlMs: HOUR, claimTtlMs: 30_000, abandonAfterMs: HOUR },
    };
    const runner = new DeliveryRunner(dispatcher, settings, metrics);
    return { emitter, dispatcher, metrics, runner };
  }

  /** A memory store whose done records throw at once, as a custom store might. */
  function throwingStore(): MemoryIdempotencyStore {
    const store = new MemoryIdempotencyStore();
    store.markHandlerDone = () => {
      throw new Error('the store threw at once');
    };
    return store;
  }

  it.each([
    [
      'throws',
      (error: Error) => () => {
        throw error;
      },
    ],
    ['rejects', (error: Error) => () => Promise.reject(error)],
  ])('reports a listener that %s as a failure of the delivery, under its key, to the counter and onHandlerError', async (_, listener) => {
    const onHandlerError = jest.fn();
    const { emitter, metrics, runner } = withEmitter(onHandlerError);
    const error = new Error('plain listener failed');
    // An async listener's promise is what emitAsync collects, as the dispatcher uses it.
    emitter.on('complycube.check.completed.rejected', listener(error) as (event: unknown) => void);
    const sent = event();
    const result = await runner.run(sent);
    expect(result).toEqual({ outcome: 'failed', failures: [{ handlerKey: PLAIN_LISTENER_KEY, error }] });
    expect(metrics.snapshot().handlerFailures).toBe(1);
    expect(onHandlerError).toHaveBeenCalledTimes(1);
    expect(onHandlerError).toHaveBeenCalledWith(error, sent, PLAIN_LISTENER_KEY);
  });

  it('rejects, rather than waits for ever, when recording a handler that settles after a listener rejected throws', async () => {
    const onHandlerError = jest.fn();
    const { emitter, dispatcher, runner } = withEmitter(onHandlerError, throwingStore());
    let finish!: () => void;
    emitter.on('complycube.check.completed.rejected', (received: ComplyCubeEvent<string>) =>
      dispatcher.runHandler(received, 'slow', () => new Promise<void>((resolve) => (finish = resolve))),
    );
    // An async listener's promise is what emitAsync collects, as the dispatcher uses it.
    const rejecting = (() => Promise.reject(new Error('plain listener failed'))) as (event: unknown) => void;
    emitter.on('complycube.check.completed.rejected', rejecting);
    const outcome = runner.run(event());
    await waitFor('the slow handler to start', () => finish !== undefined);
    finish();
    await expect(outcome).rejects.toThrow('the store threw at once');
    // The store's error fails the delivery; it is not counted as the plain listener's as well.
    expect(onHandlerError.mock.calls.map(([error]) => (error as Error).message)).toEqual(['plain listener failed']);
    // The run has ended: nothing is left for a shutdown to wait for.
    await expect(runner.drain(60_000)).resolves.toBeUndefined();
  });

  it('fails the delivery, not a listener, when recording a settled handler throws', async () => {
    const onHandlerError = jest.fn();
    const { emitter, dispatcher, metrics, runner } = withEmitter(onHandlerError, throwingStore());
    emitter.on('complycube.check.completed.rejected', (received: ComplyCubeEvent<string>) =>
      dispatcher.runHandler(received, 'quick', () => undefined),
    );
    await expect(runner.run(event())).rejects.toThrow('the store threw at once');
    expect(onHandlerError).not.toHaveBeenCalled();
    expect(metrics.snapshot().handlerFailures).toBe(0);
  });

  it('collects a watch that throws as the failure of that listener, leaving nothing pending', async () => {
    const emitter = new EventEmitter2({ wildcard: true });
    const dispatcher = new ComplyCubeEventDispatcher(emitter);
    const handler = jest.fn();
    emitter.on('complycube.check.completed.rejected', (received: ComplyCubeEvent<string>) =>
      dispatcher.runHandler(received, 'watched', handler),
    );
    const error = new Error('the tracer threw');
    const dispatch = dispatcher.start(event(), {
      watchHandler: () => {
        throw error;
      },
    });
    await expect(dispatch.result).resolves.toEqual({ succeeded: [], failed: [{ handlerKey: PLAIN_LISTENER_KEY, error }] });
    expect(dispatch.pendingHandlerKeys()).toEqual([]);
    expect(handler).not.toHaveBeenCalled();
  });
});
