import { isJsonObject } from '../common/json-object';
import { isValidComplyCubeEventType } from './event-pattern';

/**
 * Why `body` is not a ComplyCube event, or undefined when it is one: a JSON object with a
 * non-empty string `id`, a dot-separated `type` and an object `payload`, and with `resourceType`
 * and `createdAt` either absent or strings (`null` is not absent).
 */
export function findComplyCubeEventProblem(body: unknown): string | undefined {
  if (!isJsonObject(body)) return 'the body must be a JSON object';
  if (typeof body.id !== 'string' || body.id.length === 0) return '"id" must be a non-empty string';
  if (!isValidComplyCubeEventType(body.type)) return '"type" must be a dot-separated event type such as "check.completed"';
  if (!isJsonObject(body.payload)) return '"payload" must be a JSON object';
  // Fields ComplyCube may leave out: a signed event is never refused for lacking them.
  for (const field of ['resourceType', 'createdAt'] as const) {
    const value: unknown = Object.hasOwn(body, field) ? body[field] : undefined;
    if (value !== undefined && typeof value !== 'string') return `"${field}" must be a string when present`;
  }
  return undefined;
}
