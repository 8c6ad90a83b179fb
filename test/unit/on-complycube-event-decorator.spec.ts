import { applyDecorators, Injectable } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { Test } from '@nestjs/testing';
import { ComplyCubeEvent, ComplyCubeWebhookModule, OnComplyCubeEvent } from 'nestjs-complycube-webhooks';
import { createComplyCubeEvent, deliverComplyCubeEvent } from 'nestjs-complycube-webhooks/testing';

/** What an app builds when it bundles the decorator with its own ones. */
const OnRejectedCheck = () => applyDecorators(OnComplyCubeEvent('check.completed.rejected', { key: 'composed' }));

@Injectable()
class ComposedHandlers {
  readonly seen: string[] = [];

  @OnRejectedCheck()
  onRejected(event: ComplyCubeEvent<'check.completed.rejected'>): void {
    this.seen.push(`${event.type} ${event.payload.outcome}`);
  }
}

describe('@OnComplyCubeEvent', () => {
  it('still works inside applyDecorators()', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [EventEmitterModule.forRoot(), ComplyCubeWebhookModule.forRoot({ secret: 'decorator-spec-secret' })],
      providers: [ComposedHandlers],
    })
      .setLogger({ log() {}, error() {}, warn() {} })
      .compile();
    const receipt = await deliverComplyCubeEvent(moduleRef, createComplyCubeEvent('check.completed.rejected'));
    expect(receipt.status).toBe(200);
    expect(moduleRef.get(ComposedHandlers).seen).toEqual(['check.completed.rejected rejected']);
    await moduleRef.close();
  });

  it('refuses, when the class is defined, stacked decorators that give one method two keys', () => {
    expect(() => {
      class TwoKeys {
        @OnComplyCubeEvent('check.completed.clear', { key: 'first' })
        @OnComplyCubeEvent('check.completed.rejected', { key: 'second' })
        onCompleted(event: ComplyCubeEvent): void {
          void event;
        }
      }
      return TwoKeys;
    }).toThrow(/onCompleted: two decorators give it different keys \('second' and 'first'\)/);
  });

  it('lets stacked decorators give one key once, or the same key on each', () => {
    expect(() => {
      class OneKey {
        @OnComplyCubeEvent('check.completed.clear', { key: 'completed' })
        @OnComplyCubeEvent('check.completed.rejected')
        @OnComplyCubeEvent('check.completed.attention', { key: 'completed' })
        onCompleted(event: ComplyCubeEvent): void {
          void event;
        }
      }
      return OneKey;
    }).not.toThrow();
  });

  it('refuses, when the class is defined, to decorate something that is not a method', () => {
    const decorate = OnComplyCubeEvent('check.failed') as (target: object, key: string, descriptor?: PropertyDescriptor) => void;
    expect(() => decorate({}, 'status')).toThrow(new TypeError('@OnComplyCubeEvent(): status is not a method.'));
    expect(() => decorate({}, 'status', { value: 42 })).toThrow('status is not a method');
  });
});
