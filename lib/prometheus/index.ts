/*
 * nestjs-complycube-webhooks/prometheus: the package's metrics on a prom-client registry, for apps
 * that serve Prometheus metrics (with `@willsoto/nestjs-prometheus` or their own `/metrics` route).
 * Needs the optional peer `prom-client`; the package's root never loads it.
 */
export { ComplyCubePrometheusModule } from './prometheus.module';
export { registerComplyCubeMetrics } from './collectors';
export type { ComplyCubePrometheusCollectors } from './collectors';
export type { ComplyCubePrometheusOptions } from './prometheus-options.interface';
