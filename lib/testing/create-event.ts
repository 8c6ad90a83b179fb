import { randomBytes } from 'node:crypto';
import { ComplyCubeEvent, ComplyCubeEventType } from '../index';
import { loadComplyCubeEventFixture } from './event-fixtures';

type DeepPartial<T> = T extends readonly unknown[] ? T : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

/** Fields to change in a created event; objects merge deeply, arrays and values replace. */
export type ComplyCubeEventOverrides<T extends ComplyCubeEventType> = DeepPartial<ComplyCubeEvent<T>>;

const TIMESTAMP_KEYS = new Set(['createdAt', 'updatedAt']);
const OBJECT_ID = /^[0-9a-f]{24}$/;
const MAX_OBJECT_ID_SECONDS = 0xffffffff;

// Built as MongoDB builds ObjectIds, which ComplyCube's ids are: 4 bytes of seconds since 1970,
// 5 random bytes fixed for the process, and a 3-byte counter from a random start, so that ids
// made in the same second still differ.
const PROCESS_BYTES = randomBytes(5).toString('hex');
let counter = randomBytes(3).readUIntBE(0, 3);

/**
 * A new id like ComplyCube's: a MongoDB ObjectId (24 hex digits) whose first 4 bytes hold the
 * time it was created, `date` (default now) to the second. Pass an event's or an object's
 * `createdAt` to make an id that matches it.
 */
export function createComplyCubeId(date: Date | string | number = new Date()): string {
  const time = new Date(date).getTime();
  if (Number.isNaN(time)) {
    throw new TypeError(
      `createComplyCubeId(): ${typeof date === 'string' ? JSON.stringify(date) : String(date)} is not a date; ` +
        "pass a Date, an ISO 8601 timestamp such as an event's createdAt, or milliseconds since 1970.",
    );
  }
  const seconds = Math.floor(time / 1000);
  if (seconds < 0 || seconds > MAX_OBJECT_ID_SECONDS) {
    throw new RangeError(
      `createComplyCubeId(): ${new Date(time).toISOString()} does not fit in an id, which holds times from 1970-01-01 to 2106-02-07.`,
    );
  }
  counter = (counter + 1) % 0x1000000;
  return seconds.toString(16).padStart(8, '0') + PROCESS_BYTES + counter.toString(16).padStart(6, '0');
}

/**
 * A realistic event of a documented type, built from the package's sample of that type:
 * timestamps moved so that the event is created now (keeping the sample's intervals), every id
 * replaced by a new one whose time matches (an object's `createdAt`, or the sample's time moved
 * alike), then `overrides` merged in. Two created events are never redeliveries of each other.
 * An override that sets an object's `createdAt` but not its `id` gives it an id of that time.
 */
export function createComplyCubeEvent<T extends ComplyCubeEventType>(type: T, overrides?: ComplyCubeEventOverrides<T>): ComplyCubeEvent<T> {
  const event = loadComplyCubeEventFixture(type);
  const sampleTime = sampleCreationTime(event);
  const shift = sampleTime === undefined ? 0 : Date.now() - sampleTime;
  shiftTimestamps(event, shift);
  renewIds(event, shift);
  if (overrides !== undefined) {
    mergeDeep(event as unknown as Record<string, unknown>, overrides);
    matchIdsToOverriddenCreation(event, overrides);
  }
  return event;
}

/** When the sample event was created: its `createdAt`, else (a field ComplyCube may omit) its latest timestamp. */
function sampleCreationTime(event: { createdAt?: string }): number | undefined {
  if (typeof event.createdAt === 'string' && !Number.isNaN(Date.parse(event.createdAt))) return Date.parse(event.createdAt);
  const times: number[] = [];
  visitObjects(event, (object) => {
    for (const key of TIMESTAMP_KEYS) {
      const time = typeof object[key] === 'string' ? Date.parse(object[key]) : Number.NaN;
      if (!Number.isNaN(time)) times.push(time);
    }
  });
  return times.length > 0 ? Math.max(...times) : undefined;
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

function isComplyCubeIdKey(key: string): boolean {
  return key === 'id' || (key.endsWith('Id') && key !== 'externalId');
}

/**
 * Replaces every ComplyCube id (`id`, `clientId`, `checkId`, ...) with a new one, the same
 * sample id always by the same new id, wherever the event names it. Its time is the `createdAt` of the object it names when
 * the event holds that object, else the sample id's time moved by `shift`.
 */
function renewIds(event: object, shift: number): void {
  const createdAtOf = new Map<string, number>();
  visitObjects(event, (object) => {
    if (typeof object.id === 'string' && typeof object.createdAt === 'string' && !Number.isNaN(Date.parse(object.createdAt))) {
      createdAtOf.set(object.id, Date.parse(object.createdAt));
    }
  });
  const renewed = new Map<string, string>();
  const renew = (id: string): string => {
    let next = renewed.get(id);
    if (next === undefined) {
      const time = createdAtOf.get(id) ?? (OBJECT_ID.test(id) ? parseInt(id.slice(0, 8), 16) * 1000 + shift : Date.now());
      next = createComplyCubeId(time);
      renewed.set(id, next);
    }
    return next;
  };
  visitObjects(event, (object) => {
    for (const [key, value] of Object.entries(object)) {
      if (isComplyCubeIdKey(key) && typeof value === 'string') object[key] = renew(value);
    }
  });
  // Other strings that name a renewed id (a document image's downloadLink) follow it.
  visitObjects(event, (object) => {
    for (const [key, value] of Object.entries(object)) {
      if (!isComplyCubeIdKey(key) && typeof value === 'string') object[key] = value.replace(/[0-9a-f]{24}/g, (id) => renewed.get(id) ?? id);
    }
  });
}

/** Where an override gives an object a `createdAt` but no `id`, gives that object an id of that time. */
function matchIdsToOverriddenCreation(target: unknown, override: unknown): void {
  if (!isPlainObject(target) || !isPlainObject(override)) return;
  if (typeof override.createdAt === 'string' && override.id === undefined && typeof target.id === 'string') {
    const seconds = Math.floor(Date.parse(override.createdAt) / 1000);
    if (seconds >= 0 && seconds <= MAX_OBJECT_ID_SECONDS) target.id = createComplyCubeId(override.createdAt);
  }
  for (const [key, value] of Object.entries(override)) {
    if (key !== '__proto__') matchIdsToOverriddenCreation(target[key], value);
  }
}

/** Calls `visit` on every plain object in `value`, at any depth. */
function visitObjects(value: unknown, visit: (object: Record<string, unknown>) => void): void {
  if (Array.isArray(value)) {
    value.forEach((item) => visitObjects(item, visit));
  } else if (isPlainObject(value)) {
    visit(value);
    Object.values(value).forEach((field) => visitObjects(field, visit));
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
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
