/*
 * nestjs-complycube-webhooks/management: ComplyCube's webhooks API (list, create, enable, disable,
 * delete) and the diagnosis of an endpoint's subscription, with or without Nest.
 */
export { ComplyCubeApiModule } from './api.module';
export type { ComplyCubeApiOptions } from './api-options.interface';
export { ComplyCubeWebhooksClient, DEFAULT_COMPLYCUBE_API_URL } from './webhooks.client';
export {
  ComplyCubeApiCallError,
  ComplyCubeApiConnectionError,
  ComplyCubeApiError,
  ComplyCubeApiTimeoutError,
  ComplyCubeWebhookRequestError,
} from './api.errors';
export type {
  ComplyCubeCallOptions,
  ComplyCubeCreatedWebhook,
  ComplyCubeCreateWebhookRequest,
  ComplyCubeWebhook,
  ComplyCubeWebhookRequest,
} from './webhook.interface';
export { diagnoseComplyCubeSubscription } from './subscription.diagnosis';
export type { ComplyCubeSubscriptionDiagnosis, ComplyCubeSubscriptionFinding, ComplyCubeSubscriptionInput } from './subscription.diagnosis';
export type { ComplyCubeSubscriptionMode, ComplyCubeSubscriptionOptions } from './subscription-options.interface';
