import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import ts from 'typescript';

const ROOT = resolve(__dirname, '..', '..');

/** Every name an entry point exports, types included, as a user's compiler sees them. */
function exportsOf(entry: string): string[] {
  const file = resolve(ROOT, entry);
  const program = ts.createProgram([file], {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    experimentalDecorators: true,
    emitDecoratorMetadata: true,
    strict: true,
    skipLibCheck: true,
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file);
  const symbol = source && checker.getSymbolAtLocation(source);
  if (!symbol) throw new Error(`cannot read the exports of ${entry}`);
  return checker
    .getExportsOfModule(symbol)
    .map((exported) => exported.name)
    .sort();
}

/**
 * The public surface, one list per entry point. A change to it shows up here as a diff to review:
 * a name added must be documented in the README, a name removed is a breaking change.
 */
const PUBLIC_API: Record<string, string[]> = {
  'lib/index.ts': [
    'COMPLYCUBE_EVENT_TYPES',
    'ComplyCubeAddress',
    'ComplyCubeAnyEvent',
    'ComplyCubeCheck',
    'ComplyCubeCheckOutcome',
    'ComplyCubeCheckStatus',
    'ComplyCubeCheckType',
    'ComplyCubeClaimResult',
    'ComplyCubeClient',
    'ComplyCubeCompanyDetails',
    'ComplyCubeCompletedCheckPayload',
    'ComplyCubeDeadLetter',
    'ComplyCubeDeadLetterOptions',
    'ComplyCubeDeadLetterQuery',
    'ComplyCubeDeadLetterRetry',
    'ComplyCubeDeadLetterWithEvent',
    'ComplyCubeDeadLetters',
    'ComplyCubeDeletePayload',
    'ComplyCubeDeliverOptions',
    'ComplyCubeDeliveryObservation',
    'ComplyCubeDocument',
    'ComplyCubeDocumentImage',
    'ComplyCubeDocumentType',
    'ComplyCubeEndpointStatus',
    'ComplyCubeEvent',
    'ComplyCubeEventForPattern',
    'ComplyCubeEventMap',
    'ComplyCubeEventPattern',
    'ComplyCubeEventPayload',
    'ComplyCubeEventType',
    'ComplyCubeFailedAttempt',
    'ComplyCubeFailedCheckPayload',
    'ComplyCubeHandlerObservation',
    'ComplyCubeHandlerAbandonedError',
    'ComplyCubeIdempotencyOptions',
    'ComplyCubeIdempotencyStore',
    'ComplyCubeLivePhoto',
    'ComplyCubeMetricsObserver',
    'ComplyCubePersonDetails',
    'ComplyCubeQueueOptions',
    'ComplyCubeQueueRole',
    'ComplyCubeRedisClient',
    'ComplyCubeResourceType',
    'ComplyCubeSignatureGuard',
    'ComplyCubeTypedEvent',
    'ComplyCubeUpdatePayload',
    'ComplyCubeWebhookConfigurationError',
    'ComplyCubeWebhookCounters',
    'ComplyCubeWebhookEndpointInfo',
    'ComplyCubeWebhookEndpoints',
    'ComplyCubeWebhookMetrics',
    'ComplyCubeWebhookModule',
    'ComplyCubeWebhookModuleOptions',
    'ComplyCubeWebhookReceipt',
    'ComplyCubeWorkflowSessionPayload',
    'ComplyCubeWorkflowSessionStatus',
    'MemoryIdempotencyStore',
    'MemoryIdempotencyStoreOptions',
    'OnComplyCubeEvent',
    'OnComplyCubeEventOptions',
    'RedisIdempotencyStore',
    'RedisIdempotencyStoreOptions',
    'signComplyCubePayload',
    'verifyComplyCubeSignature',
  ],
  'lib/management/index.ts': [
    'ComplyCubeApiCallError',
    'ComplyCubeApiConnectionError',
    'ComplyCubeApiError',
    'ComplyCubeApiModule',
    'ComplyCubeApiOptions',
    'ComplyCubeApiTimeoutError',
    'ComplyCubeCallOptions',
    'ComplyCubeCreateWebhookRequest',
    'ComplyCubeCreatedWebhook',
    'ComplyCubeSubscriptionDiagnosis',
    'ComplyCubeSubscriptionFinding',
    'ComplyCubeSubscriptionInput',
    'ComplyCubeSubscriptionMode',
    'ComplyCubeSubscriptionOptions',
    'ComplyCubeWebhook',
    'ComplyCubeWebhookRequest',
    'ComplyCubeWebhookRequestError',
    'ComplyCubeWebhooksClient',
    'DEFAULT_COMPLYCUBE_API_URL',
    'diagnoseComplyCubeSubscription',
  ],
  'lib/prometheus/index.ts': [
    'ComplyCubePrometheusCollectors',
    'ComplyCubePrometheusModule',
    'ComplyCubePrometheusOptions',
    'registerComplyCubeMetrics',
  ],
  'lib/terminus/index.ts': ['ComplyCubeEndpointHealth', 'ComplyCubeHealthIndicator', 'ComplyCubeHealthOptions'],
  'lib/testing/index.ts': [
    'COMPLYCUBE_EVENT_FIXTURES_DIR',
    'ComplyCubeEndpointUnreachableError',
    'ComplyCubeEventOverrides',
    'ComplyCubeWebhookResponse',
    'DeliverComplyCubeEventOptions',
    'SendComplyCubeEventOptions',
    'createComplyCubeEvent',
    'createComplyCubeId',
    'deliverComplyCubeEvent',
    'loadComplyCubeEventFixture',
    'sendComplyCubeEvent',
    'signComplyCubePayload',
  ],
};

describe('the public API', () => {
  it.each(Object.keys(PUBLIC_API))('%s exports exactly the listed names', (entry) => {
    expect(exportsOf(entry)).toEqual([...PUBLIC_API[entry]].sort());
  });

  it('documents every exported name in the README', () => {
    const readme = readFileSync(resolve(ROOT, 'README.md'), 'utf8');
    const undocumented = Object.values(PUBLIC_API)
      .flat()
      .filter((name) => !new RegExp(`\\b${name}\\b`).test(readme));
    expect(undocumented).toEqual([]);
  });
});
