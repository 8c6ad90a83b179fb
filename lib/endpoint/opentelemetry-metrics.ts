import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type * as OpenTelemetryApi from '@opentelemetry/api';
import { loadOptionalPeer } from '../common/optional-peer';
import { ComplyCubeRejectionReason, ComplyCubeWebhookMetrics } from '../delivery/webhook.metrics';
import { INSTRUMENTATION_NAME } from '../observability/attributes';
import {
  COUNTER_METRICS,
  DEAD_LETTERS_METRIC,
  DELIVERY_DURATION_METRIC,
  DURATION_BUCKETS,
  HANDLER_DURATION_METRIC,
  METRIC_PREFIX,
  QUEUE_JOBS_METRIC,
  REJECTED_METRIC,
} from '../observability/metric-names';
import { packageVersion } from '../observability/opentelemetry';
import { ComplyCubeEndpointRegistry } from './endpoint.registry';
import { ComplyCubeWebhookEndpoints } from './webhook-endpoints';

const REJECTION_REASONS: ComplyCubeRejectionReason[] = ['signature', 'mediaType', 'body', 'rawBodyMissing'];
const JOB_STATES = ['waiting', 'active', 'delayed', 'failed', 'completed'] as const;

/**
 * Exports the package's metrics through OpenTelemetry's metrics API when a registration sets
 * `openTelemetry: { metrics: true }` (or `true`): the counters and gauges are observed when the app's
 * SDK collects, the durations recorded as they happen. Once per app, whatever the registrations.
 */
@Injectable()
export class OpenTelemetryMetricsBridge implements OnApplicationBootstrap, OnApplicationShutdown {
  private unsubscribe?: () => void;

  constructor(
    private readonly registry: ComplyCubeEndpointRegistry,
    private readonly metrics: ComplyCubeWebhookMetrics,
    private readonly endpoints: ComplyCubeWebhookEndpoints,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.registry.all.some((endpoint) => endpoint.openTelemetryMetrics)) return;
    const api = await loadOptionalPeer<typeof OpenTelemetryApi>('@opentelemetry/api', 'ComplyCubeWebhookModule openTelemetry');
    const meter = api.metrics.getMeter(INSTRUMENTATION_NAME, packageVersion());

    const counters = COUNTER_METRICS.map((counter) => ({
      key: counter.key,
      instrument: meter.createObservableCounter(`${METRIC_PREFIX.openTelemetry}${counter.name}`, { description: counter.help }),
    }));
    const rejected = meter.createObservableCounter(`${METRIC_PREFIX.openTelemetry}${REJECTED_METRIC.name}`, {
      description: REJECTED_METRIC.help,
    });
    const jobs = meter.createObservableGauge(QUEUE_JOBS_METRIC.openTelemetry, { description: QUEUE_JOBS_METRIC.help });
    const deadLetters = meter.createObservableGauge(DEAD_LETTERS_METRIC.openTelemetry, { description: DEAD_LETTERS_METRIC.help });
    meter.addBatchObservableCallback(
      async (result) => {
        const snapshot = this.metrics.snapshot();
        for (const { key, instrument } of counters) result.observe(instrument, snapshot[key]);
        for (const reason of REJECTION_REASONS) result.observe(rejected, snapshot.rejected[reason], { reason });
        for (const status of await this.endpoints.status()) {
          const { registration } = status;
          if (status.queue?.jobs) {
            for (const state of JOB_STATES) {
              result.observe(jobs, status.queue.jobs[state], {
                'complycube.registration': registration,
                'messaging.destination.name': status.queue.name,
                'complycube.queue.state': state,
              });
            }
            result.observe(deadLetters, status.queue.jobs.failed, {
              'complycube.registration': registration,
              'complycube.dead_letter.source': 'queue',
            });
          }
          if (status.storeDeadLetters !== undefined) {
            result.observe(deadLetters, status.storeDeadLetters, {
              'complycube.registration': registration,
              'complycube.dead_letter.source': 'store',
            });
          }
        }
      },
      [...counters.map(({ instrument }) => instrument), rejected, jobs, deadLetters],
    );

    const durationOptions = { unit: 's', advice: { explicitBucketBoundaries: DURATION_BUCKETS } };
    const handlerDuration = meter.createHistogram(HANDLER_DURATION_METRIC.openTelemetry, {
      ...durationOptions,
      description: HANDLER_DURATION_METRIC.help,
    });
    const deliveryDuration = meter.createHistogram(DELIVERY_DURATION_METRIC.openTelemetry, {
      ...durationOptions,
      description: DELIVERY_DURATION_METRIC.help,
    });
    this.unsubscribe = this.metrics.subscribe({
      handlerSettled: ({ handlerKey, registration, outcome, seconds }) =>
        handlerDuration.record(seconds, {
          'complycube.handler.key': handlerKey,
          'complycube.registration': registration,
          'complycube.handler.outcome': outcome,
        }),
      deliveryEnded: ({ registration, mode, outcome, seconds }) =>
        deliveryDuration.record(seconds, {
          'complycube.registration': registration,
          'complycube.delivery.mode': mode,
          'complycube.delivery.outcome': outcome,
        }),
    });
  }

  onApplicationShutdown(): void {
    this.unsubscribe?.();
  }
}
