import { Injectable, Logger } from '@nestjs/common';
import { ComplyCubeEvent, OnComplyCubeEvent } from 'nestjs-complycube-webhooks';

@Injectable()
export class ChecksService {
  private readonly logger = new Logger(ChecksService.name);

  @OnComplyCubeEvent('check.completed.rejected')
  async onCheckRejected(event: ComplyCubeEvent<'check.completed.rejected'>): Promise<void> {
    this.logger.log(`check ${event.payload.id} rejected: flag the client for manual review`);
  }

  @OnComplyCubeEvent(['check.completed.clear', 'check.completed.match_confirmed'])
  async onCheckConcluded(event: ComplyCubeEvent<'check.completed.clear' | 'check.completed.match_confirmed'>): Promise<void> {
    this.logger.log(`check ${event.payload.id} concluded with outcome ${event.payload.outcome}`);
  }
}
