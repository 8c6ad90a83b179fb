import { Logger } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { Redis } from 'ioredis';
import { ComplyCubeDeadLetter, ComplyCubeWebhookModule, RedisIdempotencyStore } from 'nestjs-complycube-webhooks';
import { join } from 'node:path';
import { runCli } from '../../lib/cli/main';
import { DeliveryJournal, RejectedCheckHandlers } from '../src/delivery-handlers';
import { startTestApp, TestApp } from '../utils/app';
import { CliResult, runCliProcess } from '../utils/cli-process';
import { hexId, makeEvent } from '../utils/events';
import { hmacHex, postWebhook } from '../utils/http';
import { describeWithRedis, RedisServer } from '../utils/redis-server';
import { waitFor } from '../utils/wait';

const SECRET = 'whsec_cli_dead_letters_secret';
const REDIS_PASSWORD = 'redis-pass-4f9c2e71';
/** Personal data in every event's payload: only `show --payload` may print it. */
const EMAIL = 'ada.lovelace@example.com';
const HIDE_MODULES = join(__dirname, '..', 'src', 'hide-modules.js');

interface DeadLetterApp {
  server: TestApp;
  journal: DeliveryJournal;
  deadLetters: ComplyCubeDeadLetter[];
}

describeWithRedis('complycube-webhooks dead-letters against a real redis-server', () => {
  let redis: RedisServer;
  let redisUrl: string;
  let client: Redis;
  let queueName: string;
  let keyPrefix: string;
  /** In queue mode, registration 'live', `attempts: 1`. */
  let queueApp: DeadLetterApp;
  /** Without a queue, unnamed (at webhooks/complycube), `deadLetters: { afterFailedDeliveries: 1 }`. */
  let storeApp: DeadLetterApp;
  const outputs: CliResult[] = [];

  beforeAll(async () => {
    redis = await RedisServer.start(['--requirepass', REDIS_PASSWORD]);
    redisUrl = `redis://:${REDIS_PASSWORD}@127.0.0.1:${redis.port}`;
    client = new Redis(redisUrl);
  });
  afterAll(async () => {
    client.disconnect();
    await redis.stop();
    Logger.flush();
  });

  async function startApp(options: Partial<Parameters<typeof ComplyCubeWebhookModule.forRoot>[0]>): Promise<DeadLetterApp> {
    const journal = new DeliveryJournal();
    const deadLetters: ComplyCubeDeadLetter[] = [];
    const server = await startTestApp({
      adapter: 'express',
      imports: [
        EventEmitterModule.forRoot(),
        ComplyCubeWebhookModule.forRoot({
          secret: SECRET,
          idempotency: { store: new RedisIdempotencyStore({ client, keyPrefix }) },
          onDeadLetter: (deadLetter) => void deadLetters.push(deadLetter),
          ...options,
        }),
      ],
      providers: [{ provide: DeliveryJournal, useValue: journal }, RejectedCheckHandlers],
    });
    return { server, journal, deadLetters };
  }

  beforeEach(async () => {
    outputs.length = 0;
    queueName = `dead-letters-${hexId()}`;
    keyPrefix = `cli-${hexId()}`;
    queueApp = await startApp({ name: 'live', queue: { connection: client, name: queueName, attempts: 1 } });
    storeApp = await startApp({ deadLetters: { afterFailedDeliveries: 1 } });
  });
  afterEach(async () => {
    await Promise.all([queueApp.server.close(), storeApp.server.close()]);
    for (const { stdout, stderr } of outputs) {
      // The Redis password never shows, nor a stack trace.
      expect(`${stdout}${stderr}`).not.toContain(REDIS_PASSWORD);
      expect(stderr).not.toMatch(/^\s+at /m);
    }
  });

  /** A dead letter in the queue: its job failed its only attempt. Returns the event. */
  async function queueDeadLetter(): Promise<Record<string, any>> {
    const event = makeEvent('check.completed.rejected', { email: EMAIL });
    queueApp.journal.failNext('openCase');
    const before = queueApp.deadLetters.length;
    expect((await postWebhook(queueApp.server.url(), event, { secret: SECRET })).json).toEqual({ received: true, queued: true });
    await waitFor('the job to become a dead letter', () => queueApp.deadLetters.length === before + 1);
    return event;
  }

  /** A dead letter in the idempotency store, its body as sent (indented, so not the event's JSON). Returns the event and body. */
  async function storeDeadLetter(): Promise<{ event: Record<string, any>; body: string }> {
    const event = makeEvent('check.completed.rejected', { email: EMAIL });
    const body = JSON.stringify(event, null, 2);
    storeApp.journal.failNext('openCase');
    const response = await postWebhook(storeApp.server.url(), body, { signature: hmacHex(body, SECRET) });
    expect(response.json).toEqual({ received: true, deadLettered: true });
    return { event, body };
  }

  const queueId = (event: Record<string, any>): string => `complycube/live/${event.id}`;
  const storeId = (event: Record<string, any>): string => `webhooks%2Fcomplycube:${event.id}`;

  /** Runs `complycube-webhooks <args>` in this process. */
  async function runInProcess(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
    let stdout = '';
    let stderr = '';
    const code = await runCli(args, {
      stdout: (text) => (stdout += text),
      stderr: (text) => (stderr += text),
      env: { REDIS_URL: redisUrl, ...env },
      readStdin: async () => Buffer.alloc(0),
    });
    const result = { code, stdout, stderr };
    outputs.push(result);
    return result;
  }

  /** `complycube-webhooks dead-letters <args>` in this process, on the test's queue and key prefix (which args may override). */
  const cli = (args: string[], env: Record<string, string> = {}): Promise<CliResult> =>
    runInProcess(['dead-letters', '--queue', queueName, '--key-prefix', keyPrefix, ...args], env);

  /** The same as a child process, as a user runs it: it must also exit by itself, its connections closed. */
  async function cliProcess(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
    const result = await runCliProcess(['dead-letters', '--queue', queueName, '--key-prefix', keyPrefix, ...args], {
      REDIS_URL: redisUrl,
      ...env,
    });
    outputs.push(result);
    return result;
  }

  function expectOneErrorLine(result: CliResult, code: number, message: RegExp): void {
    expect(result.code).toBe(code);
    const lines = result.stderr.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
  }

  const listedIds = async (...args: string[]): Promise<string[]> =>
    (JSON.parse((await cli(['list', '--json', ...args])).stdout) as ComplyCubeDeadLetter[]).map((letter) => letter.id);

  describe('list', () => {
    it('prints both kinds in a table, oldest first, without the payload (as a child process that exits by itself)', async () => {
      const queued = await queueDeadLetter();
      const { event: stored } = await storeDeadLetter();
      const run = await cliProcess(['list']);
      expect(run.code).toBe(0);
      expect(run.stderr).toBe('');
      const lines = run.stdout.trimEnd().split('\n');
      expect(lines[0]).toMatch(/^ID\s+SOURCE\s+REGISTRATION\s+EVENT TYPE\s+EVENT ID\s+ATTEMPTS\s+DEAD-LETTERED AT\s+FAILING HANDLERS$/);
      expect(lines.slice(1)).toEqual([
        expect.stringMatching(
          new RegExp(
            `^${queueId(queued)}\\s+queue\\s+live\\s+check\\.completed\\.rejected\\s+${queued.id}\\s+1\\s+\\d{4}-\\d\\d-\\d\\dT\\S+Z\\s+RejectedCheckHandlers\\.openCase$`,
          ),
        ),
        expect.stringMatching(
          new RegExp(
            `^${storeId(stored)}\\s+store\\s+/webhooks/complycube\\s+check\\.completed\\.rejected\\s+${stored.id}\\s+1\\s+\\S+Z\\s+RejectedCheckHandlers\\.openCase$`,
          ),
        ),
      ]);
      expect(run.stdout).not.toContain(EMAIL);
    });

    it('prints JSON for scripts with --json: the dead letters without their events', async () => {
      const queued = await queueDeadLetter();
      const { event: stored } = await storeDeadLetter();
      const run = await cli(['list', '--json']);
      expect(run.code).toBe(0);
      const letters = JSON.parse(run.stdout) as ComplyCubeDeadLetter[];
      expect(letters).toEqual([
        expect.objectContaining({
          id: queueId(queued),
          source: 'queue',
          registration: 'live',
          scope: 'live',
          eventId: queued.id,
          eventType: 'check.completed.rejected',
          attempts: 1,
        }),
        expect.objectContaining({ id: storeId(stored), source: 'store', scope: 'webhooks/complycube', eventId: stored.id, attempts: 1 }),
      ]);
      for (const letter of letters) {
        expect(letter).not.toHaveProperty('event');
        expect(letter).not.toHaveProperty('rawBody');
        expect(letter.failures.at(-1)?.handlers).toEqual([
          { handlerKey: 'RejectedCheckHandlers.openCase', error: 'Error: openCase failed on purpose' },
        ]);
      }
      expect(run.stdout).not.toContain(EMAIL);
    });

    it('filters by --source and --registration (a name, or an unnamed registration’s path)', async () => {
      const queued = await queueDeadLetter();
      const { event: stored } = await storeDeadLetter();
      expect(await listedIds('--source', 'queue')).toEqual([queueId(queued)]);
      expect(await listedIds('--source', 'store')).toEqual([storeId(stored)]);
      expect(await listedIds('--source', 'all')).toEqual([queueId(queued), storeId(stored)]);
      expect(await listedIds('--registration', 'live')).toEqual([queueId(queued)]);
      expect(await listedIds('--registration', 'webhooks/complycube')).toEqual([storeId(stored)]);
      expect(await listedIds('--registration', '/webhooks/complycube')).toEqual([storeId(stored)]);
      expect(await listedIds('--registration', 'sandbox')).toEqual([]);
      expect((await cli(['list', '--registration', 'sandbox'])).stdout).toBe('No dead letters.\n');
    });

    it('reads the queue under its BullMQ prefix (--queue-prefix) and the store under its key prefix', async () => {
      await queueApp.server.close();
      const prefix = `prefix-${hexId()}`;
      queueApp = await startApp({ name: 'live', queue: { connection: client, name: queueName, prefix, attempts: 1 } });
      const queued = await queueDeadLetter();
      expect(await listedIds('--source', 'queue')).toEqual([]);
      expect(await listedIds('--source', 'queue', '--queue-prefix', prefix)).toEqual([queueId(queued)]);
      const { event: stored } = await storeDeadLetter();
      expect(await listedIds('--source', 'store', '--key-prefix', `other-${hexId()}`)).toEqual([]);
      expect(await listedIds('--source', 'store')).toEqual([storeId(stored)]);
    });

    it('prints what comes from Redis without terminal control characters', async () => {
      const store = new RedisIdempotencyStore({ client, keyPrefix });
      const id = `webhooks%2Fcomplycube:${hexId()}`;
      const hostile = {
        id,
        source: 'store',
        scope: 'webhooks/complycube',
        eventId: 'evil\u001b[2J\u001b]0;pwned\u0007',
        eventType: 'check.completed\u001b[31m.rejected\u009b2J',
        attempts: 1,
        failures: [
          {
            attempt: 1,
            at: new Date().toISOString(),
            outcome: 'failed',
            handlers: [{ handlerKey: 'A.b\r\nFAKE', error: 'boom\u001b[1A' }],
          },
        ],
        deadLetteredAt: new Date().toISOString(),
        event: { id: 'x', type: 'check.completed.rejected', payload: { note: 'bell\u0007 csi\u009b1m' } },
        rawBody: '{"note":"csi\u009b1m"}',
      };
      await store.saveDeadLetter(id, JSON.stringify(hostile), 60_000);
      // And one written in another shape (another version of the package): shown as far as it goes.
      const sparse = `webhooks%2Fcomplycube:${hexId()}`;
      await store.saveDeadLetter(
        sparse,
        JSON.stringify({ id: sparse, eventId: 'sparse', event: { id: 'sparse' }, failures: 'none' }),
        60_000,
      );
      // eslint-disable-next-line no-control-regex -- looking for control characters is the point
      const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;
      const table = await cli(['list']);
      expect(table.code).toBe(0);
      expect(table.stdout).not.toMatch(CONTROL);
      expect(table.stdout.trimEnd().split('\n')).toHaveLength(3);
      expect((await cli(['show', sparse])).code).toBe(0);
      const shown = await cli(['show', id, '--payload']);
      expect(shown.code).toBe(0);
      expect(shown.stdout).not.toMatch(CONTROL);
      expect(shown.stdout).toContain('csi\\u009b1m');
      const json = await cli(['show', id, '--payload', '--json']);
      expect(json.stdout).not.toMatch(CONTROL);
      // Still the same JSON value: the control characters are escaped, not lost.
      expect(JSON.parse(json.stdout)).toMatchObject({ eventType: hostile.eventType, event: hostile.event, rawBody: hostile.rawBody });
    });
  });

  describe('show', () => {
    it('shows a queue dead letter and its failed attempts; the event only with --payload', async () => {
      const event = await queueDeadLetter();
      const run = await cli(['show', queueId(event)]);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`Dead letter ${queueId(event)}`);
      expect(run.stdout).toContain(`kept in:          queue '${queueName}' (a failed BullMQ job)`);
      expect(run.stdout).toContain('registration:     live');
      expect(run.stdout).toContain(`event:            check.completed.rejected ${event.id}`);
      expect(run.stdout).toMatch(/attempt 1 at \S+Z: failed\n {4}RejectedCheckHandlers\.openCase: Error: openCase failed on purpose\n/);
      expect(run.stdout).toContain('add --payload to see it');
      expect(run.stdout).not.toContain(EMAIL);

      const withPayload = await cli(['show', queueId(event), '--payload']);
      expect(withPayload.code).toBe(0);
      expect(withPayload.stdout).toContain(EMAIL);
      const eventJson = withPayload.stdout.slice(withPayload.stdout.indexOf('Event:\n') + 'Event:\n'.length);
      expect(JSON.parse(eventJson)).toEqual(event);
    });

    it('shows a store dead letter; --payload adds the event and the body as received', async () => {
      const { event, body } = await storeDeadLetter();
      const run = await cli(['show', storeId(event)]);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('kept in:          the idempotency store');
      expect(run.stdout).toContain('registration:     unnamed, at /webhooks/complycube');
      expect(run.stdout).toContain('RejectedCheckHandlers.openCase: Error: openCase failed on purpose');
      expect(run.stdout).not.toContain(EMAIL);
      expect(run.stdout).not.toContain('Body as received');

      const withPayload = await cli(['show', storeId(event), '--payload']);
      expect(withPayload.stdout).toContain(EMAIL);
      expect(withPayload.stdout).toContain(`Body as received:\n${body}\n`);

      const json = JSON.parse((await cli(['show', storeId(event), '--json'])).stdout);
      expect(json).toMatchObject({ id: storeId(event), eventId: event.id });
      expect(json).not.toHaveProperty('event');
      expect(json).not.toHaveProperty('rawBody');
      const jsonWithPayload = JSON.parse((await cli(['show', storeId(event), '--json', '--payload'])).stdout);
      expect(jsonWithPayload).toMatchObject({ event, rawBody: body });
    });

    it('exits 1 with one line for an id that is no dead letter', async () => {
      const event = await queueDeadLetter();
      expectOneErrorLine(
        await cli(['show', `complycube/live/${hexId()}`]),
        1,
        /no dead letter 'complycube\/live\/\w+' among the failed jobs/,
      );
      expectOneErrorLine(await cli(['show', `webhooks%2Fcomplycube:${hexId()}`]), 1, /no dead letter .* in the idempotency store/);
      // Right id, wrong queue.
      expectOneErrorLine(await cli(['show', queueId(event), '--queue', `other-${hexId()}`]), 1, /no dead letter/);
      expect((await cli(['show', queueId(event)])).code).toBe(0);
    });
  });

  describe('retry', () => {
    it('runs a queue dead letter again in place: its job completes once the handler works, the other handler not rerun', async () => {
      const event = await queueDeadLetter();
      const run = await cli(['retry', queueId(event)]);
      expect(run.code).toBe(0);
      expect(run.stdout).toBe(`${queueId(event)}: queued again, with a fresh set of attempts\n`);
      await waitFor('the retried job to run the failed handler', () => queueApp.journal.successesOf(event.id).includes('openCase'));
      expect(queueApp.journal.startsOf(event.id)).toEqual(['openCase', 'openCase', 'sendEmail']);
      await waitFor('the job to leave the failed set', async () => (await listedIds('--source', 'queue')).length === 0);
      // It completed: a redelivery is a duplicate.
      expect((await postWebhook(queueApp.server.url(), event, { secret: SECRET })).json).toEqual({ received: true, duplicate: true });
      const again = await cli(['retry', queueId(event)]);
      expect(again.code).toBe(1);
      expect(again.stdout).toBe(`${queueId(event)}: no such dead letter among the failed jobs of queue '${queueName}'\n`);
    });

    it('re-sends a store dead letter, signed, byte for byte, and deletes it once the endpoint answers 2xx', async () => {
      const { event } = await storeDeadLetter();
      const run = await cli(['retry', storeId(event), '--url', storeApp.server.url()], { COMPLYCUBE_WEBHOOK_SECRET: SECRET });
      expect(run.code).toBe(0);
      expect(run.stdout).toBe(`${storeId(event)}: sent, answered 200 {"received":true}; dead letter deleted\n`);
      expect(storeApp.journal.startsOf(event.id)).toEqual(['openCase', 'openCase', 'sendEmail']);
      expect(await listedIds()).toEqual([]);
      expect(run.stdout + run.stderr).not.toContain(SECRET);
    });

    it('keeps a store dead letter whose handlers fail again (the endpoint set it aside anew), exit code 1', async () => {
      const { event } = await storeDeadLetter();
      storeApp.journal.failNext('openCase');
      const run = await cli(['retry', storeId(event), '--url', storeApp.server.url()], { COMPLYCUBE_WEBHOOK_SECRET: SECRET });
      expect(run.code).toBe(1);
      expect(run.stdout).toBe(
        `${storeId(event)}: sent, answered 200 {"received":true,"deadLettered":true}: its handlers failed again, so it is still a dead letter\n`,
      );
      expect(await listedIds()).toEqual([storeId(event)]);
    });

    it('keeps it when the endpoint refuses it (wrong secret) or cannot be reached', async () => {
      const { event } = await storeDeadLetter();
      const refused = await cli(['retry', storeId(event), '--url', storeApp.server.url()], { COMPLYCUBE_WEBHOOK_SECRET: 'not-the-secret' });
      expect(refused.code).toBe(1);
      expect(refused.stdout).toMatch(new RegExp(`^${storeId(event)}: sent, answered 401 .*; dead letter kept\\n$`));
      const unreachable = await cli(['retry', storeId(event), '--url', 'http://127.0.0.1:1/webhooks/complycube'], {
        COMPLYCUBE_WEBHOOK_SECRET: SECRET,
      });
      expect(unreachable.code).toBe(1);
      expect(unreachable.stdout).toMatch(/: cannot reach http:\/\/127\.0\.0\.1:1\/webhooks\/complycube: .*; dead letter kept\n$/);
      expect(await listedIds()).toEqual([storeId(event)]);
    });

    it('refuses a store retry without --url, before sending or changing anything', async () => {
      const { event } = await storeDeadLetter();
      for (const args of [
        ['retry', storeId(event)],
        ['retry', '--all'],
      ]) {
        expectOneErrorLine(
          await cli(args, { COMPLYCUBE_WEBHOOK_SECRET: SECRET }),
          2,
          /give --url https:\/\/your\.app\/webhooks\/complycube/,
        );
      }
      expect(await listedIds()).toEqual([storeId(event)]);
      expect(storeApp.journal.startsOf(event.id)).toEqual(['openCase', 'sendEmail']);
    });

    it('--all retries every dead letter of the selection and reports each', async () => {
      const queued = await queueDeadLetter();
      const { event: stored } = await storeDeadLetter();
      const run = await cli(['retry', '--all', '--url', storeApp.server.url()], { COMPLYCUBE_WEBHOOK_SECRET: SECRET });
      expect(run.code).toBe(0);
      expect(run.stdout.split('\n')).toEqual([
        `${queueId(queued)}: queued again, with a fresh set of attempts`,
        `${storeId(stored)}: sent, answered 200 {"received":true}; dead letter deleted`,
        '2 dead letters: 2 retried',
        '',
      ]);
      await waitFor('the queue dead letter to be handled', () => queueApp.journal.successesOf(queued.id).length === 2);
      expect(storeApp.journal.successesOf(stored.id)).toEqual(['openCase', 'sendEmail']);
      await waitFor('no dead letter left', async () => (await listedIds()).length === 0);
      expect((await cli(['retry', '--all', '--json'])).stdout).toBe('[]\n');
    });

    it('--all --source queue retries only the queue, needing no --url; --json reports each', async () => {
      const queued = await queueDeadLetter();
      const { event: stored } = await storeDeadLetter();
      const run = await cli(['retry', '--all', '--source', 'queue', '--json']);
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout)).toEqual([{ id: queueId(queued), source: 'queue', outcome: 'queued' }]);
      expect(await listedIds('--source', 'store')).toEqual([storeId(stored)]);
    });
  });

  describe('purge', () => {
    it('deletes one dead letter of each kind; a second purge finds nothing (exit 1)', async () => {
      const queued = await queueDeadLetter();
      const { event: stored } = await storeDeadLetter();
      const run = await cli(['purge', queueId(queued), storeId(stored)]);
      expect(run.code).toBe(0);
      expect(run.stdout).toBe(`${queueId(queued)}: deleted\n${storeId(stored)}: deleted\n2 of 2 dead letters deleted\n`);
      expect(await listedIds()).toEqual([]);
      const again = await cli(['purge', storeId(stored)]);
      expect(again.code).toBe(1);
      expect(again.stdout).toBe(`${storeId(stored)}: no such dead letter in the idempotency store (key prefix '${keyPrefix}')\n`);
      // The job is gone: a redelivery of the event is stored again.
      expect((await postWebhook(queueApp.server.url(), queued, { secret: SECRET })).json).toEqual({ received: true, queued: true });
    });

    it('--all needs --yes, and then deletes every dead letter of the selection', async () => {
      const queued = await queueDeadLetter();
      const { event: stored } = await storeDeadLetter();
      expectOneErrorLine(await cli(['purge', '--all']), 2, /purge --all deletes every dead letter chosen for good: add --yes to confirm/);
      expect(await listedIds()).toEqual([queueId(queued), storeId(stored)]);
      const run = await cli(['purge', '--all', '--yes', '--registration', 'live', '--json']);
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout)).toEqual([{ id: queueId(queued), purged: true }]);
      expect(await listedIds()).toEqual([storeId(stored)]);
      expect((await cli(['purge', '--all', '--yes'])).code).toBe(0);
      expect(await listedIds()).toEqual([]);
    });
  });

  describe('usage and failures', () => {
    it.each<[string, string[], RegExp]>([
      ['no action', [], /name an action: list, show, retry or purge/],
      ['an unknown action', ['replay'], /unknown action 'replay'/],
      ['show without an id', ['show'], /show needs one dead letter id/],
      ['list with an id', ['list', 'x'], /list takes no arguments/],
      ['a flag of another action', ['list', '--payload'], /list takes no --payload \(it is for show\)/],
      ['--yes outside purge', ['retry', '--all', '--yes'], /retry takes no --yes/],
      ['retry without ids', ['retry'], /retry needs dead letter ids .* or --all/],
      ['ids and --all', ['purge', 'a:b', '--all', '--yes'], /purge takes ids or --all, not both/],
      ['a selection with ids', ['purge', 'a:b', '--registration', 'live'], /--registration chooses what --all takes: not with ids/],
      ['a bad --source', ['list', '--source', 'disk'], /--source must be queue, store or all \(got 'disk'\)/],
      ['an unknown flag', ['list', '--verbose'], /unknown option '--verbose'/],
      ['a queue name with a colon', ['list', '--queue', 'a:b'], /--queue must be a queue name without ':'/],
      ['a bad --url for a retry', ['retry', 'a:b', '--url', 'http://example.com/hook'], /refusing plain http:\/\/ to example\.com/],
    ])('exits 2 with one line for %s', async (_name, args, message) => {
      const run = await runInProcess(['dead-letters', ...args]);
      expectOneErrorLine(run, 2, message);
      expect(run.stdout).toBe('');
    });

    it('needs a Redis URL, and never repeats the password of a bad one', async () => {
      expectOneErrorLine(await cli(['list'], { REDIS_URL: '' }), 2, /no Redis: set REDIS_URL or pass --redis-url/);
      const bad = await cli(['list', '--redis-url', `http://:${REDIS_PASSWORD}@127.0.0.1:${redis.port}`]);
      expectOneErrorLine(bad, 2, /--redis-url must be a redis:\/\/ or rediss:\/\/ URL \(got http:\/\/\.\.\.\)\./);
    });

    it('says in one line, exit code 5, when Redis is unreachable or refuses the password, never printing it', async () => {
      const gone = await RedisServer.start();
      await gone.stop();
      const unreachable = await cliProcess(['list'], { REDIS_URL: `redis://:${REDIS_PASSWORD}@127.0.0.1:${gone.port}` });
      expectOneErrorLine(
        unreachable,
        5,
        new RegExp(
          `^complycube-webhooks dead-letters: cannot reach Redis at redis://\\*\\*\\*@127\\.0\\.0\\.1:${gone.port}: .*ECONNREFUSED`,
        ),
      );
      const refused = await cli(['list', '--redis-url', `redis://:wrong-${REDIS_PASSWORD}@127.0.0.1:${redis.port}`]);
      expectOneErrorLine(refused, 5, /cannot reach Redis at redis:\/\/\*\*\*@127\.0\.0\.1:\d+: WRONGPASS/);
      expect(refused.stderr).not.toContain(`wrong-${REDIS_PASSWORD}`);
    });

    // Two child processes, each compiling the CLI with ts-node: more than the default 30 s on a busy machine.
    it('without bullmq, lists the store alone with a note, and refuses the queue with what to install', async () => {
      const { event } = await storeDeadLetter();
      const env = { NODE_OPTIONS: `--require ${HIDE_MODULES}`, HIDDEN_MODULES: 'bullmq' };
      const all = await cliProcess(['list', '--json'], env);
      expect(all.code).toBe(0);
      expect((JSON.parse(all.stdout) as ComplyCubeDeadLetter[]).map((letter) => letter.id)).toEqual([storeId(event)]);
      expect(all.stderr).toBe(
        "note: reading the queue's dead letters needs the 'bullmq' package: run npm install bullmq; showing only the dead letters kept in the idempotency store.\n",
      );
      expectOneErrorLine(await cliProcess(['list', '--source', 'queue'], env), 2, /needs the 'bullmq' package: run npm install bullmq\.$/);
    }, 60_000);

    it('without ioredis, says what to install', async () => {
      const run = await cliProcess(['list'], { NODE_OPTIONS: `--require ${HIDE_MODULES}`, HIDDEN_MODULES: 'ioredis' });
      expectOneErrorLine(
        run,
        2,
        /^complycube-webhooks dead-letters: reading dead letters in Redis needs the 'ioredis' package: run npm install ioredis\.$/,
      );
    });

    it('documents itself in --help and in the command list', async () => {
      const help = await cli(['--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(/^Usage: complycube-webhooks dead-letters <list\|show\|retry\|purge>/);
      for (const flag of [
        '--redis-url',
        '--queue',
        '--queue-prefix',
        '--key-prefix',
        '--source',
        '--registration',
        '--payload',
        '--all',
        '--yes',
        '--url',
        '--json',
      ]) {
        expect(help.stdout).toContain(flag);
      }
      const overview = (await runInProcess(['--help'])).stdout;
      expect(overview).toMatch(/^\s+dead-letters\s+List, show, retry or purge the dead letters kept in Redis$/m);
    });
  });
});
