import { Test } from '@nestjs/testing';
import { inspect } from 'node:util';
import { ComplyCubeWebhookConfigurationError } from 'nestjs-complycube-webhooks';
import {
  ComplyCubeApiConnectionError,
  ComplyCubeApiError,
  ComplyCubeApiModule,
  ComplyCubeApiTimeoutError,
  ComplyCubeWebhookRequestError,
  ComplyCubeWebhooksClient,
  DEFAULT_COMPLYCUBE_API_URL,
} from 'nestjs-complycube-webhooks/management';
import { FakeComplyCubeApi } from '../utils/fake-complycube-api';

describe('ComplyCubeWebhooksClient against a fake ComplyCube API', () => {
  let api: FakeComplyCubeApi;
  let client: ComplyCubeWebhooksClient;

  beforeAll(async () => {
    api = await FakeComplyCubeApi.start();
  });
  afterAll(() => api.close());
  beforeEach(() => {
    api.reset();
    client = new ComplyCubeWebhooksClient({ apiKey: api.apiKey, baseUrl: api.baseUrl, retryDelayMs: 1, timeoutMs: 2000 });
  });

  const errorOf = async (promise: Promise<unknown>): Promise<Error> => {
    try {
      await promise;
    } catch (error) {
      return error as Error;
    }
    throw new Error('expected the call to fail');
  };

  describe('calls', () => {
    it('creates a webhook with the raw key as Authorization and returns its secret', async () => {
      const created = await client.create({
        url: 'https://app.example.com/webhooks/complycube',
        events: ['check.completed'],
        description: 'main endpoint',
      });
      expect(created).toEqual(
        expect.objectContaining({
          url: 'https://app.example.com/webhooks/complycube',
          events: ['check.completed'],
          enabled: true,
          description: 'main endpoint',
          secret: api.webhooks.get(created.id)?.secret,
        }),
      );
      expect(api.requests).toHaveLength(1);
      expect(api.requests[0]).toEqual(
        expect.objectContaining({
          method: 'POST',
          path: '/webhooks',
          authorization: api.apiKey,
          contentType: 'application/json',
          body: { url: 'https://app.example.com/webhooks/complycube', events: ['check.completed'], description: 'main endpoint' },
        }),
      );
    });

    it('gets, updates and deletes a webhook by id', async () => {
      const stored = api.addWebhook({ url: 'https://a.example.com/hook', events: ['client.created'], enabled: false });
      expect(await client.get(stored.id)).toEqual(
        expect.objectContaining({ id: stored.id, url: stored.url, enabled: false, events: ['client.created'] }),
      );
      const updated = await client.update(stored.id, { enabled: true, events: ['*'] });
      expect(updated).toEqual(expect.objectContaining({ id: stored.id, enabled: true, events: ['*'] }));
      expect(api.requests.at(-1)).toEqual(
        expect.objectContaining({ method: 'POST', path: `/webhooks/${stored.id}`, body: { enabled: true, events: ['*'] } }),
      );
      await client.delete(stored.id);
      expect(api.webhooks.has(stored.id)).toBe(false);
      expect(api.requests.at(-1)).toEqual(expect.objectContaining({ method: 'DELETE', path: `/webhooks/${stored.id}` }));
    });

    it('lists every webhook, walking all pages', async () => {
      const stored = Array.from({ length: 7 }, (_, index) => api.addWebhook({ url: `https://h${index}.example.com/hook` }));
      const listed = await client.list({ pageSize: 3 });
      expect(listed.map((webhook) => webhook.id)).toEqual(stored.map((webhook) => webhook.id));
      expect(api.requests.map((request) => request.query.get('page'))).toEqual(['1', '2', '3']);
      expect(api.requests.every((request) => request.query.get('pageSize') === '3')).toBe(true);
    });

    it('stops at the last page the API reports, without asking for an empty one', async () => {
      for (let index = 0; index < 6; index++) api.addWebhook({ url: `https://h${index}.example.com/hook` });
      expect(await client.list({ pageSize: 3 })).toHaveLength(6);
      expect(api.requests).toHaveLength(2);
      api.requests.length = 0;
      api.webhooks.clear();
      expect(await client.list()).toEqual([]);
      expect(api.requests).toHaveLength(1);
    });

    it('never hands on a secret from a get or list answer, even when the API sends one', async () => {
      api.leakSecrets = true;
      const stored = api.addWebhook({ url: 'https://a.example.com/hook' });
      const [listed] = await client.list();
      const got = await client.get(stored.id);
      expect(JSON.stringify([listed, got])).not.toContain(stored.secret);
      expect(listed).not.toHaveProperty('secret');
    });
  });

  describe('requests ComplyCube would refuse', () => {
    it.each([
      ['plain HTTP', 'http://app.example.com/hook'],
      ['a relative path', '/webhooks/complycube'],
      ['another scheme', 'ftp://app.example.com/hook'],
      ['not a URL', 'app.example.com/hook'],
    ])('rejects %s as url before calling, on create and update', async (_label, url) => {
      const onCreate = await errorOf(client.create({ url, events: ['*'] }));
      const onUpdate = await errorOf(client.update('5ed1712e99c81a0007b9a3d6', { url }));
      for (const error of [onCreate, onUpdate]) {
        expect(error).toBeInstanceOf(ComplyCubeWebhookRequestError);
        expect(error.message).toMatch(/HTTPS/);
      }
      expect(api.requests).toHaveLength(0);
    });

    it('rejects a create without event types and an empty id before calling', async () => {
      expect(await errorOf(client.create({ url: 'https://a.example.com/hook', events: [] }))).toBeInstanceOf(ComplyCubeWebhookRequestError);
      expect(await errorOf(client.get(''))).toBeInstanceOf(ComplyCubeWebhookRequestError);
      expect(api.requests).toHaveLength(0);
    });
  });

  describe('webhook ids that could reach another path', () => {
    it.each([
      '.',
      '..',
      '../5ed1712e99c81a0007b9a3d6',
      'a/b',
      '/',
      'a?b',
      'a#b',
      'a\\b',
      'a b',
      ' ',
      '\t',
      'a\nb',
      'a\rb',
      'a\u00a0b',
      'a\u0000b',
      'a\u007fb',
      '',
    ])('refuses %j on get, update and delete before any request', async (id) => {
      const webhook = api.addWebhook({ url: 'https://a.example.com/hook', enabled: false });
      const errors = [await errorOf(client.get(id)), await errorOf(client.update(id, { enabled: true })), await errorOf(client.delete(id))];
      for (const error of errors) {
        expect(error).toBeInstanceOf(ComplyCubeWebhookRequestError);
        expect(error.message).toMatch(/^A webhook id (cannot be '.' or '..' nor contain|must be a non-empty string)/);
      }
      expect(api.requests).toEqual([]);
      expect(api.webhooks.get(webhook.id)?.enabled).toBe(false);
    });

    it('still takes ids of other shapes than 24 hex characters, encoded', async () => {
      api.script({ status: 404, body: { type: 'resource_not_found', message: 'Webhook not found.' } });
      await errorOf(client.get('wh_1.2-x~%'));
      expect(api.requests.map((request) => request.path)).toEqual(['/webhooks/wh_1.2-x~%25']);
    });
  });

  describe('errors', () => {
    it('maps a bad key to a ComplyCubeApiError with ComplyCube status, type and message', async () => {
      const badKey = new ComplyCubeWebhooksClient({ apiKey: 'wrong-key', baseUrl: api.baseUrl, retryDelayMs: 1 });
      const error = (await errorOf(badKey.list())) as ComplyCubeApiError;
      expect(error).toBeInstanceOf(ComplyCubeApiError);
      expect(error).toMatchObject({
        status: 401,
        type: 'authentication_error',
        apiMessage: 'Invalid API key.',
        method: 'GET',
        attempts: 1,
      });
      expect(error.message).toContain('answered 401');
    });

    it('maps an unknown webhook to 404 and does not retry it', async () => {
      const error = (await errorOf(client.get('5ed1712e99c81a0007b9a3d6'))) as ComplyCubeApiError;
      expect(error).toMatchObject({ status: 404, type: 'resource_not_found', path: '/webhooks/5ed1712e99c81a0007b9a3d6' });
      expect(api.requests).toHaveLength(1);
    });

    it('keeps a non-JSON error body as the message', async () => {
      api.script({ status: 400, body: 'Bad gateway config', headers: { 'content-type': 'text/plain' } });
      const error = (await errorOf(client.list())) as ComplyCubeApiError;
      expect(error).toMatchObject({ status: 400, type: 'unknown', apiMessage: 'Bad gateway config' });
    });

    it('fails on an answer that is not a page of webhooks', async () => {
      api.script({ status: 200, body: { data: [] } });
      const error = (await errorOf(client.list())) as ComplyCubeApiError;
      expect(error).toMatchObject({ status: 200, type: 'unexpected_response' });
    });
  });

  describe('retries', () => {
    it.each([429, 500, 502, 503])('retries a list after %s and succeeds', async (status) => {
      api.addWebhook({ url: 'https://a.example.com/hook' });
      api.script({ status, body: { type: 'server_error', message: 'try again' } }, { times: 2 });
      expect(await client.list()).toHaveLength(1);
      expect(api.requests).toHaveLength(3);
    });

    it('retries update and delete, which are idempotent', async () => {
      const stored = api.addWebhook({ url: 'https://a.example.com/hook', enabled: false });
      api.script({ status: 503 }, { method: 'POST' });
      await client.update(stored.id, { enabled: true });
      expect(api.webhooks.get(stored.id)?.enabled).toBe(true);
      api.script({ status: 500 }, { method: 'DELETE' });
      await client.delete(stored.id);
      expect(api.webhooks.has(stored.id)).toBe(false);
      expect(api.requests.map((request) => request.method)).toEqual(['POST', 'POST', 'DELETE', 'DELETE']);
    });

    it('treats a 404 answered to a retried delete as done: an earlier attempt went through', async () => {
      api.script({ status: 502 }, { method: 'DELETE' });
      await expect(client.delete('5ed1712e99c81a0007b9a3d6')).resolves.toBeUndefined();
      expect(api.requests).toHaveLength(2);
    });

    it('still reports a 404 to a first delete attempt', async () => {
      const error = (await errorOf(client.delete('5ed1712e99c81a0007b9a3d6'))) as ComplyCubeApiError;
      expect(error).toMatchObject({ status: 404, attempts: 1 });
    });

    it.each([429, 500, 503])('never retries a create after %s (a second webhook would get a second secret)', async (status) => {
      api.script({ status, body: { type: 'server_error', message: 'busy' } });
      const error = (await errorOf(client.create({ url: 'https://a.example.com/hook', events: ['*'] }))) as ComplyCubeApiError;
      expect(error).toMatchObject({ status, attempts: 1 });
      expect(api.requests).toHaveLength(1);
      expect(api.webhooks.size).toBe(0);
    });

    it('gives up after the configured retries and reports the last answer and the attempts', async () => {
      api.script({ status: 500, body: { type: 'server_error', message: 'down' } }, { times: 10 });
      const error = (await errorOf(client.list())) as ComplyCubeApiError;
      expect(error).toMatchObject({ status: 500, apiMessage: 'down', attempts: 3 });
      expect(api.requests).toHaveLength(3);
      const noRetries = new ComplyCubeWebhooksClient({ apiKey: api.apiKey, baseUrl: api.baseUrl, retries: 0 });
      api.requests.length = 0;
      await errorOf(noRetries.list());
      expect(api.requests).toHaveLength(1);
    });

    it('waits as long as Retry-After asks before retrying', async () => {
      api.addWebhook({ url: 'https://a.example.com/hook' });
      api.script({ status: 429, headers: { 'retry-after': '1' } });
      const slowRetry = new ComplyCubeWebhooksClient({ apiKey: api.apiKey, baseUrl: api.baseUrl, retryDelayMs: 1 });
      const aborted = await errorOf(slowRetry.list({ signal: AbortSignal.timeout(300) }));
      // The retry was scheduled a second later, so the 300 ms deadline ends the call first.
      expect(aborted.name).toBe('TimeoutError');
      expect(api.requests).toHaveLength(1);
    });
  });

  describe('time limits and unreachable APIs', () => {
    it('fails with ComplyCubeApiTimeoutError when ComplyCube answers too slowly, without retrying', async () => {
      api.script({ delayMs: 5000 });
      const quick = new ComplyCubeWebhooksClient({ apiKey: api.apiKey, baseUrl: api.baseUrl, timeoutMs: 150, retryDelayMs: 1 });
      const error = (await errorOf(quick.list())) as ComplyCubeApiTimeoutError;
      expect(error).toBeInstanceOf(ComplyCubeApiTimeoutError);
      expect(error).toMatchObject({ timeoutMs: 150, method: 'GET' });
      expect(api.requests).toHaveLength(1);
    });

    it('takes a per-call timeout and a caller abort signal', async () => {
      api.script({ delayMs: 5000 }, { times: 2 });
      expect(await errorOf(client.list({ timeoutMs: 100 }))).toBeInstanceOf(ComplyCubeApiTimeoutError);
      const controller = new AbortController();
      const pending = client.get('5ed1712e99c81a0007b9a3d6', { signal: controller.signal });
      controller.abort(new Error('shutting down'));
      expect((await errorOf(pending)).message).toBe('shutting down');
    });

    it('fails with ComplyCubeApiConnectionError when nothing listens, after retrying', async () => {
      const closed = await FakeComplyCubeApi.start();
      const baseUrl = closed.baseUrl;
      await closed.close();
      const unreachable = new ComplyCubeWebhooksClient({ apiKey: api.apiKey, baseUrl, retryDelayMs: 1 });
      const error = (await errorOf(unreachable.list())) as ComplyCubeApiConnectionError;
      expect(error).toBeInstanceOf(ComplyCubeApiConnectionError);
      expect(error.message).toMatch(/ECONNREFUSED/);
      expect(error.attempts).toBe(3);
    });
  });

  describe('configuration', () => {
    it("defaults to ComplyCube's HTTPS base URL", () => {
      expect(new ComplyCubeWebhooksClient({ apiKey: 'k' }).baseUrl).toBe(DEFAULT_COMPLYCUBE_API_URL);
      expect(DEFAULT_COMPLYCUBE_API_URL).toBe('https://api.complycube.com/v1');
    });

    it.each(['http://api.example.com/v1', 'http://10.0.0.5/v1', 'not a url'])('refuses to send the key to %s', (baseUrl) => {
      expect(() => new ComplyCubeWebhooksClient({ apiKey: 'k', baseUrl })).toThrow(ComplyCubeWebhookConfigurationError);
    });

    it.each([
      ['a host with a space', 'https://admin:hunter2@bad host/v1', 'hunter2'],
      ['an @ in the password', 'https://admin:hun@ter2@bad host/v1', 'hun@ter2'],
      ['a : in the password', 'https://admin:hun:ter2@bad host/v1', 'hun:ter2'],
      ['a percent-encoded password', 'https://admin:hun%40ter2@bad host/v1', 'hun%40ter2'],
      ['a space in the password', 'https://admin:hun ter2@api.complycube.com:99999/v1', 'hun ter2'],
      ['a / in the password', 'https://admin:hun/ter2@api.complycube.com/v1', 'hun/ter2'],
    ])('refuses a base URL that does not parse, with %s, without repeating the password', (_label, baseUrl, password) => {
      let error: Error | undefined;
      try {
        new ComplyCubeWebhooksClient({ apiKey: 'k', baseUrl });
      } catch (caught) {
        error = caught as Error;
      }
      expect(error).toBeInstanceOf(ComplyCubeWebhookConfigurationError);
      expect(error!.message).toMatch(/baseUrl "https:\/\/\*\*\*@.*" is not a URL/);
      for (const fragment of [password, 'hun', 'ter2', 'admin']) expect(`${error!.message} ${inspect(error)}`).not.toContain(fragment);
    });

    it('refuses a webhook url that does not parse without repeating a password in it', async () => {
      for (const url of ['https://admin:hunter2@bad host/hook', 'admin:hunter2@app.example.com/hook']) {
        const error = await errorOf(client.create({ url, events: ['*'] }));
        expect(error).toBeInstanceOf(ComplyCubeWebhookRequestError);
        expect(error.message).toMatch(/absolute HTTPS URL \(got ".*\*\*\*@/);
        expect(`${error.message} ${inspect(error)}`).not.toMatch(/admin|hunter2/);
      }
      expect(api.requests).toEqual([]);
    });

    it('refuses a base URL with a user name or password, without repeating them', () => {
      const construct = () => new ComplyCubeWebhooksClient({ apiKey: 'k', baseUrl: 'https://admin:hunter2@api.complycube.com/v1' });
      expect(construct).toThrow(/baseUrl must not contain a user name or password/);
      expect(construct).not.toThrow(/admin|hunter2/);
    });

    it.each(['', '   ', undefined])('refuses an empty API key (%p)', (apiKey) => {
      expect(() => new ComplyCubeWebhooksClient({ apiKey: apiKey as string })).toThrow(/apiKey/);
    });

    it('is provided by ComplyCubeApiModule.forRootAsync', async () => {
      const moduleRef = await Test.createTestingModule({
        imports: [ComplyCubeApiModule.forRootAsync({ useFactory: async () => ({ apiKey: api.apiKey, baseUrl: api.baseUrl }) })],
      }).compile();
      api.addWebhook({ url: 'https://a.example.com/hook' });
      expect(await moduleRef.get(ComplyCubeWebhooksClient).list()).toHaveLength(1);
      await moduleRef.close();
    });
  });

  describe('the API key stays secret', () => {
    it('is redacted from ComplyCube messages that echo it', async () => {
      api.script({ status: 401, body: { type: 'authentication_error', message: `Key ${api.apiKey} is revoked` } });
      const error = (await errorOf(client.get('5ed1712e99c81a0007b9a3d6'))) as ComplyCubeApiError;
      expect(error.message).toContain('Key [redacted] is revoked');
      expect(inspect(error)).not.toContain(api.apiKey);
    });

    it('does not show in the client when it is logged or serialised', () => {
      expect(inspect(client, { showHidden: true, depth: 5 })).not.toContain(api.apiKey);
      expect(JSON.stringify(client)).not.toContain(api.apiKey);
    });

    it('appears in no error of any kind', async () => {
      api.script({ delayMs: 5000 });
      const errors = [
        await errorOf(client.list({ timeoutMs: 100 })),
        await errorOf(client.get('missing')),
        await errorOf(client.create({ url: 'http://a.example.com', events: ['*'] })),
      ];
      try {
        new ComplyCubeWebhooksClient({ apiKey: api.apiKey, baseUrl: 'http://example.com' });
      } catch (error) {
        errors.push(error as Error);
      }
      expect(errors).toHaveLength(4);
      for (const error of errors) expect(`${inspect(error)} ${error.message}`).not.toContain(api.apiKey);
    });
  });
});
