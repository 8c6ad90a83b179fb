import { signComplyCubePayload } from '../../verification/sign';
import { CliCommand, CliIo, CliUsageError } from '../cli-command';
import { parseCommandArgs, readBody, readsBodyFromStdin, resolveSecret, SECRET_OPTIONS, SECRET_OPTIONS_HELP } from '../cli-options';

const USAGE = `Usage: complycube-webhooks sign [file] [options]

Prints the ComplyCube-Signature header value for the exact bytes of <file>, or of standard
input when no file (or '-') is given: lowercase hex HMAC-SHA256 keyed by the webhook secret.
With --secret -, standard input holds the secret: give the body as a file.

  curl -H 'content-type: application/json' \\
       -H "ComplyCube-Signature: $(complycube-webhooks sign event.json)" \\
       --data-binary @event.json http://localhost:3000/webhooks/complycube

Options:
${SECRET_OPTIONS_HELP}
  -h, --help           Show this help`;

const OPTIONS = { ...SECRET_OPTIONS } as const;

export const signCommand: CliCommand = {
  name: 'sign',
  summary: 'Print the signature of a body read from a file or stdin',
  usage: USAGE,
  run: sign,
};

async function sign(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, OPTIONS, true);
  if (positionals.length > 1) throw new CliUsageError(`expected at most one file, got ${positionals.length}`);
  const secret = await resolveSecret(values, io, readsBodyFromStdin(positionals[0]));
  const body = await readBody(positionals[0], io);
  io.stdout(`${signComplyCubePayload(body, secret)}\n`);
  return 0;
}
