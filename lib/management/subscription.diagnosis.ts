import { COMPLYCUBE_EVENT_TYPES } from '../events/event-types';
import { matchesComplyCubeEventPattern } from '../events/event-pattern';
import { ComplyCubeWebhook } from './webhook.interface';
import { joinRoutePath } from '../common/route-path';

/**
 * One thing wrong with how ComplyCube delivers to an endpoint. An `error` loses events
 * (nothing or not everything the handlers take is sent); a `warning` does not.
 */
export interface ComplyCubeSubscriptionFinding {
  kind: 'missing' | 'duplicate' | 'disabled' | 'handled-not-sent' | 'sent-not-handled';
  severity: 'error' | 'warning';
  message: string;
  /** The event types concerned, for the two event-list findings. */
  types?: string[];
}

export interface ComplyCubeSubscriptionDiagnosis {
  /** The endpoint URL that was looked for. */
  url: string;
  /** The webhooks whose url is that endpoint. */
  webhooks: ComplyCubeWebhook[];
  findings: ComplyCubeSubscriptionFinding[];
  /**
   * The `events` a webhook needs so that every handler gets its events: `["*"]` when the
   * handlers take every documented type. Undefined without handler patterns.
   */
  wantedEvents?: string[];
}

export interface ComplyCubeSubscriptionInput {
  url: string;
  /** All webhooks of the account. */
  webhooks: readonly ComplyCubeWebhook[];
  /** The handlers' patterns; without them the event lists are not compared. */
  handlerPatterns?: readonly string[];
}

/** Compares what ComplyCube is set to send to `url` with what the handlers take. Pure. */
export function diagnoseComplyCubeSubscription(input: ComplyCubeSubscriptionInput): ComplyCubeSubscriptionDiagnosis {
  const { url, handlerPatterns } = input;
  const webhooks = input.webhooks.filter((webhook) => sameWebhookUrl(webhook.url, url));
  const wantedEvents = handlerPatterns && handlerPatterns.length > 0 ? wantedEventsFor(handlerPatterns) : undefined;
  const findings: ComplyCubeSubscriptionFinding[] = [];
  if (webhooks.length === 0) {
    const events = wantedEvents?.join(',') ?? '<types>';
    findings.push({
      kind: 'missing',
      severity: 'error',
      message:
        `No ComplyCube webhook points at ${url}, so ComplyCube sends it nothing. ` +
        `Create one (its secret is shown once): npx complycube-webhooks webhooks create --url ${url} --events '${events}'`,
    });
    return { url, webhooks, findings, wantedEvents };
  }
  const ids = webhooks.map((webhook) => webhook.id).join(', ');
  if (webhooks.length > 1) {
    findings.push({
      kind: 'duplicate',
      severity: 'warning',
      message: `${webhooks.length} ComplyCube webhooks point at ${url} (${ids}); each delivers its own copy of an event. Delete the extra ones.`,
    });
  }
  const enabled = webhooks.filter((webhook) => webhook.enabled);
  if (enabled.length === 0) {
    findings.push({
      kind: 'disabled',
      severity: 'error',
      message:
        `ComplyCube webhook ${ids} for ${url} is disabled, so ComplyCube delivers nothing ` +
        `(it disables a webhook after 11 failed deliveries of one event). Enable it: complycube-webhooks webhooks enable ${webhooks[0].id}`,
    });
  }
  if (!handlerPatterns) return { url, webhooks, findings, wantedEvents };

  // A disabled webhook's events still say what it will send once enabled.
  const sending = enabled.length > 0 ? enabled : webhooks;
  const sentEvents = [...new Set(sending.flatMap((webhook) => webhook.events))];
  const sendsEverything = sentEvents.includes('*');
  const sent = sendsEverything ? [...COMPLYCUBE_EVENT_TYPES] : sentEvents;
  const handles = (type: string): boolean => handlerPatterns.some((pattern) => matchesComplyCubeEventPattern(pattern, type));

  const notSent = COMPLYCUBE_EVENT_TYPES.filter((type) => handles(type) && !sent.includes(type));
  if (notSent.length > 0) {
    findings.push({
      kind: 'handled-not-sent',
      severity: 'error',
      types: notSent,
      message: `Handlers take event types that ComplyCube webhook ${ids} does not send: ${notSent.join(', ')}. Add them to its events.`,
    });
  }
  const notHandled = sent.filter((type) => !handles(type));
  if (notHandled.length > 0) {
    findings.push({
      kind: 'sent-not-handled',
      severity: 'warning',
      types: notHandled,
      message: `ComplyCube webhook ${ids} sends event types no handler takes (acknowledged and dropped): ${notHandled.join(', ')}.`,
    });
  }
  return { url, webhooks, findings, wantedEvents };
}

/** The documented types the patterns take, as a webhook's `events`: `["*"]` when that is all of them. */
function wantedEventsFor(patterns: readonly string[]): string[] | undefined {
  const types = COMPLYCUBE_EVENT_TYPES.filter((type) => patterns.some((pattern) => matchesComplyCubeEventPattern(pattern, type)));
  if (types.length === 0) return undefined;
  return types.length === COMPLYCUBE_EVENT_TYPES.length ? ['*'] : types;
}

/**
 * The URL ComplyCube posts to for an endpoint: the public URL, then each route segment
 * (global prefix, module path), joined with exactly one slash.
 */
export function complyCubeWebhookUrl(publicUrl: string, ...segments: Array<string | undefined>): string {
  const base = publicUrl.replace(/\/+$/, '');
  const route = joinRoutePath(...segments);
  return route ? `${base}/${route}` : base;
}

/** Whether two webhook URLs name the same endpoint: host case, a default port and a trailing slash do not count. */
export function sameWebhookUrl(a: string, b: string): boolean {
  return normalizeUrl(a) === normalizeUrl(b);
}

function normalizeUrl(value: string): string {
  try {
    const url = new URL(value.trim());
    return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}${url.search}`;
  } catch {
    return value.trim();
  }
}
