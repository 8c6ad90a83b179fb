import { Injectable } from '@nestjs/common';
import { ComplyCubeEvent, OnComplyCubeEvent } from 'nestjs-complycube-webhooks';

/** Keeps what its handler received, so the check can ask the running app over HTTP. */
@Injectable()
export class ReceivedEventsHandler {
  readonly received: Array<{ id: string; type: string; payloadId: unknown }> = [];

  @OnComplyCubeEvent('check.completed.clear')
  async onCheckCleared(event: ComplyCubeEvent<'check.completed.clear'>): Promise<void> {
    this.received.push({ id: event.id, type: event.type, payloadId: event.payload.id });
  }
}
