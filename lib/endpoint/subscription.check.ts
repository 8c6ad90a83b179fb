import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ApplicationConfig, ModuleRef } from '@nestjs/core';
import { hideUrlCredentials } from '../common/http-url';
import { ComplyCubeWebhookConfigurationError, describeError } from '../common/errors';
import { ComplyCubeHandlersExplorer } from '../dispatch/handlers.explorer';
import { COMPLYCUBE_ENDPOINT, ComplyCubeEndpoint } from './endpoint';
import { ComplyCubeApiError } from '../management/api.errors';
import {
  ComplyCubeSubscriptionDiagnosis,
  complyCubeWebhookUrl,
  diagnoseComplyCubeSubscription,
} from '../management/subscription.diagnosis';
import { ComplyCubeWebhooksClient } from '../management/webhooks.client';
import { ComplyCubeSubscriptionMode, ComplyCubeSubscriptionOptions } from '../management/subscription-options.interface';

const DEFAULT_TIMEOUT_MS = 5000;
const MODES: readonly ComplyCubeSubscriptionMode[] = ['warn', 'error', 'sync'];

interface CheckSettings {
  publicUrl: string;
  mode: ComplyCubeSubscriptionMode;
  timeoutMs: number;
}

/**
 * The opt-in start-up check of one endpoint's ComplyCube webhook (`subscription` option):
 * finds the webhook whose url is this endpoint, compares its events with the handlers, and
 * warns, refuses to start, or fixes it. Bounded by `timeoutMs`; a ComplyCube outage never
 * stops the app, a wrong set-up may (`error`).
 */
@Injectable()
export class ComplyCubeSubscriptionCheck implements OnApplicationBootstrap {
  private readonly logger = new Logger('ComplyCubeWebhooks');

  constructor(
    @Inject(COMPLYCUBE_ENDPOINT) private readonly endpoint: ComplyCubeEndpoint,
    private readonly explorer: ComplyCubeHandlersExplorer,
    private readonly appConfig: ApplicationConfig,
    private readonly moduleRef: ModuleRef,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.endpoint.subscription) return;
    const settings = readSettings(this.endpoint.subscription);
    const client = this.findClient();
    const url = complyCubeWebhookUrl(settings.publicUrl, this.appConfig.getGlobalPrefix(), this.endpoint.path);
    const handlerPatterns = this.explorer.handlers.flatMap((handler) => handler.patterns);
    const deadline = AbortSignal.timeout(settings.timeoutMs);
    try {
      const webhooks = await client.list({ signal: deadline });
      let diagnosis = diagnoseComplyCubeSubscription({ url, webhooks, handlerPatterns });
      if (settings.mode === 'sync') diagnosis = await this.sync(client, diagnosis, handlerPatterns, deadline);
      Object.assign(this.endpoint.subscriptionState, {
        checkedAt: new Date().toISOString(),
        url,
        enabled: diagnosis.webhooks.some((webhook) => webhook.enabled),
        error: undefined,
      });
      this.report(diagnosis, settings.mode);
    } catch (error) {
      if (error instanceof ComplyCubeWebhookConfigurationError) throw error;
      Object.assign(this.endpoint.subscriptionState, {
        checkedAt: new Date().toISOString(),
        url,
        enabled: undefined,
        error: deadline.aborted ? `no answer within ${settings.timeoutMs} ms` : describeError(error),
      });
      this.cannotCheck(error, url, settings, deadline);
    }
  }

  private findClient(): ComplyCubeWebhooksClient {
    try {
      return this.moduleRef.get(ComplyCubeWebhooksClient, { strict: false });
    } catch {
      throw new ComplyCubeWebhookConfigurationError(
        "ComplyCubeWebhookModule: the subscription check calls ComplyCube's API; add ComplyCubeApiModule.forRoot({ apiKey }) " +
          '(or forRootAsync) to your AppModule imports.',
      );
    }
  }

  /** Sets the one webhook's events to what the handlers take and enables it; never creates one. */
  private async sync(
    client: ComplyCubeWebhooksClient,
    diagnosis: ComplyCubeSubscriptionDiagnosis,
    handlerPatterns: string[],
    signal: AbortSignal,
  ): Promise<ComplyCubeSubscriptionDiagnosis> {
    const fixable = diagnosis.findings.some((finding) => finding.kind !== 'missing' && finding.kind !== 'duplicate');
    if (!fixable) return diagnosis;
    if (diagnosis.webhooks.length !== 1) {
      this.logger.warn(`Not syncing: ${diagnosis.webhooks.length} ComplyCube webhooks point at ${diagnosis.url}.`);
      return diagnosis;
    }
    if (!diagnosis.wantedEvents) {
      this.logger.warn(`Not syncing ComplyCube webhook ${diagnosis.webhooks[0].id}: no handler takes a documented event type.`);
      return diagnosis;
    }
    const [webhook] = diagnosis.webhooks;
    let updated;
    try {
      updated = await client.update(webhook.id, { events: diagnosis.wantedEvents, enabled: true }, { signal });
    } catch (error) {
      const reason = signal.aborted ? 'the check ran out of time' : (error as Error).message;
      this.logger.error(`Could not sync ComplyCube webhook ${webhook.id}: ${reason}.`);
      return diagnosis;
    }
    this.logger.log(`Synced ComplyCube webhook ${webhook.id}: enabled, events ${updated.events.join(', ')}.`);
    return diagnoseComplyCubeSubscription({ url: diagnosis.url, webhooks: [updated], handlerPatterns });
  }

  private report(diagnosis: ComplyCubeSubscriptionDiagnosis, mode: ComplyCubeSubscriptionMode): void {
    const errors = diagnosis.findings.filter((finding) => finding.severity === 'error');
    for (const finding of diagnosis.findings) {
      if (finding.severity === 'error' && mode === 'error') this.logger.error(finding.message);
      else this.logger.warn(finding.message);
    }
    if (mode === 'error' && errors.length > 0) {
      throw new ComplyCubeWebhookConfigurationError(
        `ComplyCube subscription check failed for ${diagnosis.url} (mode 'error'): ${errors.map((finding) => finding.message).join(' ')}`,
      );
    }
    if (diagnosis.findings.length === 0) {
      this.logger.log(`ComplyCube webhook ${diagnosis.webhooks[0].id} is enabled and sends ${diagnosis.url} what its handlers take.`);
    }
  }

  /** ComplyCube could not answer: only a refused key is the app's fault (and fails start in `error` mode). */
  private cannotCheck(error: unknown, url: string, settings: CheckSettings, deadline: AbortSignal): void {
    const reason = deadline.aborted
      ? `no answer within ${settings.timeoutMs} ms`
      : ((error as { message?: string } | undefined)?.message ?? String(error));
    const refusedKey = error instanceof ComplyCubeApiError && (error.status === 401 || error.status === 403);
    if (refusedKey && settings.mode === 'error') {
      throw new ComplyCubeWebhookConfigurationError(`ComplyCube subscription check for ${url}: ComplyCube refused the API key: ${reason}`);
    }
    this.logger.error(`Could not check the ComplyCube webhook for ${url}: ${reason}. Starting anyway; events are received as usual.`);
  }
}

function readSettings(options: ComplyCubeSubscriptionOptions): CheckSettings {
  const fail = (problem: string): never => {
    throw new ComplyCubeWebhookConfigurationError(`ComplyCubeWebhookModule: subscription.${problem}`);
  };
  let publicUrl: URL | undefined;
  try {
    publicUrl = new URL(options.publicUrl);
  } catch {
    const given = typeof options.publicUrl === 'string' ? hideUrlCredentials(options.publicUrl) : options.publicUrl;
    fail(`publicUrl must be an absolute URL such as https://api.example.com (got ${JSON.stringify(given)}).`);
  }
  if (publicUrl?.protocol !== 'https:') fail('publicUrl must be HTTPS: ComplyCube only delivers to HTTPS URLs.');
  if (publicUrl?.username || publicUrl?.password || publicUrl?.search || publicUrl?.hash) {
    fail('publicUrl must be an origin with an optional path, without credentials, query or fragment.');
  }
  const mode = options.mode ?? 'warn';
  if (!MODES.includes(mode)) fail(`mode must be one of ${MODES.join(', ')} (got ${JSON.stringify(mode)}).`);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1) fail(`timeoutMs must be a positive integer (got ${timeoutMs}).`);
  return { publicUrl: options.publicUrl, mode, timeoutMs };
}
