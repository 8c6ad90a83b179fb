import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventEmitterModule } from '@nestjs/event-emitter';
import {
  ComplyCubeEvent,
  ComplyCubeWebhookEndpoints,
  ComplyCubeWebhookModule,
  MemoryIdempotencyStore,
  OnComplyCubeEvent,
} from 'nestjs-complycube-webhooks';
import { randomBytes } from 'node:crypto';

export interface MemoryGrowthReport {
  ids: number;
  handled: number;
  remembered: number;
  rssBeforeMb: number;
  rssAfterMb: number;
  /** Live heap (after a full GC) before the first event, once half the ids were delivered, and at the end. */
  heapBeforeMb: number;
  heapHalfwayMb: number;
  heapAfterMb: number;
}

@Injectable()
class CountingHandler {
  handled = 0;

  @OnComplyCubeEvent('check.completed.clear')
  onClear(_event: ComplyCubeEvent): void {
    this.handled += 1;
  }
}

/**
 * Delivers `ids` distinct events through the endpoint's receiver with the default memory store and measures
 * the live heap after a full GC (node runs with --expose-gc) before, halfway and after, and the resident
 * memory before and after. The live heap is what the store retains; resident memory also keeps pages V8
 * has freed but not returned, and varies with the machine's load, so it is reported, not checked.
 */
export async function measureMemoryGrowth(ids: number): Promise<MemoryGrowthReport> {
  const store = new MemoryIdempotencyStore();
  @Module({
    imports: [EventEmitterModule.forRoot(), ComplyCubeWebhookModule.forRoot({ secret: 'unused', idempotency: { store } })],
    providers: [CountingHandler],
  })
  class GrowthModule {}

  const app = await NestFactory.createApplicationContext(GrowthModule, { logger: false });
  const endpoints = app.get(ComplyCubeWebhookEndpoints);
  const before = settled();
  let halfway = before;
  const batch = 500;
  for (let sent = 0; sent < ids; sent += batch) {
    if (sent === Math.floor(ids / 2 / batch) * batch) halfway = settled();
    await Promise.all(
      Array.from({ length: Math.min(batch, ids - sent) }, () =>
        endpoints.deliver({
          id: randomBytes(12).toString('hex'),
          type: 'check.completed.clear',
          resourceType: 'check',
          payload: { id: randomBytes(12).toString('hex'), outcome: 'clear', status: 'complete' },
          createdAt: new Date().toISOString(),
        }),
      ),
    );
  }
  const after = settled();
  const handled = app.get(CountingHandler).handled;
  const remembered = store.size;
  await app.close();
  const mb = (bytes: number): number => Math.round((bytes / 1024 / 1024) * 10) / 10;
  return {
    ids,
    handled,
    remembered,
    rssBeforeMb: mb(before.rss),
    rssAfterMb: mb(after.rss),
    heapBeforeMb: mb(before.heapUsed),
    heapHalfwayMb: mb(halfway.heapUsed),
    heapAfterMb: mb(after.heapUsed),
  };
}

function settled(): { rss: number; heapUsed: number } {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('The memory measurement needs node --expose-gc.');
  gc();
  gc();
  const { rss, heapUsed } = process.memoryUsage();
  return { rss, heapUsed };
}
