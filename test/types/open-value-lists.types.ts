/*
 * Compile-time contract of the payload fields that take one of a list of values, checked by
 * `tsc -p tsconfig.json --noEmit` (`npm run lint`): a value ComplyCube adds compiles, a known value
 * is still offered and still narrows, and event types stay a closed list. Each `@ts-expect-error`
 * line must stay an error: if one compiles, tsc fails.
 */
import {
  ComplyCubeAddress,
  ComplyCubeCheck,
  ComplyCubeCheckOutcome,
  ComplyCubeCheckStatus,
  ComplyCubeCheckType,
  ComplyCubeClient,
  ComplyCubeDocument,
  ComplyCubeEvent,
  ComplyCubeEventPattern,
  ComplyCubeEventType,
  ComplyCubeResourceType,
  ComplyCubeWorkflowSessionStatus,
  OnComplyCubeEvent,
} from 'nestjs-complycube-webhooks';

type Equal<A, B> = (<V>() => V extends A ? 1 : 2) extends <V>() => V extends B ? 1 : 2 ? true : false;
type Assert<T extends true> = T;
/** Whether `Value` is listed in `Field` as a known value (not only accepted as "any string"). */
type Offers<Field, Value extends string> = Equal<Extract<Field, Value>, Value>;
type AcceptsAnyString<Field> = string extends Field ? true : false;

const ids = { id: '5ed3918fbf06f30008e552c9', clientId: '5ed1276d96be4a0008713af5' };
const times = { createdAt: '2020-01-01T11:14:23.964Z', updatedAt: '2020-01-01T11:14:23.964Z' };

// Values ComplyCube documents (or is seen to send) are offered as hints...
export type KnownValuesAreOffered = [
  Assert<Offers<ComplyCubeResourceType, 'check'>>,
  Assert<Offers<ComplyCubeCheckOutcome, 'not_processed'>>,
  Assert<Offers<ComplyCubeCheckOutcome, 'match_confirmed'>>,
  Assert<Offers<ComplyCubeCheckType, 'identity_fraud_check'>>,
  Assert<Offers<ComplyCubeCheckType, 'driving_license_check'>>,
  Assert<Offers<ComplyCubeCheckType, 'face_authentication_check'>>,
  Assert<Offers<ComplyCubeDocument['type'], 'company_incorporation'>>,
  Assert<Offers<ComplyCubeDocument['type'], 'company_statement_of_capital'>>,
  Assert<Offers<ComplyCubeDocument['type'], 'unknown'>>,
  Assert<Offers<Exclude<ComplyCubeDocument['classification'], undefined>, 'source_of_funds'>>,
  Assert<Offers<Exclude<ComplyCubeAddress['type'], undefined>, 'main'>>,
];

// ...and any other string is accepted, so a value added later neither breaks a build nor is
// typed as one of the known ones.
export type OtherValuesAreAccepted = [
  Assert<AcceptsAnyString<ComplyCubeResourceType>>,
  Assert<AcceptsAnyString<NonNullable<ComplyCubeEvent<'workflow.session.started'>['resourceType']>>>,
  Assert<AcceptsAnyString<ComplyCubeCheckOutcome>>,
  Assert<AcceptsAnyString<ComplyCubeCheckStatus>>,
  Assert<AcceptsAnyString<ComplyCubeCheckType>>,
  Assert<AcceptsAnyString<ComplyCubeDocument['type']>>,
  Assert<AcceptsAnyString<ComplyCubeClient['type']>>,
  Assert<AcceptsAnyString<ComplyCubeWorkflowSessionStatus>>,
  Assert<AcceptsAnyString<ComplyCubeEvent<'check.completed'>['payload']['outcome']>>,
];

export const workflowEventAsTheSimulatorSendsIt: ComplyCubeEvent<'workflow.session.started'> = {
  id: ids.id,
  type: 'workflow.session.started',
  resourceType: 'workflow',
  payload: { id: ids.id },
};

export const notProcessedCheck: ComplyCubeEvent<'check.completed'> = {
  id: ids.id,
  type: 'check.completed',
  resourceType: 'check',
  payload: { id: ids.id, status: 'complete', outcome: 'not_processed', ...times },
};

export const laterValues = {
  outcome: 'needs_review' satisfies ComplyCubeCheckOutcome,
  checkType: 'crypto_wallet_check' satisfies ComplyCubeCheckType,
  documentType: 'company_register_extract' satisfies ComplyCubeDocument['type'],
  clientType: 'trust' satisfies ComplyCubeClient['type'],
  sessionStatus: 'expired' satisfies ComplyCubeWorkflowSessionStatus,
};

export const checkInALaterStatus: ComplyCubeCheck = { ...ids, type: 'identity_fraud_check', status: 'on_hold', ...times };

export const addressWithoutType: ComplyCubeAddress = { ...ids, line: 'Baker Street', city: 'London', country: 'GB', ...times };

// Code may compare with a value this release does not list; a closed list would refuse that as a
// comparison that "appears to be unintentional".
export function comparesWithAnyValue(event: ComplyCubeEvent<'check.completed'>, check: ComplyCubeCheck): boolean {
  return event.payload.outcome === 'needs_review' || check.status === 'on_hold' || check.type === 'crypto_wallet_check';
}

// The event type still narrows the payload to the one value it implies.
export type EventTypesStillNarrow = [
  Assert<Equal<ComplyCubeEvent<'check.completed.rejected'>['payload']['outcome'], 'rejected'>>,
  Assert<Equal<ComplyCubeEvent<'check.completed.clear'>['payload']['status'], 'complete'>>,
  Assert<Equal<ComplyCubeEvent<'check.pending'>['payload']['status'], 'pending'>>,
  Assert<Equal<ComplyCubeEvent<'workflow.session.cancelled'>['payload']['status'], 'cancelled' | undefined>>,
];

export function narrowsByEventType(event: ComplyCubeEvent<'check.completed.clear' | 'check.completed.rejected'>): 'clear' | 'rejected' {
  if (event.type === 'check.completed.clear') {
    const clear: 'clear' = event.payload.outcome;
    return clear;
  }
  const rejected: 'rejected' = event.payload.outcome;
  return rejected;
}

type RejectedPayload = ComplyCubeEvent<'check.completed.rejected'>['payload'];
// @ts-expect-error a check.completed.rejected event has the outcome 'rejected', nothing else
export const notProcessed: RejectedPayload['outcome'] = 'not_processed';
// @ts-expect-error nor a misspelt one
export const misspelt: RejectedPayload['outcome'] = 'rejcted';
// @ts-expect-error a completed check is 'complete'
export const pending: RejectedPayload['status'] = 'pending';

// Event types, which route events, stay a closed list: a misspelt pattern does not compile.
export type EventTypesStayClosed = [
  Assert<Equal<AcceptsAnyString<ComplyCubeEventType>, false>>,
  Assert<Equal<AcceptsAnyString<ComplyCubeEventPattern>, false>>,
];

export class PatternsThatDoNotCompile {
  // @ts-expect-error 'not_processed' is an outcome, not a documented event type
  @OnComplyCubeEvent('check.completed.not_processed')
  outcomeAsType(): void {}

  // @ts-expect-error misspelt outcome segment
  @OnComplyCubeEvent('check.completed.claer')
  misspeltOutcome(): void {}

  // @ts-expect-error misspelt resource under a wildcard
  @OnComplyCubeEvent('adress.*')
  misspeltResource(): void {}

  // @ts-expect-error misspelt after a globstar
  @OnComplyCubeEvent('**.delted')
  misspeltAfterGlobstar(): void {}
}

export class HandlersThatCompile {
  @OnComplyCubeEvent('check.completed')
  anyOutcome(event: ComplyCubeEvent<'check.completed'>): ComplyCubeCheckOutcome {
    return event.payload.outcome;
  }

  @OnComplyCubeEvent('address.created')
  addressType(event: ComplyCubeEvent<'address.created'>): string {
    return event.payload.type ?? 'not given';
  }
}
