import { Injectable, Logger } from '@nestjs/common';
import { OnComplyCubeEvent, type ComplyCubeEvent } from 'nestjs-complycube-webhooks';
import { ReviewQueue } from './review-queue.service';

@Injectable()
export class ChecksService {
  private readonly logger = new Logger(ChecksService.name);

  constructor(private readonly reviewQueue: ReviewQueue) {}

  @OnComplyCubeEvent('check.completed.rejected')
  async onCheckRejected(event: ComplyCubeEvent<'check.completed.rejected'>): Promise<void> {
    await this.reviewQueue.add(event.payload.id);
    this.logger.log(`check ${event.payload.id} rejected: flag the client for manual review`);
  }

  @OnComplyCubeEvent(['check.completed.clear', 'check.completed.match_confirmed'])
  async onCheckConcluded(event: ComplyCubeEvent<'check.completed.clear' | 'check.completed.match_confirmed'>): Promise<void> {
    this.logger.log(`check ${event.payload.id} concluded with outcome ${event.payload.outcome}`);
  }
}
