import { Logger } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import fc from 'fast-check';
import { Agent } from 'node:http';
import { COMPLYCUBE_EVENT_TYPES, ComplyCubeWebhookModule } from 'nestjs-complycube-webhooks';
import { findComplyCubeEventProblem } from '../../lib/events/event-envelope';
import { HandlerJournal, WildcardHandlers } from '../src/recording-handlers';
import { ADAPTERS, startTestApp, TestApp } from '../utils/app';
import { makeEvent } from '../utils/events';
import { hmacHex } from '../utils/http';
import { rawExchange, rawPost, RawResponse } from '../utils/raw-http';

/**
 * Hostile input against the real endpoint on both adapters. The runs below add up to more than
 * 10 000 generated requests per `npm test`, each followed by a check that the server still answers;
 * each property checks that it sent its own share.
 */
const FORGED_RUNS = 3500;
const SIGNED_RUNS = 1600;
if (ADAPTERS.length * (FORGED_RUNS + SIGNED_RUNS) < 10_000) {
  throw new Error('The hostile-input properties must send at least 10 000 generated requests per run.');
}
const SECRET = 'whsec_hostile_input_secret';

type Header = readonly [string, string];
interface HostileRequest {
  body: Buffer;
  headers: Header[];
  /**
   * Malformed framing and oversized headers are refused by Node's HTTP parser before the app sees
   * them; on a reused keep-alive socket Fastify then closes it without an answer, so these requests
   * go on a connection of their own, as a new client's would.
   */
  ownConnection?: boolean;
  /**
   * How the body is framed: by Content-Length (the default), in chunks (Transfer-Encoding:
   * chunked), or not at all (no body: neither header).
   */
  framing?: 'length' | 'chunked' | 'none';
}

type Framing = NonNullable<HostileRequest['framing']>;
const framings: fc.Arbitrary<Framing> = fc.oneof(
  { weight: 10, arbitrary: fc.constant<Framing>('length') },
  { weight: 1, arbitrary: fc.constant<Framing>('chunked') },
  { weight: 1, arbitrary: fc.constant<Framing>('none') },
);

const printable = (maxLength: number, minLength = 0): fc.Arbitrary<string> => fc.string({ unit: 'grapheme-ascii', minLength, maxLength });
const hexDigit = fc.constantFrom(...'0123456789abcdefABCDEF');
const hex64 = fc.string({ unit: hexDigit, minLength: 64, maxLength: 64 });

const eventIds = fc.oneof(
  fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 24, maxLength: 24 }),
  printable(30),
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'),
  fc.integer(),
  fc.constant(null),
);
const eventTypes = fc.oneof(
  fc.constantFrom(...COMPLYCUBE_EVENT_TYPES),
  fc.constantFrom('person.verified', 'check.*', 'check..pending', '**', '__proto__.polluted', 'constructor.prototype'),
  printable(40),
);
const jsonPayloads = fc.oneof(fc.dictionary(printable(12), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 6 }), fc.jsonValue({ maxDepth: 2 }));

/** Event-shaped objects with any field missing, mistyped or hostile. */
const eventLike = fc.record(
  {
    id: eventIds,
    type: eventTypes,
    resourceType: fc.oneof({ weight: 4, arbitrary: printable(12) }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }) }),
    payload: jsonPayloads,
    createdAt: fc.oneof({ weight: 4, arbitrary: printable(30) }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }) }),
  },
  { requiredKeys: [] },
);

const POLLUTING_KEYS = ['__proto__', 'constructor', 'prototype'];
/** JSON text with `__proto__` / `constructor.prototype` keys, which JSON.stringify cannot produce from literals. */
const prototypeKeyed = fc
  .tuple(eventLike, fc.constantFrom(...POLLUTING_KEYS), fc.constantFrom('top', 'payload', 'constructor'))
  .map(([event, key, where]) => {
    const poison = where === 'constructor' ? `{"prototype":{"polluted":"yes"}}` : `{"polluted":"yes"}`;
    const text = JSON.stringify(event);
    if (where === 'payload' && text.includes('"payload":{')) return text.replace('"payload":{', `"payload":{"${key}":${poison},`);
    return text.replace(/^\{/, `{"${where === 'constructor' ? 'constructor' : key}":${poison}${text === '{}' ? '' : ','}`);
  });

const deeplyNested = fc.tuple(fc.integer({ min: 1, max: 20_000 }), fc.constantFrom('array', 'object', 'payload')).map(([depth, shape]) => {
  if (shape === 'array') return `${'['.repeat(depth)}${']'.repeat(depth)}`;
  const nested = `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
  if (shape === 'object') return nested;
  return `{"id":"${'a'.repeat(24)}","type":"check.pending","resourceType":"check","payload":${nested}}`;
});

/** Real events with hostile extras: the bodies that get past parsing and the event check. */
const genuineEvents = fc
  .tuple(
    fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 24, maxLength: 24 }),
    fc.constantFrom(...COMPLYCUBE_EVENT_TYPES),
    fc.dictionary(printable(12), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 6 }),
    fc.dictionary(printable(12), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
  )
  .map(([id, type, payload, extra]) =>
    JSON.stringify({ ...extra, id, type, resourceType: type.split('.')[0], payload, createdAt: new Date(0).toISOString() }),
  );

const bodies: fc.Arbitrary<Buffer> = fc.oneof(
  { weight: 3, arbitrary: genuineEvents.map((text) => Buffer.from(text)) },
  { weight: 3, arbitrary: eventLike.map((event) => Buffer.from(JSON.stringify(event))) },
  { weight: 2, arbitrary: prototypeKeyed.map((text) => Buffer.from(text)) },
  { weight: 1, arbitrary: fc.json({ maxDepth: 4 }).map((text) => Buffer.from(text)) },
  { weight: 1, arbitrary: deeplyNested.map((text) => Buffer.from(text)) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 2048 }).map((bytes) => Buffer.from(bytes)) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 400 }).map((text) => Buffer.from(text)) },
  {
    weight: 2,
    arbitrary: fc.tuple(genuineEvents, fc.nat(), fc.string({ unit: 'binary', minLength: 1, maxLength: 20 })).chain(([text, cut, tail]) => {
      const bytes = Buffer.from(text);
      return fc.constantFrom(bytes.subarray(0, cut % (bytes.length + 1)), Buffer.concat([bytes, Buffer.from(tail)]));
    }),
  },
);

const contentTypes: fc.Arbitrary<Header[]> = fc.oneof(
  { weight: 12, arbitrary: fc.constant<Header[]>([['content-type', 'application/json']]) },
  {
    weight: 3,
    arbitrary: fc
      .constantFrom(
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/json; charset=utf-8',
        'application/json; charset=latin1',
        'APPLICATION/JSON',
        'application/jsonx',
        'application/xml',
        'application/octet-stream',
        '*/*',
      )
      .map((value): Header[] => [['content-type', value]]),
  },
  { weight: 1, arbitrary: fc.constant<Header[]>([]) },
  { weight: 1, arbitrary: printable(80).map((value): Header[] => [['content-type', value]]) },
  {
    weight: 1,
    arbitrary: fc.constant<Header[]>([
      ['content-type', 'text/plain'],
      ['content-type', 'application/json'],
    ]),
  },
);

/** Header abuse beside the signature: huge values, many headers, smuggling-shaped framing. */
const extraHeaders: fc.Arbitrary<Header[]> = fc.oneof(
  { weight: 8, arbitrary: fc.constant<Header[]>([]) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 40_000 }).map((size): Header[] => [['x-padding', 'p'.repeat(size)]]) },
  {
    weight: 1,
    arbitrary: fc.array(
      fc.tuple(fc.stringMatching(/^x-[a-z0-9-]{1,20}$/), printable(200)).map(([name, value]): Header => [name, value]),
      { maxLength: 120 },
    ),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom<Header[]>(
      [['content-length', '0']],
      [['transfer-encoding', 'chunked']],
      [['content-encoding', 'gzip']],
      [['content-encoding', 'br']],
      [['expect', '100-continue']],
    ),
  },
);

/** Every way a ComplyCube-Signature can be wrong (or absent) for `body`. */
function forgedSignatures(body: Buffer): fc.Arbitrary<Header[]> {
  const valid = hmacHex(body, SECRET);
  const one = (value: string): Header[] => [['complycube-signature', value]];
  return fc.oneof(
    fc.constant<Header[]>([]),
    fc.constantFrom('', ' ', valid.slice(0, 63), `${valid}0`, `${valid}zz`, `sha256=${valid}`, `t=1,v1=${valid}`).map(one),
    hex64.map(one),
    printable(200).map(one),
    printable(40, 1).map((secret) => one(hmacHex(body, secret))),
    fc.tuple(fc.nat({ max: 63 }), hexDigit).map(([index, digit]) => one(`${valid.slice(0, index)}${digit}${valid.slice(index + 1)}`)),
    fc
      .string({ unit: 'binary', minLength: 1, maxLength: 16 })
      .map((extra) => one(hmacHex(Buffer.concat([body, Buffer.from(extra)]), SECRET))),
    fc.nat().map((cut) => one(hmacHex(body.subarray(0, body.length === 0 ? 0 : cut % body.length), SECRET))),
    fc.constant<Header[]>([
      ['complycube-signature', valid],
      ['complycube-signature', valid],
    ]),
    hex64.map((other): Header[] => [
      ['complycube-signature', other],
      ['ComplyCube-Signature', valid],
    ]),
  );
}

/** The independent oracle: exactly one signature line, equal to the HMAC of the bytes sent. */
function isValidlySigned({ body, headers }: HostileRequest): boolean {
  const signatures = headers.filter(([name]) => name.toLowerCase() === 'complycube-signature');
  return signatures.length === 1 && signatures[0][1].trim().toLowerCase() === hmacHex(body, SECRET);
}

/** A request without a body has none to sign: the signatures are made over the empty body. */
const framedBodies: fc.Arbitrary<{ body: Buffer; framing: Framing }> = fc
  .tuple(bodies, framings)
  .map(([body, framing]) => ({ body: framing === 'none' ? Buffer.alloc(0) : body, framing }));

const forgedRequests: fc.Arbitrary<HostileRequest> = framedBodies.chain(({ body, framing }) =>
  fc
    .tuple(forgedSignatures(body), contentTypes, framing === 'length' ? extraHeaders : fc.constant<Header[]>([]))
    .map(([signature, contentType, extra]) => ({
      body,
      framing,
      headers: [...contentType, ...extra, ...signature],
      ownConnection: extra.length > 0,
    })),
);

const signedRequests: fc.Arbitrary<HostileRequest> = framedBodies.map(({ body, framing }) => ({
  body,
  framing,
  headers: [
    ['content-type', 'application/json'],
    ['complycube-signature', hmacHex(body, SECRET)],
  ],
}));

describe.each(ADAPTERS)('hostile input against POST /webhooks/complycube on %s', (adapter) => {
  let server: TestApp;
  let journal: HandlerJournal;
  let agent: Agent;
  let singleUse: Agent;
  let casesSent = 0;

  beforeAll(async () => {
    server = await startTestApp({
      adapter,
      imports: [EventEmitterModule.forRoot({ wildcard: true }), ComplyCubeWebhookModule.forRoot({ secret: SECRET })],
      providers: [HandlerJournal, WildcardHandlers],
    });
    journal = server.app.get(HandlerJournal);
    agent = new Agent({ keepAlive: true, maxSockets: 1 });
    singleUse = new Agent({ keepAlive: false });
  });
  afterAll(async () => {
    agent.destroy();
    singleUse.destroy();
    await server.close();
  });

  /** Sends one generated request; a dropped connection or a 5xx fails the property. */
  async function send(request: HostileRequest): Promise<RawResponse> {
    casesSent += 1;
    const framing = request.framing ?? 'length';
    if (framing === 'length') return rawPost(server.url(), request.body, request.headers, request.ownConnection ? singleUse : agent);
    // Node's client always frames a POST body, so these go byte for byte over a socket of their own.
    const head = ['POST /webhooks/complycube HTTP/1.1', ...request.headers.map(([name, value]) => `${name}: ${value}`)];
    if (framing === 'none') return rawExchange(server.url(), head);
    const half = Math.floor(request.body.length / 2);
    const chunks = [request.body.subarray(0, half), request.body.subarray(half)].filter((chunk) => chunk.length > 0);
    const chunked = Buffer.concat([
      ...chunks.flatMap((chunk) => [Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]),
      Buffer.from('0\r\n\r\n'),
    ]);
    return rawExchange(server.url(), [...head, 'transfer-encoding: chunked'], chunked);
  }

  /** The server still answers, and still handles a genuine event. */
  async function expectStillServing(): Promise<void> {
    const event = makeEvent('client.created');
    const body = Buffer.from(JSON.stringify(event));
    const response = await rawPost(
      server.url(),
      body,
      [
        ['content-type', 'application/json'],
        ['complycube-signature', hmacHex(body, SECRET)],
      ],
      agent,
    );
    expect(response.status).toBe(200);
    expect(journal.handlersFor(event.id)).toEqual(['*', '*.created']);
  }

  it(`answers 4xx and runs no handler for ${FORGED_RUNS} forged or unsigned requests`, async () => {
    const sentBefore = casesSent;
    const framingsSent = new Set<string>();
    const statuses = new Set<number>();
    await fc.assert(
      fc.asyncProperty(forgedRequests, async (request) => {
        fc.pre(!isValidlySigned(request));
        journal.calls.length = 0;
        const response = await send(request);
        statuses.add(response.status);
        framingsSent.add(request.framing ?? 'length');
        expect(response.status).toBeGreaterThanOrEqual(400);
        expect(response.status).toBeLessThan(500);
        expect(response.body).not.toContain(hmacHex(request.body, SECRET));
        expect(journal.calls).toEqual([]);
        await expectStillServing();
      }),
      { numRuns: FORGED_RUNS },
    );
    // The generators reach every layer: the parser, the media-type check and the signature check.
    expect([...statuses].sort()).toEqual(expect.arrayContaining([400, 401, 415, 431]));
    expect([...framingsSent].sort()).toEqual(['chunked', 'length', 'none']);
    expect(casesSent - sentBefore).toBeGreaterThanOrEqual(FORGED_RUNS);
  });

  it(`handles ${SIGNED_RUNS} correctly signed hostile bodies with 200 only for an event, 4xx otherwise, never 5xx`, async () => {
    const sentBefore = casesSent;
    const framingsSent = new Set<string>();
    const seen = new Set<string>();
    const statuses = new Set<number>();
    await fc.assert(
      fc.asyncProperty(signedRequests, async (request) => {
        journal.calls.length = 0;
        const response = await send(request);
        statuses.add(response.status);
        framingsSent.add(request.framing ?? 'length');
        expect([200, 400, 413]).toContain(response.status);
        const parsed = parseJson(request.body);
        if (!parsed.ok || findComplyCubeEventProblem(parsed.value) !== undefined) expect(response.status).not.toBe(200);
        if (response.status === 200 && parsed.ok) {
          const id = (parsed.value as { id: string }).id;
          const duplicate = seen.has(id);
          seen.add(id);
          expect(JSON.parse(response.body)).toEqual(duplicate ? { received: true, duplicate: true } : { received: true });
          expect(journal.calls.every((call) => call.id === id)).toBe(true);
          if (!duplicate) expect(journal.calls.map((call) => call.handler)).toContain('*');
        } else {
          expect(journal.calls).toEqual([]);
        }
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        await expectStillServing();
      }),
      { numRuns: SIGNED_RUNS },
    );
    expect([...statuses]).toEqual(expect.arrayContaining([200, 400]));
    expect([...framingsSent].sort()).toEqual(['chunked', 'length', 'none']);
    expect(casesSent - sentBefore).toBeGreaterThanOrEqual(SIGNED_RUNS);
  });
});

function parseJson(body: Buffer): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(body.toString('utf8')) };
  } catch {
    return { ok: false };
  }
}

afterAll(() => Logger.flush());
