/*
 * nestjs-complycube-webhooks: receiving ComplyCube's webhooks. Exactly what the README documents;
 * the webhooks API client is in `nestjs-complycube-webhooks/management`, the testing kit in
 * `nestjs-complycube-webhooks/testing`.
 */

// The module and its options
export { ComplyCubeWebhookModule } from './complycube-webhook.module';
export type { ComplyCubeWebhookModuleOptions } from './endpoint/endpoint-options.interface';
export type { ComplyCubeIdempotencyOptions } from './delivery/delivery-settings';
export type { ComplyCubeQueueOptions, ComplyCubeQueueRole } from './queue/queue-options';
export { ComplyCubeHandlerAbandonedError, ComplyCubeWebhookConfigurationError } from './common/errors';

// Handlers and the events they receive
export { OnComplyCubeEvent } from './dispatch/on-complycube-event.decorator';
export type { ComplyCubeEventForPattern, OnComplyCubeEventOptions } from './dispatch/on-complycube-event.decorator';
export type { ComplyCubeAnyEvent, ComplyCubeEvent, ComplyCubeTypedEvent } from './events/event.interface';
export { COMPLYCUBE_EVENT_TYPES } from './events/event-types';
export type { ComplyCubeEventType } from './events/event-types';
export type { ComplyCubeEventPattern } from './events/event-pattern';
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
  ComplyCubeDocumentType,
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

// Signatures
export { ComplyCubeSignatureGuard } from './endpoint/signature.guard';
export { verifyComplyCubeSignature } from './verification/verify';
export { signComplyCubePayload } from './verification/sign';

// Delivery guarantees
export { MemoryIdempotencyStore } from './delivery/memory-idempotency.store';
export type { MemoryIdempotencyStoreOptions } from './delivery/memory-idempotency.store';
export { RedisIdempotencyStore } from './delivery/redis-idempotency.store';
export type { ComplyCubeRedisClient, RedisIdempotencyStoreOptions } from './delivery/redis-idempotency.store';
export type { ComplyCubeClaimResult, ComplyCubeIdempotencyStore } from './delivery/idempotency-store.interface';
export { ComplyCubeWebhookMetrics } from './delivery/webhook.metrics';
export type { ComplyCubeDeadLetter, ComplyCubeDeadLetterWithEvent, ComplyCubeFailedAttempt } from './dead-letters/dead-letter';
export type {
  ComplyCubeDeliveryObservation,
  ComplyCubeHandlerObservation,
  ComplyCubeMetricsObserver,
  ComplyCubeWebhookCounters,
} from './delivery/webhook.metrics';

// The app's endpoints
export { ComplyCubeWebhookEndpoints } from './endpoint/webhook-endpoints';
export type { ComplyCubeDeliverOptions, ComplyCubeEndpointStatus, ComplyCubeWebhookEndpointInfo } from './endpoint/webhook-endpoints';
export type { ComplyCubeWebhookReceipt } from './endpoint/receiver';
export { ComplyCubeDeadLetters } from './endpoint/dead-letters';
export type { ComplyCubeDeadLetterQuery, ComplyCubeDeadLetterRetry } from './endpoint/dead-letters';
export type { ComplyCubeDeadLetterOptions } from './endpoint/store-dead-letters';
