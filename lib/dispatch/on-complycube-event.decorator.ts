import { COMPLYCUBE_EVENT_HANDLER_METADATA } from './constants';
import { ComplyCubeEventPattern, ComplyCubeEventTypesMatching, isValidComplyCubeEventPattern } from '../events/event-pattern';
import { ComplyCubeEventType } from '../events/event-types';
import { ComplyCubeTypedEvent } from '../events/event.interface';

export interface OnComplyCubeEventOptions {
  /**
   * Stable name of this handler, used to remember which handlers have handled an event.
   * Default `ClassName.methodName`; set it when two classes share a name or a method is renamed.
   */
  key?: string;
}

export interface ComplyCubeEventHandlerMetadata {
  patterns: string[];
  key?: string;
}

/**
 * A method decorator that only fits methods whose first parameter accepts event `E`: a handler
 * typed for another event type does not compile. (`descriptor` is optional in the type only so
 * that the decorator also fits `applyDecorators()`; on anything but a method it throws.)
 */
export type ComplyCubeEventHandlerDecorator<E> = <M extends (event: E, ...rest: any[]) => unknown>(
  target: object,
  propertyKey: string | symbol,
  descriptor?: TypedPropertyDescriptor<M>,
) => void;

/** The events a pattern (or a union of patterns) delivers among the documented types. */
export type ComplyCubeEventForPattern<P extends ComplyCubeEventPattern> = TypedEvents<ComplyCubeEventTypesMatching<P>>;

// Unconstrained on purpose: checking a deferred type against a constraint costs compile time.
type TypedEvents<T> = T extends ComplyCubeEventType ? ComplyCubeTypedEvent<T> : never;

/**
 * Routes verified ComplyCube events whose type matches `pattern` to the decorated method, which
 * receives the whole event. `*` matches one segment, `**` any number, a bare `'*'` every event.
 * Several decorators on one method add up; the method still runs once per event.
 *
 * The method's parameter must accept what the pattern delivers: `ComplyCubeEvent<'check.failed'>`
 * for `'check.failed'`, or `ComplyCubeEvent` (any event) for every pattern.
 */
export function OnComplyCubeEvent<P extends ComplyCubeEventPattern>(
  pattern: P | readonly P[],
  options: OnComplyCubeEventOptions = {},
): ComplyCubeEventHandlerDecorator<ComplyCubeEventForPattern<P>> {
  const patterns: string[] = typeof pattern === 'string' ? [pattern] : [...(pattern as readonly string[])];
  if (patterns.length === 0) {
    throw new TypeError('@OnComplyCubeEvent() needs at least one event type or pattern.');
  }
  for (const candidate of patterns) {
    if (!isValidComplyCubeEventPattern(candidate)) {
      throw new TypeError(
        `@OnComplyCubeEvent(): ${JSON.stringify(candidate)} is not an event pattern. ` +
          "Use dot-separated segments such as 'check.completed.rejected', 'check.*' or 'check.**'; " +
          "a '**' may not stand next to another wildcard ('**.*.x', 'x.*.**' and '**.**' are not routed reliably).",
      );
    }
  }
  if (options.key !== undefined && (typeof options.key !== 'string' || options.key.trim() === '')) {
    throw new TypeError('@OnComplyCubeEvent(): options.key must be a non-empty string.');
  }
  const entry: ComplyCubeEventHandlerMetadata = { patterns, key: options.key };
  return (_target, propertyKey, descriptor) => {
    const method: unknown = descriptor?.value;
    if (typeof method !== 'function') {
      throw new TypeError(`@OnComplyCubeEvent(): ${String(propertyKey)} is not a method.`);
    }
    const previous = (Reflect.getMetadata(COMPLYCUBE_EVENT_HANDLER_METADATA, method) as ComplyCubeEventHandlerMetadata[] | undefined) ?? [];
    const otherKey = previous.find((earlier) => earlier.key !== undefined && entry.key !== undefined && earlier.key !== entry.key)?.key;
    if (otherKey !== undefined) {
      throw new TypeError(
        `@OnComplyCubeEvent() on ${String(propertyKey)}: two decorators give it different keys ('${otherKey}' and '${entry.key}'); ` +
          'a handler has one key: give it on one decorator, or the same on each.',
      );
    }
    Reflect.defineMetadata(COMPLYCUBE_EVENT_HANDLER_METADATA, [...previous, entry], method);
  };
}
