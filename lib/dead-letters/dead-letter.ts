import type { ComplyCubeEvent } from '../events/event.interface';

/** The handlers that failed in one attempt at an event, as a dead letter keeps them. */
export interface ComplyCubeFailedAttempt {
  /** 1 for the first attempt. */
  attempt: number;
  /** ISO 8601. */
  at: string;
  /** How the attempt ended: `failed` (a handler threw), `abandoned` (one never settled), `store-error`... */
  outcome: string;
  /** Each failed handler's key and its error as `Name: message`, without control characters, cut at 300 characters. */
  handlers: Array<{ handlerKey: string; error: string }>;
}

/**
 * An event whose handlers kept failing, set aside for an operator rather than retried for ever, so
 * that ComplyCube never disables the webhook because of it. Carries no payload: `get` adds it.
 */
export interface ComplyCubeDeadLetter {
  /** Its id for `ComplyCubeDeadLetters` and the CLI. */
  id: string;
  /** Where it is kept: BullMQ's failed set (queue mode) or the idempotency store (`deadLetters` option). */
  source: 'queue' | 'store';
  /** The `name` of the registration that received it, if it has one. */
  registration?: string;
  /** The scope of its idempotency records (the registration's name, else its path). */
  scope: string;
  eventId: string;
  eventType: string;
  /** Job attempts (queue) or failed deliveries (store) made. */
  attempts: number;
  /** The last failed attempts, oldest first. */
  failures: ComplyCubeFailedAttempt[];
  /** When the event first reached the endpoint (queue mode) or first failed (ISO 8601). */
  receivedAt?: string;
  /** When it became a dead letter (ISO 8601). */
  deadLetteredAt: string;
}

/** A dead letter with the event it holds, personal data included. */
export interface ComplyCubeDeadLetterWithEvent extends ComplyCubeDeadLetter {
  event: ComplyCubeEvent<string>;
  /** The body exactly as ComplyCube sent it, when kept (dead letters without a queue). */
  rawBody?: string;
}

const KEPT_FAILURES = 5;
const MAX_ERROR_LENGTH = 300;

/** One line per error for dead letters and logs: the name and message, never the stack, bounded in length. */
export function summarizeError(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim();
  return clean.length > MAX_ERROR_LENGTH ? `${clean.slice(0, MAX_ERROR_LENGTH)}...` : clean;
}

/** The failures so far with this attempt's appended, the oldest dropped past five. */
export function withFailedAttempt(
  failures: readonly ComplyCubeFailedAttempt[] | undefined,
  attempt: number,
  outcome: string,
  handlers: ReadonlyArray<{ handlerKey: string; error: unknown }>,
): ComplyCubeFailedAttempt[] {
  const record: ComplyCubeFailedAttempt = {
    attempt,
    at: new Date().toISOString(),
    outcome,
    handlers: handlers.map(({ handlerKey, error }) => ({ handlerKey, error: summarizeError(error) })),
  };
  return [...(failures ?? []), record].slice(-KEPT_FAILURES);
}

/** A dead letter without its event, as `list` and `onDeadLetter` give it. */
export function summaryOf(letter: ComplyCubeDeadLetterWithEvent): ComplyCubeDeadLetter {
  const { event, rawBody, ...summary } = letter;
  return summary;
}

/** Reads a stored dead letter; undefined for text that is not one. */
export function parseStoredDeadLetter(text: string): ComplyCubeDeadLetterWithEvent | undefined {
  try {
    const parsed = JSON.parse(text) as Partial<ComplyCubeDeadLetterWithEvent>;
    return parsed && typeof parsed.id === 'string' && typeof parsed.eventId === 'string' && parsed.event
      ? (parsed as ComplyCubeDeadLetterWithEvent)
      : undefined;
  } catch {
    return undefined;
  }
}
