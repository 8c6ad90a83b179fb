export { ComplyCubeWebhookModule } from './complycube-webhook.module';
export { COMPLYCUBE_WEBHOOK_OPTIONS } from './complycube-webhook.module-builder';
export { ComplyCubeHandlerAbandonedError, ComplyCubeWebhookConfigurationError } from './complycube-webhook.errors';
export {
  COMPLYCUBE_EVENT_NAMESPACE,
  COMPLYCUBE_SIGNATURE_HEADER,
  DEFAULT_COMPLYCUBE_WEBHOOK_PATH,
} from './constants';
export { OnComplyCubeEvent } from './decorators/on-complycube-event.decorator';
export type {
  ComplyCubeEventForPattern,
  ComplyCubeEventHandlerDecorator,
  OnComplyCubeEventOptions,
} from './decorators/on-complycube-event.decorator';
export { ComplyCubeEventDispatcher } from './dispatch/complycube-event.dispatcher';
export type { ComplyCubeDispatchOptions, ComplyCubeDispatchResult, ComplyCubeHandlerFailure } from './dispatch/complycube-delivery';
export { ComplyCubeHandlersExplorer } from './dispatch/complycube-handlers.explorer';
export type { ComplyCubeHandlerRegistration } from './dispatch/complycube-handlers.explorer';
export { COMPLYCUBE_EVENT_TYPES } from './events/complycube-event-types';
export type { ComplyCubeEventType } from './events/complycube-event-types';
export { matchesComplyCubeEventPattern } from './events/complycube-event-pattern';
export type { ComplyCubeEventPattern, ComplyCubeEventTypesMatching } from './events/complycube-event-pattern';
export type {
  ComplyCubeAddress,
  ComplyCubeCheck,
  ComplyCubeCheckOutcome,
  ComplyCubeCheckStatus,
  ComplyCubeCheckType,
  ComplyCubeClient,
  ComplyCubeCompanyDetails,
  ComplyCubeCompletedCheckPayload,
  ComplyCubeDeletePayload,
  ComplyCubeDocument,
  ComplyCubeDocumentImage,
  ComplyCubeEventMap,
  ComplyCubeEventPayload,
  ComplyCubeFailedCheckPayload,
  ComplyCubeLivePhoto,
  ComplyCubePersonDetails,
  ComplyCubeResourceType,
  ComplyCubeUpdatePayload,
  ComplyCubeWorkflowSessionPayload,
  ComplyCubeWorkflowSessionStatus,
} from './events/complycube-event-payloads';
export type { ComplyCubeAnyEvent, ComplyCubeEvent, ComplyCubeTypedEvent } from './interfaces/complycube-event.interface';
export type { ComplyCubeWebhookModuleExtras, ComplyCubeWebhookModuleOptions } from './interfaces/complycube-webhook-options.interface';
export { ComplyCubeSignatureGuard } from './verification/complycube-signature.guard';
export { verifyComplyCubeSignature } from './verification/verify-complycube-signature';
export { findComplyCubeEventProblem } from './webhook/complycube-event.pipe';
export { ComplyCubeWebhookReceiver } from './webhook/complycube-webhook.receiver';
export type { ComplyCubeWebhookReceipt } from './webhook/complycube-webhook.receiver';
export { ComplyCubeApiModule } from './management/complycube-api.module';
export { COMPLYCUBE_API_OPTIONS } from './management/complycube-api.module-builder';
export {
  ComplyCubeApiCallError,
  ComplyCubeApiConnectionError,
  ComplyCubeApiError,
  ComplyCubeApiTimeoutError,
  ComplyCubeWebhookRequestError,
} from './management/complycube-api.errors';
export type { ComplyCubeApiCall } from './management/complycube-api.errors';
export { ComplyCubeWebhooksClient, DEFAULT_COMPLYCUBE_API_URL } from './management/complycube-webhooks.client';
export type { ComplyCubeApiModuleExtras, ComplyCubeApiOptions } from './management/interfaces/complycube-api-options.interface';
export type {
  ComplyCubeCallOptions,
  CreatedWebhook,
  CreateWebhookRequest,
  Webhook,
  WebhookRequest,
} from './management/interfaces/complycube-webhook.interface';
export { complyCubeWebhookUrl, diagnoseComplyCubeSubscription, sameWebhookUrl } from './management/complycube-subscription.diagnosis';
export type {
  ComplyCubeSubscriptionDiagnosis,
  ComplyCubeSubscriptionFinding,
  ComplyCubeSubscriptionInput,
} from './management/complycube-subscription.diagnosis';
export type {
  ComplyCubeSubscriptionMode,
  ComplyCubeSubscriptionOptions,
} from './management/interfaces/complycube-subscription-options.interface';
export type { ComplyCubeIdempotencyOptions } from './interfaces/complycube-webhook-options.interface';
export type { ComplyCubeClaimResult, ComplyCubeIdempotencyStore } from './delivery/complycube-idempotency-store.interface';
export { MemoryIdempotencyStore } from './delivery/memory-idempotency.store';
export type { MemoryIdempotencyStoreOptions } from './delivery/memory-idempotency.store';
export { RedisIdempotencyStore } from './delivery/redis-idempotency.store';
export type { ComplyCubeRedisClient, RedisIdempotencyStoreOptions } from './delivery/redis-idempotency.store';
export { ComplyCubeWebhookMetrics } from './delivery/complycube-webhook.metrics';
export type { ComplyCubeCounterName, ComplyCubeRejectionReason, ComplyCubeWebhookCounters } from './delivery/complycube-webhook.metrics';
