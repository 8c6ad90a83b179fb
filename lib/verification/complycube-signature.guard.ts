import {
  CanActivate,
  ExecutionContext,
  Inject,
  Injectable,
  InternalServerErrorException,
  Logger,
  Optional,
  UnauthorizedException,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import { COMPLYCUBE_SIGNATURE_HEADER } from '../constants';
import { RAW_BODY_MISSING_MESSAGE } from '../complycube-webhook.errors';
import { ComplyCubeWebhookMetrics } from '../delivery/complycube-webhook.metrics';
import { COMPLYCUBE_WEBHOOK_SECRETS } from './complycube-webhook-secrets.provider';
import { ComplyCubeSignatureVerifier, createComplyCubeSignatureVerifier } from './verify-complycube-signature';

interface IncomingWebhookRequest {
  headers: Record<string, string | string[] | undefined>;
  rawBody?: unknown;
}

/**
 * Lets a request through only when its `ComplyCube-Signature` is the HMAC-SHA256 of its raw body
 * under one of the module's secrets. Works on Express and Fastify; needs `rawBody: true`.
 * Use it on your own controller with `@UseGuards(ComplyCubeSignatureGuard)` in a module that
 * imports `ComplyCubeWebhookModule`.
 */
@Injectable()
export class ComplyCubeSignatureGuard implements CanActivate {
  private readonly logger = new Logger('ComplyCubeWebhooks');

  private readonly verify: ComplyCubeSignatureVerifier;

  constructor(
    @Inject(COMPLYCUBE_WEBHOOK_SECRETS) secrets: string[],
    @Optional() private readonly metrics?: ComplyCubeWebhookMetrics,
  ) {
    this.verify = createComplyCubeSignatureVerifier(secrets);
  }

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<IncomingWebhookRequest>();
    const { rawBody, headers } = request;
    this.metrics?.count('received');
    // Only uncompressed JSON: a form body would be parsed into an object, and a compressed one
    // would be checked over the inflated bytes rather than the bytes that were sent.
    if (!isJsonContentType(headers['content-type']) || isEncoded(headers['content-encoding'])) {
      this.metrics?.countRejection('mediaType');
      throw new UnsupportedMediaTypeException('ComplyCube webhooks must be sent as uncompressed application/json.');
    }
    if (!Buffer.isBuffer(rawBody)) {
      this.metrics?.countRejection('rawBodyMissing');
      this.logger.error(RAW_BODY_MISSING_MESSAGE);
      throw new InternalServerErrorException();
    }
    if (!this.verify(rawBody, headers[COMPLYCUBE_SIGNATURE_HEADER])) {
      this.metrics?.countRejection('signature');
      throw new UnauthorizedException('Missing or invalid ComplyCube-Signature.');
    }
    this.metrics?.count('verified');
    return true;
  }
}

function isJsonContentType(header: string | string[] | undefined): boolean {
  if (typeof header !== 'string') return false;
  return header.split(';', 1)[0].trim().toLowerCase() === 'application/json';
}

function isEncoded(header: string | string[] | undefined): boolean {
  if (header === undefined) return false;
  return typeof header !== 'string' || header.trim().toLowerCase() !== 'identity';
}
