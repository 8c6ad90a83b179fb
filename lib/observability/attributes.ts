/*
 * The names of the package's span attributes. The messaging ones follow OpenTelemetry's messaging
 * conventions, which its semantic-conventions package still marks as incubating: they are written
 * here, so that a change there never renames them silently.
 */
export const ATTR_MESSAGING_SYSTEM = 'messaging.system';
export const ATTR_MESSAGING_OPERATION_TYPE = 'messaging.operation.type';
export const ATTR_MESSAGING_OPERATION_NAME = 'messaging.operation.name';
export const ATTR_MESSAGING_MESSAGE_ID = 'messaging.message.id';
export const ATTR_MESSAGING_DESTINATION_NAME = 'messaging.destination.name';

export const ATTR_COMPLYCUBE_EVENT_TYPE = 'complycube.event.type';
export const ATTR_COMPLYCUBE_REGISTRATION = 'complycube.registration';
export const ATTR_COMPLYCUBE_DELIVERY_OUTCOME = 'complycube.delivery.outcome';
export const ATTR_COMPLYCUBE_HANDLER_KEY = 'complycube.handler.key';
export const ATTR_COMPLYCUBE_HANDLER_OUTCOME = 'complycube.handler.outcome';

/** `messaging.system` of every span: the events are ComplyCube's. */
export const MESSAGING_SYSTEM = 'complycube';

/** The tracer's and meter's name (the instrumentation scope). */
export const INSTRUMENTATION_NAME = 'nestjs-complycube-webhooks';
