import { Inject, Injectable, Module } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { ComplyCubeEvent, ComplyCubeWebhookModule, OnComplyCubeEvent } from 'nestjs-complycube-webhooks';

/** Where the soak's handlers record their runs: in the soak's process, or in Redis across processes. */
export interface SoakHandlerLedger {
  /** Runs one handler for one event: a little async work, recorded. */
  run(handlerKey: string, eventId: string): Promise<void>;
}

export const SOAK_LEDGER = Symbol('SOAK_LEDGER');
export const SOAK_SECRET = 'whsec_soak_secret';

/** Which handlers each event type of the soak reaches (an event type nobody handles included). */
export const SOAK_HANDLERS_BY_TYPE: Record<string, readonly string[]> = {
  'check.completed.rejected': ['SoakHandlers.notifyCompliance', 'SoakHandlers.recordOutcome', 'SoakHandlers.audit'],
  'check.completed.clear': ['SoakHandlers.recordOutcome', 'SoakHandlers.audit'],
  'client.created': ['SoakHandlers.audit'],
  'document.deleted': [],
};

@Injectable()
export class SoakHandlers {
  constructor(@Inject(SOAK_LEDGER) private readonly ledger: SoakHandlerLedger) {}

  @OnComplyCubeEvent('check.completed.rejected')
  notifyCompliance(event: ComplyCubeEvent): Promise<void> {
    return this.ledger.run('SoakHandlers.notifyCompliance', event.id);
  }

  @OnComplyCubeEvent('check.completed.*')
  recordOutcome(event: ComplyCubeEvent): Promise<void> {
    return this.ledger.run('SoakHandlers.recordOutcome', event.id);
  }

  @OnComplyCubeEvent(['check.completed.rejected', 'check.completed.clear', 'client.created'])
  audit(event: ComplyCubeEvent): Promise<void> {
    return this.ledger.run('SoakHandlers.audit', event.id);
  }
}

/** What `ComplyCubeWebhookModule.forRoot()` takes, the registration's `name` included. */
export type SoakModuleOptions = Partial<Parameters<typeof ComplyCubeWebhookModule.forRoot>[0]>;

export function soakAppModule(ledger: SoakHandlerLedger, options: SoakModuleOptions): new () => unknown {
  @Module({
    imports: [EventEmitterModule.forRoot({ wildcard: true }), ComplyCubeWebhookModule.forRoot({ secret: SOAK_SECRET, ...options })],
    providers: [{ provide: SOAK_LEDGER, useValue: ledger }, SoakHandlers],
  })
  class SoakAppModule {}
  return SoakAppModule;
}
