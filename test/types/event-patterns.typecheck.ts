/**
 * Compile-time contract of event names, checked by `tsc -p tsconfig.json --noEmit` (npm run lint).
 * Each `@ts-expect-error` fails the type check if the line below it ever compiles.
 */
import { COMPLYCUBE_EVENT_TYPES, ComplyCubeEventPattern, ComplyCubeEventType, OnComplyCubeEvent } from 'nestjs-complycube-webhooks';

export class PatternExamples {
  @OnComplyCubeEvent('check.completed.rejected')
  exact(): void {}

  @OnComplyCubeEvent(['check.completed.*', 'check.**', '*', '**', '*.created', 'document.updated.*'])
  wildcards(): void {}

  // @ts-expect-error 'complete' is a typo for 'completed'
  @OnComplyCubeEvent('check.complete.rejected')
  typo(): void {}

  // @ts-expect-error no such resource
  @OnComplyCubeEvent('person.*')
  unknownResource(): void {}

  // @ts-expect-error one typo in a list is enough
  @OnComplyCubeEvent(['client.created', 'client.craeted'])
  typoInList(): void {}

  @OnComplyCubeEvent('person.created' as ComplyCubeEventPattern)
  typeAddedLater(): void {}
}

export const everyType: readonly ComplyCubeEventType[] = COMPLYCUBE_EVENT_TYPES;
// @ts-expect-error not a documented type
export const notAType: ComplyCubeEventType = 'check.completed.approved';
