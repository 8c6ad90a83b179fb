import { Injectable } from '@nestjs/common';
import { ApplicationConfig } from '@nestjs/core';
import { describeError } from '../common/errors';
import { joinRoutePath } from '../common/route-path';
import { MemoryIdempotencyStore } from '../delivery/memory-idempotency.store';
import { RedisIdempotencyStore } from '../delivery/redis-idempotency.store';
import { beforeDeadline, DEADLINE_PASSED } from './deadline';
import { ComplyCubeEvent } from '../events/event.interface';
import { findComplyCubeEventProblem } from '../events/event-envelope';
import { ComplyCubeEndpoint } from './endpoint';
import { ComplyCubeEndpointRegistry } from './endpoint.registry';
import { ComplyCubeWebhookReceipt } from './receiver';

/** `work`, or a rejection once STATUS_TIMEOUT_MS has passed. */
async function bounded<T>(work: Promise<T>): Promise<T> {
  const outcome = await beforeDeadline(work, STATUS_TIMEOUT_MS);
  if (outcome === DEADLINE_PASSED) throw new Error(`no answer within ${STATUS_TIMEOUT_MS} ms`);
  return outcome;
}

/** One endpoint of the app, as `ComplyCubeWebhookEndpoints.list()` describes it. */
export interface ComplyCubeWebhookEndpointInfo {
  /** The registration's `name`; undefined for an unnamed one. */
  name?: string;
  /** The module's `path`, as given. */
  path: string;
  /** The route ComplyCube posts to, global prefix included, e.g. `/api/webhooks/complycube`. */
  route: string;
}

/** How one endpoint's dependencies are doing, as health checks and dashboards read it. */
export interface ComplyCubeEndpointStatus {
  name?: string;
  route: string;
  /** The `registration` label of the package's metrics: the registration's name, else its path (`webhooks/complycube`). */
  registration: string;
  /** The idempotency store: `memory` is always up; `none` when idempotency is off. */
  store: { kind: 'memory' | 'redis' | 'custom' | 'none'; up: boolean; error?: string };
  /** Queue mode: whether its Redis answers, and its job counts (`failed` are its dead letters). */
  queue?: {
    name: string;
    up: boolean;
    error?: string;
    jobs?: { waiting: number; active: number; delayed: number; failed: number; completed: number };
  };
  /** Without a queue, with the `deadLetters` option: how many dead letters the store keeps. */
  storeDeadLetters?: number;
  /** When the start-up subscription check ran: whether ComplyCube's webhook for the endpoint is enabled. */
  subscription?: { checkedAt: string; url?: string; enabled?: boolean; error?: string };
}

/** A status check that does not answer within this long counts as down: health endpoints must answer fast. */
const STATUS_TIMEOUT_MS = 3_000;

export interface ComplyCubeDeliverOptions {
  /** With several registrations: the `name` of the one whose handlers and records to use. */
  registration?: string;
}

/**
 * The app's ComplyCube endpoints, one per `ComplyCubeWebhookModule` registration. Inject it to list
 * them, or to hand an event to a registration's handlers without HTTP (what the testing kit's
 * `deliverComplyCubeEvent` does), with the same idempotency records and answer as the endpoint.
 */
@Injectable()
export class ComplyCubeWebhookEndpoints {
  /** @internal Made by Nest: inject it. */
  constructor(
    private readonly registry: ComplyCubeEndpointRegistry,
    private readonly appConfig: ApplicationConfig,
  ) {}

  list(): ComplyCubeWebhookEndpointInfo[] {
    return this.registry.all.map((endpoint) => ({ name: endpoint.name, path: endpoint.path, route: this.routeOf(endpoint) }));
  }

  /** The route of the named registration, or of the only one. */
  route(registration?: string): string {
    return this.routeOf(this.select(registration, 'ComplyCubeWebhookEndpoints.route()'));
  }

  /**
   * Runs `event` through a registration's delivery, as if it had arrived signed, and returns what
   * the endpoint would have answered. The event travels as JSON, as over HTTP, and must be a
   * ComplyCube event (a TypeError says what is wrong otherwise).
   */
  async deliver(event: ComplyCubeEvent<string>, options: ComplyCubeDeliverOptions = {}): Promise<ComplyCubeWebhookReceipt> {
    const received: unknown = JSON.parse(JSON.stringify(event));
    const problem = findComplyCubeEventProblem(received);
    if (problem) throw new TypeError(`Not a ComplyCube event: ${problem}.`);
    const endpoint = this.select(options.registration, 'ComplyCubeWebhookEndpoints.deliver()');
    return endpoint.receiver.receive(received as ComplyCubeEvent<string>);
  }

  /**
   * Checks every endpoint's dependencies over their existing connections (no new one per check):
   * the idempotency store, the queue and its job counts, the dead letters kept, and what the
   * start-up subscription check found. Each check gives up after 3 s.
   */
  async status(): Promise<ComplyCubeEndpointStatus[]> {
    return Promise.all(this.registry.all.map((endpoint) => this.statusOf(endpoint)));
  }

  private async statusOf(endpoint: ComplyCubeEndpoint): Promise<ComplyCubeEndpointStatus> {
    const store = endpoint.delivery.idempotency?.store;
    const status: ComplyCubeEndpointStatus = {
      name: endpoint.name,
      route: this.routeOf(endpoint),
      registration: endpoint.observer.registration,
      store: {
        kind: !store
          ? 'none'
          : store instanceof MemoryIdempotencyStore
            ? 'memory'
            : store instanceof RedisIdempotencyStore
              ? 'redis'
              : 'custom',
        up: true,
      },
    };
    const checks: Array<Promise<void>> = [];
    if (store?.ping) {
      checks.push(
        bounded(store.ping()).catch((error: unknown) => {
          status.store = { ...status.store, up: false, error: describeError(error) };
        }),
      );
    }
    const queue = endpoint.queue?.eventQueue.queue;
    if (queue) {
      const queueStatus: NonNullable<ComplyCubeEndpointStatus['queue']> = { name: queue.name, up: true };
      status.queue = queueStatus;
      checks.push(
        bounded(queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed')).then(
          (counts) => {
            queueStatus.jobs = {
              waiting: counts.waiting ?? 0,
              active: counts.active ?? 0,
              delayed: counts.delayed ?? 0,
              failed: counts.failed ?? 0,
              completed: counts.completed ?? 0,
            };
          },
          (error: unknown) => {
            queueStatus.up = false;
            queueStatus.error = describeError(error);
          },
        ),
      );
    }
    if (endpoint.storeDeadLetters) {
      checks.push(
        bounded(endpoint.storeDeadLetters.list()).then(
          (letters) => void (status.storeDeadLetters = letters.length),
          (error: unknown) => {
            status.store = { ...status.store, up: false, error: describeError(error) };
          },
        ),
      );
    }
    const { checkedAt, url, enabled, error } = endpoint.subscriptionState;
    if (checkedAt) status.subscription = { checkedAt, url, enabled, error };
    await Promise.all(checks);
    return status;
  }

  private select(registration: string | undefined, user: string): ComplyCubeEndpoint {
    return this.registry.select(registration, user, (name) => `with { registration: '${name}' }`);
  }

  private routeOf(endpoint: ComplyCubeEndpoint): string {
    return `/${joinRoutePath(this.appConfig.getGlobalPrefix(), endpoint.path)}`;
  }
}
