import { INestApplication } from '@nestjs/common';
import { Server } from 'node:http';
import { ComplyCubeEvent, ComplyCubeWebhookEndpoints } from '../index';
import { ComplyCubeWebhookResponse, postSignedComplyCubeBody } from './post-signed-body';
import { joinRoutePath } from '../common/route-path';

export interface SendComplyCubeEventOptions {
  /** The webhook secret the app verifies with. */
  secret: string;
  /**
   * For an app target: the URL path to post to, global prefix included. Default: the path of the
   * app's ComplyCubeWebhookModule registration below the app's global prefix.
   */
  path?: string;
  /**
   * For an app target that registers ComplyCubeWebhookModule several times: the `name` of the
   * registration to post to (ignored when `path` is given).
   */
  registration?: string;
  /**
   * Extra request headers, names compared case-insensitively: a `Content-Type` replaces the
   * default `application/json`; the signature header is always the computed one.
   */
  headers?: Record<string, string>;
  /**
   * Give up after this many milliseconds with a `ComplyCubeEndpointUnreachableError` (ComplyCube
   * itself waits 15 s). Default: no limit.
   */
  timeoutMs?: number;
}

/**
 * Signs and POSTs an event over real HTTP, as ComplyCube would, and returns the answer.
 * `target` is a Nest app (listening or only initialised: it then listens on a loopback port for
 * this one request) or the endpoint's full URL. A string or Buffer `event` is sent byte for byte;
 * an object is sent as `JSON.stringify(event)`. Either way the signature covers exactly the bytes sent.
 */
export async function sendComplyCubeEvent(
  target: INestApplication | string | URL,
  event: ComplyCubeEvent<string> | string | Buffer,
  options: SendComplyCubeEventOptions,
): Promise<ComplyCubeWebhookResponse> {
  const body = typeof event === 'string' || Buffer.isBuffer(event) ? event : JSON.stringify(event);
  const { secret, headers, timeoutMs } = options;
  const post = (url: string) => postSignedComplyCubeBody(url, body, { secret, headers, timeoutMs });
  // A string is checked by the post itself, whose errors never repeat a password in it.
  if (typeof target === 'string') return post(target);
  if (target instanceof URL) return post(target.href);

  await target.init();
  const path = options.path ?? defaultEndpointPath(target, options.registration);
  const server = target.getHttpServer() as Server;
  if (server.listening) return post(`${baseUrl(server)}/${joinRoutePath(path)}`);
  // Fastify routes requests only once it is ready; Express has no such step.
  const instance: unknown = target.getHttpAdapter().getInstance();
  const ready = (instance as { ready?: unknown } | undefined)?.ready;
  if (typeof ready === 'function') await ready.call(instance);
  await listenOnLoopback(server);
  try {
    return await post(`${baseUrl(server)}/${joinRoutePath(path)}`);
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

function defaultEndpointPath(app: INestApplication, registration: string | undefined): string {
  let endpoints: ComplyCubeWebhookEndpoints;
  try {
    endpoints = app.get(ComplyCubeWebhookEndpoints, { strict: false });
  } catch {
    throw new Error('sendComplyCubeEvent(): the app does not import ComplyCubeWebhookModule; pass options.path or a full URL.');
  }
  return endpoints.route(registration);
}

function baseUrl(server: Server): string {
  const address = server.address();
  if (address === null || typeof address === 'string') {
    throw new Error('sendComplyCubeEvent(): the app listens on a pipe or socket file; pass the endpoint URL instead.');
  }
  const { address: host, port } = address;
  if (host === '::' || host === '0.0.0.0') return `http://127.0.0.1:${port}`;
  return host.includes(':') ? `http://[${host}]:${port}` : `http://${host}:${port}`;
}

function listenOnLoopback(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}
