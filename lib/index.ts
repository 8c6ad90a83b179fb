export { ComplyCubeWebhookModule } from './complycube-webhook.module';
export { COMPLYCUBE_WEBHOOK_OPTIONS } from './complycube-webhook.module-builder';
export { ComplyCubeHandlerAbandonedError, ComplyCubeWebhookConfigurationError } from './common/errors';
export {
  COMPLYCUBE_EVENT_NAMESPACE,
  COMPLYCUBE_SIGNATURE_HEADER,
  DEFAULT_COMPLYCUBE_WEBHOOK_PATH,
} from './constants';
export { OnComplyCubeEvent } from './dispatch/on-complycube-event.decorator';
export type {
  ComplyCubeEventForPattern,
  ComplyCubeEventHandlerDecorator,
  OnComplyCubeEventOptions,
} from './dispatch/on-complycube-event.decorator';
export { ComplyCubeEventDispatcher } from './dispatch/event.dispatcher';
export type { ComplyCubeDispatchOptions, ComplyCubeDispatchResult, ComplyCubeHandlerFailure } from './dispatch/dispatch-run';
export { ComplyCubeHandlersExplorer } from './dispatch/handlers.explorer';
export type { ComplyCubeHandlerRegistration } from './dispatch/handlers.explorer';
export { COMPLYCUBE_EVENT_TYPES } from './events/event-types';
export type { ComplyCubeEventType } from './events/event-types';
export { matchesComplyCubeEventPattern } from './events/event-pattern';
export type { ComplyCubeEventPattern, ComplyCubeEventTypesMatching } from './events/event-pattern';
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
} from './events/event-payloads';
export type { ComplyCubeAnyEvent, ComplyCubeEvent, ComplyCubeTypedEvent } from './events/event.interface';
export type { ComplyCubeWebhookModuleExtras, ComplyCubeWebhookModuleOptions } from './endpoint/endpoint-options.interface';
export { ComplyCubeSignatureGuard } from './endpoint/signature.guard';
export { verifyComplyCubeSignature } from './verification/verify';
export { findComplyCubeEventProblem } from './endpoint/event.pipe';
export { ComplyCubeWebhookReceiver } from './endpoint/receiver';
export type { ComplyCubeWebhookReceipt } from './endpoint/receiver';
export { ComplyCubeApiModule } from './management/api.module';
export { COMPLYCUBE_API_OPTIONS } from './management/api.module-builder';
export {
  ComplyCubeApiCallError,
  ComplyCubeApiConnectionError,
  ComplyCubeApiError,
  ComplyCubeApiTimeoutError,
  ComplyCubeWebhookRequestError,
} from './management/api.errors';
export type { ComplyCubeApiCall } from './management/api.errors';
export { ComplyCubeWebhooksClient, DEFAULT_COMPLYCUBE_API_URL } from './management/webhooks.client';
export type { ComplyCubeApiModuleExtras, ComplyCubeApiOptions } from './management/api-options.interface';
export type {
  ComplyCubeCallOptions,
  CreatedWebhook,
  CreateWebhookRequest,
  Webhook,
  WebhookRequest,
} from './management/webhook.interface';
export { complyCubeWebhookUrl, diagnoseComplyCubeSubscription, sameWebhookUrl } from './management/subscription.diagnosis';
export type {
  ComplyCubeSubscriptionDiagnosis,
  ComplyCubeSubscriptionFinding,
  ComplyCubeSubscriptionInput,
} from './management/subscription.diagnosis';
export type {
  ComplyCubeSubscriptionMode,
  ComplyCubeSubscriptionOptions,
} from './management/subscription-options.interface';
export type { ComplyCubeIdempotencyOptions } from './endpoint/endpoint-options.interface';
export type { ComplyCubeClaimResult, ComplyCubeIdempotencyStore } from './delivery/idempotency-store.interface';
export { MemoryIdempotencyStore } from './delivery/memory-idempotency.store';
export type { MemoryIdempotencyStoreOptions } from './delivery/memory-idempotency.store';
export { RedisIdempotencyStore } from './delivery/redis-idempotency.store';
export type { ComplyCubeRedisClient, RedisIdempotencyStoreOptions } from './delivery/redis-idempotency.store';
export { ComplyCubeWebhookMetrics } from './delivery/webhook.metrics';
export type { ComplyCubeCounterName, ComplyCubeRejectionReason, ComplyCubeWebhookCounters } from './delivery/webhook.metrics';
