import { EventEmitterModule } from '@nestjs/event-emitter';
import { Test } from '@nestjs/testing';
import { COMPLYCUBE_EVENT_TYPES, ComplyCubeWebhookModule, verifyComplyCubeSignature } from 'nestjs-complycube-webhooks';
import { findComplyCubeEventProblem } from '../../lib/events/event-envelope';
import {
  ComplyCubeEndpointUnreachableError,
  createComplyCubeEvent,
  deliverComplyCubeEvent,
  loadComplyCubeEventFixture,
  sendComplyCubeEvent,
  signComplyCubePayload,
} from 'nestjs-complycube-webhooks/testing';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer as createHttpServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo, createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { ChecksHandlers, HandlerJournal, WildcardHandlers } from '../src/recording-handlers';
import { ADAPTERS, startTestApp, TestApp } from '../utils/app';
import { hmacHex } from '../utils/http';
import * as eventFixtures from '../../lib/testing/event-fixtures';
import { createComplyCubeId } from 'nestjs-complycube-webhooks/testing';

const SECRET = 'whsec_testing_kit_secret';
const HEX_ID = /^[0-9a-f]{24}$/;
const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('nestjs-complycube-webhooks/testing', () => {
  it('imports no test framework: only node built-ins, @nestjs/common, @nestjs/core and the package itself', () => {
    const dir = resolve(__dirname, '..', '..', 'lib', 'testing');
    const imports = readdirSync(dir).flatMap((file) =>
      [...readFileSync(join(dir, file), 'utf8').matchAll(/from '([^']+)'/g)].map((match) => match[1]),
    );
    expect(imports.length).toBeGreaterThan(5);
    for (const specifier of imports) expect(specifier).toMatch(/^(?:\.{1,2}\/|node:|@nestjs\/common$|@nestjs\/core$)/);
  });
});

describe('signComplyCubePayload', () => {
  it('is the HMAC-SHA256 hex of the exact bytes, which the verifier accepts', () => {
    const body = '{"id":"a", "type":"check.completed"}';
    const signature = signComplyCubePayload(body, SECRET);
    expect(signature).toBe(hmacHex(body, SECRET));
    expect(signature).toMatch(/^[0-9a-f]{64}$/);
    expect(signComplyCubePayload(Buffer.from(body), SECRET)).toBe(signature);
    expect(verifyComplyCubeSignature(body, signature, SECRET)).toBe(true);
    expect(verifyComplyCubeSignature(body.replace(', ', ','), signature, SECRET)).toBe(false);
    expect(verifyComplyCubeSignature(body, signature, 'another-secret')).toBe(false);
  });

  it('refuses a blank secret instead of signing with it', () => {
    expect(() => signComplyCubePayload('{}', '')).toThrow('non-empty string');
    expect(() => signComplyCubePayload('{}', '  ')).toThrow(TypeError);
  });
});

describe('createComplyCubeEvent', () => {
  it.each(COMPLYCUBE_EVENT_TYPES)('builds a realistic %s from its fixture', (type) => {
    const before = Date.now();
    const event = createComplyCubeEvent(type);
    const after = Date.now();
    const fixture = loadComplyCubeEventFixture(type);

    expect(findComplyCubeEventProblem(event)).toBeUndefined();
    expect(event.type).toBe(type);
    expect(event.resourceType).toBe(fixture.resourceType);
    expect(event.id).toMatch(HEX_ID);
    expect(event.payload.id).toMatch(HEX_ID);
    expect(event.id).not.toBe(fixture.id);
    expect(event.payload.id).not.toBe(fixture.payload.id);
    expect(event.createdAt).toMatch(ISO_MS);
    expect(Date.parse(event.createdAt!)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(event.createdAt!)).toBeLessThanOrEqual(after);
    // Same fields as the fixture, timestamps moved together.
    expect(Object.keys(event.payload).sort()).toEqual(Object.keys(fixture.payload).sort());
    const payload = event.payload as Record<string, unknown>;
    const fixturePayload = fixture.payload as Record<string, unknown>;
    for (const key of ['createdAt', 'updatedAt'] as const) {
      if (typeof fixturePayload[key] !== 'string') continue;
      expect(payload[key]).toMatch(ISO_MS);
      expect(Date.parse(event.createdAt!) - Date.parse(payload[key] as string)).toBe(
        Date.parse(fixture.createdAt!) - Date.parse(fixturePayload[key]),
      );
    }
  });

  it('gives every event new ids, so that two are never redeliveries of one another', () => {
    const ids = new Set(Array.from({ length: 50 }, () => createComplyCubeEvent('check.completed.clear').id));
    expect(ids.size).toBe(50);
  });

  it('merges overrides deeply: objects merge, values and arrays replace', () => {
    const event = createComplyCubeEvent('client.created', {
      id: 'aaaaaaaaaaaaaaaaaaaaaaaa',
      payload: { email: 'other@example.com', personDetails: { firstName: 'Ada' } },
    });
    expect(event.id).toBe('aaaaaaaaaaaaaaaaaaaaaaaa');
    expect(event.payload.email).toBe('other@example.com');
    expect(event.payload.personDetails).toEqual({
      ...loadComplyCubeEventFixture('client.created').payload.personDetails,
      firstName: 'Ada',
    });
    expect(event.payload.type).toBe('person');

    const images = createComplyCubeEvent('document.updated.image_uploaded', { payload: { images: [] } });
    expect(images.payload.images).toEqual([]);
    expect(createComplyCubeEvent('document.updated.image_uploaded').payload.images).toHaveLength(1);
  });

  it('does not let one event change the next (no shared fixture objects)', () => {
    const first = createComplyCubeEvent('client.created');
    first.payload.personDetails!.firstName = 'Changed';
    expect(createComplyCubeEvent('client.created').payload.personDetails!.firstName).toBe('Jane');
  });

  it('refuses a type it does not know, naming the documented ones', () => {
    expect(() => createComplyCubeEvent('check.complted' as never)).toThrow(
      /Unknown ComplyCube event type "check.complted".*check.completed.clear/,
    );
  });
});

describe('createComplyCubeEvent and the envelope fields ComplyCube may omit', () => {
  afterEach(() => jest.restoreAllMocks());

  it('builds an event from a sample without createdAt: none added, timestamps moved so that the latest is now', () => {
    const sample = loadComplyCubeEventFixture('check.completed.clear');
    delete sample.createdAt;
    delete sample.resourceType;
    jest.spyOn(eventFixtures, 'loadComplyCubeEventFixture').mockReturnValue(sample);

    const before = Date.now();
    const event = createComplyCubeEvent('check.completed.clear');
    const after = Date.now();

    expect(event).not.toHaveProperty('createdAt');
    expect(event).not.toHaveProperty('resourceType');
    expect(findComplyCubeEventProblem(event)).toBeUndefined();
    const updatedAt = Date.parse(event.payload.updatedAt);
    expect(updatedAt).toBeGreaterThanOrEqual(before);
    expect(updatedAt).toBeLessThanOrEqual(after);
    expect(updatedAt - Date.parse(event.payload.createdAt)).toBe(
      Date.parse(sample.payload.updatedAt) - Date.parse(sample.payload.createdAt),
    );
  });
});

describe('createComplyCubeId and the ids of created events', () => {
  /** The creation time a MongoDB ObjectId holds: seconds since 1970 in its first 4 bytes. */
  const idSeconds = (id: string): number => parseInt(id.slice(0, 8), 16);

  it('makes an ObjectId of now by default', () => {
    const before = Math.floor(Date.now() / 1000);
    const id = createComplyCubeId();
    const after = Math.floor(Date.now() / 1000);
    expect(id).toMatch(HEX_ID);
    expect(idSeconds(id)).toBeGreaterThanOrEqual(before);
    expect(idSeconds(id)).toBeLessThanOrEqual(after);
  });

  it('makes an ObjectId of the time given, as a Date, an ISO timestamp or milliseconds', () => {
    // ComplyCube's sample event 5ed170fe99c81a0007b9a3d3 was created at 2020-05-29T20:30:54Z.
    for (const date of [new Date('2020-05-29T20:30:54.964Z'), '2020-05-29T20:30:54.000Z', Date.parse('2020-05-29T20:30:54.999Z')]) {
      expect(createComplyCubeId(date).slice(0, 8)).toBe('5ed170fe');
    }
    expect(createComplyCubeId(new Date(0)).slice(0, 8)).toBe('00000000');
    expect(createComplyCubeId('2106-02-07T06:28:15.999Z').slice(0, 8)).toBe('ffffffff');
  });

  it('never repeats an id, even many in the same second', () => {
    const date = new Date('2025-03-14T09:27:41.305Z');
    const ids = new Set(Array.from({ length: 5000 }, () => createComplyCubeId(date)));
    expect(ids.size).toBe(5000);
  });

  it('refuses what is not a date, or a time an ObjectId cannot hold, saying what to pass', () => {
    expect(() => createComplyCubeId('yesterday')).toThrow(TypeError);
    expect(() => createComplyCubeId('yesterday')).toThrow(/"yesterday" is not a date; pass a Date, an ISO 8601 timestamp/);
    expect(() => createComplyCubeId(new Date(Number.NaN))).toThrow(TypeError);
    expect(() => createComplyCubeId('1969-12-31T23:59:59.000Z')).toThrow(RangeError);
    expect(() => createComplyCubeId('2106-02-07T06:28:16.000Z')).toThrow(/from 1970-01-01 to 2106-02-07/);
  });

  it('gives a created event ids of the times it shows, and renews the ids it names everywhere', () => {
    const event = createComplyCubeEvent('document.updated.image_uploaded');
    const [image] = event.payload.images!;
    expect(idSeconds(event.id)).toBe(Math.floor(Date.parse(event.createdAt!) / 1000));
    expect(idSeconds(image.id)).toBe(Math.floor(Date.parse(image.createdAt) / 1000));
    expect(image.downloadLink).toBe(`/documents/${event.payload.id}/images/front/download`);
    const fixture = loadComplyCubeEventFixture('document.updated.image_uploaded');
    expect(image.id).not.toBe(fixture.payload.images![0].id);
  });

  it('keeps one sample id one new id across the event', () => {
    const session = createComplyCubeEvent('workflow.session.completed');
    const sample = loadComplyCubeEventFixture('workflow.session.completed');
    const sampleIds = JSON.stringify(sample).match(/[0-9a-f]{24}/g)!;
    const createdIds = JSON.stringify(session).match(/[0-9a-f]{24}/g)!;
    expect(createdIds).toHaveLength(sampleIds.length);
    expect(new Set(createdIds).size).toBe(new Set(sampleIds).size);
    expect(createdIds.filter((id) => sampleIds.includes(id))).toEqual([]);
  });

  it('gives an object whose createdAt an override sets, and not its id, an id of that time', () => {
    const createdAt = '2020-05-29T20:30:54.964Z';
    const event = createComplyCubeEvent('check.completed.clear', { createdAt, payload: { createdAt } });
    expect(event.createdAt).toBe(createdAt);
    expect(event.id.slice(0, 8)).toBe('5ed170fe');
    expect(event.payload.id.slice(0, 8)).toBe('5ed170fe');

    const chosen = createComplyCubeEvent('check.completed.clear', { id: 'evt_chosen', createdAt, payload: { createdAt: 'not a date' } });
    expect(chosen.id).toBe('evt_chosen');
    expect(chosen.payload.createdAt).toBe('not a date');
    expect(idSeconds(chosen.payload.id)).toBeGreaterThan(idSeconds('5ed170fe99c81a0007b9a3d3'));
  });
});

describe.each(ADAPTERS)('sendComplyCubeEvent on %s', (adapter) => {
  let server: TestApp;
  let journal: HandlerJournal;

  beforeAll(async () => {
    server = await startTestApp({
      adapter,
      globalPrefix: 'api/v1',
      imports: [EventEmitterModule.forRoot({ wildcard: true }), ComplyCubeWebhookModule.forRoot({ secret: SECRET, path: 'hooks/kyc' })],
      providers: [HandlerJournal, ChecksHandlers],
    });
    journal = server.app.get(HandlerJournal);
  });
  afterAll(() => server.close());
  beforeEach(() => {
    journal.calls.length = 0;
    journal.failing.clear();
  });

  it("posts to the module's path below the global prefix and reaches the handlers", async () => {
    const event = createComplyCubeEvent('check.completed.rejected');
    const response = await sendComplyCubeEvent(server.app, event, { secret: SECRET });
    expect(response).toEqual({ status: 200, body: { received: true }, text: '{"received":true}' });
    expect(journal.calls.filter((call) => call.handler === 'onRejected').map((call) => call.event)).toEqual([event]);
  });

  it('posts to a full URL, and to an explicit path', async () => {
    const viaUrl = createComplyCubeEvent('check.completed.clear');
    const viaPath = createComplyCubeEvent('check.completed.clear');
    expect((await sendComplyCubeEvent(server.url('api/v1/hooks/kyc'), viaUrl, { secret: SECRET })).status).toBe(200);
    expect((await sendComplyCubeEvent(server.app, viaPath, { secret: SECRET, path: '/api/v1/hooks/kyc' })).status).toBe(200);
    expect(
      (await sendComplyCubeEvent(server.app, createComplyCubeEvent('check.completed.clear'), { secret: SECRET, path: 'hooks/kyc' })).status,
    ).toBe(404);
    expect(journal.handlersFor(viaUrl.id)).toEqual(['onClear']);
    expect(journal.handlersFor(viaPath.id)).toEqual(['onClear']);
  });

  it('signs with the given secret: a wrong one gets 401 and runs nothing', async () => {
    const event = createComplyCubeEvent('check.completed.rejected');
    const response = await sendComplyCubeEvent(server.app, event, { secret: 'not-the-secret' });
    expect(response.status).toBe(401);
    expect(journal.handlersFor(event.id)).toEqual([]);
  });

  it('sends a string body byte for byte, signed as sent', async () => {
    const event = createComplyCubeEvent('check.completed.clear');
    const body = `{ "createdAt": "${event.createdAt}",\n  "payload": ${JSON.stringify(event.payload, null, 4)}, "type": "check.completed.clear",
      "resourceType": "check", "id": "${event.id}", "note": "caf\u00e9 \u2713" }`;
    const response = await sendComplyCubeEvent(server.app, body, { secret: SECRET });
    expect(response.status).toBe(200);
    expect(journal.calls.find((call) => call.handler === 'onClear')?.event).toEqual(JSON.parse(body));
  });

  it("takes the caller's headers in any case: the computed signature wins, a Content-Type replaces the default", async () => {
    const event = createComplyCubeEvent('check.completed.clear');
    const response = await sendComplyCubeEvent(server.app, event, {
      secret: SECRET,
      headers: { 'ComplyCube-Signature': 'forged', 'Content-Type': 'application/json; charset=utf-8' },
    });
    expect(response.status).toBe(200);
    expect(journal.handlersFor(event.id)).toEqual(['onClear']);
  });

  it("returns the endpoint's answer when a handler fails", async () => {
    journal.failing.add('onRejected');
    const response = await sendComplyCubeEvent(server.app, createComplyCubeEvent('check.completed.rejected'), { secret: SECRET });
    expect(response.status).toBe(500);
    expect(response.body).toEqual({ statusCode: 500, message: 'Internal Server Error' });
  });
});

describe.each(ADAPTERS)('sendComplyCubeEvent to an app that is initialised but not listening, on %s', (adapter) => {
  it('listens on a loopback port for the request, then stops; the app still closes cleanly', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [EventEmitterModule.forRoot(), ComplyCubeWebhookModule.forRoot({ secret: SECRET })],
      providers: [HandlerJournal, ChecksHandlers],
    }).compile();
    const { FastifyAdapter } = await import('@nestjs/platform-fastify');
    const app =
      adapter === 'fastify'
        ? moduleRef.createNestApplication(new FastifyAdapter(), { rawBody: true, logger: false })
        : moduleRef.createNestApplication({ rawBody: true, logger: false });
    await app.init();
    try {
      const first = createComplyCubeEvent('check.completed.clear');
      const second = createComplyCubeEvent('check.completed.clear');
      expect((await sendComplyCubeEvent(app, first, { secret: SECRET })).status).toBe(200);
      expect((await sendComplyCubeEvent(app, second, { secret: SECRET })).status).toBe(200);
      expect(app.get(HandlerJournal).handlersFor(first.id)).toEqual(['onClear']);
      expect(app.get(HandlerJournal).handlersFor(second.id)).toEqual(['onClear']);
      expect(app.getHttpServer().listening).toBe(false);
    } finally {
      await app.close();
    }
  });
});

describe('sendComplyCubeEvent headers on the wire', () => {
  let wire: Server;
  let url: string;
  const received: Array<{ rawHeaders: string[]; body: Buffer }> = [];

  beforeAll(async () => {
    wire = createHttpServer((request: IncomingMessage, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push({ rawHeaders: request.rawHeaders, body: Buffer.concat(chunks) });
        response.writeHead(200, { 'content-type': 'application/json' }).end('{"received":true}');
      });
    });
    await new Promise<void>((resolve) => wire.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(wire.address() as AddressInfo).port}/hook`;
  });
  afterAll(() => new Promise((resolve) => wire.close(resolve)));
  beforeEach(() => (received.length = 0));

  /** Every value sent under `name`, as header lines on the wire (any case). */
  const sent = (name: string): string[] => {
    const { rawHeaders } = received[0];
    return rawHeaders.flatMap((value, index) => (index % 2 === 0 && value.toLowerCase() === name ? [rawHeaders[index + 1]] : []));
  };

  it('sends one signature, the computed one, whatever the case of a signature header given', async () => {
    for (const name of ['ComplyCube-Signature', 'COMPLYCUBE-SIGNATURE', 'complycube-signature']) {
      received.length = 0;
      await sendComplyCubeEvent(url, createComplyCubeEvent('check.failed'), { secret: SECRET, headers: { [name]: 'forged' } });
      expect(sent('complycube-signature')).toEqual([hmacHex(received[0].body, SECRET)]);
    }
  });

  it("sends one Content-Type: the caller's, in any case, else application/json", async () => {
    await sendComplyCubeEvent(url, createComplyCubeEvent('check.failed'), { secret: SECRET });
    expect(sent('content-type')).toEqual(['application/json']);
    for (const name of ['Content-Type', 'CONTENT-TYPE', 'content-type']) {
      received.length = 0;
      await sendComplyCubeEvent(url, createComplyCubeEvent('check.failed'), {
        secret: SECRET,
        headers: { [name]: 'application/vnd.api+json' },
      });
      expect(sent('content-type')).toEqual(['application/vnd.api+json']);
    }
  });

  it('keeps the other headers, the last of two spellings of one name winning', async () => {
    await sendComplyCubeEvent(url, createComplyCubeEvent('check.failed'), {
      secret: SECRET,
      headers: { 'X-Request-Id': 'first', 'x-request-id': 'second', 'User-Agent': 'kyc-tests' },
    });
    expect(sent('x-request-id')).toEqual(['second']);
    expect(sent('user-agent')).toEqual(['kyc-tests']);
  });
});

describe('sendComplyCubeEvent to an unreachable endpoint', () => {
  it('throws one clear error naming the URL and the cause, never the secret', async () => {
    const port = await closedPort();
    const url = `http://127.0.0.1:${port}/webhooks/complycube`;
    const error = await sendComplyCubeEvent(url, createComplyCubeEvent('check.failed'), { secret: SECRET }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ComplyCubeEndpointUnreachableError);
    expect((error as Error).message).toBe(`cannot reach ${url}: connection refused (is the app running on that port?)`);
    expect(JSON.stringify(error)).not.toContain(SECRET);
  });
});

describe('sendComplyCubeEvent to a URL with a user name or password', () => {
  it.each([
    'http://admin:hunter2@bad host/x',
    'http://admin:hun@ter2@bad host/x',
    'http://admin:hun%3Ater2@127.0.0.1:99999/x',
    'http://admin:hun ter2@bad host/x',
    'http://admin:hun/ter2@127.0.0.1/x',
  ])('refuses %j, which does not parse, without repeating them', async (url) => {
    const error = await sendComplyCubeEvent(url, createComplyCubeEvent('check.failed'), { secret: SECRET }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toMatch(/^the endpoint URL "http:\/\/\*\*\*@.*" is not a valid URL\.$/);
    expect(`${(error as Error).message} ${JSON.stringify(error)} ${(error as Error).stack}`).not.toMatch(/admin|hun|ter2/);
  });

  it('refuses it before any request, without repeating them', async () => {
    const port = await closedPort();
    const error = await sendComplyCubeEvent(`http://admin:hunter2@127.0.0.1:${port}/x`, createComplyCubeEvent('check.failed'), {
      secret: SECRET,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toMatch(/user name or password/);
    expect(`${(error as Error).message} ${JSON.stringify(error)}`).not.toMatch(/admin|hunter2/);
  });
});

describe('deliverComplyCubeEvent (no HTTP)', () => {
  async function compileApp() {
    const moduleRef = await Test.createTestingModule({
      imports: [EventEmitterModule.forRoot({ wildcard: true }), ComplyCubeWebhookModule.forRoot({ secret: SECRET })],
      providers: [HandlerJournal, ChecksHandlers, WildcardHandlers],
    })
      .setLogger({ log() {}, error() {}, warn() {} })
      .compile();
    return { moduleRef, journal: moduleRef.get(HandlerJournal) };
  }

  it('runs the matching handlers of a testing module (initialising it) and returns the receipt', async () => {
    const { moduleRef, journal } = await compileApp();
    const event = createComplyCubeEvent('check.completed.rejected');
    const receipt = await deliverComplyCubeEvent(moduleRef, event);
    expect(receipt).toEqual({ status: 200, body: { received: true } });
    expect(journal.handlersFor(event.id)).toEqual(['*', 'check.**', 'check.completed.*', 'onNeedsReview', 'onRejected']);
    expect(journal.calls[0].event).toEqual(event);
    expect(journal.calls[0].event).not.toBe(event);
    await moduleRef.close();
  });

  it('answers what the endpoint answers over HTTP, for success and for a failing handler', async () => {
    const { moduleRef, journal } = await compileApp();
    const server = await startTestApp({
      adapter: 'express',
      imports: [EventEmitterModule.forRoot({ wildcard: true }), ComplyCubeWebhookModule.forRoot({ secret: SECRET })],
      providers: [HandlerJournal, ChecksHandlers, WildcardHandlers],
    });
    const httpJournal = server.app.get(HandlerJournal);
    try {
      for (const failing of [undefined, 'onRejected']) {
        for (const j of [journal, httpJournal]) {
          j.calls.length = 0;
          j.failing.clear();
          if (failing) j.failing.add(failing);
        }
        const event = createComplyCubeEvent('check.completed.rejected');
        const receipt = await deliverComplyCubeEvent(moduleRef, event);
        const response = await sendComplyCubeEvent(server.app, event, { secret: SECRET });
        expect({ status: receipt.status, body: receipt.body }).toEqual({ status: response.status, body: response.body });
        expect(journal.handlersFor(event.id)).toEqual(httpJournal.handlersFor(event.id));
      }
    } finally {
      await server.close();
      await moduleRef.close();
    }
  });

  it('refuses a body the endpoint would answer 400 to, and an app without the module', async () => {
    const { moduleRef } = await compileApp();
    await expect(deliverComplyCubeEvent(moduleRef, { id: 'x', type: 'check', payload: [] } as never)).rejects.toThrow(
      'not a ComplyCube event: "payload" must be a JSON object',
    );
    await moduleRef.close();
    const bare = await Test.createTestingModule({}).compile();
    await expect(deliverComplyCubeEvent(bare, createComplyCubeEvent('check.failed'))).rejects.toThrow(
      'does not import ComplyCubeWebhookModule',
    );
    await bare.close();
  });
});

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}
