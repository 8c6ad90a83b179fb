import { readFile } from 'node:fs/promises';
import { parseArgs, ParseArgsConfig } from 'node:util';
import { hasUrlCredentials, hideUrlCredentials, isLoopbackHostname } from '../common/http-url';
import { toTerminalLine } from '../common/terminal-text';
import {
  ComplyCubeEndpointUnreachableError,
  ComplyCubeWebhookResponse,
  postSignedComplyCubeBody,
} from '../testing/post-signed-complycube-body';
import { CliIo, CliUsageError } from './cli-command';

/** Where `trigger` and `replay` post when no `--url` is given: the sample app's endpoint. */
export const DEFAULT_WEBHOOK_URL = 'http://localhost:3000/webhooks/complycube';

export const SECRET_ENV_VARIABLE = 'COMPLYCUBE_WEBHOOK_SECRET';

/** ComplyCube gives an endpoint 15 s to answer; so does the CLI. */
export const ENDPOINT_TIMEOUT_MS = 15_000;

type Options = NonNullable<ParseArgsConfig['options']>;

/** `util.parseArgs` in strict mode, its errors turned into one usage line. */
export function parseCommandArgs<O extends Options>(
  argv: string[],
  options: O,
  allowPositionals: boolean,
): ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: boolean; strict: true }>> {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_')) {
      // Keep the first sentence: the rest is advice about `--` that rarely applies.
      const message = String((error as Error).message).split(/\.\s|\n/)[0];
      throw new CliUsageError(message.charAt(0).toLowerCase() + message.slice(1));
    }
    throw error;
  }
}

/** The secret from `--secret`, else from the environment. */
export function resolveSecret(flag: string | undefined, io: CliIo): string {
  const secret = flag ?? io.env[SECRET_ENV_VARIABLE];
  if (secret === undefined || secret.trim() === '') {
    throw new CliUsageError(`no webhook secret: set ${SECRET_ENV_VARIABLE} or pass --secret.`);
  }
  return secret;
}

/** An http(s) URL, or a usage error that says what is wrong with it (never repeating a password in it). */
export function parseEndpointUrl(value: string | undefined, options: { insecure?: boolean } = {}): URL {
  const text = value ?? DEFAULT_WEBHOOK_URL;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new CliUsageError(`bad URL '${hideUrlCredentials(text)}': give the endpoint's full URL, such as ${DEFAULT_WEBHOOK_URL}`);
  }
  if (hasUrlCredentials(url)) {
    throw new CliUsageError('bad URL: it must not contain a user name or password (the signature authenticates the request)');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CliUsageError(`bad URL '${hideUrlCredentials(text)}': only http:// and https:// are supported`);
  }
  if (url.protocol === 'http:' && !isLoopbackHostname(url.hostname) && !options.insecure) {
    throw new CliUsageError(
      `refusing plain http:// to ${url.host}: events carry personal data, so plain HTTP is only for this machine (localhost, 127.0.0.0/8, [::1]); use https://, or pass --insecure to send them unencrypted anyway`,
    );
  }
  return url;
}

/** The exact bytes of `file`, or of standard input for none or `-`. */
export async function readBody(file: string | undefined, io: CliIo): Promise<Buffer> {
  if (file === undefined || file === '-') return io.readStdin();
  try {
    return await readFile(file);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : String(code ?? error);
    throw new CliUsageError(`cannot read '${file}': ${reason}`);
  }
}

/** Posts `body` signed; an unreachable endpoint becomes one line and exit code 1. */
export async function postToEndpoint(url: URL, body: string | Buffer, secret: string): Promise<ComplyCubeWebhookResponse> {
  try {
    return await postSignedComplyCubeBody(url.href, body, { secret, timeoutMs: ENDPOINT_TIMEOUT_MS });
  } catch (error) {
    if (error instanceof ComplyCubeEndpointUnreachableError) {
      throw new CliUsageError(`cannot reach ${url.href}: ${error.reason}`, 1);
    }
    throw error;
  }
}

/** Shorter secrets are not looked for in answers: hiding them would mangle ordinary text. */
const MIN_REDACTED_SECRET_LENGTH = 8;

/**
 * `200 {"received":true}`: the status and the body, on one line. The body is the endpoint's text,
 * without terminal control characters, and it may echo the secret back (a debugging endpoint, a
 * misconfigured proxy): it is shown as `***`.
 */
export function describeResponse(response: ComplyCubeWebhookResponse, secret: string): string {
  let text = toTerminalLine(response.text).replace(/\s+/g, ' ').trim();
  if (secret.length >= MIN_REDACTED_SECRET_LENGTH) text = text.split(secret).join('***');
  return `${response.status}${text ? ` ${text.length > 300 ? `${text.slice(0, 300)}...` : text}` : ''}`;
}

export function isSuccess(response: ComplyCubeWebhookResponse): boolean {
  return response.status >= 200 && response.status < 300;
}
