import { Controller, Get, Header } from '@nestjs/common';
import { register } from 'prom-client';

/** The `/metrics` route of the README's Prometheus section: prom-client's global registry, as text. */
@Controller('metrics')
export class MetricsController {
  @Get()
  @Header('Content-Type', register.contentType)
  metrics(): Promise<string> {
    return register.metrics();
  }
}
