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
