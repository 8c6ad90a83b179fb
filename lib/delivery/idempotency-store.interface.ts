/** What a claim on an event found. */
export type ComplyCubeClaimResult =
  /** This delivery now owns the event; handlers listed in `doneHandlerKeys` already succeeded for it. */
  | { status: 'claimed'; doneHandlerKeys: readonly string[] }
  /** Every handler succeeded for this event on an earlier delivery. */
  | { status: 'completed' }
  /** Another delivery (in this instance or another) holds an unexpired claim on the event. */
  | { status: 'in-flight' };

/**
 * Remembers, per event, which handlers have succeeded and which delivery is handling it right now.
 * `key` names one event at one endpoint registration: `<scope>:<event id>`, where the scope is the
 * registration's name (else its path), URI-encoded; a store treats it as an opaque string. `owner`
 * is a random token per delivery: only the owner renews or releases its claim. Every method may
 * reject (store unreachable, full); the endpoint then answers 503 and ComplyCube retries.
 */
export interface ComplyCubeIdempotencyStore {
  /**
   * Atomically: `completed` if the event is done; `in-flight` if someone else's claim has not
   * expired; otherwise claims the event for `claimTtlMs` and returns the handlers already done.
   */
  claim(key: string, owner: string, claimTtlMs: number): Promise<ComplyCubeClaimResult>;
  /** Extends the owner's claim while its handlers run; false when the claim is no longer the owner's. */
  renewClaim(key: string, owner: string, claimTtlMs: number): Promise<boolean>;
  /** Records that one handler succeeded for the event, kept for `ttlMs`. */
  markHandlerDone(key: string, handlerKey: string, ttlMs: number): Promise<void>;
  /** Marks the event done for `ttlMs` (later deliveries are duplicates) and drops the owner's claim. */
  complete(key: string, owner: string, ttlMs: number): Promise<void>;
  /** Drops the owner's claim without completing, so the next delivery handles what is left. */
  release(key: string, owner: string): Promise<void>;
  /**
   * Whether the event is completed, without claiming it. Queue mode reads it to answer a redelivery
   * of an event whose job was removed after it ran; a store without it makes such a redelivery a job
   * that finds the event done and runs nothing.
   */
  isCompleted?(key: string): Promise<boolean>;
  /** Answers when the store is reachable and rejects otherwise; health checks call it. */
  ping?(): Promise<void>;
  /** Called once at application start (connect, check dependencies). */
  open?(): Promise<void>;
  /** Called at application shutdown; must be safe to call more than once. */
  close?(): Promise<void>;
}

/**
 * What dead letters without a queue (the `deadLetters` option) need from a store, besides the
 * idempotency records: counting an event's failed deliveries and keeping the events set aside.
 * `MemoryIdempotencyStore` and `RedisIdempotencyStore` implement it. Dead letters are JSON text.
 */
export interface ComplyCubeDeadLetterStore {
  /** Counts one failed delivery of the event and returns how many there have been; the count lasts `ttlMs`. */
  countFailedDelivery(key: string, ttlMs: number): Promise<number>;
  /** Keeps a dead letter under the event's key for `ttlMs`, replacing any earlier one. */
  saveDeadLetter(key: string, deadLetter: string, ttlMs: number): Promise<void>;
  getDeadLetter(key: string): Promise<string | undefined>;
  /** Every dead letter kept, oldest first. */
  listDeadLetters(): Promise<Array<{ key: string; deadLetter: string }>>;
  /** Removes a dead letter and the event's failed-delivery count; false when there was none. */
  deleteDeadLetter(key: string): Promise<boolean>;
}

export function isDeadLetterStore(store: unknown): store is ComplyCubeDeadLetterStore {
  const methods: Array<keyof ComplyCubeDeadLetterStore> = [
    'countFailedDelivery',
    'saveDeadLetter',
    'getDeadLetter',
    'listDeadLetters',
    'deleteDeadLetter',
  ];
  return methods.every((method) => typeof (store as Record<string, unknown> | undefined)?.[method] === 'function');
}
