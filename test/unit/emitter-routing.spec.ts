import { EventEmitter2 } from '@nestjs/event-emitter';
import { routesWildcardPatterns, toEmitterEventName } from '../../lib/dispatch/emitter-routing';

/**
 * The explorer learns from this probe whether the app's EventEmitter2 routes wildcard patterns. It
 * relies on EventEmitter2's public `on`, `off` and `listeners`; if a release changes how those match
 * patterns, these expectations fail before any app misroutes an event.
 */
describe('routesWildcardPatterns', () => {
  it.each<[string, ConstructorParameters<typeof EventEmitter2>[0], boolean]>([
    ['wildcard mode', { wildcard: true }, true],
    ['wildcard mode with the "." delimiter given', { wildcard: true, delimiter: '.' }, true],
    ['the default (no wildcards)', {}, false],
    ['wildcard mode with another delimiter', { wildcard: true, delimiter: ':' }, false],
  ])('answers for %s', (_name, options, expected) => {
    expect(routesWildcardPatterns(new EventEmitter2(options))).toBe(expected);
  });

  it('leaves no listener behind and emits nothing', () => {
    const emitter = new EventEmitter2({ wildcard: true });
    const heard: unknown[] = [];
    emitter.on('**', (...args: unknown[]) => heard.push(args));
    emitter.onAny((name: unknown) => heard.push(name));
    const before = emitter.eventNames().length;
    routesWildcardPatterns(emitter);
    expect(emitter.eventNames()).toHaveLength(before);
    expect(emitter.listeners('complycube-webhooks-probe.routed')).toHaveLength(1);
    expect(heard).toEqual([]);
  });

  it('matches the way emit routes: a listener on the probe pattern receives the probe event', () => {
    const emitter = new EventEmitter2({ wildcard: true });
    const received: string[] = [];
    emitter.on('complycube-webhooks-probe.*', () => received.push('pattern'));
    emitter.emit('complycube-webhooks-probe.routed');
    expect(received).toEqual(['pattern']);
  });
});

describe('toEmitterEventName', () => {
  it.each([
    ['check.completed.rejected', 'complycube.check.completed.rejected'],
    ['check.*', 'complycube.check.*'],
    ['*', 'complycube.**'],
    ['**', 'complycube.**'],
  ])('names %s as %s on the emitter', (pattern, name) => {
    expect(toEmitterEventName(pattern)).toBe(name);
  });
});
