import { DynamicModule, Module } from '@nestjs/common';
import { registryOf } from './collectors';
import { COMPLYCUBE_PROMETHEUS_OPTIONS, PROMETHEUS_MODULE, PrometheusMetricsExporter } from './metrics.exporter';
import { ComplyCubePrometheusOptions } from './prometheus-options.interface';

/**
 * Exports the app's ComplyCube webhook metrics to a prom-client registry (default prom-client's
 * global `register`, which `@willsoto/nestjs-prometheus` serves): import
 * `ComplyCubePrometheusModule.forRoot()` next to `ComplyCubeWebhookModule`, once per app.
 */
@Module({})
export class ComplyCubePrometheusModule {
  static forRoot(options: ComplyCubePrometheusOptions = {}): DynamicModule {
    registryOf(options, PROMETHEUS_MODULE);
    return {
      module: ComplyCubePrometheusModule,
      providers: [{ provide: COMPLYCUBE_PROMETHEUS_OPTIONS, useValue: options }, PrometheusMetricsExporter],
    };
  }
}
