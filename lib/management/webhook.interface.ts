/** A webhook endpoint as ComplyCube's API returns it (without its secret, which is only shown at creation). */
export interface ComplyCubeWebhook {
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
export interface ComplyCubeCreatedWebhook extends ComplyCubeWebhook {
  secret: string;
}

/** Fields to set on a webhook; `url` must be HTTPS. */
export interface ComplyCubeWebhookRequest {
  url?: string;
  enabled?: boolean;
  events?: string[];
  description?: string;
}

export interface ComplyCubeCreateWebhookRequest extends ComplyCubeWebhookRequest {
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
