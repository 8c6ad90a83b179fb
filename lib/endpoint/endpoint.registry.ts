import { Injectable } from '@nestjs/common';
import { ComplyCubeWebhookConfigurationError } from '../common/errors';
import { ComplyCubeEndpoint } from './endpoint';

/**
 * Every endpoint (`ComplyCubeWebhookModule` registration) of one app. It refuses two on one path,
 * which would leave one unreachable (Express) or stop Fastify with a bare route clash, and two with
 * one name; and it is where the exported guard and the testing kit find the endpoint they mean.
 */
@Injectable()
export class ComplyCubeEndpointRegistry {
  private readonly endpoints: ComplyCubeEndpoint[] = [];

  get all(): readonly ComplyCubeEndpoint[] {
    return this.endpoints;
  }

  /** The endpoint whose idempotency records have this scope (its name, else its path). */
  byScope(scope: string): ComplyCubeEndpoint | undefined {
    return this.endpoints.find((endpoint) => endpoint.scope === scope);
  }

  add(endpoint: ComplyCubeEndpoint): void {
    const route = routeKey(endpoint.path);
    if (this.endpoints.some((other) => routeKey(other.path) === route)) {
      throw new ComplyCubeWebhookConfigurationError(
        `Two ComplyCubeWebhookModule registrations use the path "${endpoint.path}": give each endpoint its own path.`,
      );
    }
    if (endpoint.name !== undefined && this.endpoints.some((other) => other.name === endpoint.name)) {
      throw new ComplyCubeWebhookConfigurationError(
        `Two ComplyCubeWebhookModule registrations are named '${endpoint.name}': give each its own name.`,
      );
    }
    this.endpoints.push(endpoint);
  }

  /**
   * The endpoint `name` designates, or the only one when no name is given. `user` names what asks
   * (for messages), `howToName` says how that user names a registration.
   */
  select(name: string | undefined, user: string, howToName: (name: string) => string): ComplyCubeEndpoint {
    if (this.endpoints.length === 0) {
      throw new ComplyCubeWebhookConfigurationError(
        `${user}: the app has no ComplyCubeWebhookModule registration; import ComplyCubeWebhookModule.forRoot().`,
      );
    }
    const known = this.endpoints.map((endpoint) => endpoint.label).join(', ');
    if (name !== undefined) {
      const endpoint = this.endpoints.find((candidate) => candidate.name === name);
      if (!endpoint) {
        throw new ComplyCubeWebhookConfigurationError(
          `${user}: no ComplyCubeWebhookModule registration is named '${name}' (the app has ${known}).`,
        );
      }
      return endpoint;
    }
    if (this.endpoints.length > 1) {
      const named = this.endpoints.find((endpoint) => endpoint.name !== undefined)?.name ?? 'live';
      throw new ComplyCubeWebhookConfigurationError(
        `${user} cannot tell which of the app's ${this.endpoints.length} ComplyCubeWebhookModule registrations to use ` +
          `(${known}): name one, ${howToName(named)}` +
          (this.endpoints.some((endpoint) => endpoint.name === undefined)
            ? ', after giving each registration a name with forRoot({ name })'
            : '') +
          '.',
      );
    }
    return this.endpoints[0];
  }
}

function routeKey(path: string): string {
  return path.split('/').filter(Boolean).join('/').toLowerCase();
}
