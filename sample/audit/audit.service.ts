import { Injectable, Logger } from '@nestjs/common';
import { OnComplyCubeEvent, type ComplyCubeEvent } from 'nestjs-complycube-webhooks';

/** A catch-all: every verified event, including types ComplyCube adds later. */
@Injectable()
export class AuditService {
  private readonly logger = new Logger(AuditService.name);

  @OnComplyCubeEvent('*')
  record(event: ComplyCubeEvent): void {
    this.logger.log(`event ${event.id} (${event.type}) recorded`);
  }
}
