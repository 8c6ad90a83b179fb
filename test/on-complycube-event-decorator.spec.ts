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

  it('refuses, when the class is defined, to decorate something that is not a method', () => {
    const decorate = OnComplyCubeEvent('check.failed') as (target: object, key: string, descriptor?: PropertyDescriptor) => void;
    expect(() => decorate({}, 'status')).toThrow(new TypeError('@OnComplyCubeEvent(): status is not a method.'));
    expect(() => decorate({}, 'status', { value: 42 })).toThrow('status is not a method');
  });
});
