import { hideUrlCredentials } from '../../common/http-url';
import { toTerminalLine } from '../terminal-text';
import { COMPLYCUBE_EVENT_TYPES } from '../../events/event-types';
import { isValidComplyCubeEventPattern, isWildcardPattern, matchesComplyCubeEventPattern } from '../../events/event-pattern';
import { ComplyCubeWebhooksClient } from '../../management/webhooks.client';
import { ComplyCubeWebhook } from '../../management/webhook.interface';
import { CliCommand, CliIo, CliUsageError } from '../cli-command';
import { parseCommandArgs } from '../cli-options';
import { API_EXIT_CODES, API_OPTIONS, API_OPTIONS_HELP, createCliClient, splitList, toCliError } from '../api-client';
import { formatTable } from '../text-table';

const USAGE = [
  'Usage: complycube-webhooks webhooks <list|create|enable|disable|delete> [options]',
  '',
  "Manage your account's ComplyCube webhooks.",
  '',
  '  list                             List every webhook',
  '  create --url URL --events TYPES  Create a webhook and print its signing secret, once',
  '         [--description TEXT] [--disabled]',
  '                                   TYPES: comma-separated or repeated event types or patterns',
  "                                   ('check.completed.*' becomes the documented types it matches; '*' is all)",
  '  enable <id>                      Enable a webhook (ComplyCube disables one after 11 failed deliveries of an event)',
  '  disable <id>                     Disable a webhook',
  '  delete <id>                      Delete a webhook',
  '',
  API_OPTIONS_HELP,
].join('\n');

const WEBHOOKS_OPTIONS = {
  ...API_OPTIONS,
  url: { type: 'string' },
  events: { type: 'string', multiple: true },
  description: { type: 'string' },
  disabled: { type: 'boolean' },
} as const;

const SHOWN_EVENTS = 3;

export const webhooksCommand: CliCommand = {
  name: 'webhooks',
  summary: 'List, create, enable, disable or delete ComplyCube webhooks',
  usage: USAGE,
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseCommandArgs(argv, WEBHOOKS_OPTIONS, true);
    const [action, ...rest] = positionals;
    if (!action) throw new CliUsageError('name an action: list, create, enable, disable or delete.');
    const client = createCliClient(values, io);
    const print = (text: string): void => io.stdout(`${text}\n`);
    switch (action) {
      case 'list': {
        expectArguments(action, rest, 0);
        const webhooks = await call(client, () => client.list());
        print(values.json ? JSON.stringify(webhooks, null, 2) : describeList(webhooks));
        return API_EXIT_CODES.ok;
      }
      case 'create': {
        expectArguments(action, rest, 0);
        if (!values.url) throw new CliUsageError('create needs --url https://your.app/webhooks/complycube.');
        const events = expandEvents(values.events ?? [], io);
        const created = await call(client, () =>
          client.create({ url: values.url!, events, description: values.description, enabled: !values.disabled }),
        );
        const { secret, ...webhook } = created;
        print(values.json ? JSON.stringify(created, null, 2) : `${describeWebhook(webhook)}\n\nSigning secret:\n  ${secret}`);
        io.stderr(
          'Store this secret now (e.g. as COMPLYCUBE_WEBHOOK_SECRET): ComplyCube will not show it again, and your endpoint needs it to verify events.\n',
        );
        return API_EXIT_CODES.ok;
      }
      case 'enable':
      case 'disable': {
        const [id] = expectArguments(action, rest, 1);
        const webhook = await call(client, () => client.update(id, { enabled: action === 'enable' }), id);
        print(values.json ? JSON.stringify(webhook, null, 2) : `Webhook ${toTerminalLine(webhook.id)} ${action}d.`);
        return API_EXIT_CODES.ok;
      }
      case 'delete': {
        const [id] = expectArguments(action, rest, 1);
        await call(client, () => client.delete(id), id);
        print(values.json ? JSON.stringify({ id, deleted: true }) : `Webhook ${id} deleted.`);
        return API_EXIT_CODES.ok;
      }
      default:
        throw new CliUsageError(`unknown action '${action}': use list, create, enable, disable or delete.`);
    }
  },
};

function expectArguments(action: string, rest: string[], count: number): string[] {
  if (rest.length !== count) {
    throw new CliUsageError(count === 0 ? `${action} takes no arguments (got '${rest.join(' ')}').` : `${action} needs one webhook id.`);
  }
  return rest;
}

async function call<T>(client: ComplyCubeWebhooksClient, request: () => Promise<T>, webhookId?: string): Promise<T> {
  try {
    return await request();
  } catch (error) {
    throw toCliError(error, { webhookId, baseUrl: client.baseUrl });
  }
}

/**
 * The `events` to send ComplyCube: `*` alone when asked for, wildcard patterns replaced by the
 * documented types they match, exact types kept (an undocumented one with a note, as ComplyCube
 * may have added it since this release).
 */
export function expandEvents(inputs: string[], io: CliIo): string[] {
  const requested = splitList(inputs);
  if (requested.length === 0) throw new CliUsageError("create needs --events, e.g. --events 'check.completed.*,client.created' or '*'.");
  if (requested.includes('*')) return ['*'];
  const chosen = new Set<string>();
  for (const item of requested) {
    if (!isValidComplyCubeEventPattern(item)) throw new CliUsageError(`'${String(item)}' is not an event type or pattern.`);
    if (isWildcardPattern(item)) {
      const matches = COMPLYCUBE_EVENT_TYPES.filter((type) => matchesComplyCubeEventPattern(item, type));
      if (matches.length === 0) throw new CliUsageError(`'${item}' matches no documented event type.`);
      matches.forEach((type) => chosen.add(type));
    } else {
      if (!(COMPLYCUBE_EVENT_TYPES as readonly string[]).includes(item)) {
        io.stderr(`note: '${item}' is not an event type this release knows; sending it to ComplyCube as given.\n`);
      }
      chosen.add(item);
    }
  }
  const documented = COMPLYCUBE_EVENT_TYPES.filter((type) => chosen.has(type));
  return [...documented, ...[...chosen].filter((type) => !(documented as string[]).includes(type))];
}

/**
 * A webhook as people read it: text from ComplyCube without terminal control characters, and
 * its url without a user name or password. `--json` output is ComplyCube's, as is.
 */
function forTerminal(webhook: ComplyCubeWebhook): ComplyCubeWebhook {
  return {
    ...webhook,
    id: toTerminalLine(webhook.id),
    url: toTerminalLine(hideUrlCredentials(webhook.url)),
    events: webhook.events.map(toTerminalLine),
    description: webhook.description === undefined ? undefined : toTerminalLine(webhook.description),
  };
}

function describeList(webhooks: ComplyCubeWebhook[]): string {
  if (webhooks.length === 0) return 'No webhooks.';
  const rows = webhooks
    .map(forTerminal)
    .map((webhook) => [
      webhook.id,
      webhook.enabled ? 'enabled' : 'DISABLED',
      webhook.url,
      summarizeEvents(webhook.events),
      webhook.description ?? '',
    ]);
  return formatTable(['ID', 'STATE', 'URL', 'EVENTS', 'DESCRIPTION'], rows);
}

function describeWebhook(received: ComplyCubeWebhook): string {
  const webhook = forTerminal(received);
  const lines = [
    `Webhook ${webhook.id} (${webhook.enabled ? 'enabled' : 'disabled'})`,
    `  url:    ${webhook.url}`,
    `  events: ${webhook.events.includes('*') ? '* (every event type)' : webhook.events.join(', ')}`,
  ];
  if (webhook.description) lines.push(`  description: ${webhook.description}`);
  return lines.join('\n');
}

export function summarizeEvents(events: string[]): string {
  if (events.includes('*')) return '* (all)';
  if (events.length <= SHOWN_EVENTS) return events.join(', ');
  return `${events.slice(0, SHOWN_EVENTS).join(', ')} +${events.length - SHOWN_EVENTS} more`;
}
