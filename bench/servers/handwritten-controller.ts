import 'reflect-metadata';
import { Body, Controller, Headers, HttpCode, Injectable, Module, Post, RawBodyRequest, Req, UnauthorizedException } from '@nestjs/common';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { parseArgs } from 'node:util';
import { BENCH_EVENT_TYPE, COMPLYCUBE_BENCH_SECRET } from '../events';
import { recordHandledEvent, serveBenchCase } from '../server-harness';
import { nestBenchApp, parseAdapter } from './nest-app';

/**
 * Cases B (Express) and D (Fastify), the status quo: the controller a user writes without the
 * package — raw body, HMAC check, `switch` on the event type, a call into a service.
 */
const { values } = parseArgs({ options: { adapter: { type: 'string' } } });

interface ComplyCubeWebhookBody {
  id: string;
  type: string;
}

@Injectable()
class ChecksService {
  onCheckClear(event: ComplyCubeWebhookBody): void {
    recordHandledEvent(event);
  }
}

function isSigned(body: Buffer | undefined, signature: string | undefined): boolean {
  if (!body || typeof signature !== 'string' || signature.length !== 64) return false;
  const received = Buffer.from(signature, 'hex');
  if (received.length !== 32) return false;
  return timingSafeEqual(createHmac('sha256', COMPLYCUBE_BENCH_SECRET).update(body).digest(), received);
}

@Controller('webhooks/complycube')
class ComplyCubeWebhookController {
  constructor(private readonly checks: ChecksService) {}

  @Post()
  @HttpCode(200)
  receive(
    @Req() request: RawBodyRequest<{ rawBody?: Buffer }>,
    @Headers('complycube-signature') signature: string | undefined,
    @Body() event: ComplyCubeWebhookBody,
  ): { received: true } {
    if (!isSigned(request.rawBody, signature)) throw new UnauthorizedException();
    switch (event.type) {
      case BENCH_EVENT_TYPE:
        this.checks.onCheckClear(event);
        break;
      default:
        break;
    }
    return { received: true };
  }
}

@Module({ controllers: [ComplyCubeWebhookController], providers: [ChecksService] })
class HandwrittenWebhookAppModule {}

serveBenchCase(async () => nestBenchApp(HandwrittenWebhookAppModule, parseAdapter(values.adapter)));
