import type { Registry, RegistryContentType } from 'prom-client';

/** Where the package's Prometheus metrics go. */
export interface ComplyCubePrometheusOptions {
  /**
   * The prom-client registry to add the metrics to. Default prom-client's global `register`, the one
   * `@willsoto/nestjs-prometheus` and `collectDefaultMetrics()` use.
   */
  registry?: Registry<RegistryContentType>;
}
