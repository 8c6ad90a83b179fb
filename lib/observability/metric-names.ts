/*
 * The names of the package's metrics, one table for both exporters: Prometheus
 * (`complycube_webhook_<name>_total`, seconds, snake case) and OpenTelemetry
 * (`complycube.webhook.<name>`, dotted). They are part of the public contract: renaming one breaks
 * dashboards, so they change only with a major version. `prometheusLabels` are a Prometheus
 * metric's label names; `registration` is the registration's name, else its path
 * (`webhooks/complycube`), the same in every metric.
 */

/** The counters of `ComplyCubeWebhookMetrics.snapshot()`, each with its exported name and meaning. */
export const COUNTER_METRICS = [
  { key: 'received', name: 'received', help: 'Requests that reached the signature check.' },
  { key: 'verified', name: 'verified', help: 'Requests whose signature was valid.' },
  { key: 'handled', name: 'events_handled', help: 'Events whose every matching handler succeeded.' },
  { key: 'duplicates', name: 'duplicates', help: 'Deliveries of events handled before (answered duplicate, or a job that ran nothing).' },
  {
    key: 'inFlightConflicts',
    name: 'in_flight_conflicts',
    help: 'Deliveries that found the same event being handled by another delivery.',
  },
  { key: 'handlerFailures', name: 'handler_failures', help: 'Handler runs that threw or rejected.' },
  { key: 'timeouts', name: 'timeouts', help: 'Deliveries answered 503 because handlers were still running at the deadline.' },
  { key: 'abandoned', name: 'abandoned', help: 'Deliveries given up because handlers never settled (abandonAfterMs).' },
  { key: 'storeErrors', name: 'store_errors', help: 'Failed idempotency store operations.' },
  { key: 'queued', name: 'queued', help: 'Queue mode: events stored as new jobs.' },
  { key: 'queueErrors', name: 'queue_errors', help: 'Queue mode: deliveries answered 503 because Redis did not store the job in time.' },
  { key: 'jobFailures', name: 'job_failures', help: 'Queue mode: job attempts that failed.' },
  { key: 'deadLettered', name: 'dead_lettered', help: 'Events set aside as dead letters.' },
] as const;

export const METRIC_PREFIX = { prometheus: 'complycube_webhook_', openTelemetry: 'complycube.webhook.' } as const;

/** Requests refused before any handler ran, by reason (`signature`, `mediaType`, `body`, `rawBodyMissing`). */
export const REJECTED_METRIC = {
  name: 'rejected',
  help: 'Requests refused before any handler ran, by reason.',
  prometheusLabels: ['reason'],
} as const;

export const HANDLER_DURATION_METRIC = {
  prometheus: 'complycube_webhook_handler_duration_seconds',
  openTelemetry: 'complycube.webhook.handler.duration',
  help: 'How long each handler ran, by handler key, registration and outcome (succeeded, failed).',
  prometheusLabels: ['handler', 'registration', 'outcome'],
} as const;

export const DELIVERY_DURATION_METRIC = {
  prometheus: 'complycube_webhook_delivery_duration_seconds',
  openTelemetry: 'complycube.webhook.delivery.duration',
  help: 'How long each delivery took (over HTTP, or one job attempt in a worker), by registration, mode and outcome.',
  prometheusLabels: ['registration', 'mode', 'outcome'],
} as const;

export const QUEUE_JOBS_METRIC = {
  prometheus: 'complycube_webhook_queue_jobs',
  openTelemetry: 'complycube.webhook.queue.jobs',
  help: 'Queue mode: jobs by state (waiting, active, delayed, failed: the dead letters, completed), per registration.',
  prometheusLabels: ['registration', 'queue', 'state'],
} as const;

export const DEAD_LETTERS_METRIC = {
  prometheus: 'complycube_webhook_dead_letters',
  openTelemetry: 'complycube.webhook.dead_letters',
  help: 'Dead letters waiting for an operator, per registration and source (queue, store).',
  prometheusLabels: ['registration', 'source'],
} as const;

/** Histogram buckets in seconds: handlers take milliseconds to minutes. */
export const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
