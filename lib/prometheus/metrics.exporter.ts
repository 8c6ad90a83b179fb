import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { ComplyCubePrometheusCollectors, exportMetrics } from './collectors';
import { ComplyCubePrometheusOptions } from './prometheus-options.interface';

/** Injection token: the options given to `ComplyCubePrometheusModule.forRoot()`. */
export const COMPLYCUBE_PROMETHEUS_OPTIONS = Symbol('COMPLYCUBE_PROMETHEUS_OPTIONS');

/** How errors name the module. */
export const PROMETHEUS_MODULE = 'ComplyCubePrometheusModule.forRoot()';

/** Adds the app's ComplyCube webhook metrics to the registry when the app starts, and takes them off when it closes. */
@Injectable()
export class PrometheusMetricsExporter implements OnModuleInit, OnModuleDestroy {
  private collectors?: ComplyCubePrometheusCollectors;

  constructor(
    private readonly moduleRef: ModuleRef,
    @Inject(COMPLYCUBE_PROMETHEUS_OPTIONS) private readonly options: ComplyCubePrometheusOptions,
  ) {}

  onModuleInit(): void {
    this.collectors = exportMetrics(this.moduleRef, this.options, PROMETHEUS_MODULE);
  }

  onModuleDestroy(): void {
    this.collectors?.unregister();
  }
}
