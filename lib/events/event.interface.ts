import { ComplyCubeEventMap } from './event-payloads';
import { ComplyCubeEventType } from './event-types';

/*
 * The endpoint requires `id`, `type` and `payload`, which routing and de-duplication need.
 * `resourceType` and `createdAt` are in ComplyCube's reference too, but an event is not refused
 * for lacking them (a signed event refused is retried, then the webhook disabled), so they are
 * optional here: when present they are strings, the endpoint answers 400 otherwise.
 */

/**
 * Any event ComplyCube posts, including types added after this release: what a wildcard
 * handler may receive.
 */
export interface ComplyCubeAnyEvent<T extends string = ComplyCubeEventType | (string & {})> {
  /** Unique per event; every redelivery of the event carries the same id. */
  id: string;
  type: T;
  /** The kind of object in `payload`, e.g. `check`. */
  resourceType?: string;
  payload: Record<string, unknown>;
  /** When ComplyCube created the event (ISO 8601). */
  createdAt?: string;
}

/** A documented event type, with `resourceType` and `payload` narrowed as ComplyCube's reference describes them. */
export interface ComplyCubeTypedEvent<T extends ComplyCubeEventType> {
  /** Unique per event; every redelivery of the event carries the same id. */
  id: string;
  type: T;
  /** The kind of object in `payload`: its known name as a hint, any other string accepted. */
  resourceType?: ComplyCubeEventMap[T]['resourceType'];
  payload: ComplyCubeEventMap[T]['payload'];
  /** When ComplyCube created the event (ISO 8601). */
  createdAt?: string;
}

/**
 * The Event object ComplyCube posts.
 * - `ComplyCubeEvent`: any event (what a wildcard handler receives);
 * - `ComplyCubeEvent<'check.completed.rejected'>`: that type, its payload narrowed;
 * - `ComplyCubeEvent<'client.created' | 'client.deleted'>`: a union to narrow with `event.type`;
 * - `ComplyCubeEvent<'person.verified'>`: a type this release does not know, with a loose payload.
 */
export type ComplyCubeEvent<T extends string = string> = string extends T
  ? ComplyCubeAnyEvent
  : T extends ComplyCubeEventType
    ? ComplyCubeTypedEvent<T>
    : ComplyCubeAnyEvent<T>;
