import { ComplyCubeWebhookConfigurationError } from '../common/errors';
import {
  ComplyCubeApiConnectionError,
  ComplyCubeApiError,
  ComplyCubeApiTimeoutError,
  ComplyCubeWebhookRequestError,
} from '../management/api.errors';
import { ComplyCubeWebhooksClient, DEFAULT_COMPLYCUBE_API_URL } from '../management/webhooks.client';
import { CliIo, CliUsageError } from './cli-command';

/** Exit codes of the commands that call ComplyCube's API, so that scripts can tell failures apart. */
export const API_EXIT_CODES = {
  ok: 0,
  /** A problem found (doctor) or another API error. */
  failure: 1,
  usage: 2,
  keyRefused: 3,
  notFound: 4,
  unreachable: 5,
} as const;

/** Flags every API command takes; spread into its `parseCommandArgs` options. */
export const API_OPTIONS = {
  json: { type: 'boolean' },
  'api-url': { type: 'string' },
  timeout: { type: 'string' },
} as const;

/** Values of a repeatable, comma-separated flag such as `--events a,b --events c`. */
export function splitList(values: string[] | undefined): string[] {
  return (values ?? [])
    .flatMap((value) => value.split(','))
    .map((item) => item.trim())
    .filter(Boolean);
}

export const API_OPTIONS_HELP = [
  'Options:',
  '  --json           Print JSON for scripts instead of text for people',
  `  --api-url URL    ComplyCube API base URL (default $COMPLYCUBE_API_URL, else ${DEFAULT_COMPLYCUBE_API_URL})`,
  '  --timeout MS     Time allowed to each request (default 10000)',
  '',
  'Environment:',
  '  COMPLYCUBE_API_KEY   Your ComplyCube API key (required). Never a flag: flags end up in shell history.',
  '  COMPLYCUBE_API_URL   Default for --api-url',
  '',
  'Exit codes: 0 ok, 1 problem found or other API error, 2 bad usage, 3 API key refused,',
  '            4 webhook not found, 5 ComplyCube unreachable or too slow',
].join('\n');

/** A client configured from the environment and the common flags. */
export function createCliClient(values: { 'api-url'?: string; timeout?: string }, io: CliIo): ComplyCubeWebhooksClient {
  const apiKey = io.env.COMPLYCUBE_API_KEY?.trim();
  if (!apiKey) {
    throw new CliUsageError('set COMPLYCUBE_API_KEY to your ComplyCube API key.', API_EXIT_CODES.usage);
  }
  const timeoutMs = values.timeout === undefined ? undefined : Number(values.timeout);
  if (timeoutMs !== undefined && !(Number.isInteger(timeoutMs) && timeoutMs > 0)) {
    throw new CliUsageError(`--timeout must be a whole number of milliseconds (got ${JSON.stringify(values.timeout)}).`);
  }
  const baseUrl = values['api-url'] ?? (io.env.COMPLYCUBE_API_URL?.trim() || undefined);
  try {
    return new ComplyCubeWebhooksClient({ apiKey, baseUrl, timeoutMs });
  } catch (error) {
    throw toCliError(error);
  }
}

/** One clear line and an exit code for each way a call can fail; the API key is never in it. */
export function toCliError(error: unknown, context: { webhookId?: string; baseUrl?: string } = {}): unknown {
  const { webhookId, baseUrl } = context;
  if (error instanceof ComplyCubeApiError) {
    if (error.status === 401 || error.status === 403) {
      return new CliUsageError(
        `ComplyCube refused the API key (${error.status}: ${error.apiMessage}). Check COMPLYCUBE_API_KEY.`,
        API_EXIT_CODES.keyRefused,
      );
    }
    if (error.status === 404) {
      const what = webhookId ? `no webhook with id ${webhookId}` : `nothing at ${error.path}`;
      return new CliUsageError(`${what} (ComplyCube answered 404).`, API_EXIT_CODES.notFound);
    }
    return new CliUsageError(`ComplyCube answered ${error.status} (${error.type}): ${error.apiMessage}`, API_EXIT_CODES.failure);
  }
  if (error instanceof ComplyCubeApiTimeoutError) {
    return new CliUsageError(
      `ComplyCube${baseUrl ? ` at ${baseUrl}` : ''} did not answer within ${error.timeoutMs} ms.`,
      API_EXIT_CODES.unreachable,
    );
  }
  if (error instanceof ComplyCubeApiConnectionError) {
    return new CliUsageError(
      `cannot reach ComplyCube's API${baseUrl ? ` at ${baseUrl}` : ''}: ${error.reason}.`,
      API_EXIT_CODES.unreachable,
    );
  }
  if (error instanceof ComplyCubeWebhookRequestError || error instanceof ComplyCubeWebhookConfigurationError) {
    return new CliUsageError(error.message.replace(/^ComplyCubeApiModule: /, ''), API_EXIT_CODES.usage);
  }
  return error;
}
