import { randomBytes } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

export interface StoredWebhook {
  id: string;
  url: string;
  enabled: boolean;
  events: string[];
  description?: string;
  secret: string;
  createdAt: string;
  updatedAt: string;
}

export interface RecordedRequest {
  method: string;
  /** Path below /v1, without the query. */
  path: string;
  query: URLSearchParams;
  authorization: string | undefined;
  contentType: string | undefined;
  body: any;
}

/** An answer to play instead of the real behaviour, e.g. a 429, a 500 or a slow answer. */
export interface ScriptedAnswer {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Waits this long before answering (the real behaviour when no status is given). */
  delayMs?: number;
}

interface Script {
  method?: string;
  path?: RegExp;
  answer: ScriptedAnswer;
  remaining: number;
}

/**
 * A local stand-in for ComplyCube's Webhooks API (`/v1/webhooks`), on a free loopback port:
 * keeps webhooks in memory, pages lists like ComplyCube, checks the raw-key Authorization
 * header, and plays scripted failures and delays.
 */
export class FakeComplyCubeApi {
  readonly webhooks = new Map<string, StoredWebhook>();
  readonly requests: RecordedRequest[] = [];
  /** Return `secret` in get/list answers too, as a misbehaving API might. */
  leakSecrets = false;
  private readonly scripts: Script[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();

  private constructor(
    private readonly server: Server,
    readonly apiKey: string,
  ) {}

  static async start(apiKey = `test_${randomBytes(16).toString('hex')}`): Promise<FakeComplyCubeApi> {
    const server = createServer();
    const fake = new FakeComplyCubeApi(server, apiKey);
    server.on('request', (req, res) => void fake.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  get origin(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** What a client uses as its base URL. */
  get baseUrl(): string {
    return `${this.origin}/v1`;
  }

  /** The next `times` requests matching `method` and `path` get `answer`. */
  script(answer: ScriptedAnswer, match: { method?: string; path?: RegExp; times?: number } = {}): void {
    this.scripts.push({ method: match.method, path: match.path, answer, remaining: match.times ?? 1 });
  }

  addWebhook(fields: Partial<StoredWebhook> & { url: string }): StoredWebhook {
    const now = new Date().toISOString();
    const webhook: StoredWebhook = {
      id: randomBytes(12).toString('hex'),
      enabled: true,
      events: ['*'],
      secret: `whsec_${randomBytes(24).toString('hex')}`,
      createdAt: now,
      updatedAt: now,
      ...fields,
    };
    this.webhooks.set(webhook.id, webhook);
    return webhook;
  }

  reset(): void {
    this.webhooks.clear();
    this.requests.length = 0;
    this.scripts.length = 0;
    this.leakSecrets = false;
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', this.origin);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: any;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = text;
    }
    const method = req.method ?? 'GET';
    const path = url.pathname.replace(/^\/v1/, '');
    this.requests.push({
      method,
      path,
      query: url.searchParams,
      authorization: req.headers.authorization,
      contentType: req.headers['content-type'],
      body,
    });

    const script = this.scripts.find(
      (candidate) => (!candidate.method || candidate.method === method) && (!candidate.path || candidate.path.test(path)),
    );
    if (script) {
      script.remaining -= 1;
      if (script.remaining <= 0) this.scripts.splice(this.scripts.indexOf(script), 1);
      if (script.answer.delayMs) await this.wait(script.answer.delayMs);
      if (script.answer.status !== undefined) {
        return send(res, script.answer.status, script.answer.body, script.answer.headers);
      }
    }

    if (req.headers.authorization !== this.apiKey) {
      return send(res, 401, { type: 'authentication_error', message: 'Invalid API key.' });
    }
    const idMatch = /^\/webhooks\/([^/]+)$/.exec(path);
    if (path === '/webhooks' && method === 'GET') return this.list(res, url.searchParams);
    if (path === '/webhooks' && method === 'POST') return this.create(res, body);
    if (idMatch) {
      const webhook = this.webhooks.get(decodeURIComponent(idMatch[1]));
      if (!webhook) return send(res, 404, { type: 'resource_not_found', message: 'Webhook not found.' });
      if (method === 'GET') return send(res, 200, this.view(webhook));
      if (method === 'DELETE') {
        this.webhooks.delete(webhook.id);
        return send(res, 204, undefined);
      }
      if (method === 'POST') return this.update(res, webhook, body);
    }
    send(res, 404, { type: 'resource_not_found', message: `No route ${method} ${path}.` });
  }

  private list(res: ServerResponse, query: URLSearchParams): void {
    const page = Number(query.get('page') ?? 1);
    const pageSize = Number(query.get('pageSize') ?? 100);
    if (!(page >= 1) || !(pageSize >= 1 && pageSize <= 1000)) {
      return send(res, 400, { type: 'invalid_request', message: 'Invalid pagination.' });
    }
    const all = [...this.webhooks.values()];
    const items = all.slice((page - 1) * pageSize, page * pageSize).map((webhook) => this.view(webhook));
    send(res, 200, { page, pageSize, totalItems: all.length, pages: Math.ceil(all.length / pageSize), items });
  }

  private create(res: ServerResponse, body: any): void {
    const problem = findRequestProblem(body, true);
    if (problem) return send(res, 422, { type: 'validation_error', message: problem });
    const webhook = this.addWebhook({
      url: body.url,
      events: body.events,
      enabled: body.enabled ?? true,
      description: body.description,
    });
    send(res, 201, { ...this.view(webhook), secret: webhook.secret });
  }

  private update(res: ServerResponse, webhook: StoredWebhook, body: any): void {
    const problem = findRequestProblem(body, false);
    if (problem) return send(res, 422, { type: 'validation_error', message: problem });
    for (const field of ['url', 'enabled', 'events', 'description'] as const) {
      if (body[field] !== undefined) (webhook as any)[field] = body[field];
    }
    webhook.updatedAt = new Date().toISOString();
    send(res, 200, this.view(webhook));
  }

  private view(webhook: StoredWebhook): Record<string, unknown> {
    const { secret, ...rest } = webhook;
    return this.leakSecrets ? { ...rest, secret } : rest;
  }

  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }
}

function findRequestProblem(body: any, creating: boolean): string | undefined {
  if (typeof body !== 'object' || body === null) return 'The body must be a JSON object.';
  if (body.url !== undefined || creating) {
    if (typeof body.url !== 'string' || !body.url.startsWith('https://')) return 'url must be an HTTPS URL.';
  }
  if (body.events !== undefined || creating) {
    if (!Array.isArray(body.events) || body.events.length === 0) return 'events must be a non-empty array.';
  }
  return undefined;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.destroyed) return;
  if (body === undefined) {
    res.writeHead(status, headers).end();
    return;
  }
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(text);
}
