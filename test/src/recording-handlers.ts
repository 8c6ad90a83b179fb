import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { ComplyCubeEvent, OnComplyCubeEvent } from 'nestjs-complycube-webhooks';

/** Shared journal of which handler saw which event id. */
@Injectable()
export class HandlerJournal {
  readonly calls: Array<{ handler: string; id: string; type: string; event: ComplyCubeEvent<string> }> = [];
  /** Handler names that throw on their next call(s). */
  readonly failing = new Set<string>();

  record(handler: string, event: ComplyCubeEvent<string>): void {
    this.calls.push({ handler, id: event.id, type: event.type, event });
    if (this.failing.has(handler)) throw new Error(`${handler} failed on purpose`);
  }

  handlersFor(id: string): string[] {
    return this.calls
      .filter((call) => call.id === id)
      .map((call) => call.handler)
      .sort();
  }
}

@Injectable()
export class ChecksHandlers {
  constructor(private readonly journal: HandlerJournal) {}

  @OnComplyCubeEvent('check.completed.rejected')
  async onRejected(event: ComplyCubeEvent<'check.completed.rejected'>): Promise<void> {
    await Promise.resolve();
    this.journal.record('onRejected', event);
  }

  @OnComplyCubeEvent('check.completed.clear')
  onClear(event: ComplyCubeEvent<'check.completed.clear'>): void {
    this.journal.record('onClear', event);
  }

  /** Two patterns that both match check.completed.rejected: still one call. */
  @OnComplyCubeEvent('check.completed.rejected')
  @OnComplyCubeEvent(['check.completed.attention', 'check.completed.rejected'])
  onNeedsReview(event: ComplyCubeEvent): void {
    this.journal.record('onNeedsReview', event);
  }
}

@Injectable()
export class WildcardHandlers {
  constructor(private readonly journal: HandlerJournal) {}

  @OnComplyCubeEvent('check.completed.*')
  onAnyCompletedOutcome(event: ComplyCubeEvent): void {
    this.journal.record('check.completed.*', event);
  }

  @OnComplyCubeEvent('check.**')
  onAnyCheck(event: ComplyCubeEvent): void {
    this.journal.record('check.**', event);
  }

  @OnComplyCubeEvent('*')
  onEverything(event: ComplyCubeEvent): void {
    this.journal.record('*', event);
  }

  @OnComplyCubeEvent('*.created')
  onCreated(event: ComplyCubeEvent): void {
    this.journal.record('*.created', event);
  }
}

/** A plain @nestjs/event-emitter listener on the namespaced event name. */
@Injectable()
export class PlainListener {
  /** What the listener received beyond the event, per call. */
  readonly extraArguments: unknown[][] = [];

  constructor(private readonly journal: HandlerJournal) {}

  @OnEvent('complycube.check.completed.rejected')
  onRejected(event: ComplyCubeEvent<string>, ...rest: unknown[]): void {
    this.extraArguments.push(rest);
    this.journal.record('plain @OnEvent', event);
  }
}
