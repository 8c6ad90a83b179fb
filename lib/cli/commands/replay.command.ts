import { CliCommand, CliIo, CliUsageError } from '../cli-command';
import {
  DEFAULT_WEBHOOK_URL,
  describeResponse,
  isSuccess,
  parseCommandArgs,
  readBody,
  readsBodyFromStdin,
  parseEndpointUrl,
  postToEndpoint,
  resolveSecret,
  SECRET_OPTIONS,
  SECRET_OPTIONS_HELP,
} from '../cli-options';

const USAGE = `Usage: complycube-webhooks replay <file.json> [options]

Sends a saved event body to the endpoint byte for byte (the file is not re-serialised),
signed with the webhook secret, and prints the endpoint's answer. Replaying a body sent
before, with its id, is how ComplyCube's own retries look to your handlers; a body saved
by 'trigger --save' is such a body. '-' reads the body from standard input.

Options:
  --url <url>          The endpoint (default ${DEFAULT_WEBHOOK_URL});
                       plain http:// only to this machine (localhost, 127.0.0.0/8, [::1])
  --insecure           Allow plain http:// to another host: the body, personal data
                       included, then crosses the network unencrypted
${SECRET_OPTIONS_HELP}
  -h, --help           Show this help

Exit code: 0 for a 2xx answer, 1 for another answer or an unreachable endpoint, 2 for a
usage error.`;

const OPTIONS = { url: { type: 'string' }, insecure: { type: 'boolean' }, ...SECRET_OPTIONS } as const;

export const replayCommand: CliCommand = {
  name: 'replay',
  summary: 'Send a saved event body, signed, byte for byte',
  usage: USAGE,
  run: replay,
};

async function replay(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, OPTIONS, true);
  if (positionals.length !== 1) {
    throw new CliUsageError(
      positionals.length === 0 ? 'which file? e.g. replay event.json' : `expected one file, got ${positionals.length}`,
    );
  }
  const url = parseEndpointUrl(values.url, { insecure: values.insecure });
  const secret = await resolveSecret(values, io, readsBodyFromStdin(positionals[0]));
  const body = await readBody(positionals[0], io);
  let event: unknown;
  try {
    event = JSON.parse(body.toString('utf8'));
  } catch {
    throw new CliUsageError(`'${positionals[0]}' is not JSON; replay sends saved event bodies`);
  }
  const { id, type } = (typeof event === 'object' && event !== null ? event : {}) as { id?: unknown; type?: unknown };
  const what = typeof type === 'string' ? `${type} event${typeof id === 'string' ? ` ${id}` : ''}` : 'body';
  io.stdout(`Replaying ${what} (${body.length} bytes) to ${url.href}\n`);
  const response = await postToEndpoint(url, body, secret);
  io.stdout(`${describeResponse(response, secret)}\n`);
  return isSuccess(response) ? 0 : 1;
}
