import { CanActivate, ExecutionContext, Injectable, OnModuleInit, Type } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { ComplyCubeWebhookConfigurationError } from '../common/errors';
import { ComplyCubeWebhookMetrics } from '../delivery/webhook.metrics';
import { ComplyCubeEndpointRegistry } from './endpoint.registry';
import { checkSignedRequest, IncomingWebhookRequest } from './signed-request';
import { ComplyCubeSignatureVerifier } from '../verification/verify';

const namedGuards = new Map<string, Type<CanActivate>>();

/**
 * Lets a request through only when its `ComplyCube-Signature` is the HMAC-SHA256 of its raw body
 * under the secrets of the app's `ComplyCubeWebhookModule` registration. Works on Express and
 * Fastify; needs `rawBody: true`. Use it on your own controller:
 * `@UseGuards(ComplyCubeSignatureGuard)` when the app registers the module once, and
 * `@UseGuards(ComplyCubeSignatureGuard.for('live'))` to pick a registration by its `name` when it
 * registers several (the bare guard then stops the app at start-up rather than guess).
 */
@Injectable()
export class ComplyCubeSignatureGuard implements CanActivate, OnModuleInit {
  /** The registration this guard verifies for; undefined means the app's only one. */
  protected readonly registrationName?: string;
  private verify?: ComplyCubeSignatureVerifier;
  private metrics?: ComplyCubeWebhookMetrics;

  constructor(private readonly moduleRef: ModuleRef) {}

  /** The guard of the registration named `name` (`forRoot({ name })`). */
  static for(name: string): Type<CanActivate> {
    if (typeof name !== 'string' || name === '') {
      throw new TypeError('ComplyCubeSignatureGuard.for(name): name must be the name of a ComplyCubeWebhookModule registration.');
    }
    let guard = namedGuards.get(name);
    if (!guard) {
      @Injectable()
      class NamedComplyCubeSignatureGuard extends ComplyCubeSignatureGuard {
        protected override readonly registrationName = name;
      }
      Object.defineProperty(NamedComplyCubeSignatureGuard, 'name', { value: `ComplyCubeSignatureGuard.for('${name}')` });
      guard = NamedComplyCubeSignatureGuard;
      namedGuards.set(name, guard);
    }
    return guard;
  }

  /** Finds its registration at start-up, so that a missing or ambiguous one stops the app. */
  onModuleInit(): void {
    const user =
      this.registrationName === undefined ? 'ComplyCubeSignatureGuard' : `ComplyCubeSignatureGuard.for('${this.registrationName}')`;
    let registry: ComplyCubeEndpointRegistry;
    try {
      registry = this.moduleRef.get(ComplyCubeEndpointRegistry, { strict: false });
      this.metrics = this.moduleRef.get(ComplyCubeWebhookMetrics, { strict: false });
    } catch {
      throw new ComplyCubeWebhookConfigurationError(`${user}: the app does not import ComplyCubeWebhookModule.forRoot().`);
    }
    const endpoint = registry.select(this.registrationName, user, (name) => `@UseGuards(ComplyCubeSignatureGuard.for('${name}'))`);
    this.verify = endpoint.verify;
  }

  canActivate(context: ExecutionContext): true | Promise<true> {
    if (!this.verify || !this.metrics) {
      throw new ComplyCubeWebhookConfigurationError('ComplyCubeSignatureGuard was used before the application was initialised.');
    }
    return checkSignedRequest(context.switchToHttp().getRequest<IncomingWebhookRequest>(), this.verify, this.metrics);
  }
}
