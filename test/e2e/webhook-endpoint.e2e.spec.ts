import { Logger } from '@nestjs/common';
import { gzipSync } from 'node:zlib';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { ComplyCubeWebhookMetrics, ComplyCubeWebhookModule } from 'nestjs-complycube-webhooks';
import { ChecksHandlers, HandlerJournal, PlainListener } from '../src/recording-handlers';
import { ADAPTERS, RecordingLogger, startTestApp, TestApp } from '../utils/app';
import { makeEvent } from '../utils/events';
import { hmacHex, postWebhook } from '../utils/http';
import { rawExchange } from '../utils/raw-http';

const SECRET = 'whsec_endpoint_contract_secret';

describe.each(ADAPTERS)('POST /webhooks/complycube on %s', (adapter) => {
  let server: TestApp;
  let journal: HandlerJournal;
  let logger: RecordingLogger;

  beforeAll(async () => {
    logger = new RecordingLogger();
    server = await startTestApp({
      adapter,
      logger,
      imports: [EventEmitterModule.forRoot(), ComplyCubeWebhookModule.forRoot({ secret: SECRET })],
      providers: [HandlerJournal, ChecksHandlers, PlainListener],
    });
    journal = server.app.get(HandlerJournal);
  });
  afterAll(() => server.close());
  beforeEach(() => {
    journal.calls.length = 0;
    journal.failing.clear();
    logger.lines.length = 0;
  });

  it('answers 200 {"received":true} and runs each matching handler once, awaited', async () => {
    const event = makeEvent('check.completed.rejected', { outcome: 'rejected', status: 'complete' });
    const response = await postWebhook(server.url(), event, { secret: SECRET });
    expect(response.status).toBe(200);
    expect(response.json).toEqual({ received: true });
    expect(journal.handlersFor(event.id)).toEqual(['onNeedsReview', 'onRejected', 'plain @OnEvent']);
  });

  it('hands a plain @OnEvent listener the event and nothing else', async () => {
    const listener = server.app.get(PlainListener);
    listener.extraArguments.length = 0;
    const event = makeEvent('check.completed.rejected');
    expect((await postWebhook(server.url(), event, { secret: SECRET })).status).toBe(200);
    expect(journal.calls.find((call) => call.handler === 'plain @OnEvent')?.event).toEqual(event);
    expect(listener.extraArguments).toEqual([[]]);
  });

  it('hands the handler the whole event, as sent', async () => {
    const event = makeEvent('check.completed.clear', { outcome: 'clear', status: 'complete' });
    expect((await postWebhook(server.url(), event, { secret: SECRET })).status).toBe(200);
    expect(journal.calls.filter((call) => call.handler === 'onClear').map((call) => call.event)).toEqual([event]);
  });

  it('calls the handler through its instance, so a spy set after start-up sees the call', async () => {
    const spy = jest.spyOn(server.app.get(ChecksHandlers), 'onClear');
    try {
      const event = makeEvent('check.completed.clear');
      expect((await postWebhook(server.url(), event, { secret: SECRET })).status).toBe(200);
      expect(spy).toHaveBeenCalledTimes(1);
      expect(spy).toHaveBeenCalledWith(event);
    } finally {
      spy.mockRestore();
    }
  });

  it('answers 200 when no handler matches, including event types it has never heard of', async () => {
    for (const type of ['client.deleted', 'person.verified.v2']) {
      const event = makeEvent(type);
      const response = await postWebhook(server.url(), event, { secret: SECRET });
      expect(response.status).toBe(200);
      expect(response.json).toEqual({ received: true });
      expect(journal.handlersFor(event.id)).toEqual([]);
    }
  });

  it('answers 500 with a generic body when a handler throws, still runs the others, and logs id, type and handler', async () => {
    journal.failing.add('onRejected');
    const event = makeEvent('check.completed.rejected');
    const response = await postWebhook(server.url(), event, { secret: SECRET });
    expect(response.status).toBe(500);
    expect(response.text).not.toContain('failed on purpose');
    expect(response.json).toEqual({ statusCode: 500, message: 'Internal Server Error' });
    expect(journal.handlersFor(event.id)).toEqual(['onNeedsReview', 'onRejected', 'plain @OnEvent']);
    const errors = logger.lines.filter((line) => line.level === 'error').map((line) => line.message);
    expect(errors).toEqual([
      expect.stringContaining(`ChecksHandlers.onRejected failed for ComplyCube event ${event.id} (check.completed.rejected)`),
    ]);
  });

  it('answers 500 when an async handler rejects', async () => {
    journal.failing.add('onNeedsReview');
    const event = makeEvent('check.completed.attention');
    const response = await postWebhook(server.url(), event, { secret: SECRET });
    expect(response.status).toBe(500);
    expect(journal.handlersFor(event.id)).toEqual(['onNeedsReview']);
  });

  describe('answers 401 and runs nothing when the signature is', () => {
    const event = makeEvent('check.completed.rejected');
    const body = JSON.stringify(event);
    const good = hmacHex(body, SECRET);
    const cases: Array<[string, Record<string, string | null>]> = [
      ['missing', { signature: null }],
      ['empty', { signature: '' }],
      ['whitespace', { signature: '   ' }],
      ['63 hex digits', { signature: good.slice(0, 63) }],
      ['65 hex digits', { signature: `${good}0` }],
      ['valid followed by junk', { signature: `${good}zz` }],
      ['non-hex of the right length', { signature: `${good.slice(0, 62)}zz` }],
      ['made with another secret', { signature: hmacHex(body, `${SECRET}x`) }],
      ['one digit off', { signature: `${good.slice(0, 63)}${good[63] === '0' ? '1' : '0'}` }],
      ['base64 of the right digest', { signature: Buffer.from(good, 'hex').toString('base64') }],
      ['prefixed like other providers', { signature: `sha256=${good}` }],
    ];
    it.each(cases)('%s', async (_name, { signature }) => {
      const response = await postWebhook(server.url(), body, { signature });
      expect(response.status).toBe(401);
      expect(response.text).not.toContain(good);
      expect(journal.calls).toEqual([]);
    });

    it('repeated (two headers)', async () => {
      const response = await fetch(server.url(), {
        method: 'POST',
        headers: [
          ['content-type', 'application/json'],
          ['complycube-signature', good],
          ['complycube-signature', good],
        ],
        body,
      });
      expect(response.status).toBe(401);
      expect(journal.calls).toEqual([]);
    });

    it('valid for a body other than the one sent (re-serialised)', async () => {
      const pretty = JSON.stringify(event, null, 2);
      const response = await postWebhook(server.url(), pretty, { signature: good });
      expect(response.status).toBe(401);
      expect(journal.calls).toEqual([]);
    });
  });

  it('accepts the signature in upper case, with surrounding whitespace, under any header-name case', async () => {
    const event = makeEvent('check.completed.rejected');
    const body = JSON.stringify(event);
    const signature = ` ${hmacHex(body, SECRET).toUpperCase()} `;
    const response = await postWebhook(server.url(), body, { signature: null, headers: { 'ComplyCube-SIGNATURE': signature } });
    expect(response.status).toBe(200);
    expect(journal.handlersFor(event.id)).toContain('onRejected');
  });

  it('verifies the exact bytes received, whatever their formatting', async () => {
    const event = makeEvent('check.completed.rejected');
    const body = Buffer.from(
      `\n{ "id" : "${event.id}",\t"type":"check.completed.rejected", "resourceType": "check", "payload": {"id":"x\\u00e9"} }\n`,
    );
    const response = await postWebhook(server.url(), body, { secret: SECRET });
    expect(response.status).toBe(200);
    expect(journal.handlersFor(event.id)).toContain('onRejected');
  });

  describe('answers 400 and runs nothing for a signed body that is not an event:', () => {
    const cases: Array<[string, string]> = [
      ['an array', '[]'],
      ['a string', '"check.completed"'],
      ['null', 'null'],
      ['no id', JSON.stringify({ type: 'check.pending', payload: {} })],
      ['an empty id', JSON.stringify({ id: '', type: 'check.pending', payload: {} })],
      ['a numeric id', JSON.stringify({ id: 5, type: 'check.pending', payload: {} })],
      ['no type', JSON.stringify({ id: 'a', payload: {} })],
      ['an empty type', JSON.stringify({ id: 'a', type: '', payload: {} })],
      ['a wildcard type', JSON.stringify({ id: 'a', type: 'check.*', payload: {} })],
      ['a type with an empty segment', JSON.stringify({ id: 'a', type: 'check..pending', payload: {} })],
      ['no payload', JSON.stringify({ id: 'a', type: 'check.pending' })],
      ['a null payload', JSON.stringify({ id: 'a', type: 'check.pending', payload: null })],
      ['an array payload', JSON.stringify({ id: 'a', type: 'check.pending', payload: [] })],
      ['invalid JSON', '{"id": "a", "type": '],
    ];
    it.each(cases)('%s', async (_name, body) => {
      const response = await postWebhook(server.url(), body, { secret: SECRET });
      expect(response.status).toBe(400);
      expect(journal.calls).toEqual([]);
    });
  });

  describe('envelope fields ComplyCube may leave out (resourceType, createdAt)', () => {
    it.each(['resourceType', 'createdAt'])('answers 200 and runs the handlers for a signed event without %s', async (field) => {
      const event = makeEvent('check.completed.rejected');
      delete event[field];
      const response = await postWebhook(server.url(), event, { secret: SECRET });
      expect(response.status).toBe(200);
      expect(journal.handlersFor(event.id)).toEqual(['onNeedsReview', 'onRejected', 'plain @OnEvent']);
      expect(journal.calls.find((call) => call.handler === 'onRejected')?.event).toEqual(event);
    });

    const mistyped: Array<[string, string, unknown]> = [
      ['resourceType', '42', 42],
      ['resourceType', 'null', null],
      ['resourceType', 'an array', ['check']],
      ['createdAt', '{}', {}],
      ['createdAt', 'null', null],
      ['createdAt', 'a number', 1590784254964],
    ];
    it.each(mistyped)('answers 400 and runs nothing for a signed event whose %s is %s', async (field, _name, value) => {
      const event = { ...makeEvent('check.completed.rejected'), [field]: value };
      const response = await postWebhook(server.url(), event, { secret: SECRET });
      expect(response.status).toBe(400);
      expect(response.json?.message).toContain(`"${field}" must be a string`);
      expect(journal.calls).toEqual([]);
    });
  });

  it('answers 415 for a body that is not sent as JSON, and runs nothing', async () => {
    const event = makeEvent('check.completed.rejected');
    const body = JSON.stringify(event);
    const response = await postWebhook(server.url(), body, { secret: SECRET, contentType: 'text/plain' });
    expect(response.status).toBe(415);
    expect(journal.calls).toEqual([]);
  });

  it('answers 415 for a correctly signed form-encoded body, and runs nothing', async () => {
    const body = 'id=5ed170fe99c81a0007b9a3d3&type=check.completed.rejected&payload[id]=x';
    const response = await postWebhook(server.url(), body, { secret: SECRET, contentType: 'application/x-www-form-urlencoded' });
    expect(response.status).toBe(415);
    expect(journal.calls).toEqual([]);
  });

  it('answers 415 for a compressed body, whichever bytes were signed, and runs nothing', async () => {
    const body = JSON.stringify(makeEvent('check.completed.rejected'));
    const compressed = gzipSync(body);
    for (const signed of [body, compressed]) {
      const response = await postWebhook(server.url(), compressed, {
        signature: hmacHex(signed, SECRET),
        headers: { 'content-encoding': 'gzip' },
      });
      expect(response.status).toBe(415);
    }
    expect(journal.calls).toEqual([]);
  });

  it.each(['application/json; charset=utf-8', 'application/vnd.complycube+json', 'Application/Problem+JSON; charset=UTF-8'])(
    'accepts a signed event sent as %s',
    async (contentType) => {
      const event = makeEvent('check.completed.rejected');
      const forged = await postWebhook(server.url(), event, { secret: 'forged', contentType });
      expect(forged.status).toBe(401);
      const response = await postWebhook(server.url(), event, { secret: SECRET, contentType });
      expect(response.status).toBe(200);
      expect(journal.handlersFor(event.id)).toEqual(['onNeedsReview', 'onRejected', 'plain @OnEvent']);
    },
  );

  it.each(['application/+json', 'application/jsonx', 'text/json', 'application/json-seq'])('answers 415 for %s', async (contentType) => {
    const response = await postWebhook(server.url(), makeEvent('check.completed.rejected'), { secret: SECRET, contentType });
    expect(response.status).toBe(415);
    expect(journal.calls).toEqual([]);
  });

  it('answers 400 for a signed application/*+json body that is not JSON, and runs nothing', async () => {
    const response = await postWebhook(server.url(), '{"id":', { secret: SECRET, contentType: 'application/vnd.complycube+json' });
    expect(response.status).toBe(400);
    expect(journal.calls).toEqual([]);
  });

  it('verifies a chunked body (no Content-Length) over the bytes received', async () => {
    const event = makeEvent('check.completed.rejected');
    const body = JSON.stringify(event);
    const chunked =
      `${Buffer.byteLength(body.slice(0, 10)).toString(16)}\r\n${body.slice(0, 10)}\r\n` +
      `${Buffer.byteLength(body.slice(10)).toString(16)}\r\n${body.slice(10)}\r\n0\r\n\r\n`;
    const head = (signature: string): string[] => [
      'POST /webhooks/complycube HTTP/1.1',
      'Content-Type: application/json',
      'Transfer-Encoding: chunked',
      `ComplyCube-Signature: ${signature}`,
    ];
    expect((await rawExchange(server.url(), head(hmacHex(body, 'forged')), chunked)).status).toBe(401);
    const response = await rawExchange(server.url(), head(hmacHex(body, SECRET)), chunked);
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ received: true });
    expect(journal.handlersFor(event.id)).toEqual(['onNeedsReview', 'onRejected', 'plain @OnEvent']);
  });

  it('refuses a POST without a body (no Content-Length, no Transfer-Encoding) as a bad request, not a misconfiguration', async () => {
    const metrics = server.app.get(ComplyCubeWebhookMetrics);
    const before = metrics.snapshot().rejected.rawBodyMissing;
    const head = ['POST /webhooks/complycube HTTP/1.1', 'Content-Type: application/json'];
    const unsigned = await rawExchange(server.url(), head);
    const signedEmpty = await rawExchange(server.url(), [...head, `ComplyCube-Signature: ${hmacHex('', SECRET)}`]);
    // Express reaches the guard with no body: 401 unsigned, and a signed empty body is no event (400).
    // Fastify's JSON parser refuses an empty body with 400 before any guard.
    expect([unsigned.status, signedEmpty.status]).toEqual(adapter === 'express' ? [401, 400] : [400, 400]);
    expect(metrics.snapshot().rejected.rawBodyMissing).toBe(before);
    expect(logger.lines.filter((line) => line.level === 'error')).toEqual([]);
    expect(journal.calls).toEqual([]);
  });

  it('answers 413 for a body over the parser limit, and runs nothing', async () => {
    const event = makeEvent('check.completed.rejected', { padding: 'x'.repeat(2 * 1024 * 1024) });
    const response = await postWebhook(server.url(), event, { secret: SECRET });
    expect(response.status).toBe(413);
    expect(journal.calls).toEqual([]);
  });

  it('never logs or returns the secret or a signature', async () => {
    const event = makeEvent('check.completed.rejected');
    const body = JSON.stringify(event);
    const signature = hmacHex(body, SECRET);
    journal.failing.add('onRejected');
    const responses = [
      await postWebhook(server.url(), body, { signature }),
      await postWebhook(server.url(), body, { signature: hmacHex(body, 'wrong') }),
      await postWebhook(server.url(), body, { signature: `${signature}zz` }),
    ];
    const everything = [logger.text(), ...responses.map((response) => response.text)].join('\n');
    expect(responses.map((response) => response.status)).toEqual([500, 401, 401]);
    expect(everything).not.toContain(SECRET);
    expect(everything).not.toContain(signature);
    expect(everything).not.toContain(hmacHex(body, 'wrong'));
  });
});

describe.each(ADAPTERS)('the secrets given at start-up on %s', (adapter) => {
  it("are copied: a secret added to the caller's array later is never accepted", async () => {
    const secrets = [SECRET];
    const server = await startTestApp({
      adapter,
      imports: [EventEmitterModule.forRoot(), ComplyCubeWebhookModule.forRoot({ secret: secrets })],
      providers: [HandlerJournal, ChecksHandlers],
    });
    try {
      secrets.push('', 'added-later');
      const event = makeEvent('check.completed.rejected');
      expect((await postWebhook(server.url(), event, { signature: hmacHex(JSON.stringify(event), '') })).status).toBe(401);
      expect((await postWebhook(server.url(), event, { secret: 'added-later' })).status).toBe(401);
      expect((await postWebhook(server.url(), event, { secret: SECRET })).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});

describe.each(ADAPTERS)('a raised body limit on %s', (adapter) => {
  it('accepts and verifies a signed body larger than the default limit, and still answers 413 above the new one', async () => {
    const server = await startTestApp({
      adapter,
      bodyLimit: 3 * 1024 * 1024,
      imports: [EventEmitterModule.forRoot(), ComplyCubeWebhookModule.forRoot({ secret: SECRET })],
      providers: [HandlerJournal, ChecksHandlers],
    });
    try {
      const big = makeEvent('check.completed.rejected', { notes: 'x'.repeat(2 * 1024 * 1024) });
      expect((await postWebhook(server.url(), big, { secret: SECRET })).status).toBe(200);
      expect((await postWebhook(server.url(), big, { secret: 'forged' })).status).toBe(401);
      const huge = makeEvent('check.completed.rejected', { notes: 'x'.repeat(4 * 1024 * 1024) });
      expect((await postWebhook(server.url(), huge, { secret: SECRET })).status).toBe(413);
      expect(server.app.get(HandlerJournal).handlersFor(big.id)).toEqual(['onNeedsReview', 'onRejected']);
    } finally {
      await server.close();
    }
  });
});

describe.each(ADAPTERS)('an app created without rawBody on %s', (adapter) => {
  it('answers 500 and logs one line saying how to fix it', async () => {
    const logger = new RecordingLogger();
    const server = await startTestApp({
      adapter,
      rawBody: false,
      logger,
      imports: [EventEmitterModule.forRoot(), ComplyCubeWebhookModule.forRoot({ secret: SECRET })],
      providers: [HandlerJournal, ChecksHandlers],
    });
    try {
      const event = makeEvent('check.completed.rejected');
      const response = await postWebhook(server.url(), event, { secret: SECRET });
      expect(response.status).toBe(500);
      expect((await postWebhook(server.url(), event, { secret: SECRET })).status).toBe(500);
      expect(server.app.get(HandlerJournal).calls).toEqual([]);
      // Logged once, however many requests it refuses; every one is counted.
      const errors = logger.lines.filter((line) => line.level === 'error');
      expect(errors).toHaveLength(1);
      expect(errors[0].message).toContain('rawBody: true');
      expect(server.app.get(ComplyCubeWebhookMetrics).snapshot().rejected.rawBodyMissing).toBe(2);
    } finally {
      await server.close();
    }
  });
});

afterAll(() => Logger.flush());
