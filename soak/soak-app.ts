import { Inject, Injectable, Module } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { ComplyCubeEvent, ComplyCubeWebhookModule, ComplyCubeWebhookModuleOptions, OnComplyCubeEvent } from 'nestjs-complycube-webhooks';
import { SoakLedger } from './soak-ledger';

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
  constructor(@Inject(SOAK_LEDGER) private readonly ledger: SoakLedger) {}

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

export function soakAppModule(ledger: SoakLedger, options: Partial<ComplyCubeWebhookModuleOptions>): new () => unknown {
  @Module({
    imports: [EventEmitterModule.forRoot({ wildcard: true }), ComplyCubeWebhookModule.forRoot({ secret: SOAK_SECRET, ...options })],
    providers: [{ provide: SOAK_LEDGER, useValue: ledger }, SoakHandlers],
  })
  class SoakAppModule {}
  return SoakAppModule;
}
