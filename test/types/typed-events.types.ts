/*
 * Compile-time contract of the typed events, checked by `tsc -p tsconfig.json --noEmit`
 * (`npm run lint`). Each `@ts-expect-error` line must stay an error: if one compiles, tsc fails.
 */
import { applyDecorators, Injectable } from '@nestjs/common';
import {
  ComplyCubeAddress,
  ComplyCubeCheck,
  ComplyCubeClient,
  ComplyCubeEvent,
  ComplyCubeEventMap,
  ComplyCubeEventPattern,
  ComplyCubeEventPayload,
  ComplyCubeEventType,
  OnComplyCubeEvent,
} from 'nestjs-complycube-webhooks';
import { ComplyCubeEventTypesMatching } from '../../lib/events/event-pattern';
import { createComplyCubeEvent } from 'nestjs-complycube-webhooks/testing';

type Equal<A, B> = (<V>() => V extends A ? 1 : 2) extends <V>() => V extends B ? 1 : 2 ? true : false;
type Assert<T extends true> = T;
/** A known value offered as a hint, any other string accepted. */
type Hinted<T extends string> = T | (string & {});

export type EveryDocumentedTypeHasAPayload = [Assert<Equal<keyof ComplyCubeEventMap, ComplyCubeEventType>>];

export type PayloadByResourceType = [
  // Checks: the whole check on create, id + changed fields on update, the summary otherwise.
  Assert<Equal<ComplyCubeEvent<'check.pending'>['payload'], ComplyCubeCheck<'pending'>>>,
  Assert<Equal<ComplyCubeEvent<'check.completed.rejected'>['resourceType'], Hinted<'check'> | undefined>>,
  Assert<Equal<ComplyCubeEvent<'check.completed.rejected'>['payload']['outcome'], 'rejected'>>,
  Assert<Equal<ComplyCubeEvent<'check.completed.rejected'>['payload']['status'], 'complete'>>,
  Assert<Equal<ComplyCubeEvent<'check.monitoring.attention'>['payload']['outcome'], 'attention'>>,
  Assert<
    Equal<
      ComplyCubeEvent<'check.completed'>['payload']['outcome'],
      Hinted<'clear' | 'attention' | 'rejected' | 'match_confirmed' | 'not_processed'>
    >
  >,
  Assert<Equal<keyof ComplyCubeEvent<'check.failed'>['payload'], 'id' | 'status' | 'createdAt' | 'updatedAt'>>,
  Assert<Equal<ComplyCubeEvent<'check.updated'>['payload']['id'], string>>,
  Assert<Equal<ComplyCubeEvent<'check.updated'>['payload']['status'], ComplyCubeCheck['status'] | undefined>>,
  // Clients, documents, addresses: the object on create, id + changed fields on update, id on delete.
  Assert<Equal<ComplyCubeEvent<'client.created'>['payload'], ComplyCubeClient>>,
  Assert<Equal<ComplyCubeEvent<'client.created'>['resourceType'], Hinted<'client'> | undefined>>,
  Assert<Equal<ComplyCubeEvent<'client.updated'>['payload']['email'], string | undefined>>,
  Assert<Equal<ComplyCubeEvent<'client.deleted'>['payload'], { id: string }>>,
  Assert<Equal<ComplyCubeEvent<'document.updated.image_uploaded'>['resourceType'], Hinted<'document'> | undefined>>,
  Assert<Equal<ComplyCubeEvent<'document.deleted'>['payload'], { id: string }>>,
  Assert<Equal<ComplyCubeEventPayload<'address.created'>, ComplyCubeAddress>>,
  Assert<Equal<ComplyCubeEvent<'workflow.session.completed'>['resourceType'], Hinted<'workflowSession'> | undefined>>,
  Assert<Equal<ComplyCubeEvent<'workflow.session.completed'>['payload']['status'], 'complete' | undefined>>,
  // Any event, and types this release does not know.
  Assert<Equal<ComplyCubeEvent['payload'], Record<string, unknown>>>,
  Assert<Equal<ComplyCubeEvent<'person.verified'>['type'], 'person.verified'>>,
  Assert<Equal<ComplyCubeEvent<'person.verified'>['payload'], Record<string, unknown>>>,
];

// The envelope: `id`, `type` and `payload` are always there (the endpoint refuses an event
// without them); `resourceType` and `createdAt` may be absent, and are strings when present.
export type EnvelopeFields = [
  Assert<Equal<ComplyCubeEvent['id'], string>>,
  Assert<Equal<ComplyCubeEvent['resourceType'], string | undefined>>,
  Assert<Equal<ComplyCubeEvent['createdAt'], string | undefined>>,
  Assert<Equal<ComplyCubeEvent<'check.pending'>['createdAt'], string | undefined>>,
  Assert<Equal<ComplyCubeEvent<'person.verified'>['createdAt'], string | undefined>>,
];

export function envelopeFieldsMayBeAbsent(event: ComplyCubeEvent, typed: ComplyCubeEvent<'client.created'>): void {
  // @ts-expect-error createdAt may be absent
  const createdAt: string = event.createdAt;
  // @ts-expect-error resourceType may be absent, even on a documented type
  const resourceType: string = typed.resourceType;
  void [createdAt, resourceType];
}

export const eventsWithoutOptionalFields: ComplyCubeEvent[] = [
  { id: 'a', type: 'check.completed', payload: {} },
  { id: 'a', type: 'person.verified', payload: {}, createdAt: '2020-01-01T11:14:23.964Z' },
];

export type PatternsRouteTheRightTypes = [
  Assert<Equal<ComplyCubeEventTypesMatching<'client.*'>, 'client.created' | 'client.updated' | 'client.deleted'>>,
  Assert<Equal<ComplyCubeEventTypesMatching<'*.deleted'>, 'client.deleted' | 'document.deleted' | 'address.deleted'>>,
  Assert<
    Equal<
      ComplyCubeEventTypesMatching<'document.updated.**'>,
      'document.updated' | 'document.updated.image_uploaded' | 'document.updated.image_deleted'
    >
  >,
  Assert<
    Equal<
      ComplyCubeEventTypesMatching<'check.completed.*'>,
      'check.completed.clear' | 'check.completed.attention' | 'check.completed.rejected' | 'check.completed.match_confirmed'
    >
  >,
  Assert<Equal<ComplyCubeEventTypesMatching<'*.completed.*'>, ComplyCubeEventTypesMatching<'check.completed.*'>>>,
  // '**' is zero or more segments, as the event emitter matches it.
  Assert<Equal<ComplyCubeEventTypesMatching<'check.completed.**'>, 'check.completed' | ComplyCubeEventTypesMatching<'check.completed.*'>>>,
  Assert<Equal<ComplyCubeEventTypesMatching<'check.**'>, Extract<ComplyCubeEventType, `check.${string}`>>>,
  Assert<Equal<ComplyCubeEventTypesMatching<'*.**'>, ComplyCubeEventType>>,
  Assert<Equal<ComplyCubeEventTypesMatching<'*.session.*'>, Extract<ComplyCubeEventType, `workflow.${string}`>>>,
  Assert<Equal<ComplyCubeEventTypesMatching<'**.deleted'>, ComplyCubeEventTypesMatching<'*.deleted'>>>,
  Assert<Equal<ComplyCubeEventTypesMatching<'check.*.attention'>, 'check.completed.attention' | 'check.monitoring.attention'>>,
  Assert<
    Equal<
      ComplyCubeEventTypesMatching<'check.completed.clear' | 'client.*'>,
      'check.completed.clear' | ComplyCubeEventTypesMatching<'client.*'>
    >
  >,
  Assert<Equal<ComplyCubeEventTypesMatching<'*'>, ComplyCubeEventType>>,
  Assert<Equal<ComplyCubeEventTypesMatching<ComplyCubeEventPattern>, ComplyCubeEventType>>,
];

export function narrowedEventsFitWhereAnyEventIsExpected(event: ComplyCubeEvent<'check.pending'>): ComplyCubeEvent {
  return event;
}

export function aUnionNarrowsByType(event: ComplyCubeEvent<'client.created' | 'client.deleted'>): string | undefined {
  if (event.type === 'client.created') return event.payload.email;
  // @ts-expect-error a deleted client's payload only has its id
  return event.payload.email;
}

export function wrongPayloadFields(event: ComplyCubeEvent<'check.completed.clear'>): void {
  // @ts-expect-error a check event carries no client fields
  void event.payload.email;
  // @ts-expect-error the outcome of check.completed.clear is 'clear'
  const rejected: 'rejected' = event.payload.outcome;
  void rejected;
}

export function checkFailedHasNoOutcome(event: ComplyCubeEvent<'check.failed'>): void {
  // @ts-expect-error a failed check has no outcome
  void event.payload.outcome;
}

export function createdEventsAreTyped(): 'clear' {
  return createComplyCubeEvent('check.completed.clear').payload.outcome;
}

@Injectable()
export class HandlersThatCompile {
  @OnComplyCubeEvent('check.completed.rejected')
  precise(event: ComplyCubeEvent<'check.completed.rejected'>): 'rejected' {
    return event.payload.outcome;
  }

  @OnComplyCubeEvent('check.completed.rejected')
  anyEvent(event: ComplyCubeEvent): string {
    return event.id;
  }

  @OnComplyCubeEvent(['check.completed.clear', 'check.completed.match_confirmed'])
  eitherOutcome(event: ComplyCubeEvent<'check.completed.clear' | 'check.completed.match_confirmed'>): string {
    return event.payload.outcome;
  }

  @OnComplyCubeEvent('client.*')
  clientChanges(event: ComplyCubeEvent<'client.created' | 'client.updated' | 'client.deleted'>): string {
    return event.payload.id;
  }

  @OnComplyCubeEvent('*')
  everything(event: ComplyCubeEvent): string {
    return event.type;
  }

  @OnComplyCubeEvent('person.verified' as ComplyCubeEventPattern)
  laterType(event: ComplyCubeEvent): string {
    return event.type;
  }

  @OnComplyCubeEvent('check.failed', { key: 'checks.failed' })
  async noParameter(): Promise<void> {}

  @OnComplyCubeEvent('check.failed')
  @OnComplyCubeEvent('check.completed.rejected')
  stacked(event: ComplyCubeEvent<'check.failed' | 'check.completed.rejected'>): string {
    return event.payload.status;
  }

  @applyDecorators(OnComplyCubeEvent('check.failed'))
  composed(event: ComplyCubeEvent<'check.failed'>): string {
    return event.payload.status;
  }
}

@Injectable()
export class HandlersThatDoNotCompile {
  // @ts-expect-error misspelt event type
  @OnComplyCubeEvent('check.complted.rejected')
  misspelt(event: ComplyCubeEvent): string {
    return event.id;
  }

  // @ts-expect-error the parameter is typed for another event than the pattern delivers
  @OnComplyCubeEvent('check.completed.rejected')
  otherType(event: ComplyCubeEvent<'check.completed.clear'>): string {
    return event.payload.outcome;
  }

  // @ts-expect-error 'client.*' also delivers client.updated and client.deleted
  @OnComplyCubeEvent('client.*')
  tooNarrowForTheWildcard(event: ComplyCubeEvent<'client.created'>): string {
    return event.payload.type;
  }

  // @ts-expect-error the list delivers check.failed too
  @OnComplyCubeEvent(['check.completed.rejected', 'check.failed'])
  tooNarrowForTheList(event: ComplyCubeEvent<'check.completed.rejected'>): string {
    return event.payload.outcome;
  }
}
