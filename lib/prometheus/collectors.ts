import { INestApplicationContext, Logger } from '@nestjs/common';
import type { Counter, Gauge, Histogram, Registry, RegistryContentType } from 'prom-client';
import { describeError } from '../common/errors';
import {
  ComplyCubeEndpointStatus,
  ComplyCubeWebhookConfigurationError,
  ComplyCubeWebhookEndpoints,
  ComplyCubeWebhookMetrics,
} from '../index';
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
import { promClient } from './prom-client';
import { ComplyCubePrometheusOptions } from './prometheus-options.interface';

type AnyRegistry = Registry<RegistryContentType>;
type PrometheusMetric = Counter<string> | Gauge<string> | Histogram<string>;

/** The package's metrics on one registry, as `registerComplyCubeMetrics` returns them. */
export interface ComplyCubePrometheusCollectors {
  readonly registry: AnyRegistry;
  /**
   * Takes the metrics off the registry and stops timing handlers for them (the metrics stay while
   * another registration of the same app on the same registry holds them). A second call does nothing.
   */
  unregister(): void;
}

/** What one app exports to one registry, shared by every registration of that app on it. */
interface Export {
  readonly metrics: ComplyCubeWebhookMetrics;
  holders: number;
  remove(): void;
}

const exported = new WeakMap<AnyRegistry, Export>();
const logger = new Logger('ComplyCubeWebhooks');

/**
 * Adds the package's metrics to a prom-client registry (default: prom-client's global `register`):
 * a `_total` counter per counter of `ComplyCubeWebhookMetrics.snapshot()`, the rejections by reason,
 * the handler and delivery durations, and, read from `ComplyCubeWebhookEndpoints.status()` at each
 * scrape, the queue's jobs and the dead letters. For apps that do not import
 * `ComplyCubePrometheusModule`; call `unregister()` when the app closes.
 */
export function registerComplyCubeMetrics(
  app: Pick<INestApplicationContext, 'get'>,
  options?: ComplyCubePrometheusOptions,
): ComplyCubePrometheusCollectors {
  return exportMetrics(app, options, 'registerComplyCubeMetrics()');
}

/** `registerComplyCubeMetrics`, with the caller's name for the errors. */
export function exportMetrics(
  app: Pick<INestApplicationContext, 'get'>,
  options: ComplyCubePrometheusOptions | undefined,
  user: string,
): ComplyCubePrometheusCollectors {
  const registry = registryOf(options, user);
  const { metrics, endpoints } = sourcesOf(app, user);
  let current = exported.get(registry);
  if (current && current.metrics !== metrics) {
    throw new ComplyCubeWebhookConfigurationError(
      `${user}: this Prometheus registry already has the ComplyCube webhook metrics of another Nest app that is still running. ` +
        'Close that app first (ComplyCubePrometheusModule takes its metrics off at shutdown; registerComplyCubeMetrics() returns unregister()), ' +
        'or give each app its own registry: ComplyCubePrometheusModule.forRoot({ registry: new Registry() }).',
    );
  }
  if (!current) {
    current = exportTo(registry, metrics, endpoints, user);
    exported.set(registry, current);
  }
  current.holders += 1;
  const held = current;
  let unregistered = false;
  return {
    registry,
    unregister: () => {
      if (unregistered) return;
      unregistered = true;
      held.holders -= 1;
      if (held.holders > 0) return;
      held.remove();
      exported.delete(registry);
    },
  };
}

const OPTION_KEYS = new Set(['registry']);

/** The registry the options name, or the default one; bad options stop the app with what to change. */
export function registryOf(options: ComplyCubePrometheusOptions | undefined, user: string): AnyRegistry {
  if (options === undefined) return promClient.register;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ComplyCubeWebhookConfigurationError(`${user}: the options must be an object such as { registry } (or nothing).`);
  }
  const unknown = Object.keys(options).filter((key) => !OPTION_KEYS.has(key));
  if (unknown.length > 0) throw new ComplyCubeWebhookConfigurationError(`${user}: ${unknown[0]} is not an option (known: registry).`);
  const { registry } = options;
  if (registry === undefined) return promClient.register;
  const candidate = registry as Partial<Record<'registerMetric' | 'getSingleMetric' | 'removeSingleMetric', unknown>> | null;
  if (
    typeof candidate !== 'object' ||
    candidate === null ||
    typeof candidate.registerMetric !== 'function' ||
    typeof candidate.getSingleMetric !== 'function' ||
    typeof candidate.removeSingleMetric !== 'function'
  ) {
    throw new ComplyCubeWebhookConfigurationError(
      `${user}: registry must be a prom-client Registry (new Registry(), or prom-client's register), got ${typeof registry}.`,
    );
  }
  return registry;
}

function sourcesOf(
  app: Pick<INestApplicationContext, 'get'>,
  user: string,
): { metrics: ComplyCubeWebhookMetrics; endpoints: ComplyCubeWebhookEndpoints } {
  try {
    return {
      metrics: app.get(ComplyCubeWebhookMetrics, { strict: false }),
      endpoints: app.get(ComplyCubeWebhookEndpoints, { strict: false }),
    };
  } catch {
    throw new ComplyCubeWebhookConfigurationError(
      `${user}: the app does not import ComplyCubeWebhookModule, whose metrics it exports. Import ComplyCubeWebhookModule.forRoot() in the same app.`,
    );
  }
}

/** Creates the metrics, adds them to the registry and subscribes to the durations. */
function exportTo(registry: AnyRegistry, metrics: ComplyCubeWebhookMetrics, endpoints: ComplyCubeWebhookEndpoints, user: string): Export {
  const statusOfThisScrape = oneStatusPerScrape(endpoints);
  const counters = COUNTER_METRICS.map(
    ({ key, name, help }) =>
      new promClient.Counter({
        name: counterName(name),
        help,
        registers: [],
        collect() {
          const value = metrics.snapshot()[key];
          this.reset();
          this.inc(value);
        },
      }),
  );
  const rejected = new promClient.Counter({
    name: counterName(REJECTED_METRIC.name),
    help: REJECTED_METRIC.help,
    labelNames: REJECTED_METRIC.prometheusLabels,
    registers: [],
    collect() {
      this.reset();
      for (const [reason, count] of Object.entries(metrics.snapshot().rejected)) this.inc({ reason }, count);
    },
  });
  const handlerDuration = new promClient.Histogram({
    name: HANDLER_DURATION_METRIC.prometheus,
    help: HANDLER_DURATION_METRIC.help,
    labelNames: HANDLER_DURATION_METRIC.prometheusLabels,
    buckets: DURATION_BUCKETS,
    registers: [],
  });
  const deliveryDuration = new promClient.Histogram({
    name: DELIVERY_DURATION_METRIC.prometheus,
    help: DELIVERY_DURATION_METRIC.help,
    labelNames: DELIVERY_DURATION_METRIC.prometheusLabels,
    buckets: DURATION_BUCKETS,
    registers: [],
  });
  const queueJobs = new promClient.Gauge({
    name: QUEUE_JOBS_METRIC.prometheus,
    help: QUEUE_JOBS_METRIC.help,
    labelNames: QUEUE_JOBS_METRIC.prometheusLabels,
    registers: [],
    async collect() {
      const statuses = await statusOfThisScrape();
      this.reset();
      for (const { registration, queue } of statuses) {
        if (!queue?.jobs) continue;
        for (const [state, count] of Object.entries(queue.jobs)) this.set({ registration, queue: queue.name, state }, count);
      }
    },
  });
  const deadLetters = new promClient.Gauge({
    name: DEAD_LETTERS_METRIC.prometheus,
    help: DEAD_LETTERS_METRIC.help,
    labelNames: DEAD_LETTERS_METRIC.prometheusLabels,
    registers: [],
    async collect() {
      const statuses = await statusOfThisScrape();
      this.reset();
      for (const { registration, queue, storeDeadLetters } of statuses) {
        if (queue?.jobs) this.set({ registration, source: 'queue' }, queue.jobs.failed);
        if (storeDeadLetters !== undefined) this.set({ registration, source: 'store' }, storeDeadLetters);
      }
    },
  });

  // By the name each is registered under: prom-client renames a counter (without `_total`) when it
  // writes the OpenMetrics format, but the registry keeps it under the name it was registered with.
  const added = new Map<string, PrometheusMetric>([
    ...COUNTER_METRICS.map(({ name }, index): [string, PrometheusMetric] => [counterName(name), counters[index]]),
    [counterName(REJECTED_METRIC.name), rejected],
    [HANDLER_DURATION_METRIC.prometheus, handlerDuration],
    [DELIVERY_DURATION_METRIC.prometheus, deliveryDuration],
    [QUEUE_JOBS_METRIC.prometheus, queueJobs],
    [DEAD_LETTERS_METRIC.prometheus, deadLetters],
  ]);
  const taken = [...added.keys()].find((name) => registry.getSingleMetric(name) !== undefined);
  if (taken) {
    throw new ComplyCubeWebhookConfigurationError(
      `${user}: this Prometheus registry already has a metric named ${taken}, which nestjs-complycube-webhooks/prometheus did not add ` +
        '(the app defines it, or another copy of the package added it). Remove it, or give the ComplyCube webhook metrics a registry of their own: ' +
        'ComplyCubePrometheusModule.forRoot({ registry: new Registry() }).',
    );
  }
  for (const metric of added.values()) registry.registerMetric(metric);
  const unsubscribe = metrics.subscribe({
    handlerSettled: ({ handlerKey, registration, outcome, seconds }) =>
      handlerDuration.observe({ handler: handlerKey, registration, outcome }, seconds),
    deliveryEnded: ({ registration, mode, outcome, seconds }) => deliveryDuration.observe({ registration, mode, outcome }, seconds),
  });

  return {
    metrics,
    holders: 0,
    remove: () => {
      unsubscribe();
      for (const [name, metric] of added) {
        if (registry.getSingleMetric(name) === metric) registry.removeSingleMetric(name);
      }
    },
  };
}

function counterName(name: string): string {
  return `${METRIC_PREFIX.prometheus}${name}_total`;
}

/**
 * Both gauges read `status()`; a scrape collects them at once, so they share one call. A failed call
 * leaves the gauges out of that scrape rather than failing the app's whole `/metrics`.
 */
function oneStatusPerScrape(endpoints: ComplyCubeWebhookEndpoints): () => Promise<ComplyCubeEndpointStatus[]> {
  let running: Promise<ComplyCubeEndpointStatus[]> | undefined;
  return () =>
    (running ??= endpoints
      .status()
      .catch((error: unknown) => {
        logger.warn(`The ComplyCube endpoints' status failed, so this scrape has no queue or dead-letter gauges: ${describeError(error)}`);
        return [];
      })
      .finally(() => (running = undefined)));
}
