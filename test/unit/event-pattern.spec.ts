import { EventEmitter2 } from '@nestjs/event-emitter';
import fc from 'fast-check';
import { COMPLYCUBE_EVENT_TYPES } from '../../lib/events/event-types';
import { isValidComplyCubeEventPattern, matchesComplyCubeEventPattern } from '../../lib/events/event-pattern';
import { toEmitterEventName } from '../../lib/dispatch/emitter-routing';

describe('matchesComplyCubeEventPattern', () => {
  it.each([
    ['check.completed.clear', 'check.completed.clear', true],
    ['check.completed.clear', 'check.completed', false],
    ['check.completed', 'check.completed.clear', false],
    ['check.*', 'check.pending', true],
    ['check.*', 'check.completed.clear', false],
    ['check.completed.*', 'check.completed', false],
    ['check.**', 'check.completed.clear', true],
    ['check.**', 'check.pending', true],
    ['check.completed.**', 'check.completed', true],
    ['**.created', 'client.created', true],
    ['**.created', 'document.updated', false],
    ['*.created', 'client.created', true],
    ['*.deleted', 'document.updated.image_deleted', false],
    ['**.image_deleted', 'document.updated.image_deleted', true],
    ['*.*.clear', 'check.completed.clear', true],
    ['check.**.clear', 'check.completed.clear', true],
    ['*', 'workflow.session.completed', true],
    ['*', 'person.verified', true],
    ['**', 'check.pending', true],
    ['client.*', 'clients.created', false],
  ])('%s matches %s: %s', (pattern, type, expected) => {
    expect(matchesComplyCubeEventPattern(pattern, type)).toBe(expected);
  });

  it('agrees with the wildcard EventEmitter2 that routes events to handlers', () => {
    const segments = [...new Set(COMPLYCUBE_EVENT_TYPES.flatMap((type) => type.split('.'))), '*', '**', 'other'];
    const patternArbitrary = fc
      .array(fc.constantFrom(...segments), { minLength: 1, maxLength: 4 })
      .map((parts) => parts.join('.'))
      // Patterns the decorator refuses (a wildcard right after `**`) are never subscribed.
      .filter((pattern) => isValidComplyCubeEventPattern(pattern));
    fc.assert(
      fc.property(patternArbitrary, (pattern) => {
        const emitter = new EventEmitter2({ wildcard: true });
        const reached = new Set<string>();
        emitter.on(toEmitterEventName(pattern), function (this: { event: string }) {
          reached.add(this.event);
        });
        for (const type of COMPLYCUBE_EVENT_TYPES) emitter.emit(toEmitterEventName(type));
        const predicted = COMPLYCUBE_EVENT_TYPES.filter((type) => matchesComplyCubeEventPattern(pattern, type));
        expect(predicted.map(toEmitterEventName).sort()).toEqual([...reached].sort());
      }),
      { numRuns: 500 },
    );
  });

  it('refuses the patterns EventEmitter2 cannot route as documented: a wildcard next to **', () => {
    for (const pattern of ['**.*.cancelled', '**.**', 'check.**.*', '**.*', 'check.completed.*.**', '*.**']) {
      expect([pattern, isValidComplyCubeEventPattern(pattern)]).toEqual([pattern, false]);
    }
    for (const pattern of ['**.cancelled', '*.*.cancelled', 'check.**', 'check.**.clear', '**']) {
      expect([pattern, isValidComplyCubeEventPattern(pattern)]).toEqual([pattern, true]);
    }
  });
});
