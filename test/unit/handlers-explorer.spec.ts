import { Injectable, Logger } from '@nestjs/common';
import { EventEmitter2, EventEmitterModule, OnEvent } from '@nestjs/event-emitter';
import { Test, TestingModule } from '@nestjs/testing';
import { ComplyCubeEvent, OnComplyCubeEvent } from 'nestjs-complycube-webhooks';
import { ComplyCubeDispatchModule } from '../../lib/dispatch/dispatch.module';
import { ComplyCubeEventDispatcher } from '../../lib/dispatch/event.dispatcher';
import { ComplyCubeHandlersExplorer } from '../../lib/dispatch/handlers.explorer';
import { makeEvent } from '../utils/events';

@Injectable()
class Handlers {
  readonly calls: string[] = [];

  @OnComplyCubeEvent('check.completed.clear')
  @OnComplyCubeEvent(['check.completed.*', 'check.**'], { key: 'checks' })
  onCheck(event: ComplyCubeEvent): void {
    this.calls.push(`checks ${event.type}`);
  }

  @OnComplyCubeEvent('client.created')
  onClient(event: ComplyCubeEvent<'client.created'>): void {
    this.calls.push(`client ${event.type}`);
  }

  @OnEvent('complycube.client.created')
  plain(event: ComplyCubeEvent): void {
    this.calls.push(`plain ${event.type}`);
  }
}

async function compile(): Promise<TestingModule> {
  const moduleRef = await Test.createTestingModule({
    imports: [EventEmitterModule.forRoot({ wildcard: true }), ComplyCubeDispatchModule],
    providers: [Handlers],
  }).compile();
  return moduleRef.init();
}

beforeAll(() => Logger.overrideLogger(false));

describe('ComplyCubeHandlersExplorer, the discovery of handlers', () => {
  it('finds each decorated method once, with its key and its patterns (duplicates merged)', async () => {
    const moduleRef = await compile();
    try {
      expect(moduleRef.get(ComplyCubeHandlersExplorer).handlers).toEqual([
        // Decorators apply bottom up: the last one written adds its patterns first.
        { key: 'checks', patterns: ['check.completed.*', 'check.**', 'check.completed.clear'] },
        { key: 'Handlers.onClient', patterns: ['client.created'] },
      ]);
    } finally {
      await moduleRef.close();
    }
  });

  it('subscribes one listener per pattern, and runs a method matched by several patterns once per dispatch', async () => {
    const moduleRef = await compile();
    try {
      const emitter = moduleRef.get(EventEmitter2);
      expect(emitter.listeners('complycube.check.completed.clear')).toHaveLength(3);
      const result = await moduleRef.get(ComplyCubeEventDispatcher).start(makeEvent('check.completed.clear') as ComplyCubeEvent).result;
      expect(result).toEqual({ succeeded: ['checks'], failed: [] });
      expect(moduleRef.get(Handlers).calls).toEqual(['checks check.completed.clear']);
    } finally {
      await moduleRef.close();
    }
  });

  it('lets the app emit events itself: each listener then calls its method plainly', async () => {
    const moduleRef = await compile();
    try {
      await moduleRef.get(EventEmitter2).emitAsync('complycube.client.created', makeEvent('client.created'));
      expect(moduleRef.get(Handlers).calls.sort()).toEqual(['client client.created', 'plain client.created']);
    } finally {
      await moduleRef.close();
    }
  });

  it('removes its listeners when the app closes', async () => {
    const moduleRef = await compile();
    const emitter = moduleRef.get(EventEmitter2);
    await moduleRef.close();
    expect(emitter.listeners('complycube.check.completed.clear')).toHaveLength(0);
    expect(emitter.listeners('complycube.client.created')).toHaveLength(0);
  });
});
