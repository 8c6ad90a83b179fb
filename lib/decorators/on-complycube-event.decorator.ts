import { COMPLYCUBE_EVENT_HANDLER_METADATA } from '../constants';
import { ComplyCubeEventPattern, isValidComplyCubeEventPattern } from '../events/complycube-event-pattern';

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
 * Routes verified ComplyCube events whose type matches `pattern` to the decorated method, which
 * receives the whole event. `*` matches one segment, `**` any number, a bare `'*'` every event.
 * Several decorators on one method add up; the method still runs once per event.
 */
export function OnComplyCubeEvent(
  pattern: ComplyCubeEventPattern | readonly ComplyCubeEventPattern[],
  options: OnComplyCubeEventOptions = {},
): MethodDecorator {
  const patterns: string[] = Array.isArray(pattern) ? [...pattern] : [pattern as string];
  if (patterns.length === 0) {
    throw new TypeError('@OnComplyCubeEvent() needs at least one event type or pattern.');
  }
  for (const candidate of patterns) {
    if (!isValidComplyCubeEventPattern(candidate)) {
      throw new TypeError(
        `@OnComplyCubeEvent(): ${JSON.stringify(candidate)} is not an event pattern. ` +
          "Use dot-separated segments such as 'check.completed.rejected', 'check.*' or 'check.**'.",
      );
    }
  }
  if (options.key !== undefined && (typeof options.key !== 'string' || options.key.trim() === '')) {
    throw new TypeError('@OnComplyCubeEvent(): options.key must be a non-empty string.');
  }
  const entry: ComplyCubeEventHandlerMetadata = { patterns, key: options.key };
  return (_target, _propertyKey, descriptor: PropertyDescriptor) => {
    const previous: ComplyCubeEventHandlerMetadata[] =
      Reflect.getMetadata(COMPLYCUBE_EVENT_HANDLER_METADATA, descriptor.value) ?? [];
    Reflect.defineMetadata(COMPLYCUBE_EVENT_HANDLER_METADATA, [...previous, entry], descriptor.value);
    return descriptor;
  };
}
