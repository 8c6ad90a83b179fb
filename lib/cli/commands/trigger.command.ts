import { writeFile } from 'node:fs/promises';
import { COMPLYCUBE_EVENT_TYPES, isComplyCubeEventType } from '../../events/event-types';
import { createComplyCubeEvent } from '../../testing';
import { CliCommand, CliIo, CliUsageError } from '../cli-command';
import {
  DEFAULT_WEBHOOK_URL,
  describeFileError,
  describeResponse,
  isSuccess,
  parseCommandArgs,
  parseEndpointUrl,
  postToEndpoint,
  resolveSecret,
  SECRET_OPTIONS,
  SECRET_OPTIONS_HELP,
} from '../cli-options';

const MAX_COUNT = 10_000;
const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'prototype', 'constructor']);

const USAGE = `Usage: complycube-webhooks trigger <event-type> [options]
       complycube-webhooks trigger --list

Sends a realistic ComplyCube event of the given type (from the package's fixtures, with new
ids and timestamps), signed with the webhook secret, and prints the endpoint's answer.

Options:
  --url <url>          The endpoint (default ${DEFAULT_WEBHOOK_URL});
                       plain http:// only to this machine (localhost, 127.0.0.0/8, [::1])
  --insecure           Allow plain http:// to another host: the events, personal data
                       included, then cross the network unencrypted
${SECRET_OPTIONS_HELP}
  --set <path=value>   Change a field before sending, e.g. --set payload.outcome=clear;
                       repeatable. The value is JSON when it parses (true, 42, null,
                       {"a":1}, "quoted"), text otherwise
  --count <n>          Send n events, each with new ids (default 1); with --set id=...
                       they are redeliveries of one event
  --save <file>        Write the exact bytes sent to <file> (before sending), so that
                       'complycube-webhooks replay <file>' sends them again; one event
                       only, so not with --count above 1
  --list               List the event types
  -h, --help           Show this help

Exit code: 0 when every answer was 2xx, 1 when one was not or the endpoint could not be
reached, 2 for a usage error.`;

const OPTIONS = {
  url: { type: 'string' },
  insecure: { type: 'boolean' },
  ...SECRET_OPTIONS,
  set: { type: 'string', multiple: true },
  count: { type: 'string' },
  save: { type: 'string' },
  list: { type: 'boolean' },
} as const;

export const triggerCommand: CliCommand = {
  name: 'trigger',
  summary: 'Send realistic signed events of a type to an endpoint',
  usage: USAGE,
  run: trigger,
};

async function trigger(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, OPTIONS, true);
  if (values.list) {
    io.stdout(`${COMPLYCUBE_EVENT_TYPES.join('\n')}\n`);
    return 0;
  }
  if (positionals.length !== 1) {
    throw new CliUsageError(
      positionals.length === 0
        ? "which event type? e.g. 'trigger check.completed.clear' ('trigger --list' lists them)"
        : `expected one event type, got ${positionals.length}`,
    );
  }
  const type = positionals[0];
  if (!isComplyCubeEventType(type)) {
    throw new CliUsageError(`unknown event type '${type}'; 'complycube-webhooks trigger --list' lists them`);
  }
  const count = parseCount(values.count);
  if (values.save !== undefined && count > 1) {
    throw new CliUsageError(`--save writes the body of one event: drop --count ${count}, or run trigger --save once per event`);
  }
  const assignments = (values.set ?? []).map(parseAssignment);
  const url = parseEndpointUrl(values.url, { insecure: values.insecure });
  const secret = await resolveSecret(values, io);

  const build = (): Record<string, unknown> => {
    const event = createComplyCubeEvent(type) as unknown as Record<string, unknown>;
    for (const { path, value } of assignments) setPath(event, path, value);
    return event;
  };
  // Built (and saved) before anything is sent, so that a --set that does not apply or a file
  // that cannot be written stops the command first.
  let event = build();
  let body = JSON.stringify(event);
  if (values.save !== undefined) await saveBody(values.save, body, io);
  io.stdout(`Sending ${count} ${type} event${count === 1 ? '' : 's'} to ${url.href}\n`);
  let succeeded = 0;
  for (let index = 1; index <= count; index += 1) {
    if (index > 1) {
      event = build();
      body = JSON.stringify(event);
    }
    const response = await postToEndpoint(url, body, secret);
    if (isSuccess(response)) succeeded += 1;
    const progress = count > 1 ? `[${index}/${count}] ` : '';
    io.stdout(`${progress}event ${String(event.id)}: ${describeResponse(response, secret)}\n`);
  }
  const failed = count - succeeded;
  io.stdout(`${count} sent: ${succeeded} answered 2xx${failed ? `, ${failed} did not` : ''}\n`);
  return failed === 0 ? 0 : 1;
}

/** Written before sending, so that a body the endpoint never answered can be replayed too. */
async function saveBody(file: string, body: string, io: CliIo): Promise<void> {
  try {
    // Created readable by its owner only: an event body may carry personal data (set with --set).
    await writeFile(file, body, { mode: 0o600 });
  } catch (error) {
    throw new CliUsageError(`cannot write '${file}': ${describeFileError(error)}`);
  }
  io.stdout(`Saved the body (${Buffer.byteLength(body)} bytes) to ${file}\n`);
}

function parseCount(value: string | undefined): number {
  if (value === undefined) return 1;
  const count = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(count) || count < 1 || count > MAX_COUNT) {
    throw new CliUsageError(`--count must be a whole number from 1 to ${MAX_COUNT}, got '${value}'`);
  }
  return count;
}

interface Assignment {
  path: string[];
  value: unknown;
}

function parseAssignment(text: string): Assignment {
  const equals = text.indexOf('=');
  const path = equals > 0 ? text.slice(0, equals).split('.') : [];
  if (path.length === 0 || path.some((segment) => segment === '')) {
    throw new CliUsageError(`--set needs path=value with a dot-separated path, such as payload.outcome=clear; got '${text}'`);
  }
  if (path.some((segment) => FORBIDDEN_SEGMENTS.has(segment))) {
    throw new CliUsageError(`--set cannot write '${path.join('.')}'`);
  }
  const raw = text.slice(equals + 1);
  let value: unknown = raw;
  try {
    value = JSON.parse(raw);
  } catch {
    // Not JSON: the text itself.
  }
  return { path, value };
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node: Record<string, unknown> = target;
  path.slice(0, -1).forEach((segment, index) => {
    const next = node[segment];
    if (next === undefined) {
      node[segment] = {};
    } else if (typeof next !== 'object' || next === null) {
      throw new CliUsageError(`--set ${path.join('.')}: '${path.slice(0, index + 1).join('.')}' is not an object`);
    }
    node = node[segment] as Record<string, unknown>;
  });
  node[path[path.length - 1]] = value;
}
