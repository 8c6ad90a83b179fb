import {
  BadRequestException,
  InternalServerErrorException,
  Logger,
  PayloadTooLargeException,
  UnauthorizedException,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import { ComplyCubeWebhookMetrics } from '../delivery/webhook.metrics';
import { COMPLYCUBE_SIGNATURE_HEADER, ComplyCubeSignatureVerifier } from '../verification/verify';

/** The parts of an Express or Fastify request the check reads. */
export interface IncomingWebhookRequest {
  headers: Record<string, string | string[] | undefined>;
  rawBody?: unknown;
  body?: unknown;
  /** Node's request stream (Express requests are one). */
  readableEnded?: boolean;
  [Symbol.asyncIterator]?: () => AsyncIterator<unknown>;
}

/** The most a body read here (one the app's parser left alone) may hold; Fastify's default limit. */
const UNPARSED_BODY_LIMIT = 1024 * 1024;

const EMPTY_BODY = Buffer.alloc(0);

const RAW_BODY_MISSING_MESSAGE =
  'ComplyCube webhook rejected with 500: the request has no raw body, so its signature cannot be checked. ' +
  'Create the app with NestFactory.create(AppModule, { rawBody: true }) (Express and Fastify alike).';

export const UNSUPPORTED_MEDIA_TYPE_MESSAGE =
  'ComplyCube webhooks must be sent as uncompressed JSON (application/json or application/*+json).';

const logger = new Logger('ComplyCubeWebhooks');

/**
 * Lets a request through only when it is uncompressed JSON and its `ComplyCube-Signature` is the
 * HMAC-SHA256 of the bytes received. Throws the HTTP error to answer otherwise: 415 media type,
 * 401 signature, 500 (logged once per app) when the app was created without `rawBody: true`.
 *
 * The bytes are the app parser's `rawBody`. A request without a body counts as an empty one (so it
 * gets 401, not a false alarm about `rawBody`). A JSON body the app's parser left unread (an
 * `application/*+json` type on Express, or an app without a body parser) is read here, verified,
 * then parsed into `request.body`; that path alone is asynchronous.
 */
export function checkSignedRequest(
  request: IncomingWebhookRequest,
  verify: ComplyCubeSignatureVerifier,
  metrics: ComplyCubeWebhookMetrics,
): true | Promise<true> {
  const { headers } = request;
  metrics.count('received');
  // Only uncompressed JSON: a form body would be parsed into an object, and a compressed one
  // would be checked over the inflated bytes rather than the bytes that were sent.
  if (!isJsonMediaType(headers['content-type']) || isEncoded(headers['content-encoding'])) {
    metrics.countRejection('mediaType');
    throw new UnsupportedMediaTypeException(UNSUPPORTED_MEDIA_TYPE_MESSAGE);
  }
  if (Buffer.isBuffer(request.rawBody)) return accept(request.rawBody, headers, verify, metrics);
  if (!hasBody(headers)) return accept(EMPTY_BODY, headers, verify, metrics);
  if (request.readableEnded === false && typeof request[Symbol.asyncIterator] === 'function') {
    return readUnparsedBody(request).then((raw) => {
      accept(raw, headers, verify, metrics);
      request.body = parseVerifiedJson(raw, metrics);
      return true as const;
    });
  }
  if (metrics.countRejection('rawBodyMissing') === 1) logger.error(RAW_BODY_MISSING_MESSAGE);
  throw new InternalServerErrorException();
}

function accept(
  raw: Buffer,
  headers: IncomingWebhookRequest['headers'],
  verify: ComplyCubeSignatureVerifier,
  metrics: ComplyCubeWebhookMetrics,
): true {
  if (!verify(raw, headers[COMPLYCUBE_SIGNATURE_HEADER])) {
    metrics.countRejection('signature');
    throw new UnauthorizedException('Missing or invalid ComplyCube-Signature.');
  }
  metrics.count('verified');
  return true;
}

/**
 * `application/json` or a structured `application/<subtype>+json`, with any parameters: ComplyCube
 * documents no Content-Type, and a signed event refused here would be retried until ComplyCube
 * disables the webhook.
 */
export function isJsonMediaType(header: string | string[] | undefined): boolean {
  if (header === 'application/json') return true;
  if (typeof header !== 'string') return false;
  const semicolon = header.indexOf(';');
  const mediaType = (semicolon === -1 ? header : header.slice(0, semicolon)).trim().toLowerCase();
  if (mediaType === 'application/json') return true;
  return mediaType.startsWith('application/') && mediaType.endsWith('+json') && mediaType.length > 'application/+json'.length;
}

/** Whether a Content-Encoding other than `identity` applies to the body. */
export function isEncoded(header: string | string[] | undefined): boolean {
  if (header === undefined) return false;
  return typeof header !== 'string' || header.trim().toLowerCase() !== 'identity';
}

/** Whether the request announces a body at all (HTTP/1.1: a Content-Length or a Transfer-Encoding). */
function hasBody(headers: IncomingWebhookRequest['headers']): boolean {
  return headers['content-length'] !== undefined || headers['transfer-encoding'] !== undefined;
}

async function readUnparsedBody(request: IncomingWebhookRequest): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer | string>) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += bytes.length;
    if (size > UNPARSED_BODY_LIMIT) throw new PayloadTooLargeException();
    chunks.push(bytes);
  }
  return Buffer.concat(chunks, size);
}

function parseVerifiedJson(raw: Buffer, metrics: ComplyCubeWebhookMetrics): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    metrics.countRejection('body');
    throw new BadRequestException('Not a ComplyCube event: the body is not valid JSON.');
  }
}
