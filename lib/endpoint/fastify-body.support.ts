import { Injectable, OnModuleInit } from '@nestjs/common';
import { ApplicationConfig, HttpAdapterHost } from '@nestjs/core';
import { joinRoutePath } from '../common/route-path';
import { ComplyCubeWebhookMetrics } from '../delivery/webhook.metrics';
import { ComplyCubeEndpointRegistry } from './endpoint.registry';
import { isEncoded, UNSUPPORTED_MEDIA_TYPE_MESSAGE } from './signed-request';

/** The part of a Fastify instance used here (the package does not depend on Fastify). */
interface FastifyInstanceLike {
  initialConfig: { bodyLimit?: number; onProtoPoisoning?: string; onConstructorPoisoning?: string };
  hasContentTypeParser(contentType: string | RegExp): boolean;
  addContentTypeParser(
    contentType: RegExp,
    options: { parseAs: 'buffer'; bodyLimit?: number },
    parser: (request: { rawBody?: Buffer }, body: Buffer, done: (error: Error | null, value?: unknown) => void) => void,
  ): void;
  getDefaultJsonParser(onProtoPoisoning: string, onConstructorPoisoning: string): (request: unknown, body: Buffer, done: unknown) => void;
  addHook(
    name: 'onRequest',
    hook: (
      request: { headers: Record<string, unknown>; routeOptions?: { url?: string } },
      reply: { code(status: number): { send(body: unknown): void } },
      done: () => void,
    ) => void,
  ): void;
}

/** `application/<subtype>+json`, with or without parameters. */
const STRUCTURED_JSON = /^application\/[^\s;/]+\+json\s*(?:;|$)/i;

/**
 * On Fastify, which parses bodies before any guard runs, makes the endpoint accept and refuse what
 * it does on Express: `application/*+json` bodies are parsed like `application/json` (raw bytes
 * kept as `rawBody`) instead of refused with Fastify's own 415, and a compressed body sent to a
 * ComplyCube endpoint gets 415 instead of the 400 of a JSON parser reading compressed bytes.
 * Nothing changes on Express, nor for routes and media types Fastify already handles.
 */
@Injectable()
export class FastifyBodySupport implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly appConfig: ApplicationConfig,
    private readonly registry: ComplyCubeEndpointRegistry,
    private readonly metrics: ComplyCubeWebhookMetrics,
  ) {}

  onModuleInit(): void {
    const adapter = this.adapterHost?.httpAdapter;
    if (adapter?.getType() !== 'fastify') return;
    const fastify = adapter.getInstance<FastifyInstanceLike>();
    if (!fastify.hasContentTypeParser(STRUCTURED_JSON)) {
      const { bodyLimit, onProtoPoisoning, onConstructorPoisoning } = fastify.initialConfig;
      const parseJson = fastify.getDefaultJsonParser(onProtoPoisoning ?? 'error', onConstructorPoisoning ?? 'error');
      fastify.addContentTypeParser(STRUCTURED_JSON, { parseAs: 'buffer', bodyLimit }, (request, body, done) => {
        request.rawBody = body;
        parseJson(request, body, done);
      });
    }
    const routes = new Set(this.registry.all.map((endpoint) => `/${joinRoutePath(this.appConfig.getGlobalPrefix(), endpoint.path)}`));
    fastify.addHook('onRequest', (request, reply, done) => {
      // Fastify builds `routeOptions` afresh on each read: read it only for the rare encoded body.
      if (!isEncoded(request.headers['content-encoding'] as string | string[] | undefined)) {
        done();
        return;
      }
      const route = request.routeOptions?.url;
      if (route !== undefined && routes.has(route.replace(/\/+$/, '') || '/')) {
        this.metrics.count('received');
        this.metrics.countRejection('mediaType');
        reply.code(415).send({ statusCode: 415, error: 'Unsupported Media Type', message: UNSUPPORTED_MEDIA_TYPE_MESSAGE });
        return;
      }
      done();
    });
  }
}
