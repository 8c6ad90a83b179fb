import { COMPLYCUBE_EVENT_TYPES } from 'nestjs-complycube-webhooks';
import { CliResult, runCliProcess } from '../utils/cli-process';
import { FakeComplyCubeApi } from '../utils/fake-complycube-api';

const ENDPOINT = 'https://app.example.com/webhooks/complycube';

describe('complycube-webhooks webhooks and doctor, as a child process against a fake ComplyCube API', () => {
  let api: FakeComplyCubeApi;
  const outputs: CliResult[] = [];

  beforeAll(async () => {
    api = await FakeComplyCubeApi.start();
  });
  afterAll(() => api.close());
  beforeEach(() => {
    api.reset();
    outputs.length = 0;
  });
  afterEach(() => {
    for (const { stdout, stderr } of outputs) {
      // No stack traces, and the key never shows.
      expect(stderr).not.toMatch(/^\s+at /m);
      expect(`${stdout}${stderr}`).not.toContain(api.apiKey);
    }
  });

  async function cli(args: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
    const result = await runCliProcess(args, { COMPLYCUBE_API_KEY: api.apiKey, COMPLYCUBE_API_URL: api.baseUrl, ...env });
    outputs.push(result);
    return result;
  }

  const secretsIn = (text: string): string[] =>
    [...api.webhooks.values()].map((webhook) => webhook.secret).filter((secret) => text.includes(secret));

  it('lists both commands in its help', async () => {
    const { code, stdout } = await cli(['--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^\s+webhooks\s+List, create/m);
    expect(stdout).toMatch(/^\s+doctor\s+Check that/m);
  });

  describe('webhooks list', () => {
    it('prints a readable table, and JSON with --json, never a secret', async () => {
      api.leakSecrets = true;
      const first = api.addWebhook({ url: ENDPOINT, events: ['*'], description: 'production' });
      const second = api.addWebhook({
        url: 'https://staging.example.com/hook',
        events: ['check.completed', 'check.failed', 'client.created', 'client.deleted'],
        enabled: false,
      });
      const table = await cli(['webhooks', 'list']);
      expect(table.code).toBe(0);
      const lines = table.stdout.trimEnd().split('\n');
      expect(lines[0]).toMatch(/^ID\s+STATE\s+URL\s+EVENTS\s+DESCRIPTION$/);
      expect(lines[1]).toMatch(new RegExp(`^${first.id}\\s+enabled\\s+${ENDPOINT}\\s+\\* \\(all\\)\\s+production$`));
      expect(lines[2]).toMatch(
        new RegExp(
          `^${second.id}\\s+DISABLED\\s+https://staging.example.com/hook\\s+check.completed, check.failed, client.created \\+1 more$`,
        ),
      );

      const json = await cli(['webhooks', 'list', '--json']);
      expect(json.code).toBe(0);
      expect(JSON.parse(json.stdout)).toEqual([
        expect.objectContaining({ id: first.id, url: ENDPOINT, enabled: true, events: ['*'], description: 'production' }),
        expect.objectContaining({ id: second.id, enabled: false, events: second.events }),
      ]);
      expect(secretsIn(table.stdout + json.stdout)).toEqual([]);
    });

    it('says so when there are none', async () => {
      expect((await cli(['webhooks', 'list'])).stdout).toBe('No webhooks.\n');
    });
  });

  describe('webhooks create', () => {
    it('creates the webhook, expands patterns, and prints the secret once with a warning to store it', async () => {
      const { code, stdout, stderr } = await cli([
        'webhooks',
        'create',
        '--url',
        ENDPOINT,
        '--events',
        'check.completed.*',
        '--events',
        'client.created',
        '--description',
        'production',
      ]);
      expect(code).toBe(0);
      const [created] = api.webhooks.values();
      expect(created).toMatchObject({
        url: ENDPOINT,
        enabled: true,
        description: 'production',
        events: [
          'check.completed.clear',
          'check.completed.attention',
          'check.completed.rejected',
          'check.completed.match_confirmed',
          'client.created',
        ],
      });
      expect(stdout.split(created.secret)).toHaveLength(2);
      expect(stdout).toContain(`Webhook ${created.id} (enabled)`);
      expect(stderr).toMatch(/^Store this secret now .*will not show it again/);
    });

    it('prints the created webhook with its secret as JSON with --json, and can create it disabled', async () => {
      const { code, stdout, stderr } = await cli(['webhooks', 'create', '--url', ENDPOINT, '--events', '*', '--disabled', '--json']);
      expect(code).toBe(0);
      const [created] = api.webhooks.values();
      expect(JSON.parse(stdout)).toEqual(
        expect.objectContaining({ id: created.id, secret: created.secret, enabled: false, events: ['*'] }),
      );
      expect(stderr).toContain('Store this secret now');
    });

    it.each([
      [['--url', 'http://app.example.com/hook', '--events', '*'], /HTTPS/],
      [['--url', ENDPOINT], /needs --events/],
      [['--events', '*'], /needs --url/],
      [['--url', ENDPOINT, '--events', 'cheque.*'], /matches no documented event type/],
      [['--url', ENDPOINT, '--events', '*', '--colour'], /^complycube-webhooks webhooks: unknown option '--colour'$/],
    ])('refuses %j with one line and exit code 2, without calling ComplyCube', async (flags, message) => {
      const { code, stdout, stderr } = await cli(['webhooks', 'create', ...flags]);
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(message)]);
      expect(api.requests).toEqual([]);
    });
  });

  describe('webhooks enable, disable and delete', () => {
    it('changes the webhook and says what it did', async () => {
      const webhook = api.addWebhook({ url: ENDPOINT, enabled: false });
      const enabled = await cli(['webhooks', 'enable', webhook.id]);
      expect([enabled.code, enabled.stdout]).toEqual([0, `Webhook ${webhook.id} enabled.\n`]);
      expect(api.webhooks.get(webhook.id)?.enabled).toBe(true);

      const disabled = await cli(['webhooks', 'disable', webhook.id, '--json']);
      expect(disabled.code).toBe(0);
      expect(JSON.parse(disabled.stdout)).toEqual(expect.objectContaining({ id: webhook.id, enabled: false }));
      expect(api.webhooks.get(webhook.id)?.enabled).toBe(false);

      const deleted = await cli(['webhooks', 'delete', webhook.id]);
      expect([deleted.code, deleted.stdout]).toEqual([0, `Webhook ${webhook.id} deleted.\n`]);
      expect(api.webhooks.size).toBe(0);
    });

    it('exits 4 with one line for a webhook that does not exist', async () => {
      for (const action of ['enable', 'delete']) {
        const { code, stderr } = await cli(['webhooks', action, '5ed1712e99c81a0007b9a3d6']);
        expect(code).toBe(4);
        expect(stderr).toBe(`complycube-webhooks webhooks: no webhook with id 5ed1712e99c81a0007b9a3d6 (ComplyCube answered 404).\n`);
      }
    });

    // Every id the client refuses is listed in its own spec; here, that each action refuses before any request.
    it.each([
      ['delete', '..'],
      ['delete', '.'],
      ['delete', '../5ed1712e99c81a0007b9a3d6'],
      ['enable', 'a/b'],
      ['disable', '5ed1712e99c81a0007b9a3d6?x=1'],
      ['enable', '5ed1712e99c81a0007b9a3d6#x'],
      ['disable', '5ed1712e99c81a0007b9a3d6 '],
      ['delete', ''],
    ])('webhooks %s %j: one line, exit code 2, no call to ComplyCube', async (action, id) => {
      const webhook = api.addWebhook({ url: ENDPOINT });
      const { code, stdout, stderr } = await cli(['webhooks', action, id]);
      expect([code, stdout]).toEqual([2, '']);
      expect(stderr.trimEnd().split('\n')).toEqual([
        expect.stringMatching(/^complycube-webhooks webhooks: A webhook id (cannot be|must be)/),
      ]);
      expect(api.requests).toEqual([]);
      expect(api.webhooks.get(webhook.id)).toMatchObject({ enabled: true });
    });

    it('exits 2 without an id or with an unknown action', async () => {
      expect((await cli(['webhooks', 'enable'])).code).toBe(2);
      const unknown = await cli(['webhooks', 'rename', 'x']);
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toMatch(/unknown action 'rename'/);
    });
  });

  describe('failures', () => {
    it('exits 3 with one line when ComplyCube refuses the key, even if its message echoes the key', async () => {
      api.script({ status: 401, body: { type: 'authentication_error', message: `Key ${api.apiKey} is revoked.` } });
      const { code, stderr } = await cli(['webhooks', 'list']);
      expect(code).toBe(3);
      expect(stderr).toBe(
        'complycube-webhooks webhooks: ComplyCube refused the API key (401: Key [redacted] is revoked.). Check COMPLYCUBE_API_KEY.\n',
      );
      const wrongKey = await cli(['doctor', '--url', ENDPOINT], { COMPLYCUBE_API_KEY: 'live_not_the_key' });
      expect(wrongKey.code).toBe(3);
      expect(wrongKey.stderr).not.toContain('live_not_the_key');
    });

    it('exits 5 with one line when ComplyCube cannot be reached or is too slow', async () => {
      const closed = await FakeComplyCubeApi.start();
      const deadUrl = closed.baseUrl;
      await closed.close();
      const unreachable = await cli(['webhooks', 'list'], { COMPLYCUBE_API_URL: deadUrl });
      expect(unreachable.code).toBe(5);
      expect(unreachable.stderr).toMatch(
        new RegExp(`^complycube-webhooks webhooks: cannot reach ComplyCube's API at ${deadUrl}: .*ECONNREFUSED.*\\n$`),
      );

      api.script({ delayMs: 60_000 });
      const slow = await cli(['webhooks', 'list', '--timeout', '200']);
      expect(slow.code).toBe(5);
      expect(slow.stderr).toBe(`complycube-webhooks webhooks: ComplyCube at ${api.baseUrl} did not answer within 200 ms.\n`);
    });

    it("exits 1 with ComplyCube's message for another error, after retrying", async () => {
      api.script({ status: 500, body: { type: 'server_error', message: 'Something broke.' } }, { times: 3 });
      const { code, stderr } = await cli(['webhooks', 'list']);
      expect(code).toBe(1);
      expect(stderr).toBe('complycube-webhooks webhooks: ComplyCube answered 500 (server_error): Something broke.\n');
      expect(api.requests).toHaveLength(3);
    });

    it.each([
      [['webhooks', 'list', '--bogus'], "complycube-webhooks webhooks: unknown option '--bogus'\n"],
      [['doctor', '--url', ENDPOINT, '--bogus'], "complycube-webhooks doctor: unknown option '--bogus'\n"],
      [['doctor', '--url'], "complycube-webhooks doctor: option '--url <value>' argument missing\n"],
    ])('answers %j with the one line every command gives for a bad flag', async (args, line) => {
      const { code, stdout, stderr } = await cli(args);
      expect([code, stdout, stderr]).toEqual([2, '', line]);
    });

    it('exits 2 without COMPLYCUBE_API_KEY, and refuses to send the key over plain HTTP', async () => {
      const noKey = await cli(['webhooks', 'list'], { COMPLYCUBE_API_KEY: undefined });
      expect([noKey.code, noKey.stderr]).toEqual([2, 'complycube-webhooks webhooks: set COMPLYCUBE_API_KEY to your ComplyCube API key.\n']);
      const plain = await cli(['webhooks', 'list', '--api-url', 'http://api.example.com/v1']);
      expect(plain.code).toBe(2);
      expect(plain.stderr).toMatch(/baseUrl must be HTTPS/);
      expect(api.requests).toEqual([]);
    });
    it.each([
      ['--api-url', (url: string) => ({ args: ['--api-url', url], env: {} })],
      ['COMPLYCUBE_API_URL', (url: string) => ({ args: [], env: { COMPLYCUBE_API_URL: url } })],
    ])('exits 2 without echoing them when %s carries a user name or password', async (_source, given) => {
      const { args, env } = given(api.baseUrl.replace('http://', 'http://admin:hunter2@'));
      for (const command of [
        ['webhooks', 'list'],
        ['doctor', '--url', ENDPOINT],
      ]) {
        const { code, stdout, stderr } = await cli([...command, ...args], env);
        expect(code).toBe(2);
        expect(stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/user name or password/)]);
        expect(stdout + stderr).not.toMatch(/admin|hunter2/);
      }
      expect(api.requests).toEqual([]);
    });
  });

  describe('URLs with a user name and password, parseable or not, are never printed', () => {
    const PASSWORDS = ['hunter2', 'p@ss:w0rd', 'p%40ss%3Aword', 'pass word', 'pa/ss'];
    const withPassword = (password: string, host: string): string => `http://admin:${password}@${host}/v1`;
    const expectNoPassword = (output: string, password: string): void => {
      for (const fragment of [password, decodeURIComponent(password), 'admin']) expect(output).not.toContain(fragment);
    };

    it.each(PASSWORDS)('--api-url and COMPLYCUBE_API_URL with the password %j and a host that does not parse', async (password) => {
      for (const [args, env] of [
        [['--api-url', withPassword(password, 'bad host')], {}],
        [[], { COMPLYCUBE_API_URL: withPassword(password, '127.0.0.1:99999') }],
      ] as const) {
        const { code, stdout, stderr } = await cli(['webhooks', 'list', ...args], env);
        expect(code).toBe(2);
        expect(stderr.trimEnd().split('\n')).toHaveLength(1);
        expectNoPassword(stdout + stderr, password);
      }
      expect(api.requests).toEqual([]);
    });

    it('webhooks create --url and doctor --url', async () => {
      const unparseable = 'https://admin:hunter2@bad host/hook';
      const parseable = 'https://admin:hunter2@app.example.com/hook';
      const refused = [
        await cli(['webhooks', 'create', '--url', unparseable, '--events', '*']),
        await cli(['doctor', '--url', unparseable]),
        await cli(['doctor', '--url', parseable]),
      ];
      for (const run of refused) {
        expect(run.code).toBe(2);
        expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
        expectNoPassword(run.stdout + run.stderr, 'hunter2');
      }
      expect(api.requests).toEqual([]);

      // ComplyCube is given the url as asked; what is printed for people hides the password.
      const created = await cli(['webhooks', 'create', '--url', parseable, '--events', '*']);
      expect(created.code).toBe(0);
      expect([...api.webhooks.values()][0].url).toBe(parseable);
      expect(created.stdout).toContain('url:    https://***@app.example.com/hook');
      expectNoPassword(created.stdout + created.stderr, 'hunter2');
    });

    it('webhooks list shows a url without its user name and password', async () => {
      const webhook = api.addWebhook({ url: 'https://admin:hunter2@app.example.com/hook?owner=ops@example.com', events: ['*'] });
      const { code, stdout } = await cli(['webhooks', 'list']);
      expect(code).toBe(0);
      expect(stdout).toMatch(
        new RegExp(`^${webhook.id}\\s+enabled\\s+https://\\*\\*\\*@app.example.com/hook\\?owner=ops@example.com\\s`, 'm'),
      );
      expectNoPassword(stdout, 'hunter2');
    });
  });

  describe("ComplyCube's text is printed without terminal control characters", () => {
    // Recolours, clears the screen, retitles the window, moves the cursor, rings the bell.
    const HOSTILE = 'Something \u001b[31mbroke\u001b[0m\u001b[2J\u001b]0;owned\u0007.\r\nFake line\u0007\u009b1A\u0008';
    // eslint-disable-next-line no-control-regex -- finding control characters is the point
    const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

    it.each([
      [422, 1, 'complycube-webhooks webhooks: ComplyCube answered 422 (validation_error): Something broke. Fake line\n'],
      [
        401,
        3,
        'complycube-webhooks webhooks: ComplyCube refused the API key (401: Something broke. Fake line). Check COMPLYCUBE_API_KEY.\n',
      ],
    ])('in an error message answered with %s', async (status, exitCode, line) => {
      api.script({ status, body: { type: 'validation_error\u001b[8m', message: `${HOSTILE}\u0000` } });
      const { code, stdout, stderr } = await cli(['webhooks', 'list']);
      expect([code, stdout, stderr]).toEqual([exitCode, '', line]);
    });

    it('in a webhook list, a created webhook and a doctor report', async () => {
      const webhook = api.addWebhook({
        url: ENDPOINT,
        events: ['check.completed', 'client.\u001b[2Jcreated'],
        description: `${HOSTILE}\u0000`,
      });
      const list = await cli(['webhooks', 'list']);
      expect(list.code).toBe(0);
      expect(list.stdout).toContain('Something broke. Fake line');
      const doctor = await cli(['doctor', '--url', ENDPOINT, '--events', 'check.completed']);
      expect(doctor.stdout).toContain(`webhook ${webhook.id}: enabled, events check.completed, client.created`);
      const created = await cli(['webhooks', 'create', '--url', ENDPOINT, '--events', '*', '--description', HOSTILE]);
      expect(created.code).toBe(0);
      expect(created.stdout).toContain('description: Something broke. Fake line');
      for (const run of [list, doctor, created]) expect(run.stdout.replace(/\n/g, '')).not.toMatch(CONTROL);
    });
  });

  describe('doctor', () => {
    it('exits 0 and says OK when the webhook is enabled and sends what the handlers take', async () => {
      const webhook = api.addWebhook({ url: `${ENDPOINT}/`, events: ['client.created', 'client.updated', 'client.deleted'] });
      const { code, stdout } = await cli(['doctor', '--url', ENDPOINT, '--events', 'client.*']);
      expect(code).toBe(0);
      expect(stdout).toBe(
        [
          `Endpoint ${ENDPOINT}`,
          `  webhook ${webhook.id}: enabled, events client.created, client.updated, client.deleted`,
          'OK: ComplyCube delivers to this endpoint.',
          '',
        ].join('\n'),
      );
    });

    it('exits 1 and explains when the webhook is disabled or misses handled types', async () => {
      const webhook = api.addWebhook({ url: ENDPOINT, events: ['client.created', 'document.created'], enabled: false });
      const { code, stdout } = await cli(['doctor', '--url', ENDPOINT, '--events', 'client.created,check.completed']);
      expect(code).toBe(1);
      expect(stdout).toContain(`ERROR   ComplyCube webhook ${webhook.id} for ${ENDPOINT} is disabled`);
      expect(stdout).toContain('ERROR   Handlers take event types that ComplyCube webhook');
      expect(stdout).toContain('WARNING ComplyCube webhook');
      expect(stdout).toContain('Events are being lost');
    });

    it('exits 1 when no webhook points at the URL, and prints the diagnosis as JSON with --json', async () => {
      api.addWebhook({ url: 'https://other.example.com/hook' });
      const { code, stdout } = await cli(['doctor', '--url', ENDPOINT, '--events', '*', '--json']);
      expect(code).toBe(1);
      const report = JSON.parse(stdout);
      expect(report).toMatchObject({ healthy: false, url: ENDPOINT, webhooks: [], wantedEvents: ['*'] });
      expect(report.findings).toEqual([expect.objectContaining({ kind: 'missing', severity: 'error' })]);
    });

    it('without --events checks existence and state only', async () => {
      api.addWebhook({ url: ENDPOINT, events: ['client.created'] });
      const { code, stdout } = await cli(['doctor', '--url', ENDPOINT]);
      expect(code).toBe(0);
      expect(stdout).toContain('note: pass --events');
    });

    it('needs an HTTPS --url', async () => {
      const { code, stderr } = await cli(['doctor', '--url', 'http://app.example.com/hook']);
      expect(code).toBe(2);
      expect(stderr).toMatch(/doctor needs --url/);
    });
  });

  it('knows every documented type for --events expansion', async () => {
    await cli(['webhooks', 'create', '--url', ENDPOINT, '--events', '**']);
    expect([...api.webhooks.values()][0].events).toEqual([...COMPLYCUBE_EVENT_TYPES]);
  });
});
