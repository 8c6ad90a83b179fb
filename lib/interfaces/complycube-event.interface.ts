import { ComplyCubeEventType } from '../events/complycube-event-types';

/** The Event object ComplyCube posts, as its reference documents it. */
export interface ComplyCubeEvent<T extends string = ComplyCubeEventType> {
  /** Unique per event; every redelivery of the event carries the same id. */
  id: string;
  type: T;
  /** The kind of object in `payload`, e.g. `check`. */
  resourceType: string;
  payload: Record<string, unknown>;
  createdAt: string;
}
