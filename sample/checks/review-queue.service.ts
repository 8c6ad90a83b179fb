import { Injectable } from '@nestjs/common';

/** Where rejected checks wait for a compliance officer (in a real app: a table or a queue). */
@Injectable()
export class ReviewQueue {
  private readonly checkIds = new Set<string>();

  async add(checkId: string): Promise<void> {
    this.checkIds.add(checkId);
  }
}
