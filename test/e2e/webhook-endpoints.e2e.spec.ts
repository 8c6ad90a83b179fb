import { Logger } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import {
  ComplyCubeEvent,
  ComplyCubeWebhookConfigurationError,
  ComplyCubeWebhookEndpoints,
  ComplyCubeWebhookModule,
} from 'nestjs-complycube-webhooks';
import { DeliveryJournal, RejectedCheckHandlers } from '../src/delivery-handlers';
import { startTestApp, TestApp } from '../utils/app';
import { makeEvent } from '../utils/events';
import { postWebhook } from '../utils/http';

const BOTH = ['openCase', 'sendEmail'];

describe('ComplyCubeWebhookEndpoints', () => {
  let server: TestApp;
  let endpoints: ComplyCubeWebhookEndpoints;
  const journal = new DeliveryJournal();

  beforeAll(async () => {
    server = await startTestApp({
      adapter: 'express',
      globalPrefix: 'api',
      imports: [
        EventEmitterModule.forRoot(),
        ComplyCubeWebhookModule.forRoot({ secret: 'whsec_default' }),
        ComplyCubeWebhookModule.forRoot({ name: 'sandbox', path: '/webhooks/sandbox/', secret: 'whsec_sandbox' }),
      ],
      providers: [{ provide: DeliveryJournal, useValue: journal }, RejectedCheckHandlers],
    });
    endpoints = server.app.get(ComplyCubeWebhookEndpoints);
  });
  afterAll(() => server.close());

  it('lists every registration with the route ComplyCube posts to', () => {
    expect(endpoints.list()).toEqual([
      { name: undefined, path: 'webhooks/complycube', route: '/api/webhooks/complycube' },
      { name: 'sandbox', path: '/webhooks/sandbox/', route: '/api/webhooks/sandbox' },
    ]);
    expect(endpoints.route('sandbox')).toBe('/api/webhooks/sandbox');
    expect(() => endpoints.route()).toThrow(ComplyCubeWebhookConfigurationError);
    expect(() => endpoints.route('live')).toThrow(/no ComplyCubeWebhookModule registration is named 'live'/);
  });

  it('delivers an event without HTTP, sharing the records of the endpoint it names', async () => {
    const event = makeEvent('check.completed.rejected') as ComplyCubeEvent<string>;
    expect(await endpoints.deliver(event, { registration: 'sandbox' })).toEqual({ status: 200, body: { received: true } });
    expect(journal.startsOf(event.id)).toEqual(BOTH);
    // The same event over HTTP, signed for that registration, is a duplicate.
    const overHttp = await postWebhook(server.url('api/webhooks/sandbox'), event, { secret: 'whsec_sandbox' });
    expect(overHttp.json).toEqual({ received: true, duplicate: true });
    expect(journal.startsOf(event.id)).toEqual(BOTH);
  });

  it('leaves the caller its event: a JSON copy travels, as over HTTP', async () => {
    const event = makeEvent('check.completed.rejected') as ComplyCubeEvent<string>;
    await endpoints.deliver(event, { registration: 'sandbox' });
    expect(Object.isFrozen(event)).toBe(false);
  });

  it('refuses what the endpoint would answer 400 to', async () => {
    const notAnEvent = { id: '', type: 'check.completed', payload: {} } as unknown as ComplyCubeEvent<string>;
    await expect(endpoints.deliver(notAnEvent, { registration: 'sandbox' })).rejects.toThrow(
      new TypeError('Not a ComplyCube event: "id" must be a non-empty string.'),
    );
  });
});

afterAll(() => Logger.flush());
