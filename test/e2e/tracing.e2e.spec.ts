import { Logger } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { context, propagation, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, NodeTracerProvider, ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { Redis } from 'ioredis';
import { ComplyCubeWebhookModule, ComplyCubeWebhookModuleOptions, RedisIdempotencyStore } from 'nestjs-complycube-webhooks';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { DeliveryJournal, RejectedCheckHandlers } from '../src/delivery-handlers';
import { ADAPTERS, AdapterName, startTestApp, TestApp } from '../utils/app';
import { hexId, makeEvent } from '../utils/events';
import { postWebhook } from '../utils/http';
import { describeWithRedis, RedisServer } from '../utils/redis-server';
import { waitFor } from '../utils/wait';

const SECRET = 'whsec_tracing_secret';
const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });

beforeAll(() => provider.register());
afterAll(async () => {
  await provider.shutdown();
  trace.disable();
  context.disable();
  propagation.disable();
  Logger.flush();
});
beforeEach(() => exporter.reset());

async function startTracedApp(
  adapter: AdapterName,
  options: Partial<ComplyCubeWebhookModuleOptions> = {},
  journal = new DeliveryJournal(),
): Promise<TestApp> {
  return startTestApp({
    adapter,
    imports: [
      EventEmitterModule.forRoot(),
      ComplyCubeWebhookModule.forRoot({ secret: SECRET, openTelemetry: { traces: true }, ...options }),
    ],
    providers: [{ provide: DeliveryJournal, useValue: journal }, RejectedCheckHandlers],
  });
}

const named = (prefix: string): ReadableSpan[] => exporter.getFinishedSpans().filter((span) => span.name.startsWith(prefix));
const parentOf = (span: ReadableSpan): string | undefined => span.parentSpanContext?.spanId;

/** Every string an attribute of any span holds. */
function attributeValues(): string[] {
  return exporter
    .getFinishedSpans()
    .flatMap((span) => Object.values(span.attributes).flatMap((value) => (Array.isArray(value) ? value : [value]).map(String)));
}

describe.each(ADAPTERS)('OpenTelemetry spans of a delivery on %s', (adapter) => {
  let server: TestApp;
  const journal = new DeliveryJournal();
  beforeAll(async () => {
    server = await startTracedApp(adapter, {}, journal);
  });
  afterAll(() => server.close());
  beforeEach(() => journal.reset());

  it('makes one process span per delivery, one child span per handler, each with its outcome', async () => {
    const event = makeEvent('check.completed.rejected');
    journal.failNext('openCase');
    expect((await postWebhook(server.url(), event, { secret: SECRET })).status).toBe(500);

    const [processSpan] = named('process ');
    expect(processSpan.name).toBe('process check.completed.rejected');
    expect(processSpan.kind).toBe(4); // CONSUMER
    expect(processSpan.attributes).toEqual({
      'messaging.system': 'complycube',
      'messaging.operation.type': 'process',
      'messaging.operation.name': 'process',
      'messaging.message.id': event.id,
      'complycube.event.type': 'check.completed.rejected',
      'complycube.registration': 'webhooks/complycube',
      'complycube.delivery.outcome': 'failed',
    });
    expect(processSpan.status.code).toBe(2); // ERROR

    const handlers = named('handle ').sort((a, b) => a.name.localeCompare(b.name));
    expect(handlers.map((span) => [span.name, span.attributes['complycube.handler.outcome'], parentOf(span)])).toEqual([
      ['handle RejectedCheckHandlers.openCase', 'failed', processSpan.spanContext().spanId],
      ['handle RejectedCheckHandlers.sendEmail', 'succeeded', processSpan.spanContext().spanId],
    ]);
    expect(handlers[0].events.map((spanEvent) => spanEvent.name)).toEqual(['exception']);
    expect(handlers[0].events[0].attributes?.['exception.message']).toBe('openCase failed on purpose');
    expect(handlers[1].events).toEqual([]);
  });

  it('names the outcome of a redelivery: duplicate, with no handler span', async () => {
    const event = makeEvent('check.completed.rejected');
    await postWebhook(server.url(), event, { secret: SECRET });
    exporter.reset();
    await postWebhook(server.url(), event, { secret: SECRET });
    expect(named('process ').map((span) => span.attributes['complycube.delivery.outcome'])).toEqual(['duplicate']);
    expect(named('handle ')).toEqual([]);
  });

  it('puts no payload value, and no secret or signature, in any attribute', async () => {
    const event = makeEvent('check.completed.rejected', {
      email: 'ada.lovelace@example.com',
      firstName: 'Ada',
      outcome: 'rejected-by-reviewer-7',
      nested: { passportNumber: 'P1234567' },
    });
    await postWebhook(server.url(), event, { secret: SECRET });
    const values = attributeValues();
    expect(values.length).toBeGreaterThan(10);
    for (const secretValue of ['ada.lovelace@example.com', 'Ada', 'rejected-by-reviewer-7', 'P1234567', event.payload.id, SECRET]) {
      expect(values).not.toContain(secretValue);
    }
    expect(values.join('\n')).not.toMatch(/[0-9a-f]{64}/);
  });

  it("makes the handler span the active one, so a handler's own spans are its children", async () => {
    const handlers = server.app.get(RejectedCheckHandlers);
    const original = handlers.sendEmail.bind(handlers);
    const spy = jest.spyOn(handlers, 'sendEmail').mockImplementation(async (event) => {
      await trace.getTracer('app').startActiveSpan('smtp send', async (span) => {
        await original(event);
        span.end();
      });
    });
    try {
      await postWebhook(server.url(), makeEvent('check.completed.rejected'), { secret: SECRET });
      const [handler] = named('handle RejectedCheckHandlers.sendEmail');
      const [smtp] = named('smtp send');
      expect(parentOf(smtp)).toBe(handler.spanContext().spanId);
    } finally {
      spy.mockRestore();
    }
  });
});

describeWithRedis('OpenTelemetry spans in queue mode', () => {
  let redis: RedisServer;
  let client: Redis;
  beforeAll(async () => {
    redis = await RedisServer.start();
    client = new Redis(redis.url);
  });
  afterAll(async () => {
    client.disconnect();
    await redis.stop();
  });

  it("makes a producer span at enqueue, carries its context in the job, and links the worker's process span to it", async () => {
    const journal = new DeliveryJournal();
    const queueName = `traced-${hexId()}`;
    const server = await startTracedApp(
      'express',
      {
        idempotency: { store: new RedisIdempotencyStore({ client, keyPrefix: queueName }) },
        queue: { connection: client, name: queueName },
      },
      journal,
    );
    try {
      const event = makeEvent('check.completed.rejected');
      expect((await postWebhook(server.url(), event, { secret: SECRET })).json).toEqual({ received: true, queued: true });
      await waitFor('the worker to run the event', () => journal.successesOf(event.id).length === 2);
      await waitFor('the worker span to end', () => named('process ').length === 1);

      const [publish] = named('publish ');
      expect(publish.name).toBe(`publish ${queueName}`);
      expect(publish.kind).toBe(3); // PRODUCER
      expect(publish.attributes).toMatchObject({
        'messaging.operation.type': 'publish',
        'messaging.destination.name': queueName,
        'messaging.message.id': event.id,
        'complycube.delivery.outcome': 'queued',
      });
      const [processSpan] = named('process ');
      expect(processSpan.attributes).toMatchObject({ 'messaging.destination.name': queueName, 'complycube.delivery.outcome': 'handled' });
      expect(processSpan.links.map((link) => link.context.spanId)).toEqual([publish.spanContext().spanId]);
      expect(named('handle ').every((span) => parentOf(span) === processSpan.spanContext().spanId)).toBe(true);
    } finally {
      await server.close();
    }
  });
});

describe('OpenTelemetry spans under HTTP instrumentation', () => {
  it('make the process span a child of the instrumented server span of the request', () => {
    const root = join(__dirname, '..', '..');
    const output = execFileSync(process.execPath, ['-r', 'ts-node/register', join(__dirname, '..', 'src/traced-http-app.ts')], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true', TS_NODE_PROJECT: join(root, 'tsconfig.json') },
    });
    const spans = JSON.parse(output.trim().split('\n').pop() as string) as Array<{
      name: string;
      kind: number;
      spanId: string;
      parentSpanId?: string;
    }>;
    const server = spans.find((span) => span.kind === 1 && span.name.startsWith('POST'));
    const processSpan = spans.find((span) => span.name === 'process check.completed.clear');
    expect(server).toBeDefined();
    expect(processSpan?.parentSpanId).toBe(server?.spanId);
  });
});
