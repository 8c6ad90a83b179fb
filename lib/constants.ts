/** Metadata key under which `@OnComplyCubeEvent` appends its handler definitions. */
export const COMPLYCUBE_EVENT_HANDLER_METADATA = 'complycube-webhooks:event-handler';

/** Events are emitted on the app's EventEmitter2 as `complycube.<type>`. */
export const COMPLYCUBE_EVENT_NAMESPACE = 'complycube';

export const DEFAULT_COMPLYCUBE_WEBHOOK_PATH = 'webhooks/complycube';

/** Node lowercases incoming header names. */
export const COMPLYCUBE_SIGNATURE_HEADER = 'complycube-signature';
