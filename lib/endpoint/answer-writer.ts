import type { HttpServer } from '@nestjs/common';
import type { ComplyCubeWebhookReceipt } from './receiver';

/** The body of a 2xx answer. */
type AcceptedBody = Extract<ComplyCubeWebhookReceipt, { status: 200 }>['body'];

/** Writes one 2xx answer on the adapter's response object. */
export type AnswerWriter = (response: unknown, body: AcceptedBody) => void;

const CONTENT_TYPE = 'application/json; charset=utf-8';
const bodies = new Map<string, Buffer>();

/** The answer's bytes, serialised once per shape (there are five). */
function bytesOf(body: AcceptedBody): Buffer {
  const key = `${body.queued ? 'q' : ''}${body.duplicate ? 'd' : ''}${body.deadLettered ? 'l' : ''}`;
  let bytes = bodies.get(key);
  if (!bytes) {
    bytes = Buffer.from(JSON.stringify(body));
    bodies.set(key, bytes);
  }
  return bytes;
}

interface NodeResponse {
  statusCode: number;
  setHeader(name: string, value: string | number): unknown;
  end(chunk: Buffer): unknown;
}

interface FastifyReply {
  code(status: number): FastifyReply;
  header(name: string, value: string): FastifyReply;
  send(payload: Buffer): unknown;
}

/**
 * How the endpoint writes its 2xx answers: the same few bodies every time, so they are serialised
 * once and written as bytes, without Express's ETag (a hash of each body) or Fastify's serialiser.
 * The answer is the endpoint's own: an app interceptor that reshapes responses (`{ data: ... }`) does
 * not change it, as ComplyCube reads the status and the documented body is what tools expect.
 * Error answers still go through the app's exception filters.
 */
export function createAnswerWriter(adapter: HttpServer | undefined): AnswerWriter {
  switch (adapter?.getType?.()) {
    case 'express':
      return (response, body) => {
        const bytes = bytesOf(body);
        const res = response as NodeResponse;
        res.statusCode = 200;
        res.setHeader('Content-Type', CONTENT_TYPE);
        res.setHeader('Content-Length', bytes.length);
        res.end(bytes);
      };
    case 'fastify':
      return (response, body) => {
        (response as FastifyReply).code(200).header('content-type', CONTENT_TYPE).send(bytesOf(body));
      };
    default:
      return (response, body) => void adapter?.reply(response, body, 200);
  }
}
