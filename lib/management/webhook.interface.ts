/** A webhook endpoint as ComplyCube's API returns it (without its secret, which is only shown at creation). */
export interface Webhook {
  id: string;
  /** The HTTPS URL ComplyCube posts events to. */
  url: string;
  enabled: boolean;
  /** Event types it sends; `["*"]` sends every type. */
  events: string[];
  description?: string;
  createdAt?: string;
  updatedAt?: string;
}

/** The result of creating a webhook: the only time ComplyCube returns its signing secret. */
export interface CreatedWebhook extends Webhook {
  secret: string;
}

/** Fields to set on a webhook; `url` must be HTTPS. */
export interface WebhookRequest {
  url?: string;
  enabled?: boolean;
  events?: string[];
  description?: string;
}

export interface CreateWebhookRequest extends WebhookRequest {
  url: string;
  events: string[];
}

/** Per-call settings of `ComplyCubeWebhooksClient`. */
export interface ComplyCubeCallOptions {
  /** Abandons the call (and its retries) when aborted, e.g. by an overall deadline. */
  signal?: AbortSignal;
  /** Overrides the client's `timeoutMs` for each attempt of this call. */
  timeoutMs?: number;
}
