import { Logger } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { Redis } from 'ioredis';
import { ComplyCubeDeadLetter, ComplyCubeWebhookModule, RedisIdempotencyStore } from 'nestjs-complycube-webhooks';
import { DeliveryJournal, RejectedCheckHandlers } from '../src/delivery-handlers';
import { startTestApp, TestApp } from '../utils/app';
import { CliResult, runCliProcess } from '../utils/cli-process';
import { hexId, makeEvent } from '../utils/events';
import { FakeComplyCubeApi } from '../utils/fake-complycube-api';
import { postWebhook } from '../utils/http';
import { describeWithRedis, RedisServer } from '../utils/redis-server';
import { waitFor } from '../utils/wait';

// Each test runs the CLI from the sources in child processes, a few seconds each on a busy machine.
jest.setTimeout(90_000);

const SECRET = 'whsec_doctor_secret';
const PASSWORD = 'doctor-redis-pw-5b1e';
const ENDPOINT = 'https://app.example.com/webhooks/complycube';
const PASSWORD_FLAG_WARNING =
  'warning: a password given in --redis-url is shown to other users by ps and kept in shell history; prefer $REDIS_URL\n';

describeWithRedis('complycube-webhooks doctor --redis-url, as a child process against a real redis-server', () => {
  const servers: RedisServer[] = [];
  const outputs: CliResult[] = [];

  afterEach(() => {
    for (const { stdout, stderr } of outputs.splice(0)) {
      expect(`${stdout}${stderr}`).not.toContain(PASSWORD);
      expect(stderr).not.toMatch(/^\s+at /m);
    }
  });
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
    Logger.flush();
  });

  async function redisServer(args: string[] = []): Promise<RedisServer> {
    const server = await RedisServer.start(args);
    servers.push(server);
    return server;
  }

  async function doctor(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
    const result = await runCliProcess(['doctor', ...args], env);
    outputs.push(result);
    return result;
  }

  const withPassword = (server: RedisServer, password = PASSWORD): string => `redis://:${password}@127.0.0.1:${server.port}`;

  describe('on the Redis of an app with dead letters in its queue and in its store', () => {
    let server: RedisServer;
    let app: TestApp;
    const queueName = `events-${hexId()}`;
    const keyPrefix = `records-${hexId()}`;

    beforeAll(async () => {
      server = await redisServer(['--requirepass', PASSWORD]);
      const journal = new DeliveryJournal();
      const deadLetters: ComplyCubeDeadLetter[] = [];
      const store = (): RedisIdempotencyStore => new RedisIdempotencyStore({ url: withPassword(server), keyPrefix });
      app = await startTestApp({
        adapter: 'express',
        imports: [
          EventEmitterModule.forRoot(),
          ComplyCubeWebhookModule.forRoot({
            name: 'queued',
            secret: SECRET,
            idempotency: { store: store() },
            queue: { connection: { host: '127.0.0.1', port: server.port, password: PASSWORD }, name: queueName, attempts: 1 },
            onDeadLetter: (letter) => void deadLetters.push(letter),
          }),
          ComplyCubeWebhookModule.forRoot({
            name: 'direct',
            path: 'webhooks/direct',
            secret: SECRET,
            idempotency: { store: store() },
            deadLetters: { afterFailedDeliveries: 1 },
            onDeadLetter: (letter) => void deadLetters.push(letter),
          }),
        ],
        providers: [{ provide: DeliveryJournal, useValue: journal }, RejectedCheckHandlers],
      });
      journal.failNext('openCase', 2);
      await postWebhook(app.url(), makeEvent('check.completed.rejected'), { secret: SECRET });
      await waitFor('the queued event to become a dead letter', () => deadLetters.length === 1);
      const direct = await postWebhook(app.url('webhooks/direct'), makeEvent('check.completed.rejected'), { secret: SECRET });
      expect(direct.json).toEqual({ received: true, deadLettered: true });
      await waitFor('the direct event to become a dead letter', () => deadLetters.length === 2);
      expect(deadLetters.map((letter) => letter.source).sort()).toEqual(['queue', 'store']);
    });
    afterAll(() => app.close());

    it('counts the jobs and both kinds of dead letters, warns about them, and exits 0', async () => {
      const { code, stdout, stderr } = await doctor(['--queue', queueName, '--key-prefix', keyPrefix], { REDIS_URL: withPassword(server) });
      expect([code, stderr]).toEqual([0, '']);
      expect(stdout.trimEnd().split('\n')).toEqual([
        `Redis redis://***@127.0.0.1:${server.port}: answers, maxmemory-policy noeviction`,
        `  queue ${queueName} (prefix bull): 0 waiting, 0 active, 0 delayed, 1 failed (dead letters), 0 completed`,
        `  store (key prefix ${keyPrefix}): 1 dead letter`,
        expect.stringMatching(new RegExp(`^WARNING 1 dead letter in queue ${queueName} \\(prefix bull\\): events whose handlers failed`)),
        expect.stringMatching(new RegExp(`^WARNING 1 dead letter in the store \\(key prefix ${keyPrefix}\\): .*dead-letters --help`)),
        'OK: Redis answers.',
      ]);
    });

    it('exits 1 over --max-dead-letters, and says so in JSON', async () => {
      const { code, stdout } = await doctor([
        '--redis-url',
        withPassword(server),
        '--queue',
        queueName,
        '--key-prefix',
        keyPrefix,
        '--max-dead-letters',
        '0',
        '--json',
      ]);
      expect(code).toBe(1);
      const report = JSON.parse(stdout);
      expect(report).toEqual({
        healthy: false,
        redis: {
          url: `redis://***@127.0.0.1:${server.port}`,
          reachable: true,
          maxmemoryPolicy: 'noeviction',
          queue: { name: queueName, prefix: 'bull', found: true, jobs: { waiting: 0, active: 0, delayed: 0, failed: 1, completed: 0 } },
          store: { keyPrefix, deadLetters: 1 },
          findings: [
            expect.objectContaining({
              kind: 'dead-letters',
              severity: 'error',
              message: expect.stringContaining('over --max-dead-letters 0'),
            }),
            expect.objectContaining({ kind: 'dead-letters', severity: 'error', message: expect.stringContaining('the store') }),
          ],
        },
      });
      const within = await doctor([
        '--redis-url',
        withPassword(server),
        '--queue',
        queueName,
        '--key-prefix',
        keyPrefix,
        '--max-dead-letters',
        '1',
      ]);
      expect(within.code).toBe(0);
      expect(within.stdout).not.toMatch(/WARNING|ERROR/);
    });

    it('exits 1 over --max-waiting-jobs', async () => {
      const producer = new Redis(withPassword(server));
      try {
        const waitingQueue = `waiting-${hexId()}`;
        await producer.rpush(`bull:${waitingQueue}:wait`, 'a', 'b');
        const { code, stdout } = await doctor(['--redis-url', withPassword(server), '--queue', waitingQueue, '--max-waiting-jobs', '1']);
        expect(code).toBe(1);
        expect(stdout).toContain(
          `ERROR   2 jobs wait in queue ${waitingQueue} (prefix bull), over --max-waiting-jobs 1: are its workers running?`,
        );
        expect(stdout.trimEnd().split('\n').pop()).toBe('Problems found: fix the errors above.');
      } finally {
        producer.disconnect();
      }
    });

    it('only reads: a queue that is not there is reported, not created', async () => {
      const reader = new Redis(withPassword(server));
      try {
        const before = (await reader.keys('*')).sort();
        const missing = `missing-${hexId()}`;
        const { code, stdout } = await doctor(['--redis-url', withPassword(server), '--queue', missing, '--key-prefix', `none-${hexId()}`]);
        expect(code).toBe(0);
        expect(stdout).toContain(`  queue ${missing} (prefix bull): not found`);
        expect(stdout).toContain(`WARNING No queue ${missing} (prefix bull) in this Redis: check --queue and --queue-prefix`);
        expect((await reader.keys('*')).sort()).toEqual(before);
      } finally {
        reader.disconnect();
      }
    });

    it('exits 6 when Redis refuses the password, or none is given, never printing one', async () => {
      const wrong = await doctor(['--redis-url', withPassword(server, 'not-the-password')]);
      expect(wrong.code).toBe(6);
      expect(wrong.stdout).toContain(
        `ERROR   Redis at redis://***@127.0.0.1:${server.port} refused the connection: WRONGPASS invalid username-password pair`,
      );
      expect(wrong.stdout).not.toContain('not-the-password');
      expect(wrong.stderr).toBe(PASSWORD_FLAG_WARNING);
      const none = await doctor(['--redis-url', `redis://127.0.0.1:${server.port}`]);
      expect(none.code).toBe(6);
      expect(none.stdout).toContain('refused the connection: NOAUTH Authentication required.');
    });
  });

  it('warns about an eviction policy other than noeviction, and still exits 0', async () => {
    const server = await redisServer(['--maxmemory-policy', 'allkeys-lru']);
    const { code, stdout } = await doctor(['--redis-url', server.url]);
    expect(code).toBe(0);
    expect(stdout).toContain(`Redis ${server.url}: answers, maxmemory-policy allkeys-lru`);
    expect(stdout).toContain(
      'WARNING Redis maxmemory-policy is allkeys-lru: under memory pressure Redis may evict queued events and idempotency records.',
    );
  });

  it('reads the policy from INFO on a host that refuses CONFIG, and tolerates one that refuses both', async () => {
    const noConfig = await redisServer(['--maxmemory-policy', 'volatile-lru', '--rename-command', 'CONFIG', '']);
    const fromInfo = await doctor(['--redis-url', noConfig.url]);
    expect(fromInfo.code).toBe(0);
    expect(fromInfo.stdout).toContain('WARNING Redis maxmemory-policy is volatile-lru');

    const neither = await redisServer(['--rename-command', 'CONFIG', '', '--rename-command', 'INFO', '']);
    const unknown = await doctor(['--redis-url', neither.url, '--json']);
    expect(unknown.code).toBe(0);
    const report = JSON.parse(unknown.stdout);
    expect(report.redis).toMatchObject({
      reachable: true,
      queue: { found: false, jobs: { waiting: 0, failed: 0 } },
      findings: [{ kind: 'eviction-policy-unknown', severity: 'warning', message: expect.stringContaining('refuses CONFIG and INFO') }],
    });
    expect(report.redis.maxmemoryPolicy).toBeUndefined();
  });

  it('exits 6 when Redis cannot be reached', async () => {
    const server = await redisServer();
    await server.stop();
    const { code, stdout } = await doctor(['--redis-url', server.url]);
    expect(code).toBe(6);
    expect(stdout.trimEnd().split('\n')).toEqual([
      `Redis ${server.url}: UNREACHABLE`,
      expect.stringMatching(new RegExp(`^ERROR   Redis at ${server.url} cannot be reached: connect ECONNREFUSED`)),
      'Problems found: fix the errors above.',
    ]);
  });

  describe('with --url too, against a fake ComplyCube API', () => {
    let api: FakeComplyCubeApi;
    let server: RedisServer;

    beforeAll(async () => {
      api = await FakeComplyCubeApi.start();
      server = await redisServer();
    });
    beforeEach(() => api.reset());
    afterAll(() => api.close());

    const both = (args: string[] = []): Promise<CliResult> =>
      doctor(['--url', ENDPOINT, '--redis-url', server.url, ...args], { COMPLYCUBE_API_KEY: api.apiKey, COMPLYCUBE_API_URL: api.baseUrl });

    it('reports the webhook and Redis, and exits 0 when both are fine', async () => {
      const webhook = api.addWebhook({ url: ENDPOINT, events: ['client.created'] });
      const { code, stdout } = await both(['--events', 'client.created']);
      expect(code).toBe(0);
      expect(stdout.trimEnd().split('\n')).toEqual([
        `Endpoint ${ENDPOINT}`,
        `  webhook ${webhook.id}: enabled, events client.created`,
        `Redis ${server.url}: answers, maxmemory-policy noeviction`,
        '  queue complycube-events (prefix bull): not found',
        '  store (key prefix complycube-webhooks): 0 dead letters',
        'OK: ComplyCube delivers to this endpoint, and Redis answers.',
      ]);
    });

    it('with --url alone, loads neither bullmq nor ioredis', async () => {
      api.addWebhook({ url: ENDPOINT, events: ['client.created'] });
      const { code, stdout, stderr } = await doctor(['--url', ENDPOINT], {
        COMPLYCUBE_API_KEY: api.apiKey,
        COMPLYCUBE_API_URL: api.baseUrl,
        HIDDEN_MODULES: 'bullmq,ioredis',
      });
      expect([code, stderr]).toEqual([0, '']);
      expect(stdout.trimEnd().split('\n').pop()).toBe('OK: ComplyCube delivers to this endpoint.');
    });

    it('exits 1 for a disabled webhook, with both parts in the JSON report', async () => {
      api.addWebhook({ url: ENDPOINT, events: ['client.created'], enabled: false });
      const { code, stdout } = await both(['--json']);
      expect(code).toBe(1);
      const report = JSON.parse(stdout);
      expect(report).toMatchObject({ healthy: false, url: ENDPOINT, redis: { reachable: true, findings: [] } });
      expect(report.findings).toEqual([expect.objectContaining({ kind: 'disabled', severity: 'error' })]);
    });

    it("still prints Redis's report when ComplyCube cannot be reached, then exits 5 with one line", async () => {
      const closed = await FakeComplyCubeApi.start();
      const deadUrl = closed.baseUrl;
      await closed.close();
      const { code, stdout, stderr } = await both(['--api-url', deadUrl]);
      expect(code).toBe(5);
      expect(stdout).toContain(`Redis ${server.url}: answers, maxmemory-policy noeviction`);
      expect(stdout).not.toContain('OK:');
      expect(stderr).toMatch(new RegExp(`^complycube-webhooks doctor: cannot reach ComplyCube's API at ${deadUrl}: .*\\n$`));
    });

    it('exits 5 rather than 6 when neither can be reached', async () => {
      const stopped = await redisServer();
      await stopped.stop();
      const { code, stdout } = await doctor(['--url', ENDPOINT, '--redis-url', stopped.url, '--timeout', '300'], {
        COMPLYCUBE_API_KEY: api.apiKey,
        COMPLYCUBE_API_URL: 'https://127.0.0.1:1/v1',
      });
      expect(code).toBe(5);
      expect(stdout).toContain(`Redis ${stopped.url}: UNREACHABLE`);
    });
  });
});

describe('complycube-webhooks doctor, its Redis flags refused before any connection', () => {
  it('documents them, $REDIS_URL and exit code 6 in its help', async () => {
    const { code, stdout } = await runCliProcess(['doctor', '--help'], {});
    expect(code).toBe(0);
    expect(stdout).toMatch(/^ {2}--redis-url URL +redis:\/\/ or rediss:\/\/ URL/m);
    expect(stdout).toMatch(/^ {2}COMPLYCUBE_API_KEY +Your ComplyCube API key \(required with --url\)/m);
    expect(stdout).toMatch(/^ {2}REDIS_URL +Default for --redis-url$/m);
    expect(stdout).toMatch(/^ +6 Redis unreachable, too slow, or refusing the password$/m);
  });

  const outputs: CliResult[] = [];
  afterEach(() => {
    for (const { stdout, stderr } of outputs.splice(0)) expect(`${stdout}${stderr}`).not.toMatch(/hunter2|s3cret/);
  });

  async function doctor(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
    const result = await runCliProcess(['doctor', ...args], env);
    outputs.push(result);
    return result;
  }

  it.each([
    [
      ['--redis-url', 'redis://:hunter2@cache internal:6379'],
      "--redis-url 'redis://***@cache internal:6379' is not a URL: give one such as redis://[:password@]host:6379[/db] (rediss:// for TLS).",
    ],
    [['--redis-url', 'https://admin:hunter2@cache.example.com'], '--redis-url must be a redis:// or rediss:// URL (got https://...).'],
    [['--queue', 'complycube-events'], '--queue reads Redis: give --redis-url (or set $REDIS_URL) too.'],
    [['--redis-url', 'redis://127.0.0.1:1', '--queue', 'a:b'], `--queue must be a queue name without ':' (got "a:b").`],
    [
      ['--redis-url', 'redis://127.0.0.1:1', '--max-dead-letters', '1.5'],
      '--max-dead-letters must be a whole number, 0 or more (got "1.5").',
    ],
    [
      ['--redis-url', 'redis://127.0.0.1:1', '--max-waiting-jobs', 'ten'],
      '--max-waiting-jobs must be a whole number, 0 or more (got "ten").',
    ],
    [['--redis-url', 'redis://127.0.0.1:1', '--timeout', '0'], '--timeout must be a whole number of milliseconds (got "0").'],
    [['--events', 'client.created', '--redis-url', 'redis://127.0.0.1:1'], '--events compares the webhook of --url: give --url too.'],
    [[], 'doctor needs --url with the HTTPS URL ComplyCube posts to, --redis-url (or $REDIS_URL) with the Redis the app uses, or both.'],
  ])('exits 2 for %j, with one line that never shows a password', async (args, message) => {
    const { code, stdout, stderr } = await doctor(args);
    expect([code, stdout]).toEqual([2, '']);
    expect(stderr).toBe(`complycube-webhooks doctor: ${message}\n`);
  });

  it('refuses a $REDIS_URL that is not a Redis URL, naming the variable and not the password', async () => {
    const { code, stderr } = await doctor([], { REDIS_URL: 'http://admin:s3cret@cache.example.com:6379' });
    expect([code, stderr]).toEqual([2, 'complycube-webhooks doctor: $REDIS_URL must be a redis:// or rediss:// URL (got http://...).\n']);
  });

  it.each([
    ['bullmq', "doctor, to check Redis (--redis-url), needs the 'bullmq' package: run npm install bullmq ioredis."],
    ['ioredis', "doctor, to check Redis (--redis-url), needs the 'ioredis' package: run npm install ioredis."],
  ])('exits 2 without %s installed, saying what to install, before connecting', async (missing, message) => {
    // Port 1 refuses connections: a connection attempt would exit 6, not 2.
    const { code, stdout, stderr } = await doctor(['--redis-url', 'redis://:hunter2@127.0.0.1:1'], { HIDDEN_MODULES: missing });
    expect([code, stdout, stderr]).toEqual([2, '', `${PASSWORD_FLAG_WARNING}complycube-webhooks doctor: ${message}\n`]);
  });

  it('asks for the packages when $REDIS_URL is set, naming it', async () => {
    const { code, stderr } = await doctor([], { REDIS_URL: 'redis://127.0.0.1:1', HIDDEN_MODULES: 'bullmq,ioredis' });
    expect([code, stderr]).toEqual([
      2,
      "complycube-webhooks doctor: doctor, to check Redis ($REDIS_URL), needs the 'ioredis' package: run npm install ioredis.\n",
    ]);
  });
});
