/** Metadata key under which `@OnComplyCubeEvent` appends its handler definitions. */
export const COMPLYCUBE_EVENT_HANDLER_METADATA = 'complycube-webhooks:event-handler';

/** Events are emitted on the app's EventEmitter2 as `complycube.<type>`. */
export const COMPLYCUBE_EVENT_NAMESPACE = 'complycube';
