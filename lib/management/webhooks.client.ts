import { Inject, Injectable } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { describeFetchFailure } from '../common/fetch-failure';
import { hasUrlCredentials, hideUrlCredentials, isHttpsUrl, isLoopbackHostname } from '../common/http-url';
import { ComplyCubeWebhookConfigurationError } from '../common/errors';
import {
  ComplyCubeApiCall,
  ComplyCubeApiConnectionError,
  ComplyCubeApiError,
  ComplyCubeApiTimeoutError,
  ComplyCubeWebhookRequestError,
} from './api.errors';
import { COMPLYCUBE_API_OPTIONS } from './api.module-builder';
import { ComplyCubeApiOptions } from './api-options.interface';
import {
  ComplyCubeCallOptions,
  ComplyCubeCreatedWebhook,
  ComplyCubeCreateWebhookRequest,
  ComplyCubeWebhook,
  ComplyCubeWebhookRequest,
} from './webhook.interface';
import { isJsonObject } from '../common/json-object';

export const DEFAULT_COMPLYCUBE_API_URL = 'https://api.complycube.com/v1';

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_RETRIES = 2;
const DEFAULT_RETRY_DELAY_MS = 500;
/** A `Retry-After` longer than this is not honoured in full: the caller would rather fail. */
const MAX_RETRY_DELAY_MS = 30_000;
/** ComplyCube's default and a safe size; its maximum is 1000. */
const DEFAULT_PAGE_SIZE = 100;
/** Stops a paging loop against an API that never reports the last page. */
const MAX_PAGES = 1000;

type HttpMethod = 'GET' | 'POST' | 'DELETE';

interface RequestSpec {
  method: HttpMethod;
  path: string;
  body?: unknown;
  /**
   * Whether repeating the request cannot change the outcome. Only such requests are retried:
   * a repeated create would make a second webhook with a second secret.
   */
  idempotent: boolean;
}

type AttemptOutcome = { kind: 'answer'; status: number; text: string; retryAfter: string | null } | { kind: 'unreachable'; reason: string };

/**
 * ComplyCube's Webhooks API over Node's fetch: typed results, a timeout per attempt, typed errors,
 * and retries with back-off for idempotent calls (get, list, update, delete; never create).
 * Works with or without Nest: `new ComplyCubeWebhooksClient({ apiKey })`.
 */
@Injectable()
export class ComplyCubeWebhooksClient {
  /** A private field, so that logging or serialising the client never shows the key. */
  readonly #apiKey: string;
  readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly retryDelayMs: number;

  constructor(@Inject(COMPLYCUBE_API_OPTIONS) options: ComplyCubeApiOptions) {
    if (typeof options?.apiKey !== 'string' || options.apiKey.trim() === '') {
      throw new ComplyCubeWebhookConfigurationError('ComplyCubeApiModule: apiKey must be a non-empty ComplyCube API key.');
    }
    this.#apiKey = options.apiKey;
    this.baseUrl = checkBaseUrl(options.baseUrl ?? DEFAULT_COMPLYCUBE_API_URL);
    this.timeoutMs = checkCount('timeoutMs', options.timeoutMs ?? DEFAULT_TIMEOUT_MS, 1);
    this.retries = checkCount('retries', options.retries ?? DEFAULT_RETRIES, 0);
    this.retryDelayMs = checkCount('retryDelayMs', options.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS, 0);
  }

  /** Creates a webhook. The result's `secret` is shown by ComplyCube this once: store it. Never retried. */
  async create(request: ComplyCubeCreateWebhookRequest, call: ComplyCubeCallOptions = {}): Promise<ComplyCubeCreatedWebhook> {
    const body = checkWebhookRequest(request, true);
    const { status, data } = await this.request({ method: 'POST', path: '/webhooks', body, idempotent: false }, call);
    const webhook = toWebhook(data);
    if (!webhook || !isJsonObject(data) || typeof data.secret !== 'string') {
      throw unexpectedAnswer(status, 'a webhook with its secret', { method: 'POST', path: '/webhooks', attempts: 1 });
    }
    return { ...webhook, secret: data.secret };
  }

  async get(id: string, call: ComplyCubeCallOptions = {}): Promise<ComplyCubeWebhook> {
    const path = webhookPath(id);
    const { status, data, attempts } = await this.request({ method: 'GET', path, idempotent: true }, call);
    return toWebhook(data) ?? throwUnexpected(status, 'a webhook', { method: 'GET', path, attempts });
  }

  /** Sets the given fields. Retried: setting the same fields twice leaves the same webhook. */
  async update(id: string, request: ComplyCubeWebhookRequest, call: ComplyCubeCallOptions = {}): Promise<ComplyCubeWebhook> {
    const path = webhookPath(id);
    const body = checkWebhookRequest(request, false);
    const { status, data, attempts } = await this.request({ method: 'POST', path, body, idempotent: true }, call);
    return toWebhook(data) ?? throwUnexpected(status, 'a webhook', { method: 'POST', path, attempts });
  }

  /**
   * Deletes a webhook. Retried; a 404 answered to a retry means an earlier attempt went through
   * (its answer was lost), so it resolves.
   */
  async delete(id: string, call: ComplyCubeCallOptions = {}): Promise<void> {
    try {
      await this.request({ method: 'DELETE', path: webhookPath(id), idempotent: true }, call);
    } catch (error) {
      if (error instanceof ComplyCubeApiError && error.status === 404 && error.attempts > 1) return;
      throw error;
    }
  }

  /** Every webhook of the account, walking all pages. */
  async list(options: ComplyCubeCallOptions & { pageSize?: number } = {}): Promise<ComplyCubeWebhook[]> {
    const pageSize = checkCount('pageSize', options.pageSize ?? DEFAULT_PAGE_SIZE, 1);
    const webhooks: ComplyCubeWebhook[] = [];
    for (let page = 1; page <= MAX_PAGES; page++) {
      const path = `/webhooks?page=${page}&pageSize=${pageSize}`;
      const { status, data, attempts } = await this.request({ method: 'GET', path, idempotent: true }, options);
      const items = isJsonObject(data) && Array.isArray(data.items) ? data.items : undefined;
      if (!items) throw unexpectedAnswer(status, 'a page of webhooks', { method: 'GET', path, attempts });
      for (const item of items) {
        webhooks.push(toWebhook(item) ?? throwUnexpected(status, 'webhooks', { method: 'GET', path, attempts }));
      }
      const pages = isJsonObject(data) && typeof data.pages === 'number' ? data.pages : undefined;
      const lastPage = pages !== undefined ? page >= pages : items.length < pageSize;
      if (items.length === 0 || lastPage) break;
    }
    return webhooks;
  }

  private async request(spec: RequestSpec, call: ComplyCubeCallOptions): Promise<{ status: number; data: unknown; attempts: number }> {
    const timeoutMs = call.timeoutMs ?? this.timeoutMs;
    const maxAttempts = spec.idempotent ? this.retries + 1 : 1;
    for (let attempt = 1; ; attempt++) {
      call.signal?.throwIfAborted();
      const outcome = await this.attempt(spec, timeoutMs, attempt, call.signal);
      const where: ComplyCubeApiCall = { method: spec.method, path: spec.path, attempts: attempt };
      if (outcome.kind === 'answer' && outcome.status >= 200 && outcome.status < 300) {
        return { status: outcome.status, data: parseJson(outcome.text), attempts: attempt };
      }
      const retryable = outcome.kind === 'unreachable' || outcome.status === 429 || outcome.status >= 500;
      if (!retryable || attempt >= maxAttempts) {
        throw outcome.kind === 'unreachable'
          ? new ComplyCubeApiConnectionError(this.redact(outcome.reason), where)
          : this.apiError(outcome.status, outcome.text, where);
      }
      const retryAfterMs = outcome.kind === 'answer' ? parseRetryAfter(outcome.retryAfter) : undefined;
      await pause(retryAfterMs ?? this.backoff(attempt), call.signal);
    }
  }

  private async attempt(spec: RequestSpec, timeoutMs: number, attempt: number, signal?: AbortSignal): Promise<AttemptOutcome> {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const forwardAbort = (): void => controller.abort(signal?.reason);
    signal?.addEventListener('abort', forwardAbort, { once: true });
    const headers: Record<string, string> = {
      Authorization: this.#apiKey,
      Accept: 'application/json',
      'User-Agent': 'nestjs-complycube-webhooks',
    };
    if (spec.body !== undefined) headers['Content-Type'] = 'application/json';
    try {
      const response = await fetch(`${this.baseUrl}${spec.path}`, {
        method: spec.method,
        headers,
        body: spec.body === undefined ? undefined : JSON.stringify(spec.body),
        signal: controller.signal,
        // A redirect could carry the key elsewhere; ComplyCube's API does not redirect.
        redirect: 'error',
      });
      const text = await response.text();
      return { kind: 'answer', status: response.status, text, retryAfter: response.headers.get('retry-after') };
    } catch (error) {
      if (timedOut) throw new ComplyCubeApiTimeoutError(timeoutMs, { method: spec.method, path: spec.path, attempts: attempt });
      if (signal?.aborted) throw signal.reason;
      return { kind: 'unreachable', reason: describeFetchFailure(error) };
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', forwardAbort);
    }
  }

  private apiError(status: number, text: string, where: ComplyCubeApiCall): ComplyCubeApiError {
    const data = parseJson(text);
    const type = isJsonObject(data) && typeof data.type === 'string' ? data.type : 'unknown';
    const message = isJsonObject(data) && typeof data.message === 'string' ? data.message : text.trim().slice(0, 200) || 'no message';
    return new ComplyCubeApiError(status, this.redact(type), this.redact(message), where);
  }

  /** ComplyCube's messages are shown to people and logs; an echoed key must not be. */
  private redact(text: string): string {
    return text.split(this.#apiKey).join('[redacted]');
  }

  private backoff(attempt: number): number {
    const exponential = this.retryDelayMs * 2 ** (attempt - 1);
    // Jitter spreads the retries of many instances started together.
    return Math.min(MAX_RETRY_DELAY_MS, Math.round(exponential * (0.5 + Math.random() * 0.5)));
  }
}

function checkBaseUrl(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new ComplyCubeWebhookConfigurationError(
      `ComplyCubeApiModule: baseUrl ${JSON.stringify(hideUrlCredentials(String(baseUrl)))} is not a URL.`,
    );
  }
  if (hasUrlCredentials(url)) {
    throw new ComplyCubeWebhookConfigurationError(
      'ComplyCubeApiModule: baseUrl must not contain a user name or password: ComplyCube takes the API key in a header.',
    );
  }
  const loopback = url.protocol === 'http:' && isLoopbackHostname(url.hostname);
  if (url.protocol !== 'https:' && !loopback) {
    throw new ComplyCubeWebhookConfigurationError(
      `ComplyCubeApiModule: baseUrl must be HTTPS (got ${url.protocol}//${url.host}); plain HTTP is only allowed on loopback.`,
    );
  }
  return url.href.replace(/\/+$/, '');
}

function checkCount(name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) {
    throw new ComplyCubeWebhookConfigurationError(`ComplyCube API: ${name} must be an integer >= ${min} (got ${value}).`);
  }
  return value;
}

/** Characters no ComplyCube id has that a server or proxy may read as a path, a query, a fragment or a new line. */
// eslint-disable-next-line no-control-regex -- control characters are among those refused
const UNSAFE_ID_CHARACTERS = /[/?#\\\s\u0000-\u001f\u007f-\u009f]/;

/**
 * `/webhooks/{id}` for an id that can only name one webhook: URL resolution turns
 * `/webhooks/..` into the API's root and `/webhooks/.` into the list, and `/`, `?`, `#`, a
 * backslash or white space, even encoded, may be decoded by a server or proxy on the way.
 */
function webhookPath(id: string): string {
  if (typeof id !== 'string' || id === '') {
    throw new ComplyCubeWebhookRequestError('A webhook id must be a non-empty string, such as 5ed1712e99c81a0007b9a3d6.');
  }
  if (id === '.' || id === '..' || UNSAFE_ID_CHARACTERS.test(id)) {
    throw new ComplyCubeWebhookRequestError(
      `A webhook id cannot be '.' or '..' nor contain '/', '?', '#', '\\', spaces or control characters (got ${JSON.stringify(id)}); give the id ComplyCube returned, such as 5ed1712e99c81a0007b9a3d6.`,
    );
  }
  return `/webhooks/${encodeURIComponent(id)}`;
}

/** Checks a request the way ComplyCube would, so that an impossible call is never made. */
function checkWebhookRequest(request: ComplyCubeWebhookRequest, creating: boolean): ComplyCubeWebhookRequest {
  if (!isJsonObject(request)) throw new ComplyCubeWebhookRequestError('A webhook request must be an object.');
  const { url, enabled, events, description } = request;
  if (url !== undefined || creating) {
    if (typeof url !== 'string' || !isHttpsUrl(url)) {
      const given = typeof url === 'string' ? hideUrlCredentials(url) : url;
      throw new ComplyCubeWebhookRequestError(`A webhook url must be an absolute HTTPS URL (got ${JSON.stringify(given)}).`);
    }
  }
  if (events !== undefined || creating) {
    const valid = Array.isArray(events) && events.length > 0 && events.every((type) => typeof type === 'string' && type !== '');
    if (!valid) {
      throw new ComplyCubeWebhookRequestError('A webhook needs a non-empty list of event types, e.g. ["check.completed"] or ["*"].');
    }
  }
  if (enabled !== undefined && typeof enabled !== 'boolean') {
    throw new ComplyCubeWebhookRequestError('A webhook\'s "enabled" must be true or false.');
  }
  if (description !== undefined && typeof description !== 'string') {
    throw new ComplyCubeWebhookRequestError('A webhook\'s "description" must be a string.');
  }
  return Object.fromEntries(Object.entries({ url, enabled, events, description }).filter(([, value]) => value !== undefined));
}

/** Keeps the documented fields only: a secret in a list or get answer goes no further. */
function toWebhook(data: unknown): ComplyCubeWebhook | undefined {
  if (!isJsonObject(data) || typeof data.id !== 'string' || typeof data.url !== 'string') return undefined;
  const webhook: ComplyCubeWebhook = {
    id: data.id,
    url: data.url,
    enabled: data.enabled === true,
    events: Array.isArray(data.events) ? data.events.filter((type): type is string => typeof type === 'string') : [],
  };
  if (typeof data.description === 'string') webhook.description = data.description;
  if (typeof data.createdAt === 'string') webhook.createdAt = data.createdAt;
  if (typeof data.updatedAt === 'string') webhook.updatedAt = data.updatedAt;
  return webhook;
}

function unexpectedAnswer(status: number, expected: string, where: ComplyCubeApiCall): ComplyCubeApiError {
  return new ComplyCubeApiError(status, 'unexpected_response', `the answer is not ${expected}`, where);
}

function throwUnexpected(status: number, expected: string, where: ComplyCubeApiCall): never {
  throw unexpectedAnswer(status, expected, where);
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function parseRetryAfter(value: string | null): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  const milliseconds = /^\d+$/.test(trimmed) ? Number(trimmed) * 1000 : Date.parse(trimmed) - Date.now();
  return Number.isFinite(milliseconds) ? Math.min(MAX_RETRY_DELAY_MS, Math.max(0, milliseconds)) : undefined;
}

async function pause(ms: number, signal?: AbortSignal): Promise<void> {
  try {
    await sleep(ms, undefined, { signal });
  } catch (error) {
    throw signal?.aborted ? signal.reason : error;
  }
}
