import { hasUrlCredentials, isHttpsUrl } from '../../common/http-url';
import { toTerminalLine } from '../terminal-text';
import { isValidComplyCubeEventPattern } from '../../events/event-pattern';
import { ComplyCubeSubscriptionDiagnosis, diagnoseComplyCubeSubscription } from '../../management/subscription.diagnosis';
import { CliCommand, CliIo, CliUsageError } from '../cli-command';
import { parseCommandArgs } from '../cli-options';
import { API_EXIT_CODES, API_OPTIONS, API_OPTIONS_HELP, createCliClient, splitList, toCliError } from '../api-client';
import { checkRedis, loadRedisPeers, RedisCheckSettings, RedisReport } from '../doctor-redis';
import { parseRedisUrl } from '../redis-connection';
import { summarizeEvents } from './webhooks.command';

/** The API commands' exit codes, and one of doctor's own. */
export const DOCTOR_EXIT_CODES = { ...API_EXIT_CODES, redisUnreachable: 6 } as const;

const DEFAULT_QUEUE_NAME = 'complycube-events';
const DEFAULT_QUEUE_PREFIX = 'bull';
const DEFAULT_KEY_PREFIX = 'complycube-webhooks';
const DEFAULT_TIMEOUT_MS = 10_000;

const USAGE = [
  'Usage: complycube-webhooks doctor [--url URL [--events PATTERNS]] [--redis-url URL] [options]',
  '',
  'Checks what a ComplyCube endpoint depends on, as far as it can be seen from outside the app:',
  '- with --url: the ComplyCube webhook of the endpoint: does one point at URL, is it enabled, and',
  '  (with --events, the patterns your handlers take) does it send exactly those event types;',
  "- with --redis-url (default $REDIS_URL): the app's Redis: does it answer, is its maxmemory-policy",
  '  noeviction, how many jobs the queue holds, and how many dead letters the queue and the',
  '  idempotency store keep. It only reads; the URL is printed without its password.',
  'Give --url, --redis-url or both.',
  '',
  '  --url URL              The endpoint as ComplyCube calls it, e.g. https://api.example.com/webhooks/complycube',
  "  --events PATTERNS      Comma-separated or repeated handler patterns, e.g. 'check.completed.*,client.created'",
  '  --redis-url URL        redis:// or rediss:// URL of the Redis the app uses (default $REDIS_URL,',
  '                         better for a URL with a password: flags end up in shell history)',
  `  --queue NAME           The queue's name in queue mode (default ${DEFAULT_QUEUE_NAME})`,
  `  --queue-prefix PREFIX  BullMQ's key prefix (default ${DEFAULT_QUEUE_PREFIX})`,
  `  --key-prefix PREFIX    RedisIdempotencyStore's keyPrefix (default ${DEFAULT_KEY_PREFIX})`,
  '  --max-waiting-jobs N   A problem when the queue holds more waiting jobs',
  '  --max-dead-letters N   A problem when the queue or the store keeps more dead letters (without it,',
  '                         dead letters are a warning)',
  '',
  API_OPTIONS_HELP.replace('Time allowed to each request', 'Time allowed to each request and Redis command')
    .replace('(required)', '(required with --url)')
    .replace('Default for --api-url\n', 'Default for --api-url\n  REDIS_URL            Default for --redis-url\n'),
  '            6 Redis unreachable, too slow, or refusing the password',
  'A problem found (exit 1): a webhook missing, disabled or not sending a handled type, or a',
  'threshold passed. When several codes apply: 2, then 3 to 5, then 6, then 1.',
].join('\n');

const DOCTOR_OPTIONS = {
  ...API_OPTIONS,
  url: { type: 'string' },
  events: { type: 'string', multiple: true },
  'redis-url': { type: 'string' },
  queue: { type: 'string' },
  'queue-prefix': { type: 'string' },
  'key-prefix': { type: 'string' },
  'max-waiting-jobs': { type: 'string' },
  'max-dead-letters': { type: 'string' },
} as const;

type DoctorValues = ReturnType<typeof parseCommandArgs<typeof DOCTOR_OPTIONS>>['values'];

interface Finding {
  severity: 'error' | 'warning';
  message: string;
}

export const doctorCommand: CliCommand = {
  name: 'doctor',
  summary: "Check that ComplyCube's webhook for an endpoint is enabled and sends what it should, and the app's Redis",
  usage: USAGE,
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseCommandArgs(argv, DOCTOR_OPTIONS, true);
    if (positionals.length > 0) throw new CliUsageError(`doctor takes no arguments (got '${positionals.join(' ')}').`);
    const redisSettings = readRedisSettings(values, io);
    const url = values.url;
    if (url === undefined && !redisSettings) {
      throw new CliUsageError(
        'doctor needs --url with the HTTPS URL ComplyCube posts to, --redis-url (or $REDIS_URL) with the Redis the app uses, or both.',
      );
    }
    if (url === undefined && values.events) throw new CliUsageError('--events compares the webhook of --url: give --url too.');
    if (url !== undefined && !isHttpsUrl(url)) throw new CliUsageError('doctor needs --url with the HTTPS URL ComplyCube posts to.');
    if (url !== undefined && hasUrlCredentials(new URL(url))) {
      throw new CliUsageError('doctor --url must not contain a user name or password (ComplyCube authenticates with the signature).');
    }
    const handlerPatterns = values.events ? splitList(values.events) : undefined;
    const invalid = handlerPatterns?.find((pattern) => !isValidComplyCubeEventPattern(pattern));
    if (invalid !== undefined) throw new CliUsageError(`'${String(invalid)}' is not an event type or pattern.`);
    // Every usage error comes before any call: a key or a package missing included.
    const client = url === undefined ? undefined : createCliClient(values, io);
    const peers = redisSettings ? await loadRedisPeers(redisSettings.source) : undefined;

    const [webhookCheck, redis] = await Promise.all([
      client && url !== undefined
        ? client.list().then(
            (webhooks) => ({ diagnosis: diagnoseComplyCubeSubscription({ url, webhooks, handlerPatterns }) }),
            (error: unknown) => {
              const failure = toCliError(error, { baseUrl: client.baseUrl });
              return { failure: failure instanceof Error ? failure : new Error(String(failure)) };
            },
          )
        : undefined,
      redisSettings && peers ? checkRedis(redisSettings, peers) : undefined,
    ]);
    const diagnosis = webhookCheck && 'diagnosis' in webhookCheck ? webhookCheck.diagnosis : undefined;
    const failure = webhookCheck && 'failure' in webhookCheck ? webhookCheck.failure : undefined;
    // ComplyCube could not be asked: what Redis showed is still printed, then the one-line error.
    if (failure !== undefined && !redis) throw failure;

    const findings: Finding[] = [...(diagnosis?.findings ?? []), ...(redis?.findings ?? [])];
    const healthy = failure === undefined && !findings.some((finding) => finding.severity === 'error');
    if (values.json) {
      io.stdout(`${JSON.stringify({ healthy, ...diagnosis, ...(redis ? { redis } : {}) }, null, 2)}\n`);
    } else {
      io.stdout(
        `${report(diagnosis, redis, findings, handlerPatterns !== undefined, failure === undefined)
          .map(toTerminalLine)
          .join('\n')}\n`,
      );
    }
    if (failure !== undefined) throw failure;
    if (redis && !redis.reachable) return DOCTOR_EXIT_CODES.redisUnreachable;
    return healthy ? DOCTOR_EXIT_CODES.ok : DOCTOR_EXIT_CODES.failure;
  },
};

function report(
  diagnosis: ComplyCubeSubscriptionDiagnosis | undefined,
  redis: RedisReport | undefined,
  findings: Finding[],
  comparedEvents: boolean,
  webhookChecked: boolean,
): string[] {
  const lines: string[] = [];
  if (diagnosis) {
    lines.push(`Endpoint ${diagnosis.url}`);
    for (const webhook of diagnosis.webhooks) {
      lines.push(`  webhook ${webhook.id}: ${webhook.enabled ? 'enabled' : 'DISABLED'}, events ${summarizeEvents(webhook.events)}`);
    }
  }
  if (redis) lines.push(...redisLines(redis));
  for (const finding of findings) lines.push(`${finding.severity === 'error' ? 'ERROR  ' : 'WARNING'} ${finding.message}`);
  if (diagnosis && !comparedEvents) lines.push('note: pass --events with your handler patterns to compare the event types too.');
  const webhookErrors = diagnosis?.findings.some((finding) => finding.severity === 'error') ?? false;
  if (webhookErrors) {
    lines.push('Events are being lost: fix the errors above.');
  } else if (findings.some((finding) => finding.severity === 'error')) {
    lines.push('Problems found: fix the errors above.');
  } else if (webhookChecked) {
    const fine = [...(diagnosis ? ['ComplyCube delivers to this endpoint'] : []), ...(redis ? ['Redis answers'] : [])];
    lines.push(`OK: ${fine.join(', and ')}.`);
  }
  return lines;
}

function redisLines(redis: RedisReport): string[] {
  if (!redis.reachable) return [`Redis ${redis.url}: UNREACHABLE`];
  const lines = [`Redis ${redis.url}: answers, maxmemory-policy ${redis.maxmemoryPolicy ?? 'unknown'}`];
  const { queue, store } = redis;
  if (queue) {
    const { waiting, active, delayed, failed, completed } = queue.jobs;
    lines.push(
      queue.found
        ? `  queue ${queue.name} (prefix ${queue.prefix}): ${waiting} waiting, ${active} active, ${delayed} delayed, ${failed} failed (dead letters), ${completed} completed`
        : `  queue ${queue.name} (prefix ${queue.prefix}): not found`,
    );
  }
  if (store) lines.push(`  store (key prefix ${store.keyPrefix}): ${store.deadLetters} dead letter${store.deadLetters === 1 ? '' : 's'}`);
  return lines;
}

/** The Redis part's settings, from the flags and $REDIS_URL; undefined when there is no Redis URL. */
function readRedisSettings(values: DoctorValues, io: CliIo): RedisCheckSettings | undefined {
  const fromEnvironment = io.env.REDIS_URL?.trim() || undefined;
  const text = values['redis-url'] ?? fromEnvironment;
  const source = values['redis-url'] !== undefined ? '--redis-url' : '$REDIS_URL';
  const redisOnly = (['queue', 'queue-prefix', 'key-prefix', 'max-waiting-jobs', 'max-dead-letters'] as const).filter(
    (name) => values[name] !== undefined,
  );
  if (text === undefined) {
    if (redisOnly.length > 0) throw new CliUsageError(`--${redisOnly[0]} reads Redis: give --redis-url (or set $REDIS_URL) too.`);
    return undefined;
  }
  const { url } = parseRedisUrl(text, source);
  if (values['redis-url'] !== undefined && new URL(url).password !== '') {
    io.stderr('warning: a password given in --redis-url is shown to other users by ps and kept in shell history; prefer $REDIS_URL\n');
  }
  const queueName = values.queue ?? DEFAULT_QUEUE_NAME;
  if (queueName.trim() === '' || queueName.includes(':')) {
    throw new CliUsageError(`--queue must be a queue name without ':' (got ${JSON.stringify(queueName)}).`);
  }
  for (const name of ['queue-prefix', 'key-prefix'] as const) {
    if (values[name] !== undefined && values[name].trim() === '') throw new CliUsageError(`--${name} must not be empty.`);
  }
  return {
    url: text,
    source,
    queueName,
    queueNameGiven: values.queue !== undefined,
    queuePrefix: values['queue-prefix'] ?? DEFAULT_QUEUE_PREFIX,
    keyPrefix: values['key-prefix'] ?? DEFAULT_KEY_PREFIX,
    timeoutMs: timeoutOf(values.timeout),
    maxWaitingJobs: wholeNumber(values['max-waiting-jobs'], '--max-waiting-jobs', 0),
    maxDeadLetters: wholeNumber(values['max-dead-letters'], '--max-dead-letters', 0),
  };
}

/** As the API client reads --timeout, for the Redis commands. */
function timeoutOf(value: string | undefined): number {
  if (value === undefined) return DEFAULT_TIMEOUT_MS;
  const timeoutMs = Number(value);
  if (!(Number.isInteger(timeoutMs) && timeoutMs > 0)) {
    throw new CliUsageError(`--timeout must be a whole number of milliseconds (got ${JSON.stringify(value)}).`);
  }
  return timeoutMs;
}

function wholeNumber(value: string | undefined, flag: string, minimum: number): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (value.trim() === '' || !Number.isInteger(number) || number < minimum) {
    throw new CliUsageError(`${flag} must be a whole number, ${minimum} or more (got ${JSON.stringify(value)}).`);
  }
  return number;
}
