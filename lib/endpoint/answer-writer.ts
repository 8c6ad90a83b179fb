import type { HttpServer } from '@nestjs/common';
import type { ComplyCubeWebhookReceipt } from './receiver';

/** The body of a 2xx answer. */
type AcceptedBody = Extract<ComplyCubeWebhookReceipt, { status: 200 }>['body'];

/** Writes one 2xx answer on the adapter's response object. */
export type AnswerWriter = (response: unknown, body: AcceptedBody) => void;

const CONTENT_TYPE = 'application/json; charset=utf-8';

/** An answer's body, serialised once: as a string and as bytes. */
interface SerialisedBody {
  text: string;
  bytes: Buffer;
}

const bodies = new Map<string, SerialisedBody>();

/**
 * The answer's body, serialised once per shape (there are five). Express gets the string: Node writes
 * a string body in one chunk with the response's head, and a Buffer in a second. Fastify gets the
 * bytes: it would pass a string through a serializer the app set on the reply (`reply.serializer`),
 * and sends a Buffer as it is.
 */
function serialised(body: AcceptedBody): SerialisedBody {
  const key = `${body.queued ? 'q' : ''}${body.duplicate ? 'd' : ''}${body.deadLettered ? 'l' : ''}`;
  let found = bodies.get(key);
  if (!found) {
    const text = JSON.stringify(body);
    found = { text, bytes: Buffer.from(text) };
    bodies.set(key, found);
  }
  return found;
}

interface NodeResponse {
  statusCode: number;
  setHeader(name: string, value: string | number): unknown;
  end(chunk: string): unknown;
}

interface FastifyReply {
  code(status: number): FastifyReply;
  header(name: string, value: string): FastifyReply;
  send(payload: Buffer): unknown;
}

/**
 * How the endpoint writes its 2xx answers: the same few bodies every time, so they are serialised
 * once and written as they are, without Express's ETag (a hash of each body) or Fastify's serialiser.
 * The answer is the endpoint's own: an app interceptor that reshapes responses (`{ data: ... }`) does
 * not change it, as ComplyCube reads the status and the documented body is what tools expect.
 * Error answers still go through the app's exception filters.
 */
export function createAnswerWriter(adapter: HttpServer | undefined): AnswerWriter {
  switch (adapter?.getType?.()) {
    case 'express':
      return (response, body) => {
        const { text, bytes } = serialised(body);
        const res = response as NodeResponse;
        res.statusCode = 200;
        res.setHeader('Content-Type', CONTENT_TYPE);
        res.setHeader('Content-Length', bytes.length);
        res.end(text);
      };
    case 'fastify':
      return (response, body) => {
        (response as FastifyReply).code(200).header('content-type', CONTENT_TYPE).send(serialised(body).bytes);
      };
    default:
      return (response, body) => void adapter?.reply(response, body, 200);
  }
}
