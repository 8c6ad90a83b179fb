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
  growthMb: number;
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
 * the process's resident memory before and after (with a full GC when node runs with --expose-gc).
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
  const rssBefore = settledRss();
  const batch = 500;
  for (let sent = 0; sent < ids; sent += batch) {
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
  const rssAfter = settledRss();
  const handled = app.get(CountingHandler).handled;
  const remembered = store.size;
  await app.close();
  const mb = (bytes: number): number => Math.round((bytes / 1024 / 1024) * 10) / 10;
  return { ids, handled, remembered, rssBeforeMb: mb(rssBefore), rssAfterMb: mb(rssAfter), growthMb: mb(rssAfter - rssBefore) };
}

function settledRss(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  return process.memoryUsage().rss;
}
