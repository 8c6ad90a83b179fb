/*
 * nestjs-complycube-webhooks/testing: sign, create, send and deliver ComplyCube events in an
 * app's tests. Test-framework agnostic (no jest import).
 */
export { COMPLYCUBE_EVENT_FIXTURES_DIR, loadComplyCubeEventFixture } from './event-fixtures';
export { createComplyCubeEvent, createComplyCubeId } from './create-event';
export type { ComplyCubeEventOverrides } from './create-event';
export { deliverComplyCubeEvent } from './deliver-event';
export type { DeliverComplyCubeEventOptions } from './deliver-event';
export { ComplyCubeEndpointUnreachableError } from './post-signed-body';
export type { ComplyCubeWebhookResponse } from './post-signed-body';
export { sendComplyCubeEvent } from './send-event';
export type { SendComplyCubeEventOptions } from './send-event';
export { signComplyCubePayload } from '../index';
