import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { ComplyCubeWebhookMetrics } from '../delivery/webhook.metrics';
import { COMPLYCUBE_ENDPOINT, ComplyCubeEndpoint } from './endpoint';
import { checkSignedRequest, IncomingWebhookRequest } from './signed-request';

/** The signature check of the module's own controller: always its own registration's secrets. */
@Injectable()
export class ComplyCubeEndpointGuard implements CanActivate {
  constructor(
    @Inject(COMPLYCUBE_ENDPOINT) private readonly endpoint: ComplyCubeEndpoint,
    private readonly metrics: ComplyCubeWebhookMetrics,
  ) {}

  canActivate(context: ExecutionContext): true | Promise<true> {
    return checkSignedRequest(context.switchToHttp().getRequest<IncomingWebhookRequest>(), this.endpoint.verify, this.metrics);
  }
}
