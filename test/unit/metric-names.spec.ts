import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  COUNTER_METRICS,
  DEAD_LETTERS_METRIC,
  DELIVERY_DURATION_METRIC,
  DURATION_BUCKETS,
  HANDLER_DURATION_METRIC,
  METRIC_PREFIX,
  QUEUE_JOBS_METRIC,
  REJECTED_METRIC,
} from '../../lib/observability/metric-names';

/** Every Prometheus metric of the table in lib/observability/metric-names.ts, with its type and labels. */
const PROMETHEUS_METRICS: Array<{ name: string; type: string; labels: readonly string[] }> = [
  ...COUNTER_METRICS.map(({ name }) => ({ name: `${METRIC_PREFIX.prometheus}${name}_total`, type: 'counter', labels: [] })),
  { name: `${METRIC_PREFIX.prometheus}${REJECTED_METRIC.name}_total`, type: 'counter', labels: REJECTED_METRIC.prometheusLabels },
  { name: HANDLER_DURATION_METRIC.prometheus, type: 'histogram', labels: HANDLER_DURATION_METRIC.prometheusLabels },
  { name: DELIVERY_DURATION_METRIC.prometheus, type: 'histogram', labels: DELIVERY_DURATION_METRIC.prometheusLabels },
  { name: QUEUE_JOBS_METRIC.prometheus, type: 'gauge', labels: QUEUE_JOBS_METRIC.prometheusLabels },
  { name: DEAD_LETTERS_METRIC.prometheus, type: 'gauge', labels: DEAD_LETTERS_METRIC.prometheusLabels },
];

/** The rows of the README's Prometheus metrics table: metric, type, label names, meaning. */
function readmeRows(readme: string): Map<string, { type: string; labels: string[] }> {
  const rows = new Map<string, { type: string; labels: string[] }>();
  for (const [, name, type, labels] of readme.matchAll(/^\| `(complycube_webhook_\w+)` \| (\w+) \|([^|]*)\|/gm)) {
    rows.set(name, { type, labels: [...labels.matchAll(/`(\w+)`/g)].map(([, label]) => label) });
  }
  return rows;
}

describe('the metric names', () => {
  const readme = readFileSync(resolve(__dirname, '..', '..', 'README.md'), 'utf8');

  it('are all in the README, each with its type and labels', () => {
    const rows = readmeRows(readme);
    expect(PROMETHEUS_METRICS.map(({ name }) => [name, rows.get(name)])).toEqual(
      PROMETHEUS_METRICS.map(({ name, type, labels }) => [name, { type, labels: [...labels] }]),
    );
    expect([...rows.keys()].sort()).toEqual(PROMETHEUS_METRICS.map(({ name }) => name).sort());
  });

  it("are documented with the histograms' buckets", () => {
    expect(readme.replace(/\s+/g, ' ')).toContain(`The histograms' buckets, in seconds: ${DURATION_BUCKETS.join(', ')}.`);
  });
});
