import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { describeError } from '../common/errors';
import { hideUrlCredentialsInText } from '../common/http-url';
import { ComplyCubeEndpointStatus, ComplyCubeWebhookConfigurationError, ComplyCubeWebhookEndpoints } from '../index';
import { terminus } from './terminus';

/** What `ComplyCubeHealthIndicator.isHealthy` checks beyond reachability. */
export interface ComplyCubeHealthOptions {
  /** Down when a queue holds more waiting jobs than this. Default: not checked. */
  maxWaitingJobs?: number;
  /**
   * Down when a registration has more dead letters than this: its queue's failed jobs in queue
   * mode, else those its `deadLetters` option keeps in the store. Default: not checked.
   */
  maxDeadLetters?: number;
  /**
   * When the start-up subscription check ran: down when it found ComplyCube's webhook for the
   * endpoint disabled (or none). Default true; `false` only reports it.
   */
  requireEnabledWebhook?: boolean;
}

/** One registration in the indicator's result: its parts, and which of them fail. */
export interface ComplyCubeEndpointHealth {
  /** The registration's `name`; absent for an unnamed one. */
  name?: string;
  route: string;
  status: 'up' | 'down';
  /** The parts that make it down: `store`, `queue`, `waitingJobs`, `deadLetters`, `webhook`. */
  failing: Array<'store' | 'queue' | 'waitingJobs' | 'deadLetters' | 'webhook'>;
  store: { kind: ComplyCubeEndpointStatus['store']['kind']; up: boolean; error?: string };
  queue?: { name: string; up: boolean; error?: string; waiting?: number; active?: number; delayed?: number };
  /** The dead letters counted against `maxDeadLetters`. */
  deadLetters?: number;
  /** What the start-up subscription check found; `enabled` is absent when ComplyCube could not be asked. */
  webhook?: { checkedAt: string; enabled?: boolean; error?: string };
}

const THRESHOLDS = ['maxWaitingJobs', 'maxDeadLetters'] as const;

/**
 * A `@nestjs/terminus` health indicator for the app's ComplyCube endpoints, built on
 * `ComplyCubeWebhookEndpoints.status()`: over their existing connections, each registration's
 * idempotency store and queue must answer, its waiting jobs and dead letters stay within the
 * given thresholds, and the webhook the start-up subscription check found must be enabled.
 * Provide it in the module that imports `TerminusModule`; it finds the endpoints wherever
 * `ComplyCubeWebhookModule` is imported.
 */
@Injectable()
export class ComplyCubeHealthIndicator implements OnModuleInit {
  private endpoints?: ComplyCubeWebhookEndpoints;

  constructor(
    @Inject(terminus.HealthIndicatorService) private readonly healthIndicatorService: HealthIndicatorService,
    private readonly moduleRef: ModuleRef,
  ) {}

  onModuleInit(): void {
    this.endpoints = this.findEndpoints();
  }

  /**
   * `{ [key]: { status, endpoints } }`, one `ComplyCubeEndpointHealth` per registration; down
   * when any of them is. Answers within about 3 s: each check of a dependency is bounded.
   */
  async isHealthy<const Key extends string = 'complycube'>(
    key: Key = 'complycube' as Key,
    options: ComplyCubeHealthOptions = {},
  ): Promise<HealthIndicatorResult<Key>> {
    checkOptions(options);
    const indicator = this.healthIndicatorService.check(key);
    let statuses: ComplyCubeEndpointStatus[];
    try {
      statuses = await (this.endpoints ?? this.findEndpoints()).status();
    } catch (error) {
      return indicator.down({ error: hideUrlCredentialsInText(describeError(error)) });
    }
    const endpoints = statuses.map((status) => healthOf(status, options));
    return endpoints.every((endpoint) => endpoint.status === 'up') ? indicator.up({ endpoints }) : indicator.down({ endpoints });
  }

  private findEndpoints(): ComplyCubeWebhookEndpoints {
    try {
      return this.moduleRef.get(ComplyCubeWebhookEndpoints, { strict: false });
    } catch {
      throw new ComplyCubeWebhookConfigurationError(
        'ComplyCubeHealthIndicator: the app has no ComplyCube endpoint to check; import ComplyCubeWebhookModule.forRoot() in AppModule.',
      );
    }
  }
}

function checkOptions(options: ComplyCubeHealthOptions): void {
  if (typeof options !== 'object' || options === null) {
    throw new ComplyCubeWebhookConfigurationError('ComplyCubeHealthIndicator.isHealthy: options must be an object.');
  }
  for (const name of THRESHOLDS) {
    const value = options[name];
    if (value !== undefined && !(Number.isInteger(value) && value >= 0)) {
      throw new ComplyCubeWebhookConfigurationError(
        `ComplyCubeHealthIndicator.isHealthy: ${name} must be a whole number, 0 or more (got ${JSON.stringify(value)}).`,
      );
    }
  }
  if (options.requireEnabledWebhook !== undefined && typeof options.requireEnabledWebhook !== 'boolean') {
    throw new ComplyCubeWebhookConfigurationError(
      `ComplyCubeHealthIndicator.isHealthy: requireEnabledWebhook must be true or false (got ${JSON.stringify(options.requireEnabledWebhook)}).`,
    );
  }
}

/** Error texts come from drivers and APIs: a URL's credentials in one are hidden. */
function safe(error: string | undefined): string | undefined {
  return error === undefined ? undefined : hideUrlCredentialsInText(error);
}

function healthOf(status: ComplyCubeEndpointStatus, options: ComplyCubeHealthOptions): ComplyCubeEndpointHealth {
  const failing: ComplyCubeEndpointHealth['failing'] = [];
  const health: ComplyCubeEndpointHealth = {
    ...(status.name === undefined ? {} : { name: status.name }),
    route: status.route,
    status: 'up',
    failing,
    store: { kind: status.store.kind, up: status.store.up, ...(status.store.error ? { error: safe(status.store.error) } : {}) },
  };
  if (!status.store.up) failing.push('store');

  const { queue } = status;
  if (queue) {
    health.queue = { name: queue.name, up: queue.up };
    if (queue.error) health.queue.error = safe(queue.error);
    if (queue.jobs) Object.assign(health.queue, { waiting: queue.jobs.waiting, active: queue.jobs.active, delayed: queue.jobs.delayed });
    if (!queue.up) failing.push('queue');
    if (options.maxWaitingJobs !== undefined && queue.jobs && queue.jobs.waiting > options.maxWaitingJobs) failing.push('waitingJobs');
  }

  const deadLetters = queue ? queue.jobs?.failed : status.storeDeadLetters;
  if (deadLetters !== undefined) {
    health.deadLetters = deadLetters;
    if (options.maxDeadLetters !== undefined && deadLetters > options.maxDeadLetters) failing.push('deadLetters');
  }

  const { subscription } = status;
  if (subscription) {
    health.webhook = { checkedAt: subscription.checkedAt };
    if (subscription.enabled !== undefined) health.webhook.enabled = subscription.enabled;
    if (subscription.error) health.webhook.error = safe(subscription.error);
    if (options.requireEnabledWebhook !== false && subscription.enabled === false) failing.push('webhook');
  }

  health.status = failing.length === 0 ? 'up' : 'down';
  return health;
}
