import { EventEmitter2 } from '@nestjs/event-emitter';
import { COMPLYCUBE_EVENT_NAMESPACE } from './constants';

/** The EventEmitter2 event name for a type or pattern; a bare `*` covers every event. */
export function toEmitterEventName(typeOrPattern: string): string {
  return `${COMPLYCUBE_EVENT_NAMESPACE}.${typeOrPattern === '*' ? '**' : typeOrPattern}`;
}

const PROBE_PATTERN = 'complycube-webhooks-probe.*';
const PROBE_EVENT = 'complycube-webhooks-probe.routed';

/**
 * Whether the app's EventEmitter2 routes dot-separated wildcard patterns, as `@OnComplyCubeEvent`
 * patterns need (wildcard mode with the default `.` delimiter). Learnt through its public API: a
 * listener on a probe pattern, asked for with `listeners()` (which matches patterns the way `emit`
 * does), then removed. Nothing is emitted, so no listener of the app runs.
 */
export function routesWildcardPatterns(emitter: EventEmitter2): boolean {
  const probe = (): void => undefined;
  emitter.on(PROBE_PATTERN, probe);
  try {
    return emitter.listeners(PROBE_EVENT).includes(probe);
  } finally {
    emitter.off(PROBE_PATTERN, probe);
  }
}
