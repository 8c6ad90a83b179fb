/*
 * nestjs-complycube-webhooks/testing: sign, create, send and deliver ComplyCube events in an
 * app's tests. Test-framework agnostic (no jest import).
 */
export { COMPLYCUBE_EVENT_FIXTURES_DIR, loadComplyCubeEventFixture } from './complycube-event-fixtures';
export { createComplyCubeEvent, createComplyCubeId } from './create-complycube-event';
export type { ComplyCubeEventOverrides } from './create-complycube-event';
export { deliverComplyCubeEvent } from './deliver-complycube-event';
export type { DeliverComplyCubeEventOptions } from './deliver-complycube-event';
export { ComplyCubeEndpointUnreachableError } from './post-signed-complycube-body';
export type { ComplyCubeWebhookResponse } from './post-signed-complycube-body';
export { sendComplyCubeEvent } from './send-complycube-event';
export type { SendComplyCubeEventOptions } from './send-complycube-event';
export { signComplyCubePayload } from './sign-complycube-payload';
