import { hasUrlCredentials, isHttpsUrl } from '../../common/http-url';
import { toTerminalLine } from '../terminal-text';
import { isValidComplyCubeEventPattern } from '../../events/event-pattern';
import { diagnoseComplyCubeSubscription } from '../../management/subscription.diagnosis';
import { CliCommand, CliIo, CliUsageError } from '../cli-command';
import { parseCommandArgs } from '../cli-options';
import { API_EXIT_CODES, API_OPTIONS, API_OPTIONS_HELP, createCliClient, splitList, toCliError } from '../api-client';
import { summarizeEvents } from './webhooks.command';

const USAGE = [
  'Usage: complycube-webhooks doctor --url URL [--events PATTERNS] [options]',
  '',
  'Checks the ComplyCube webhook of an endpoint: does one point at URL, is it enabled, and',
  '(with --events, the patterns your handlers take) does it send exactly those event types.',
  'Exits 1 when events would be lost (missing, disabled, a handled type not sent).',
  '',
  '  --url URL         The endpoint as ComplyCube calls it, e.g. https://api.example.com/webhooks/complycube',
  "  --events PATTERNS Comma-separated or repeated handler patterns, e.g. 'check.completed.*,client.created'",
  '',
  API_OPTIONS_HELP,
].join('\n');

const DOCTOR_OPTIONS = { ...API_OPTIONS, url: { type: 'string' }, events: { type: 'string', multiple: true } } as const;

export const doctorCommand: CliCommand = {
  name: 'doctor',
  summary: "Check that ComplyCube's webhook for an endpoint exists, is enabled and sends what it should",
  usage: USAGE,
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseCommandArgs(argv, DOCTOR_OPTIONS, true);
    if (positionals.length > 0) throw new CliUsageError(`doctor takes no arguments (got '${positionals.join(' ')}').`);
    const url = values.url;
    if (!url || !isHttpsUrl(url)) throw new CliUsageError('doctor needs --url with the HTTPS URL ComplyCube posts to.');
    if (hasUrlCredentials(new URL(url))) {
      throw new CliUsageError('doctor --url must not contain a user name or password (ComplyCube authenticates with the signature).');
    }
    const handlerPatterns = values.events ? splitList(values.events) : undefined;
    const invalid = handlerPatterns?.find((pattern) => !isValidComplyCubeEventPattern(pattern));
    if (invalid !== undefined) throw new CliUsageError(`'${String(invalid)}' is not an event type or pattern.`);

    const client = createCliClient(values, io);
    let webhooks;
    try {
      webhooks = await client.list();
    } catch (error) {
      throw toCliError(error, { baseUrl: client.baseUrl });
    }
    const diagnosis = diagnoseComplyCubeSubscription({ url, webhooks, handlerPatterns });
    const healthy = !diagnosis.findings.some((finding) => finding.severity === 'error');
    if (values.json) {
      io.stdout(`${JSON.stringify({ healthy, ...diagnosis }, null, 2)}\n`);
    } else {
      const lines = [`Endpoint ${url}`];
      for (const webhook of diagnosis.webhooks) {
        lines.push(`  webhook ${webhook.id}: ${webhook.enabled ? 'enabled' : 'DISABLED'}, events ${summarizeEvents(webhook.events)}`);
      }
      for (const finding of diagnosis.findings) lines.push(`${finding.severity === 'error' ? 'ERROR  ' : 'WARNING'} ${finding.message}`);
      if (!handlerPatterns) lines.push('note: pass --events with your handler patterns to compare the event types too.');
      lines.push(healthy ? 'OK: ComplyCube delivers to this endpoint.' : 'Events are being lost: fix the errors above.');
      io.stdout(`${lines.map(toTerminalLine).join('\n')}\n`);
    }
    return healthy ? API_EXIT_CODES.ok : API_EXIT_CODES.failure;
  },
};
