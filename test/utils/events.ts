import { randomBytes } from 'node:crypto';

export const hexId = (): string => randomBytes(12).toString('hex');

export function makeEvent(type: string, payload: Record<string, unknown> = {}): Record<string, any> {
  const resourceType = type.split('.')[0];
  return {
    id: hexId(),
    type,
    resourceType,
    payload: { id: hexId(), ...payload },
    createdAt: new Date().toISOString(),
  };
}

/**
 * The idempotency store key of an event at a registration, in the documented format: the
 * registration's scope (its name, else its path) URI-encoded, a colon, the event id.
 */
export function recordKeyOf(eventId: string, scope = 'webhooks/complycube'): string {
  return `${encodeURIComponent(scope)}:${eventId}`;
}
