import { createHmac, timingSafeEqual } from 'node:crypto';
import { inject } from 'light-my-request';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { BENCH_EVENT_TYPE, COMPLYCUBE_BENCH_SECRET } from '../events';
import { recordHandledEvent, serveBenchCase } from '../server-harness';

/**
 * Case A, the floor: node:http doing only what a verified webhook needs — read the raw body,
 * check its HMAC, parse it, find the handler in a Map, answer 200.
 */
const PATH = '/webhooks/complycube';
const handlers = new Map<string, (event: { id?: unknown }) => void>([[BENCH_EVENT_TYPE, recordHandledEvent]]);

function isSigned(body: Buffer, signature: string | string[] | undefined): boolean {
  if (typeof signature !== 'string' || signature.length !== 64) return false;
  const received = Buffer.from(signature, 'hex');
  if (received.length !== 32) return false;
  return timingSafeEqual(createHmac('sha256', COMPLYCUBE_BENCH_SECRET).update(body).digest(), received);
}

function answer(response: ServerResponse, status: number, body: string): void {
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  response.end(body);
}

function receive(request: IncomingMessage, response: ServerResponse): void {
  if (request.method !== 'POST' || request.url !== PATH) {
    answer(response, 404, '{"message":"Not Found"}');
    return;
  }
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const body = Buffer.concat(chunks);
    if (!isSigned(body, request.headers['complycube-signature'])) {
      answer(response, 401, '{"message":"Invalid signature"}');
      return;
    }
    let event: { id?: unknown; type?: unknown };
    try {
      event = JSON.parse(body.toString('utf8')) as { id?: unknown; type?: unknown };
    } catch {
      answer(response, 400, '{"message":"Invalid JSON"}');
      return;
    }
    const handler = typeof event.type === 'string' ? handlers.get(event.type) : undefined;
    handler?.(event);
    answer(response, 200, '{"received":true}');
  });
}

serveBenchCase(async () => ({
  listen: () =>
    new Promise<Server>((resolve) => {
      const server = createServer(receive);
      server.listen(0, '127.0.0.1', () => resolve(server));
    }),
  inject: async () => (request) => inject(receive, request),
}));
