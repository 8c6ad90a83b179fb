import { readFile } from 'node:fs/promises';
import { parseArgs, ParseArgsConfig } from 'node:util';
import { hasUrlCredentials, hideUrlCredentials, isLoopbackHostname } from '../common/http-url';
import { toTerminalLine } from './terminal-text';
import { ComplyCubeEndpointUnreachableError, ComplyCubeWebhookResponse, sendComplyCubeEvent } from '../testing';
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

/** The flags that give the webhook secret, for the commands that sign. */
export const SECRET_OPTIONS = {
  secret: { type: 'string' },
  'secret-file': { type: 'string' },
} as const;

export const SECRET_OPTIONS_HELP = `  --secret-file <path> Read the webhook secret from a file
  --secret -           Read it from standard input (one final newline is ignored in both)
  --secret <secret>    The secret itself: avoid it, command lines are kept in shell history
                       and shown to other users by ps (a warning says so)
                       Without these flags, the secret is $${SECRET_ENV_VARIABLE}`;

/**
 * The webhook secret from `--secret -` (standard input), `--secret-file`, `--secret` or the
 * environment. `stdinCarriesBody` says the command reads its body from standard input, which
 * then cannot carry the secret too. The secret is never part of an error or a warning.
 */
export async function resolveSecret(
  values: { secret?: string; 'secret-file'?: string },
  io: CliIo,
  stdinCarriesBody = false,
): Promise<string> {
  const { secret: flag, 'secret-file': file } = values;
  if (flag !== undefined && file !== undefined) {
    throw new CliUsageError('give the secret once: --secret or --secret-file, not both');
  }
  if (flag === '-') {
    if (stdinCarriesBody) {
      throw new CliUsageError(
        '--secret - reads the secret from standard input, which carries the body here: give the body as a file, or the secret with --secret-file',
      );
    }
    return nonBlankSecret(withoutFinalNewline((await io.readStdin()).toString('utf8')), 'standard input (--secret -)');
  }
  if (file !== undefined) {
    return nonBlankSecret(withoutFinalNewline((await readFileOrExplain(file)).toString('utf8')), `the secret file '${file}'`);
  }
  if (flag !== undefined) {
    const secret = nonBlankSecret(flag, '--secret');
    io.stderr(
      `warning: a secret given as --secret is shown to other users by ps and kept in shell history; prefer ${SECRET_ENV_VARIABLE}, --secret-file <path> or --secret -\n`,
    );
    return secret;
  }
  const fromEnvironment = io.env[SECRET_ENV_VARIABLE];
  if (fromEnvironment === undefined || fromEnvironment.trim() === '') {
    throw new CliUsageError(
      `no webhook secret: set ${SECRET_ENV_VARIABLE} or pass --secret-file <path> (or --secret - to read it from standard input)`,
    );
  }
  return fromEnvironment;
}

/** A file or a pipe ends with a newline that is not part of the secret (`echo`, editors). */
function withoutFinalNewline(text: string): string {
  return text.replace(/\r?\n$/, '');
}

function nonBlankSecret(secret: string, source: string): string {
  if (secret.trim() === '') throw new CliUsageError(`the secret from ${source} is empty`);
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
  return readsBodyFromStdin(file) ? io.readStdin() : readFileOrExplain(file);
}

/** Whether `readBody` takes the body from standard input. */
export function readsBodyFromStdin(file: string | undefined): file is undefined | '-' {
  return file === undefined || file === '-';
}

async function readFileOrExplain(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (error) {
    throw new CliUsageError(`cannot read '${file}': ${describeFileError(error)}`);
  }
}

/** Why a file could not be read or written, in a few words. */
export function describeFileError(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return String(code ?? error);
}

/** Posts `body` signed; an unreachable endpoint becomes one line and exit code 1. */
export async function postToEndpoint(url: URL, body: string | Buffer, secret: string): Promise<ComplyCubeWebhookResponse> {
  try {
    return await sendComplyCubeEvent(url.href, body, { secret, timeoutMs: ENDPOINT_TIMEOUT_MS });
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
