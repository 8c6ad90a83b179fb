import { Injectable } from '@nestjs/common';
import { ComplyCubeEvent, OnComplyCubeEvent } from 'nestjs-complycube-webhooks';

/**
 * Records every handler run and lets a test make a handler fail or wait. One journal can be shared
 * by several app instances (provide it with useValue) to see what ran across all of them.
 */
export class DeliveryJournal {
  readonly started: Array<{ handler: string; id: string }> = [];
  readonly succeeded: Array<{ handler: string; id: string }> = [];
  /** Handler name -> how many of its next runs throw. */
  readonly failures = new Map<string, number>();
  /** Handler name -> how long each run takes, in ms, at most (a random part of it). */
  readonly delays = new Map<string, number>();
  private readonly gates = new Map<string, Promise<void>>();

  /** Makes `handler` wait, from its next run on, until the returned function is called. */
  hold(handler: string): () => void {
    let release!: () => void;
    this.gates.set(handler, new Promise<void>((resolve) => (release = resolve)));
    return () => {
      this.gates.delete(handler);
      release();
    };
  }

  failNext(handler: string, times = 1): void {
    this.failures.set(handler, times);
  }

  async run(handler: string, event: ComplyCubeEvent<string>): Promise<void> {
    this.started.push({ handler, id: event.id });
    const gate = this.gates.get(handler);
    if (gate) await gate;
    const delay = this.delays.get(handler);
    if (delay) await new Promise((resolve) => setTimeout(resolve, Math.random() * delay));
    const failures = this.failures.get(handler) ?? 0;
    if (failures > 0) {
      this.failures.set(handler, failures - 1);
      throw new Error(`${handler} failed on purpose`);
    }
    this.succeeded.push({ handler, id: event.id });
  }

  startsOf(id: string): string[] {
    return this.started
      .filter((run) => run.id === id)
      .map((run) => run.handler)
      .sort();
  }

  successesOf(id: string): string[] {
    return this.succeeded
      .filter((run) => run.id === id)
      .map((run) => run.handler)
      .sort();
  }

  reset(): void {
    this.started.length = 0;
    this.succeeded.length = 0;
    this.failures.clear();
    this.delays.clear();
    this.gates.clear();
  }
}

/** Two handlers of one event type, as an app that e-mails the client and opens a review case. */
@Injectable()
export class RejectedCheckHandlers {
  constructor(private readonly journal: DeliveryJournal) {}

  @OnComplyCubeEvent('check.completed.rejected')
  sendEmail(event: ComplyCubeEvent<'check.completed.rejected'>): Promise<void> {
    return this.journal.run('sendEmail', event);
  }

  @OnComplyCubeEvent('check.completed.rejected')
  openCase(event: ComplyCubeEvent<'check.completed.rejected'>): Promise<void> {
    return this.journal.run('openCase', event);
  }
}
