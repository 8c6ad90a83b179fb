import { signComplyCubePayload } from '../../testing/sign-complycube-payload';
import { CliCommand, CliIo, CliUsageError } from '../cli-command';
import { parseCommandArgs, readBody, resolveSecret, SECRET_ENV_VARIABLE } from '../cli-options';

const USAGE = `Usage: complycube-webhooks sign [file] [options]

Prints the ComplyCube-Signature header value for the exact bytes of <file>, or of standard
input when no file (or '-') is given: lowercase hex HMAC-SHA256 keyed by the webhook secret.

  curl -H 'content-type: application/json' \\
       -H "ComplyCube-Signature: $(complycube-webhooks sign event.json)" \\
       --data-binary @event.json http://localhost:3000/webhooks/complycube

Options:
  --secret <secret>    The webhook secret (default: $${SECRET_ENV_VARIABLE})
  -h, --help           Show this help`;

const OPTIONS = { secret: { type: 'string' } } as const;

export const signCommand: CliCommand = {
  name: 'sign',
  summary: 'Print the signature of a body read from a file or stdin',
  usage: USAGE,
  run: sign,
};

async function sign(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, OPTIONS, true);
  if (positionals.length > 1) throw new CliUsageError(`expected at most one file, got ${positionals.length}`);
  const secret = resolveSecret(values.secret, io);
  const body = await readBody(positionals[0], io);
  io.stdout(`${signComplyCubePayload(body, secret)}\n`);
  return 0;
}
