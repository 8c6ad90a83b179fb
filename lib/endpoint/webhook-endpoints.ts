import { Injectable } from '@nestjs/common';
import { ApplicationConfig } from '@nestjs/core';
import { joinRoutePath } from '../common/route-path';
import { ComplyCubeEvent } from '../events/event.interface';
import { findComplyCubeEventProblem } from '../events/event-envelope';
import { ComplyCubeEndpoint } from './endpoint';
import { ComplyCubeEndpointRegistry } from './endpoint.registry';
import { ComplyCubeWebhookReceipt } from './receiver';

/** One endpoint of the app, as `ComplyCubeWebhookEndpoints.list()` describes it. */
export interface ComplyCubeWebhookEndpointInfo {
  /** The registration's `name`; undefined for an unnamed one. */
  name?: string;
  /** The module's `path`, as given. */
  path: string;
  /** The route ComplyCube posts to, global prefix included, e.g. `/api/webhooks/complycube`. */
  route: string;
}

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

  private select(registration: string | undefined, user: string): ComplyCubeEndpoint {
    return this.registry.select(registration, user, (name) => `with { registration: '${name}' }`);
  }

  private routeOf(endpoint: ComplyCubeEndpoint): string {
    return `/${joinRoutePath(this.appConfig.getGlobalPrefix(), endpoint.path)}`;
  }
}
