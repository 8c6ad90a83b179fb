import { Logger } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { Test } from '@nestjs/testing';
import { Redis } from 'ioredis';
import {
  ComplyCubeWebhookConfigurationError,
  ComplyCubeWebhookEndpoints,
  ComplyCubeWebhookMetrics,
  ComplyCubeWebhookModule,
  RedisIdempotencyStore,
} from 'nestjs-complycube-webhooks';
import { ComplyCubePrometheusModule, ComplyCubePrometheusOptions, registerComplyCubeMetrics } from 'nestjs-complycube-webhooks/prometheus';
import { Counter, register, Registry } from 'prom-client';
import { COUNTER_METRICS, DURATION_BUCKETS } from '../../lib/observability/metric-names';
import { DeliveryJournal, RejectedCheckHandlers } from '../src/delivery-handlers';
import { MetricsController } from '../../sample/metrics.controller';
import { ADAPTERS, AdapterName, RecordingLogger, startTestApp, TestApp } from '../utils/app';
import { hexId, makeEvent } from '../utils/events';
import { postWebhook } from '../utils/http';
import { parsePrometheusText, PrometheusSample, samplesOf, valueOf } from '../utils/prometheus-text';
import { describeWithRedis, RedisServer } from '../utils/redis-server';
import { waitFor } from '../utils/wait';

const SECRET = 'whsec_prometheus_secret';
const REGISTRATION = 'webhooks/complycube';
const HANDLER_SECONDS = 'complycube_webhook_handler_duration_seconds';
const DELIVERY_SECONDS = 'complycube_webhook_delivery_duration_seconds';

interface PrometheusApp {
  server: TestApp;
  journal: DeliveryJournal;
  logger: RecordingLogger;
  deliver(event: object, secret?: string): ReturnType<typeof postWebhook>;
  metrics: ComplyCubeWebhookMetrics;
}

const apps: TestApp[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});
afterAll(() => Logger.flush());

async function startApp(
  options: {
    adapter?: AdapterName;
    prometheus?: ComplyCubePrometheusOptions | false;
    webhooks?: Partial<Parameters<typeof ComplyCubeWebhookModule.forRoot>[0]>;
  } = {},
): Promise<PrometheusApp> {
  const { adapter = 'express', prometheus = {}, webhooks = {} } = options;
  const journal = new DeliveryJournal();
  const logger = new RecordingLogger();
  const server = await startTestApp({
    adapter,
    logger,
    imports: [
      EventEmitterModule.forRoot(),
      ComplyCubeWebhookModule.forRoot({ secret: SECRET, ...webhooks }),
      ...(prometheus === false ? [] : [ComplyCubePrometheusModule.forRoot(prometheus)]),
    ],
    controllers: [MetricsController],
    providers: [{ provide: DeliveryJournal, useValue: journal }, RejectedCheckHandlers],
  });
  apps.push(server);
  const path = webhooks.path ?? REGISTRATION;
  return {
    server,
    journal,
    logger,
    deliver: (event, secret = SECRET) => postWebhook(server.url(path), event, { secret }),
    metrics: server.app.get(ComplyCubeWebhookMetrics),
  };
}

async function scrape(registry: Registry = register): Promise<PrometheusSample[]> {
  return parsePrometheusText(await registry.metrics());
}

/** The `_count` of a histogram's series, by the labels that tell them apart. */
function countsOf(samples: PrometheusSample[], histogram: string): Array<Record<string, string | number>> {
  return samplesOf(samples, `${histogram}_count`).map((sample) => ({ ...sample.labels, count: sample.value }));
}

describe.each(ADAPTERS)('Prometheus metrics over HTTP on %s', (adapter) => {
  it('counts real deliveries (handled, a failing handler, a forged signature, a duplicate) on the default registry', async () => {
    const app = await startApp({ adapter });
    const handled = makeEvent('check.completed.rejected');
    const failing = makeEvent('check.completed.rejected');
    expect((await app.deliver(handled)).status).toBe(200);
    app.journal.failNext('openCase');
    expect((await app.deliver(failing)).status).toBe(500);
    expect((await app.deliver(handled)).json).toEqual({ received: true, duplicate: true });
    expect((await app.deliver(failing, 'forged')).status).toBe(401);

    const text = await register.metrics();
    const samples = parsePrometheusText(text);
    expect(valueOf(samples, 'complycube_webhook_received_total')).toBe(4);
    expect(valueOf(samples, 'complycube_webhook_verified_total')).toBe(3);
    expect(valueOf(samples, 'complycube_webhook_events_handled_total')).toBe(1);
    expect(valueOf(samples, 'complycube_webhook_duplicates_total')).toBe(1);
    expect(valueOf(samples, 'complycube_webhook_handler_failures_total')).toBe(1);
    expect(valueOf(samples, 'complycube_webhook_timeouts_total')).toBe(0);
    expect(valueOf(samples, 'complycube_webhook_rejected_total', { reason: 'signature' })).toBe(1);
    expect(valueOf(samples, 'complycube_webhook_rejected_total', { reason: 'mediaType' })).toBe(0);
    const snapshot = app.metrics.snapshot();
    for (const { key, name } of COUNTER_METRICS) {
      expect([name, valueOf(samples, `complycube_webhook_${name}_total`)]).toEqual([name, snapshot[key]]);
    }
    expect(text).toContain('# HELP complycube_webhook_received_total Requests that reached the signature check.');
    expect(text).toContain('# TYPE complycube_webhook_received_total counter');
    expect(text).toContain(`# TYPE ${HANDLER_SECONDS} histogram`);

    expect(countsOf(samples, HANDLER_SECONDS)).toEqual(
      expect.arrayContaining([
        { handler: 'RejectedCheckHandlers.sendEmail', registration: REGISTRATION, outcome: 'succeeded', count: 2 },
        { handler: 'RejectedCheckHandlers.openCase', registration: REGISTRATION, outcome: 'succeeded', count: 1 },
        { handler: 'RejectedCheckHandlers.openCase', registration: REGISTRATION, outcome: 'failed', count: 1 },
      ]),
    );
    expect(countsOf(samples, HANDLER_SECONDS)).toHaveLength(3);
    expect(countsOf(samples, DELIVERY_SECONDS)).toEqual(
      expect.arrayContaining([
        { registration: REGISTRATION, mode: 'http', outcome: 'handled', count: 1 },
        { registration: REGISTRATION, mode: 'http', outcome: 'failed', count: 1 },
        { registration: REGISTRATION, mode: 'http', outcome: 'duplicate', count: 1 },
      ]),
    );
    expect(countsOf(samples, DELIVERY_SECONDS)).toHaveLength(3);
    const sendEmailBuckets = samplesOf(samples, `${HANDLER_SECONDS}_bucket`).filter(
      (sample) => sample.labels.handler === 'RejectedCheckHandlers.sendEmail',
    );
    expect(sendEmailBuckets.map((sample) => sample.labels.le)).toEqual([...DURATION_BUCKETS.map(String), '+Inf']);
    expect(
      valueOf(samples, `${HANDLER_SECONDS}_bucket`, {
        le: '+Inf',
        handler: 'RejectedCheckHandlers.sendEmail',
        registration: REGISTRATION,
        outcome: 'succeeded',
      }),
    ).toBe(2);
    // Without a queue or dead letters there is nothing to gauge.
    expect(samplesOf(samples, 'complycube_webhook_queue_jobs')).toEqual([]);
    expect(samplesOf(samples, 'complycube_webhook_dead_letters')).toEqual([]);
  });

  it('keeps the counters in step with the app between scrapes, and serves them on a /metrics route', async () => {
    const app = await startApp({ adapter });
    expect((await app.deliver(makeEvent('check.completed.rejected'))).status).toBe(200);
    const first = await fetch(app.server.url('metrics'));
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toContain('text/plain');
    expect(valueOf(parsePrometheusText(await first.text()), 'complycube_webhook_events_handled_total')).toBe(1);

    expect((await app.deliver(makeEvent('check.completed.rejected'))).status).toBe(200);
    const second = parsePrometheusText(await (await fetch(app.server.url('metrics'))).text());
    expect(valueOf(second, 'complycube_webhook_events_handled_total')).toBe(2);
    expect(
      valueOf(second, `${HANDLER_SECONDS}_count`, {
        handler: 'RejectedCheckHandlers.openCase',
        registration: REGISTRATION,
        outcome: 'succeeded',
      }),
    ).toBe(2);
  });
});

describe('Prometheus metrics on a registry of their own', () => {
  it('go to the given registry only, carry the registration name, gauge the dead letters kept in the store, and leave at shutdown', async () => {
    const registry = new Registry();
    const app = await startApp({
      prometheus: { registry },
      webhooks: { name: 'live', path: 'webhooks/live', deadLetters: { afterFailedDeliveries: 1 } },
    });
    const failing = makeEvent('check.completed.rejected');
    app.journal.failNext('openCase');
    expect((await app.deliver(failing)).json).toEqual({ received: true, deadLettered: true });

    const samples = await scrape(registry);
    expect(valueOf(samples, 'complycube_webhook_dead_lettered_total')).toBe(1);
    expect(valueOf(samples, 'complycube_webhook_dead_letters', { registration: 'live', source: 'store' })).toBe(1);
    expect(
      valueOf(samples, `${HANDLER_SECONDS}_count`, { handler: 'RejectedCheckHandlers.openCase', registration: 'live', outcome: 'failed' }),
    ).toBe(1);
    expect(register.getSingleMetric('complycube_webhook_received_total')).toBeUndefined();

    expect(app.metrics.observed).toBe(true);
    await app.server.close();
    expect(registry.getMetricsAsArray()).toEqual([]);
    expect(app.metrics.observed).toBe(false);
  });

  it('registerComplyCubeMetrics adds them without the module, and unregister() takes them off', async () => {
    const registry = new Registry();
    const app = await startApp({ prometheus: false });
    const collectors = registerComplyCubeMetrics(app.server.app, { registry });
    expect(collectors.registry).toBe(registry);
    expect((await app.deliver(makeEvent('check.completed.rejected'))).status).toBe(200);

    const samples = await scrape(registry);
    expect(valueOf(samples, 'complycube_webhook_events_handled_total')).toBe(1);
    expect(valueOf(samples, `${DELIVERY_SECONDS}_count`, { registration: REGISTRATION, mode: 'http', outcome: 'handled' })).toBe(1);

    collectors.unregister();
    collectors.unregister();
    expect(registry.getMetricsAsArray()).toEqual([]);
    expect(app.metrics.observed).toBe(false);
  });

  it('registering the same app twice on one registry reuses the metrics until both let go', async () => {
    const registry = new Registry();
    const app = await startApp({ prometheus: { registry } });
    const again = registerComplyCubeMetrics(app.server.app, { registry });
    expect((await app.deliver(makeEvent('check.completed.rejected'))).status).toBe(200);
    const samples = await scrape(registry);
    expect(samplesOf(samples, 'complycube_webhook_events_handled_total')).toEqual([
      { name: 'complycube_webhook_events_handled_total', labels: {}, value: 1 },
    ]);
    expect(
      valueOf(samples, `${HANDLER_SECONDS}_count`, {
        handler: 'RejectedCheckHandlers.sendEmail',
        registration: REGISTRATION,
        outcome: 'succeeded',
      }),
    ).toBe(1);

    again.unregister();
    expect(registry.getSingleMetric('complycube_webhook_received_total')).toBeDefined();
    await app.server.close();
    expect(registry.getMetricsAsArray()).toEqual([]);
  });

  it('refuses, saying what to do, a second app on a registry the first still exports to', async () => {
    await startApp();
    const second = startApp();
    await expect(second).rejects.toThrow(ComplyCubeWebhookConfigurationError);
    await expect(second).rejects.toThrow(
      /ComplyCubePrometheusModule\.forRoot\(\): this Prometheus registry already has the ComplyCube webhook metrics of another Nest app that is still running\. Close that app first .* or give each app its own registry/,
    );
  });

  it('refuses a registry that already has a metric of the same name, adding none of its own', async () => {
    const registry = new Registry();
    new Counter({ name: 'complycube_webhook_received_total', help: 'The app’s own counter.', registers: [registry] });
    const app = await startApp({ prometheus: false });
    expect(() => registerComplyCubeMetrics(app.server.app, { registry })).toThrow(
      /registerComplyCubeMetrics\(\): this Prometheus registry already has a metric named complycube_webhook_received_total, which nestjs-complycube-webhooks\/prometheus did not add/,
    );
    expect(registry.getMetricsAsArray()).toHaveLength(1);
    expect(app.metrics.observed).toBe(false);
  });

  it('refuses bad options and an app without ComplyCubeWebhookModule, saying what to change', async () => {
    expect(() => ComplyCubePrometheusModule.forRoot({ registery: new Registry() } as ComplyCubePrometheusOptions)).toThrow(
      'ComplyCubePrometheusModule.forRoot(): registery is not an option (known: registry).',
    );
    expect(() => ComplyCubePrometheusModule.forRoot({ registry: {} as Registry })).toThrow(
      "ComplyCubePrometheusModule.forRoot(): registry must be a prom-client Registry (new Registry(), or prom-client's register), got object.",
    );
    const moduleRef = await Test.createTestingModule({ imports: [EventEmitterModule.forRoot()] }).compile();
    try {
      expect(() => registerComplyCubeMetrics(moduleRef, { registry: new Registry() })).toThrow(
        'registerComplyCubeMetrics(): the app does not import ComplyCubeWebhookModule, whose metrics it exports. Import ComplyCubeWebhookModule.forRoot() in the same app.',
      );
    } finally {
      await moduleRef.close();
    }
  });

  it('still answers a scrape when the endpoints’ status fails, without the gauges', async () => {
    const registry = new Registry();
    const app = await startApp({ prometheus: { registry }, webhooks: { deadLetters: { afterFailedDeliveries: 2 } } });
    expect(valueOf(await scrape(registry), 'complycube_webhook_dead_letters', { registration: REGISTRATION, source: 'store' })).toBe(0);
    jest.spyOn(app.server.app.get(ComplyCubeWebhookEndpoints), 'status').mockRejectedValueOnce(new Error('status unavailable'));
    const samples = await scrape(registry);
    expect(valueOf(samples, 'complycube_webhook_received_total')).toBe(0);
    expect(samplesOf(samples, 'complycube_webhook_dead_letters')).toEqual([]);
    expect(app.logger.text()).toContain('status failed, so this scrape has no queue or dead-letter gauges: status unavailable');
  });
});

describeWithRedis('Prometheus metrics in queue mode on a real redis-server', () => {
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

  it('gauges the jobs by state and the dead letters, and times each job attempt', async () => {
    const registry = new Registry();
    const queue = `events-${hexId()}`;
    const app = await startApp({
      prometheus: { registry },
      webhooks: {
        idempotency: { store: new RedisIdempotencyStore({ client, keyPrefix: `records-${hexId()}` }) },
        queue: { connection: client, name: queue, attempts: 2, backoff: { delayMs: 50, maxDelayMs: 200, jitter: 0 }, concurrency: 1 },
      },
    });
    const jobs = (samples: PrometheusSample[]): Record<string, number | undefined> =>
      Object.fromEntries(
        ['waiting', 'active', 'delayed', 'failed', 'completed'].map((state) => [
          state,
          valueOf(samples, 'complycube_webhook_queue_jobs', { registration: REGISTRATION, queue, state }),
        ]),
      );

    const deadLetter = makeEvent('check.completed.rejected');
    app.journal.failNext('openCase', 2);
    expect((await app.deliver(deadLetter)).json).toEqual({ received: true, queued: true });
    await waitFor('the job to become a dead letter', () => app.metrics.snapshot().deadLettered === 1);
    const completed = makeEvent('check.completed.rejected');
    expect((await app.deliver(completed)).json).toEqual({ received: true, queued: true });
    await waitFor('the job to complete', () => app.metrics.snapshot().handled === 1);
    const release = app.journal.hold('sendEmail');
    const running = makeEvent('check.completed.rejected');
    expect((await app.deliver(running)).json).toEqual({ received: true, queued: true });
    await waitFor('the job to start', () => app.journal.startsOf(running.id).includes('sendEmail'));
    expect((await app.deliver(makeEvent('check.completed.rejected'))).json).toEqual({ received: true, queued: true });

    let samples = await scrape(registry);
    expect(jobs(samples)).toEqual({ waiting: 1, active: 1, delayed: 0, failed: 1, completed: 1 });
    expect(valueOf(samples, 'complycube_webhook_dead_letters', { registration: REGISTRATION, source: 'queue' })).toBe(1);
    expect(valueOf(samples, 'complycube_webhook_queued_total')).toBe(4);
    expect(valueOf(samples, 'complycube_webhook_job_failures_total')).toBe(2);
    expect(valueOf(samples, 'complycube_webhook_dead_lettered_total')).toBe(1);

    release();
    await waitFor('every job to complete', () => app.metrics.snapshot().handled === 3);
    await waitFor('the queue to count them', async () => jobs(await scrape(registry)).completed === 3);
    samples = await scrape(registry);
    expect(jobs(samples)).toEqual({ waiting: 0, active: 0, delayed: 0, failed: 1, completed: 3 });
    expect(countsOf(samples, DELIVERY_SECONDS)).toEqual(
      expect.arrayContaining([
        { registration: REGISTRATION, mode: 'http', outcome: 'queued', count: 4 },
        { registration: REGISTRATION, mode: 'worker', outcome: 'handled', count: 3 },
      ]),
    );
    expect(
      valueOf(samples, `${HANDLER_SECONDS}_count`, {
        handler: 'RejectedCheckHandlers.openCase',
        registration: REGISTRATION,
        outcome: 'failed',
      }),
    ).toBe(2);
  });
});
