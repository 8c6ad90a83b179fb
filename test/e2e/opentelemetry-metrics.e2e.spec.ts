import { Logger } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { metrics } from '@opentelemetry/api';
import { AggregationTemporality, DataPoint, Histogram, MeterProvider, MetricReader, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { ComplyCubeWebhookModule } from 'nestjs-complycube-webhooks';
import { DeliveryJournal, RejectedCheckHandlers } from '../src/delivery-handlers';
import { startTestApp, TestApp } from '../utils/app';
import { makeEvent } from '../utils/events';
import { postWebhook } from '../utils/http';

const SECRET = 'whsec_otel_metrics_secret';

/** Collects on demand, as a Prometheus scrape or an OTLP export would. */
class OnDemandReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

function pointsOf(collected: ResourceMetrics, name: string): Array<DataPoint<unknown>> {
  const metric = collected.scopeMetrics.flatMap((scope) => scope.metrics).find((candidate) => candidate.descriptor.name === name);
  return metric?.dataPoints ?? [];
}

describe('OpenTelemetry metrics', () => {
  const reader = new OnDemandReader();
  const provider = new MeterProvider({ readers: [reader] });
  let server: TestApp;
  const journal = new DeliveryJournal();

  beforeAll(async () => {
    metrics.setGlobalMeterProvider(provider);
    server = await startTestApp({
      adapter: 'express',
      imports: [
        EventEmitterModule.forRoot(),
        ComplyCubeWebhookModule.forRoot({
          secret: SECRET,
          openTelemetry: { metrics: true },
          // The first failed delivery still answers 500; dead letters are counted from the store.
          deadLetters: { afterFailedDeliveries: 2 },
        }),
      ],
      providers: [{ provide: DeliveryJournal, useValue: journal }, RejectedCheckHandlers],
    });
  });
  afterAll(async () => {
    await server.close();
    await provider.shutdown();
    metrics.disable();
    Logger.flush();
  });

  it('exports the counters, the handler and delivery durations and the dead letters under their documented names', async () => {
    const failing = makeEvent('check.completed.rejected');
    journal.failNext('openCase');
    expect((await postWebhook(server.url(), failing, { secret: SECRET })).status).toBe(500);
    expect((await postWebhook(server.url(), makeEvent('check.completed.rejected'), { secret: SECRET })).status).toBe(200);
    expect((await postWebhook(server.url(), failing, { secret: 'forged' })).status).toBe(401);

    const { resourceMetrics } = await reader.collect();
    expect(pointsOf(resourceMetrics, 'complycube.webhook.received').map((point) => point.value)).toEqual([3]);
    expect(pointsOf(resourceMetrics, 'complycube.webhook.verified').map((point) => point.value)).toEqual([2]);
    expect(pointsOf(resourceMetrics, 'complycube.webhook.events_handled').map((point) => point.value)).toEqual([1]);
    expect(pointsOf(resourceMetrics, 'complycube.webhook.handler_failures').map((point) => point.value)).toEqual([1]);
    const rejected = pointsOf(resourceMetrics, 'complycube.webhook.rejected').find((point) => point.attributes.reason === 'signature');
    expect(rejected?.value).toBe(1);

    const handlerPoints = pointsOf(resourceMetrics, 'complycube.webhook.handler.duration').map((point) => ({
      ...point.attributes,
      count: (point.value as Histogram).count,
    }));
    expect(handlerPoints).toEqual(
      expect.arrayContaining([
        {
          'complycube.handler.key': 'RejectedCheckHandlers.openCase',
          'complycube.registration': 'webhooks/complycube',
          'complycube.handler.outcome': 'failed',
          count: 1,
        },
        {
          'complycube.handler.key': 'RejectedCheckHandlers.openCase',
          'complycube.registration': 'webhooks/complycube',
          'complycube.handler.outcome': 'succeeded',
          count: 1,
        },
        {
          'complycube.handler.key': 'RejectedCheckHandlers.sendEmail',
          'complycube.registration': 'webhooks/complycube',
          'complycube.handler.outcome': 'succeeded',
          count: 2,
        },
      ]),
    );
    const deliveryPoints = pointsOf(resourceMetrics, 'complycube.webhook.delivery.duration').map((point) => ({
      outcome: point.attributes['complycube.delivery.outcome'],
      mode: point.attributes['complycube.delivery.mode'],
      count: (point.value as Histogram).count,
    }));
    expect(deliveryPoints).toEqual(
      expect.arrayContaining([
        { outcome: 'failed', mode: 'http', count: 1 },
        { outcome: 'handled', mode: 'http', count: 1 },
      ]),
    );
    // The same registration label as the durations.
    expect(
      pointsOf(resourceMetrics, 'complycube.webhook.dead_letters').map((point) => ({ ...point.attributes, value: point.value })),
    ).toEqual([{ 'complycube.registration': 'webhooks/complycube', 'complycube.dead_letter.source': 'store', value: 0 }]);
  });
});
