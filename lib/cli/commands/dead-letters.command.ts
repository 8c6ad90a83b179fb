import { isJsonObject } from '../../common/json-object';
import { ComplyCubeDeadLetter } from '../../dead-letters/dead-letter';
import { CliCommand, CliIo, CliUsageError } from '../cli-command';
import {
  describeResponse,
  isSuccess,
  parseCommandArgs,
  parseEndpointUrl,
  postToEndpoint,
  resolveSecret,
  SECRET_OPTIONS,
  SECRET_OPTIONS_HELP,
} from '../cli-options';
import { closeRedis, connectRedis, redisTargetFrom, REDIS_UNREACHABLE_EXIT_CODE, REDIS_URL_ENV_VARIABLE } from '../redis-connection';
import {
  DeadLetterFilter,
  DeadLetterLocation,
  DeadLetterSource,
  FoundDeadLetter,
  RedisDeadLetters,
  sourceOfId,
} from '../redis-dead-letters';
import { toTerminalJson, toTerminalLine, toTerminalLines } from '../terminal-text';
import { formatTable } from '../text-table';

/** The app's defaults: `queue.name`, and `RedisIdempotencyStore`'s `keyPrefix`. */
const DEFAULT_QUEUE_NAME = 'complycube-events';
const DEFAULT_KEY_PREFIX = 'complycube-webhooks';

const HELP_COLUMN = 27;

/** The shared help of the secret flags, its descriptions moved to this usage's wider column. */
const SECRET_HELP = SECRET_OPTIONS_HELP.split('\n')
  .map((line) => {
    const [, flag, text] = /^( {2}-\S*(?: \S+)?)\s+(.*)$/.exec(line) ?? [undefined, '', line.trim()];
    return `${flag.padEnd(HELP_COLUMN)}${text}`;
  })
  .join('\n');

const USAGE = `Usage: complycube-webhooks dead-letters <list|show|retry|purge> [options]

The events whose handlers kept failing, set aside in Redis rather than retried for ever:
  - in queue mode, BullMQ's failed jobs of the queue (ids complycube/<registration>/<event id>);
  - without a queue, those kept in the RedisIdempotencyStore by the deadLetters option
    (ids <registration>:<event id>).
The registration is its name, else its path (URI-encoded in ids).

  list                     List them, oldest first: no payload (it holds personal data)
  show <id> [--payload]    One dead letter and its failed attempts, with the handlers'
                           errors; --payload adds the event (personal data), and the body
                           as received for one kept in the store
  retry <id>... | --all    A queue's: its failed job runs again, with a fresh set of
                           attempts (the handlers that succeeded before do not rerun).
                           A store's: the handlers cannot run here, so the event is sent
                           again, signed, to your endpoint (--url), its body as received;
                           on a 2xx answer the dead letter is deleted
  purge <id>... | --all --yes
                           Delete for good

Redis:
  --redis-url <url>        redis://[:password@]host:6379[/db] or rediss://... (default
                           $${REDIS_URL_ENV_VARIABLE}); its password is never printed
  --queue <name>           The queue's name, queue.name (default ${DEFAULT_QUEUE_NAME})
  --queue-prefix <prefix>  BullMQ's key prefix, queue.prefix (default BullMQ's, bull)
  --key-prefix <prefix>    The RedisIdempotencyStore's keyPrefix (default ${DEFAULT_KEY_PREFIX})

Which dead letters (list, retry --all, purge --all):
  --source <where>         queue, store or all (default all; all leaves the queue out,
                           with a note, when bullmq is not installed)
  --registration <name>    Only those of the registration with this name (an unnamed
                           one: its path, such as webhooks/complycube)

Retrying a dead letter kept in the store:
  --url <url>              Your endpoint (required): the one of the dead letter's
                           registration, e.g. https://your.app/webhooks/complycube;
                           plain http:// only to this machine (localhost, 127.0.0.0/8, [::1])
  --insecure               Allow plain http:// to another host: the body, personal data
                           included, then crosses the network unencrypted
${SECRET_HELP}

  --json                   Print JSON for scripts instead of text for people
  --all                    Every dead letter (of --source and --registration)
  --yes                    Confirm purge --all
  -h, --help               Show this help

Exit code: 0 ok (and for an empty list), 1 a dead letter not found or a retry that did not
succeed, 2 bad usage, ${REDIS_UNREACHABLE_EXIT_CODE} Redis unreachable.`;

const OPTIONS = {
  'redis-url': { type: 'string' },
  queue: { type: 'string' },
  'queue-prefix': { type: 'string' },
  'key-prefix': { type: 'string' },
  source: { type: 'string' },
  registration: { type: 'string' },
  json: { type: 'boolean' },
  payload: { type: 'boolean' },
  all: { type: 'boolean' },
  yes: { type: 'boolean' },
  url: { type: 'string' },
  insecure: { type: 'boolean' },
  ...SECRET_OPTIONS,
} as const;

type Action = 'list' | 'show' | 'retry' | 'purge';
type Flag = keyof typeof OPTIONS;

const CONNECTION_FLAGS: readonly Flag[] = ['redis-url', 'queue', 'queue-prefix', 'key-prefix', 'json'];
/** The flags each action takes besides the connection's, so that a misplaced one is refused rather than ignored. */
const ACTION_FLAGS: Record<Action, readonly Flag[]> = {
  list: ['source', 'registration'],
  show: ['payload'],
  retry: ['all', 'source', 'registration', 'url', 'insecure', 'secret', 'secret-file'],
  purge: ['all', 'yes', 'source', 'registration'],
};
const SELECTION_FLAGS: readonly Flag[] = ['source', 'registration'];

export const deadLettersCommand: CliCommand = {
  name: 'dead-letters',
  summary: 'List, show, retry or purge the dead letters kept in Redis',
  usage: USAGE,
  run: deadLetters,
};

type Values = ReturnType<typeof parseCommandArgs<typeof OPTIONS>>['values'];

async function deadLetters(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, OPTIONS, true);
  const [action, ...ids] = positionals;
  if (!isAction(action)) {
    throw new CliUsageError(
      action ? `unknown action '${action}': use list, show, retry or purge` : 'name an action: list, show, retry or purge',
    );
  }
  checkFlags(action, values);
  checkIds(action, ids, values);
  const filter: DeadLetterFilter = { sources: parseSources(values.source), registration: values.registration };
  const location = parseLocation(values);
  const endpoint = action === 'retry' && values.url !== undefined ? parseEndpointUrl(values.url, { insecure: values.insecure }) : undefined;
  if (action === 'retry' && !endpoint && ids.some((id) => sourceOfId(id) === 'store')) throw missingEndpoint();
  const target = redisTargetFrom(values['redis-url'], io.env);

  const client = await connectRedis(target);
  const deadLetterStore = new RedisDeadLetters(client, location, (text) => io.stderr(`${toTerminalLine(text)}\n`));
  try {
    // A queue left out of --source all for want of bullmq is noted; asked for, it is an error.
    const optionalQueue = values.source === undefined || values.source === 'all';
    const run: Run = { io, values, deadLetters: deadLetterStore, location };
    switch (action) {
      case 'list':
        return list(run, await deadLetterStore.list(filter, optionalQueue));
      case 'show':
        return await show(run, ids[0]);
      case 'retry': {
        const chosen = values.all ? (await deadLetterStore.list(filter, optionalQueue)).map((letter) => letter.id) : ids;
        return await retry(run, chosen, endpoint);
      }
      case 'purge': {
        const chosen = values.all ? (await deadLetterStore.list(filter, optionalQueue)).map((letter) => letter.id) : ids;
        return await purge(run, chosen);
      }
    }
  } finally {
    await deadLetterStore.close();
    await closeRedis(client);
  }
}

interface Run {
  io: CliIo;
  values: Values;
  deadLetters: RedisDeadLetters;
  location: DeadLetterLocation;
}

function isAction(action: string | undefined): action is Action {
  return action !== undefined && Object.hasOwn(ACTION_FLAGS, action);
}

function checkFlags(action: Action, values: Values): void {
  for (const flag of Object.keys(values) as Flag[]) {
    if (CONNECTION_FLAGS.includes(flag) || ACTION_FLAGS[action].includes(flag)) continue;
    const takers = (Object.keys(ACTION_FLAGS) as Action[]).filter((other) => ACTION_FLAGS[other].includes(flag));
    throw new CliUsageError(`${action} takes no --${flag} (it is for ${takers.join(' and ')})`);
  }
}

function checkIds(action: Action, ids: string[], values: Values): void {
  if (action === 'list') {
    if (ids.length > 0) throw new CliUsageError(`list takes no arguments (got '${ids.join(' ')}'): show <id> shows one`);
    return;
  }
  if (action === 'show') {
    if (ids.length !== 1) throw new CliUsageError(`show needs one dead letter id ('dead-letters list' lists them)`);
    return;
  }
  if (values.all && ids.length > 0) throw new CliUsageError(`${action} takes ids or --all, not both`);
  if (!values.all && ids.length === 0) {
    throw new CliUsageError(`${action} needs dead letter ids ('dead-letters list' lists them), or --all`);
  }
  if (!values.all) {
    const selection = SELECTION_FLAGS.find((flag) => values[flag] !== undefined);
    if (selection) throw new CliUsageError(`--${selection} chooses what --all takes: not with ids`);
  }
  if (action === 'purge' && values.all && !values.yes) {
    throw new CliUsageError('purge --all deletes every dead letter chosen for good: add --yes to confirm');
  }
  if (ids.some((id) => id === '')) throw new CliUsageError('a dead letter id cannot be empty');
}

function parseSources(source: string | undefined): ReadonlySet<DeadLetterSource> {
  if (source === undefined || source === 'all') return new Set(['queue', 'store']);
  if (source === 'queue' || source === 'store') return new Set([source]);
  throw new CliUsageError(`--source must be queue, store or all (got '${source}')`);
}

function parseLocation(values: Values): DeadLetterLocation {
  const queueName = values.queue ?? DEFAULT_QUEUE_NAME;
  if (queueName.trim() === '' || queueName.includes(':'))
    throw new CliUsageError(`--queue must be a queue name without ':' (got '${queueName}')`);
  const queuePrefix = values['queue-prefix'];
  if (queuePrefix !== undefined && queuePrefix.trim() === '') throw new CliUsageError('--queue-prefix cannot be empty');
  const keyPrefix = values['key-prefix'] ?? DEFAULT_KEY_PREFIX;
  if (keyPrefix.trim() === '') throw new CliUsageError('--key-prefix cannot be empty');
  return { queueName, queuePrefix, keyPrefix };
}

/** A dead letter without its event, the body as received or anything else that may carry personal data. */
function summary(letter: FoundDeadLetter): ComplyCubeDeadLetter {
  const { event, rawBody, failedReason, ...rest } = letter;
  return rest;
}

/** The registration as people name it: its name, else its path. */
function registrationOf(letter: ComplyCubeDeadLetter): string {
  return letter.registration ?? `/${letter.scope}`;
}

function failingHandlers(letter: ComplyCubeDeadLetter): string {
  const keys = new Set(letter.failures.at(-1)?.handlers.map((handler) => handler.handlerKey) ?? []);
  return keys.size > 0 ? [...keys].join(', ') : '-';
}

function list({ io, values }: Run, letters: FoundDeadLetter[]): number {
  if (values.json) {
    io.stdout(`${toTerminalJson(letters.map(summary), 2)}\n`);
    return 0;
  }
  if (letters.length === 0) {
    io.stdout('No dead letters.\n');
    return 0;
  }
  const rows = letters.map((letter) =>
    [
      letter.id,
      letter.source,
      registrationOf(letter),
      letter.eventType,
      letter.eventId,
      String(letter.attempts),
      letter.deadLetteredAt,
      failingHandlers(letter),
    ].map((cell) => toTerminalLine(String(cell))),
  );
  io.stdout(
    `${formatTable(['ID', 'SOURCE', 'REGISTRATION', 'EVENT TYPE', 'EVENT ID', 'ATTEMPTS', 'DEAD-LETTERED AT', 'FAILING HANDLERS'], rows)}\n`,
  );
  return 0;
}

/** Where a dead letter with this id would be: said when there is none. */
function whereItWouldBe(id: string, location: DeadLetterLocation): string {
  return sourceOfId(id) === 'queue'
    ? `among the failed jobs of queue '${location.queueName}'`
    : `in the idempotency store (key prefix '${location.keyPrefix}')`;
}

async function show({ io, values, deadLetters: store, location }: Run, id: string): Promise<number> {
  const letter = await store.get(id);
  if (!letter) throw new CliUsageError(`no dead letter '${id}' ${whereItWouldBe(id, location)}`, 1);
  if (values.json) {
    const shown = values.payload ? letter : { ...summary(letter), ...(letter.failedReason ? { failedReason: letter.failedReason } : {}) };
    io.stdout(`${toTerminalJson(shown, 2)}\n`);
    return 0;
  }
  const lines = [
    `Dead letter ${letter.id}`,
    `  kept in:          ${letter.source === 'queue' ? `queue '${location.queueName}' (a failed BullMQ job)` : 'the idempotency store'}`,
    `  registration:     ${letter.registration ?? `unnamed, at /${letter.scope}`}`,
    `  event:            ${letter.eventType} ${letter.eventId}`,
    `  attempts:         ${letter.attempts}`,
    ...(letter.receivedAt ? [`  received at:      ${letter.receivedAt}`] : []),
    `  dead-lettered at: ${letter.deadLetteredAt}`,
  ];
  if (letter.failures.length > 0) {
    lines.push('Failed attempts (the last ones, oldest first):');
    for (const failure of letter.failures) {
      lines.push(`  attempt ${failure.attempt} at ${failure.at}: ${failure.outcome}`);
      for (const handler of failure.handlers) lines.push(`    ${handler.handlerKey}: ${handler.error}`);
    }
  }
  if (letter.failedReason) lines.push(`Last failed reason (BullMQ): ${letter.failedReason}`);
  const text = lines.map(toTerminalLine);
  if (values.payload) {
    text.push('Event:', toTerminalJson(letter.event, 2));
    if (letter.rawBody !== undefined) text.push('Body as received:', toTerminalLines(letter.rawBody));
  } else {
    text.push('The event is not shown (it holds personal data): add --payload to see it.');
  }
  io.stdout(`${text.join('\n')}\n`);
  return 0;
}

/** What a retry of one dead letter did. */
interface RetryResult {
  id: string;
  source: DeadLetterSource;
  /**
   * `queued`: its job runs again; `delivered`: the endpoint answered 2xx and the dead letter was
   * deleted; `dead-lettered-again`: the endpoint ran the handlers and set the event aside again;
   * `failed`: another answer or none; `not-found`: no such dead letter.
   */
  outcome: 'queued' | 'delivered' | 'dead-lettered-again' | 'failed' | 'not-found';
  /** The endpoint's answer, on one line (store only). */
  response?: string;
  /** Why it could not be sent (store only). */
  error?: string;
}

function missingEndpoint(): CliUsageError {
  return new CliUsageError(
    'a dead letter kept in the idempotency store is retried by sending its event to your endpoint: give --url https://your.app/webhooks/complycube (and the secret)',
  );
}

const RETRIED: ReadonlySet<RetryResult['outcome']> = new Set(['queued', 'delivered']);

async function retry(run: Run, ids: string[], endpoint: URL | undefined): Promise<number> {
  const { io, values } = run;
  if (ids.length === 0) {
    io.stdout(values.json ? '[]\n' : 'No dead letters to retry.\n');
    return 0;
  }
  let secret = '';
  if (ids.some((id) => sourceOfId(id) === 'store')) {
    if (!endpoint) throw missingEndpoint();
    secret = await resolveSecret(values, io);
  }
  const results: RetryResult[] = [];
  for (const id of ids) {
    const result = sourceOfId(id) === 'queue' ? await retryJob(run, id) : await resend(run, id, endpoint!, secret);
    results.push(result);
    if (!values.json) io.stdout(`${toTerminalLine(`${id}: ${describeRetry(result, run.location)}`)}\n`);
  }
  const retried = results.filter((result) => RETRIED.has(result.outcome)).length;
  if (values.json) io.stdout(`${toTerminalJson(results, 2)}\n`);
  else if (results.length > 1)
    io.stdout(`${results.length} dead letters: ${retried} retried${retried < results.length ? `, ${results.length - retried} not` : ''}\n`);
  return retried === results.length ? 0 : 1;
}

async function retryJob({ deadLetters: store }: Run, id: string): Promise<RetryResult> {
  return { id, source: 'queue', outcome: (await store.retryJob(id)) ? 'queued' : 'not-found' };
}

/** Sends a store's dead letter to the endpoint, as ComplyCube would resend it, and deletes it once the endpoint took it. */
async function resend({ deadLetters: store }: Run, id: string, endpoint: URL, secret: string): Promise<RetryResult> {
  const letter = await store.get(id);
  if (!letter) return { id, source: 'store', outcome: 'not-found' };
  let response;
  try {
    response = await postToEndpoint(endpoint, letter.rawBody ?? JSON.stringify(letter.event), secret);
  } catch (error) {
    if (error instanceof CliUsageError) return { id, source: 'store', outcome: 'failed', error: error.message };
    throw error;
  }
  const answer = describeResponse(response, secret);
  if (!isSuccess(response)) return { id, source: 'store', outcome: 'failed', response: answer };
  // The handlers failed again: the endpoint kept the event as a dead letter once more, under the same id.
  if (saysDeadLettered(response.text)) return { id, source: 'store', outcome: 'dead-lettered-again', response: answer };
  await store.deleteStored(id);
  return { id, source: 'store', outcome: 'delivered', response: answer };
}

function saysDeadLettered(text: string): boolean {
  try {
    const body: unknown = JSON.parse(text);
    return isJsonObject(body) && body.deadLettered === true;
  } catch {
    return false;
  }
}

function describeRetry(result: RetryResult, location: DeadLetterLocation): string {
  switch (result.outcome) {
    case 'queued':
      return 'queued again, with a fresh set of attempts';
    case 'delivered':
      return `sent, answered ${result.response}; dead letter deleted`;
    case 'dead-lettered-again':
      return `sent, answered ${result.response}: its handlers failed again, so it is still a dead letter`;
    case 'failed':
      return `${result.error ?? `sent, answered ${result.response}`}; dead letter kept`;
    case 'not-found':
      return `no such dead letter ${whereItWouldBe(result.id, location)}`;
  }
}

async function purge({ io, values, deadLetters: store, location }: Run, ids: string[]): Promise<number> {
  if (ids.length === 0) {
    io.stdout(values.json ? '[]\n' : 'No dead letters to purge.\n');
    return 0;
  }
  const results: Array<{ id: string; purged: boolean }> = [];
  for (const id of ids) {
    const purged = await store.purge(id);
    results.push({ id, purged });
    if (!values.json)
      io.stdout(`${toTerminalLine(`${id}: ${purged ? 'deleted' : `no such dead letter ${whereItWouldBe(id, location)}`}`)}\n`);
  }
  const purged = results.filter((result) => result.purged).length;
  if (values.json) io.stdout(`${toTerminalJson(results, 2)}\n`);
  else if (results.length > 1) io.stdout(`${purged} of ${results.length} dead letters deleted\n`);
  return purged === results.length ? 0 : 1;
}
