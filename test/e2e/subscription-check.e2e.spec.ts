import { Injectable } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import {
  ComplyCubeEvent,
  ComplyCubeWebhookConfigurationError,
  ComplyCubeWebhookModule,
  OnComplyCubeEvent,
} from 'nestjs-complycube-webhooks';
import { ComplyCubeApiModule, ComplyCubeSubscriptionOptions } from 'nestjs-complycube-webhooks/management';
import { RecordingLogger, startTestApp, TestApp } from '../utils/app';
import { makeEvent } from '../utils/events';
import { FakeComplyCubeApi } from '../utils/fake-complycube-api';
import { postWebhook } from '../utils/http';

@Injectable()
class KycHandlers {
  @OnComplyCubeEvent('check.completed.*')
  onCheckOutcome(_event: ComplyCubeEvent): void {}

  @OnComplyCubeEvent('client.created')
  onClientCreated(_event: ComplyCubeEvent): void {}
}

/** What KycHandlers take, in ComplyCube's documented order. */
const HANDLED = [
  'check.completed.clear',
  'check.completed.attention',
  'check.completed.rejected',
  'check.completed.match_confirmed',
  'client.created',
];
const PUBLIC_URL = 'https://app.example.com';
const ENDPOINT = 'https://app.example.com/webhooks/complycube';

describe('start-up check of the ComplyCube subscription, over a real app and a fake ComplyCube API', () => {
  let api: FakeComplyCubeApi;
  let logger: RecordingLogger;
  const apps: TestApp[] = [];
  const thrown: Error[] = [];

  beforeAll(async () => {
    api = await FakeComplyCubeApi.start();
  });
  afterAll(() => api.close());
  beforeEach(() => {
    api.reset();
    logger = new RecordingLogger();
    thrown.length = 0;
  });
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
    // No log line and no start-up error may show the API key or a webhook secret.
    const seen = [logger.text(), ...thrown.map((error) => `${error.message} ${error.stack}`)].join('\n');
    expect(seen).not.toContain(api.apiKey);
    for (const webhook of api.webhooks.values()) expect(seen).not.toContain(webhook.secret);
  });

  interface BootOptions {
    globalPrefix?: string;
    path?: string;
    withApiModule?: boolean;
    apiKey?: string;
  }

  async function boot(subscription: ComplyCubeSubscriptionOptions, options: BootOptions = {}): Promise<TestApp> {
    const { globalPrefix, path, withApiModule = true, apiKey = api.apiKey } = options;
    try {
      const app = await startTestApp({
        adapter: 'express',
        logger,
        globalPrefix,
        imports: [
          EventEmitterModule.forRoot({ wildcard: true }),
          ...(withApiModule ? [ComplyCubeApiModule.forRoot({ apiKey, baseUrl: api.baseUrl, retryDelayMs: 1 })] : []),
          ComplyCubeWebhookModule.forRoot({ secret: 'whsec_endpoint', subscription, path }),
        ],
        providers: [KycHandlers],
      });
      apps.push(app);
      return app;
    } catch (error) {
      thrown.push(error as Error);
      throw error;
    }
  }

  const warnings = (): string[] => logger.lines.filter((line) => line.level === 'warn').map((line) => line.message);
  const errors = (): string[] => logger.lines.filter((line) => line.level === 'error').map((line) => line.message);
  const updates = (): unknown[] => api.requests.filter((request) => request.method === 'POST').map((request) => request.body);

  describe("mode 'warn'", () => {
    it('logs that all is well when an enabled webhook sends exactly what the handlers take', async () => {
      const webhook = api.addWebhook({ url: ENDPOINT, events: HANDLED });
      await boot({ publicUrl: PUBLIC_URL, mode: 'warn' });
      expect(warnings()).toEqual([]);
      expect(logger.text()).toContain(`ComplyCube webhook ${webhook.id} is enabled and sends ${ENDPOINT} what its handlers take.`);
    });

    it('warns, and starts, when no webhook points at the endpoint', async () => {
      api.addWebhook({ url: 'https://app.example.com/other', events: HANDLED });
      const app = await boot({ publicUrl: PUBLIC_URL });
      expect(warnings()).toEqual([expect.stringContaining(`No ComplyCube webhook points at ${ENDPOINT}`)]);
      // The endpoint is up: an unsigned event is refused.
      expect((await postWebhook(app.url(), makeEvent('client.created'))).status).toBe(401);
    });

    it('warns about a disabled webhook and leaves it as it is', async () => {
      const webhook = api.addWebhook({ url: ENDPOINT, events: HANDLED, enabled: false });
      await boot({ publicUrl: PUBLIC_URL });
      expect(warnings()).toEqual([expect.stringContaining(`ComplyCube webhook ${webhook.id} for ${ENDPOINT} is disabled`)]);
      expect(updates()).toEqual([]);
      expect(api.webhooks.get(webhook.id)?.enabled).toBe(false);
    });

    it('warns about types handled but not sent, and types sent but not handled', async () => {
      api.addWebhook({ url: ENDPOINT, events: ['check.completed.clear', 'client.created', 'document.created'] });
      await boot({ publicUrl: PUBLIC_URL });
      expect(warnings()).toEqual([
        expect.stringContaining('does not send: check.completed.attention, check.completed.rejected, check.completed.match_confirmed.'),
        expect.stringContaining('no handler takes (acknowledged and dropped): document.created.'),
      ]);
    });

    it("looks for the URL ComplyCube posts to: public URL + global prefix + the module's path", async () => {
      api.addWebhook({ url: 'https://app.example.com/base/api/hooks/kyc', events: HANDLED });
      await boot({ publicUrl: 'https://app.example.com/base/' }, { globalPrefix: '/api/', path: '/hooks/kyc/' });
      expect(warnings()).toEqual([]);
      expect(logger.text()).toContain('sends https://app.example.com/base/api/hooks/kyc what its handlers take');
    });

    it('walks every page of webhooks to find the endpoint', async () => {
      for (let index = 0; index < 120; index++) api.addWebhook({ url: `https://tenant${index}.example.com/hook` });
      api.addWebhook({ url: ENDPOINT, events: HANDLED });
      await boot({ publicUrl: PUBLIC_URL });
      expect(warnings()).toEqual([]);
      expect(api.requests.map((request) => request.query.get('page'))).toEqual(['1', '2']);
    });

    it('checks each endpoint of an app against its own webhook', async () => {
      api.addWebhook({ url: 'https://app.example.com/hooks/eu', events: HANDLED });
      const us = api.addWebhook({ url: 'https://app.example.com/hooks/us', events: HANDLED, enabled: false });
      const app = await startTestApp({
        adapter: 'express',
        logger,
        imports: [
          EventEmitterModule.forRoot({ wildcard: true }),
          ComplyCubeApiModule.forRoot({ apiKey: api.apiKey, baseUrl: api.baseUrl }),
          ComplyCubeWebhookModule.forRoot({ secret: 'whsec_eu', path: 'hooks/eu', subscription: { publicUrl: PUBLIC_URL } }),
          ComplyCubeWebhookModule.forRoot({ secret: 'whsec_us', path: 'hooks/us', subscription: { publicUrl: PUBLIC_URL } }),
        ],
        providers: [KycHandlers],
      });
      apps.push(app);
      expect(warnings()).toEqual([expect.stringContaining(`ComplyCube webhook ${us.id} for https://app.example.com/hooks/us is disabled`)]);
      expect(logger.text()).toContain('sends https://app.example.com/hooks/eu what its handlers take');
    });

    it('is resolved by forRootAsync like the other options', async () => {
      api.addWebhook({ url: ENDPOINT, events: HANDLED, enabled: false });
      const app = await startTestApp({
        adapter: 'express',
        logger,
        imports: [
          EventEmitterModule.forRoot({ wildcard: true }),
          ComplyCubeApiModule.forRootAsync({ useFactory: () => ({ apiKey: api.apiKey, baseUrl: api.baseUrl }) }),
          ComplyCubeWebhookModule.forRootAsync({
            useFactory: async () => ({ secret: 'whsec_endpoint', subscription: { publicUrl: PUBLIC_URL, mode: 'sync' as const } }),
          }),
        ],
        providers: [KycHandlers],
      });
      apps.push(app);
      expect(updates()).toEqual([{ events: HANDLED, enabled: true }]);
    });
  });

  describe("mode 'error'", () => {
    it('starts when the webhook is right', async () => {
      api.addWebhook({ url: ENDPOINT, events: HANDLED });
      await expect(boot({ publicUrl: PUBLIC_URL, mode: 'error' })).resolves.toBeDefined();
    });

    it.each([
      ['missing', () => api.addWebhook({ url: 'https://elsewhere.example.com/hook' }), `No ComplyCube webhook points at ${ENDPOINT}`],
      ['disabled', () => api.addWebhook({ url: ENDPOINT, events: HANDLED, enabled: false }), 'is disabled'],
      [
        'not sending a handled type',
        () => api.addWebhook({ url: ENDPOINT, events: ['client.created'] }),
        'does not send: check.completed.clear',
      ],
    ])('refuses to start when the webhook is %s', async (_case, arrange, expected) => {
      arrange();
      const failure = boot({ publicUrl: PUBLIC_URL, mode: 'error' });
      await expect(failure).rejects.toThrow(ComplyCubeWebhookConfigurationError);
      await expect(failure).rejects.toThrow(expected);
      expect(errors()).toEqual([expect.stringContaining(expected)]);
    });

    it('starts, with a warning, when the webhook only sends more than the handlers take', async () => {
      api.addWebhook({ url: ENDPOINT, events: ['*'] });
      await boot({ publicUrl: PUBLIC_URL, mode: 'error' });
      expect(warnings()).toEqual([expect.stringContaining('no handler takes')]);
    });

    it('refuses to start when ComplyCube refuses the API key', async () => {
      const failure = boot({ publicUrl: PUBLIC_URL, mode: 'error' }, { apiKey: 'live_wrong_key_0123456789' });
      await expect(failure).rejects.toThrow(/ComplyCube refused the API key: .*answered 401/);
      await expect(failure).rejects.not.toThrow('live_wrong_key_0123456789');
    });

    it('starts, logging an error, when ComplyCube is failing: an outage must not stop deployments', async () => {
      api.script({ status: 503, body: { type: 'server_error', message: 'maintenance' } }, { times: 10 });
      await boot({ publicUrl: PUBLIC_URL, mode: 'error' });
      expect(errors()).toEqual([expect.stringMatching(/Could not check the ComplyCube webhook for .*answered 503.*Starting anyway/)]);
    });
  });

  describe("mode 'sync'", () => {
    it('enables the webhook and sets its events to what the handlers take', async () => {
      const webhook = api.addWebhook({ url: ENDPOINT, events: ['*'], enabled: false });
      await boot({ publicUrl: PUBLIC_URL, mode: 'sync' });
      expect(updates()).toEqual([{ events: HANDLED, enabled: true }]);
      expect(api.webhooks.get(webhook.id)).toMatchObject({ enabled: true, events: HANDLED });
      expect(logger.text()).toContain(`Synced ComplyCube webhook ${webhook.id}: enabled, events ${HANDLED.join(', ')}.`);
      expect(warnings()).toEqual([]);
    });

    it('never creates a webhook: its secret would be shown to nobody', async () => {
      await boot({ publicUrl: PUBLIC_URL, mode: 'sync' });
      expect(updates()).toEqual([]);
      expect(api.webhooks.size).toBe(0);
      expect(warnings()).toEqual([expect.stringContaining('webhooks create --url')]);
    });

    it('changes nothing when the webhook is already right', async () => {
      api.addWebhook({ url: ENDPOINT, events: HANDLED });
      await boot({ publicUrl: PUBLIC_URL, mode: 'sync' });
      expect(updates()).toEqual([]);
    });

    it('does not guess which of several webhooks on the endpoint to change', async () => {
      api.addWebhook({ url: ENDPOINT, events: ['client.created'] });
      api.addWebhook({ url: ENDPOINT, events: ['client.created'] });
      await boot({ publicUrl: PUBLIC_URL, mode: 'sync' });
      expect(updates()).toEqual([]);
      expect(warnings()).toEqual(expect.arrayContaining([expect.stringContaining('Not syncing: 2 ComplyCube webhooks')]));
    });

    it('starts, logging an error, when the update fails', async () => {
      api.addWebhook({ url: ENDPOINT, events: ['client.created'] });
      api.script({ status: 500 }, { method: 'POST', times: 10 });
      await boot({ publicUrl: PUBLIC_URL, mode: 'sync' });
      expect(errors()).toEqual([expect.stringContaining('Could not sync ComplyCube webhook')]);
      expect(warnings()).toEqual([expect.stringContaining('does not send')]);
    });
  });

  describe('bounded in time and safe', () => {
    it.each(['warn', 'error', 'sync'] as const)(
      "in mode '%s', starts once timeoutMs has passed when ComplyCube does not answer",
      async (mode) => {
        // The fake answers after a minute, twice the test's own timeout: waiting for it would fail the test.
        api.script({ delayMs: 60_000 }, { times: 10 });
        await boot({ publicUrl: PUBLIC_URL, mode, timeoutMs: 300 });
        expect(errors()).toEqual([expect.stringContaining('no answer within 300 ms. Starting anyway')]);
      },
    );

    it('never logs a webhook secret, even when the API returns secrets in lists', async () => {
      api.leakSecrets = true;
      api.addWebhook({ url: ENDPOINT, events: ['client.created'], enabled: false });
      api.addWebhook({ url: 'https://b.example.com/hook' });
      await boot({ publicUrl: PUBLIC_URL, mode: 'sync' });
      expect(logger.lines.length).toBeGreaterThan(0);
    });

    it('does nothing, and needs no API module, without the subscription option', async () => {
      const app = await startTestApp({
        adapter: 'express',
        logger,
        imports: [EventEmitterModule.forRoot({ wildcard: true }), ComplyCubeWebhookModule.forRoot({ secret: 'whsec_endpoint' })],
        providers: [KycHandlers],
      });
      apps.push(app);
      expect(api.requests).toEqual([]);
    });

    it('tells how to fix a subscription check without ComplyCubeApiModule', async () => {
      await expect(boot({ publicUrl: PUBLIC_URL }, { withApiModule: false })).rejects.toThrow(/add ComplyCubeApiModule.forRoot/);
    });

    it.each([
      [{ publicUrl: 'http://app.example.com' }, /publicUrl must be HTTPS/],
      [{ publicUrl: 'app.example.com' }, /publicUrl must be an absolute URL/],
      [{ publicUrl: 'https://user:pw@app.example.com' }, /without credentials/],
      [{ publicUrl: PUBLIC_URL, mode: 'strict' as any }, /mode must be one of warn, error, sync/],
      [{ publicUrl: PUBLIC_URL, timeoutMs: 0 }, /timeoutMs must be a positive integer/],
    ])('refuses to start with subscription %j', async (subscription, expected) => {
      await expect(boot(subscription)).rejects.toThrow(expected);
      expect(api.requests).toEqual([]);
    });

    it.each([
      ['https://admin:hunter2@bad host', 'hunter2'],
      ['https://admin:hun@ter2@bad host/base', 'hun@ter2'],
      ['https://admin:hun:ter2@app.example.com:99999', 'hun:ter2'],
      ['https://admin:hun%40ter2@bad host', 'hun%40ter2'],
      ['https://admin:hun ter2@bad host', 'hun ter2'],
      ['https://admin:hun/ter2@app.example.com', 'hun/ter2'],
    ])('refuses a publicUrl that does not parse (%j) without repeating its password', async (publicUrl, password) => {
      const error = (await boot({ publicUrl }).then(
        () => undefined,
        (caught: unknown) => caught,
      )) as Error;
      expect(error).toBeInstanceOf(ComplyCubeWebhookConfigurationError);
      expect(error.message).toMatch(/publicUrl must be an absolute URL such as https:\/\/api.example.com \(got "https:\/\/\*\*\*@/);
      for (const fragment of [password, 'hun', 'ter2', 'admin'])
        expect(`${error.message} ${error.stack} ${logger.text()}`).not.toContain(fragment);
      expect(api.requests).toEqual([]);
    });
  });
});
