import { randomBytes } from 'node:crypto';
import { ComplyCubeEventType } from '../events/complycube-event-types';
import { ComplyCubeEvent } from '../interfaces/complycube-event.interface';
import { loadComplyCubeEventFixture } from './complycube-event-fixtures';

type DeepPartial<T> = T extends readonly unknown[] ? T : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

/** Fields to change in a created event; objects merge deeply, arrays and values replace. */
export type ComplyCubeEventOverrides<T extends ComplyCubeEventType> = DeepPartial<ComplyCubeEvent<T>>;

const TIMESTAMP_KEYS = new Set(['createdAt', 'updatedAt']);

/** A new 24-hex-digit id, like ComplyCube's. */
export function createComplyCubeId(): string {
  return randomBytes(12).toString('hex');
}

/**
 * A realistic event of a documented type, built from the package's sample of that type: a new
 * event id and payload id (so that two created events are never redeliveries of each other),
 * timestamps moved so that the event is created now, then `overrides` merged in.
 */
export function createComplyCubeEvent<T extends ComplyCubeEventType>(type: T, overrides?: ComplyCubeEventOverrides<T>): ComplyCubeEvent<T> {
  const event = loadComplyCubeEventFixture(type);
  const sampleTime = sampleCreationTime(event);
  if (sampleTime !== undefined) shiftTimestamps(event, Date.now() - sampleTime);
  event.id = createComplyCubeId();
  event.payload.id = createComplyCubeId();
  if (overrides !== undefined) mergeDeep(event as unknown as Record<string, unknown>, overrides);
  return event;
}

/** When the sample event was created: its `createdAt`, else (a field ComplyCube may omit) its latest timestamp. */
function sampleCreationTime(event: { createdAt?: string }): number | undefined {
  if (typeof event.createdAt === 'string' && !Number.isNaN(Date.parse(event.createdAt))) return Date.parse(event.createdAt);
  const times = collectTimestamps(event);
  return times.length > 0 ? Math.max(...times) : undefined;
}

function collectTimestamps(value: unknown, found: number[] = []): number[] {
  if (Array.isArray(value)) value.forEach((item) => collectTimestamps(item, found));
  else if (isPlainObject(value)) {
    for (const [key, field] of Object.entries(value)) {
      if (TIMESTAMP_KEYS.has(key) && typeof field === 'string' && !Number.isNaN(Date.parse(field))) found.push(Date.parse(field));
      else collectTimestamps(field, found);
    }
  }
  return found;
}

/** Moves every `createdAt` / `updatedAt` by `shift` ms, keeping the sample's intervals. */
function shiftTimestamps(value: unknown, shift: number): void {
  if (Array.isArray(value)) {
    value.forEach((item) => shiftTimestamps(item, shift));
    return;
  }
  if (!isPlainObject(value)) return;
  for (const [key, field] of Object.entries(value)) {
    if (TIMESTAMP_KEYS.has(key) && typeof field === 'string') {
      value[key] = new Date(Date.parse(field) + shift).toISOString();
    } else {
      shiftTimestamps(field, shift);
    }
  }
}

/** `source` merged into `target` (mutated): plain objects recursively, anything else replaced. */
export function mergeDeep(target: Record<string, unknown>, source: unknown): Record<string, unknown> {
  if (!isPlainObject(source)) return target;
  for (const [key, value] of Object.entries(source)) {
    // An own "__proto__" key (from JSON) would replace the target's prototype instead of adding a field.
    if (value === undefined || key === '__proto__') continue;
    const current = target[key];
    target[key] = isPlainObject(value) && isPlainObject(current) ? mergeDeep(current, value) : value;
  }
  return target;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
