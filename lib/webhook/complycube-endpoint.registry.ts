import { Injectable } from '@nestjs/common';
import { ComplyCubeWebhookConfigurationError } from '../complycube-webhook.errors';

/**
 * The endpoint paths of one app. Two registrations on one path would leave one of them
 * unreachable (Express) or stop Fastify with a bare route clash; this names the cause instead.
 */
@Injectable()
export class ComplyCubeEndpointRegistry {
  private readonly paths = new Set<string>();

  register(path: string): string {
    const key = path.split('/').filter(Boolean).join('/').toLowerCase();
    if (this.paths.has(key)) {
      throw new ComplyCubeWebhookConfigurationError(
        `Two ComplyCubeWebhookModule registrations use the path "${path}": give each endpoint its own path.`,
      );
    }
    this.paths.add(key);
    return path;
  }
}
