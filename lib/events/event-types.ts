/** Every event type ComplyCube documents, in the order of its reference page. */
export const COMPLYCUBE_EVENT_TYPES = [
  'workflow.session.started',
  'workflow.session.cancelled',
  'workflow.session.processing',
  'workflow.session.completed',
  'workflow.session.updated',
  'check.pending',
  'check.completed',
  'check.completed.clear',
  'check.completed.attention',
  'check.completed.rejected',
  'check.completed.match_confirmed',
  'check.monitoring.attention',
  'check.failed',
  'check.updated',
  'client.created',
  'client.updated',
  'client.deleted',
  'document.created',
  'document.updated',
  'document.updated.image_uploaded',
  'document.updated.image_deleted',
  'document.deleted',
  'address.created',
  'address.updated',
  'address.deleted',
] as const;

export type ComplyCubeEventType = (typeof COMPLYCUBE_EVENT_TYPES)[number];

/** Whether `type` is one of the documented event types. */
export function isComplyCubeEventType(type: unknown): type is ComplyCubeEventType {
  return typeof type === 'string' && (COMPLYCUBE_EVENT_TYPES as readonly string[]).includes(type);
}
