import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { COMPLYCUBE_EVENT_TYPES, ComplyCubeWebhookModule } from 'nestjs-complycube-webhooks';
import { createComplyCubeId } from 'nestjs-complycube-webhooks/testing';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppModule } from '../../sample/app.module';
import { ChecksHandlers, HandlerJournal, WildcardHandlers } from '../src/recording-handlers';
import { RecordingLogger, startTestApp, TestApp } from '../utils/app';
import { CliRun, runCliProcess } from '../utils/cli';
import { hmacHex } from '../utils/http';

const SECRET = 'whsec_cli_contract_secret_7f3a';
const ENV = { COMPLYCUBE_WEBHOOK_SECRET: SECRET };

/** Nothing the CLI prints may carry the secret. */
function expectNoSecret(run: CliRun, secret = SECRET): void {
  expect(run.stdout).not.toContain(secret);
  expect(run.stderr).not.toContain(secret);
}

/** What `--secret <value>` prints on stderr: the secret is on the command line, for ps and shell history to see. */
const LITERAL_SECRET_WARNING =
  'warning: a secret given as --secret is shown to other users by ps and kept in shell history; prefer COMPLYCUBE_WEBHOOK_SECRET, --secret-file <path> or --secret -\n';

/** One line on stderr, no stack trace. */
function expectOneErrorLine(run: CliRun, message: string | RegExp): void {
  const lines = run.stderr.split('\n').filter(Boolean);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(message);
  expect(run.stderr).not.toMatch(/\n\s+at /);
}

describe('complycube-webhooks CLI against the sample app', () => {
  let app: INestApplication;
  let url: string;
  const logger = new RecordingLogger();

  beforeAll(async () => {
    process.env.COMPLYCUBE_WEBHOOK_SECRET = SECRET;
    app = await NestFactory.create(AppModule, { rawBody: true, logger });
    await app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}/webhooks/complycube`;
  });
  afterAll(async () => {
    await app.close();
    delete process.env.COMPLYCUBE_WEBHOOK_SECRET;
  });

  it('trigger check.completed.rejected reaches the sample handler with the payload it expects', async () => {
    const checkId = createComplyCubeId();
    const run = await runCliProcess(['trigger', 'check.completed.rejected', '--url', url, '--set', `payload.id="${checkId}"`], {
      env: ENV,
    });
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const [eventId] = /event ([0-9a-f]{24}): 200 \{"received":true\}/.exec(run.stdout)!.slice(1);
    expect(run.stdout).toContain('1 sent: 1 answered 2xx');
    const handled = logger.lines.filter((line) => line.context === 'ChecksService').map((line) => line.message);
    expect(handled).toContain(`check ${checkId} rejected: flag the client for manual review`);
    expect(logger.lines.map((line) => line.message)).toContain(`event ${eventId} (check.completed.rejected) recorded`);
    expectNoSecret(run);
  });
});

describe('complycube-webhooks CLI against a test app', () => {
  let server: TestApp;
  let journal: HandlerJournal;

  beforeAll(async () => {
    server = await startTestApp({
      adapter: 'express',
      imports: [EventEmitterModule.forRoot({ wildcard: true }), ComplyCubeWebhookModule.forRoot({ secret: SECRET })],
      providers: [HandlerJournal, ChecksHandlers, WildcardHandlers],
    });
    journal = server.app.get(HandlerJournal);
  });
  afterAll(() => server.close());
  beforeEach(() => {
    journal.calls.length = 0;
    journal.failing.clear();
  });

  describe('trigger', () => {
    it('--count sends that many distinct events with a progress line each and a summary; --set applies to each', async () => {
      const run = await runCliProcess(
        [
          'trigger',
          'client.created',
          '--url',
          server.url(),
          '--count',
          '3',
          '--set',
          'payload.email=ada@example.com',
          '--set',
          'payload.personDetails={"firstName":"Ada"}',
          '--set',
          'payload.metadata.tier=2',
        ],
        { env: ENV },
      );
      expect(run.code).toBe(0);
      const progress = run.stdout.split('\n').filter((line) => /^\[\d\/3\] event [0-9a-f]{24}: 200 /.test(line));
      expect(progress.map((line) => line.slice(0, 5))).toEqual(['[1/3]', '[2/3]', '[3/3]']);
      expect(run.stdout).toContain('3 sent: 3 answered 2xx');
      const events = journal.calls.filter((call) => call.handler === '*').map((call) => call.event);
      expect(new Set(events.map((event) => event.id)).size).toBe(3);
      for (const event of events) {
        expect(event.type).toBe('client.created');
        expect(event.payload).toMatchObject({
          email: 'ada@example.com',
          personDetails: { firstName: 'Ada' },
          metadata: { tier: 2 },
          type: 'person',
        });
      }
    });

    it('--set id=... with --count sends redeliveries of one event, which the endpoint answers as duplicates', async () => {
      const id = createComplyCubeId();
      const run = await runCliProcess(['trigger', 'check.failed', '--url', server.url(), '--count', '2', '--set', `id="${id}"`], {
        env: ENV,
      });
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('200 {"received":true,"duplicate":true}');
      expect(journal.calls.filter((call) => call.handler === '*').map((call) => call.id)).toEqual([id]);
    });

    it('exits 1 when an answer is not 2xx, and says how many were not', async () => {
      journal.failing.add('onRejected');
      const run = await runCliProcess(['trigger', 'check.completed.rejected', '--url', server.url(), '--count', '2'], { env: ENV });
      expect(run.code).toBe(1);
      expect(run.stdout).toContain('500 {"statusCode":500,"message":"Internal Server Error"}');
      expect(run.stdout).toContain('2 sent: 0 answered 2xx, 2 did not');
    });

    it('takes --secret over the environment; a wrong secret gets 401 and exit 1', async () => {
      const run = await runCliProcess(['trigger', 'check.completed.clear', '--url', server.url(), '--secret', 'not-the-secret'], {
        env: ENV,
      });
      expect(run.code).toBe(1);
      expect(run.stdout).toContain('401');
      expect(journal.calls).toEqual([]);
      expectNoSecret(run, 'not-the-secret');
      const right = await runCliProcess(['trigger', 'check.completed.clear', '--url', server.url(), `--secret=${SECRET}`]);
      expect(right.code).toBe(0);
      expectNoSecret(right);
    });

    it('--save writes the exact body sent, which replay sends again: the endpoint answers it as a duplicate', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'complycube-cli-'));
      try {
        const file = join(dir, 'sent.json');
        const sent = await runCliProcess(['trigger', 'check.completed.rejected', '--url', server.url(), '--save', file], { env: ENV });
        expect(sent.code).toBe(0);
        expect(sent.stdout).toContain(`Saved the body (${statSync(file).size} bytes) to ${file}\n`);
        expect(sent.stdout).toMatch(/event [0-9a-f]{24}: 200 \{"received":true\}\n/);
        const saved = JSON.parse(readFileSync(file, 'utf8'));
        const handled = journal.handlersFor(saved.id);
        expect(handled).toContain('onRejected');

        const replayed = await runCliProcess(['replay', file, '--url', server.url()], { env: ENV });
        expect(replayed.code).toBe(0);
        expect(replayed.stdout).toContain('200 {"received":true,"duplicate":true}');
        expect(journal.handlersFor(saved.id)).toEqual(handled);
        expectNoSecret(sent);
        expectNoSecret(replayed);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('--list prints the 25 types', async () => {
      const run = await runCliProcess(['trigger', '--list']);
      expect(run.code).toBe(0);
      expect(run.stdout.trim().split('\n')).toEqual([...COMPLYCUBE_EVENT_TYPES]);
    });
  });

  describe('sign', () => {
    let dir: string;
    beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'complycube-cli-'))));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('prints the signature of the exact bytes of a file, or of stdin', async () => {
      const body = Buffer.from('{"id": "a",\n "type": "check.failed"}\n\n', 'utf8');
      const file = join(dir, 'event.json');
      writeFileSync(file, body);
      const fromFile = await runCliProcess(['sign', file], { env: ENV });
      expect(fromFile).toEqual({ code: 0, stdout: `${hmacHex(body, SECRET)}\n`, stderr: '' });
      const fromStdin = await runCliProcess(['sign', '--secret', 'other-secret'], { env: ENV, input: body });
      expect(fromStdin).toEqual({ code: 0, stdout: `${hmacHex(body, 'other-secret')}\n`, stderr: LITERAL_SECRET_WARNING });
    });
  });
});

/** An answer that would recolour, clear, retitle and rewrite the terminal it is printed on. */
const TERMINAL_ESCAPES_ANSWER = '\u001b[31mred\u001b[0m \u001b[2J\u001b]0;owned\u0007title\r\nfake line\u0008\u009b1Aup\u0000';
/** Any control character but the final newline, and ESC in any form. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

describe('complycube-webhooks replay and trigger on the wire', () => {
  let wire: Server;
  let url: string;
  const requests: Array<{ body: Buffer; headers: IncomingMessage['headers'] }> = [];
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'complycube-cli-'));
    wire = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        requests.push({ body: Buffer.concat(chunks), headers: request.headers });
        if (request.url === '/moved') response.writeHead(301, { location: '/hook' }).end();
        else if (request.url === '/echo-secret')
          response.writeHead(400, { 'content-type': 'text/plain' }).end(`bad signature for secret ${SECRET}`);
        else if (request.url === '/escapes') response.writeHead(418, { 'content-type': 'text/plain' }).end(TERMINAL_ESCAPES_ANSWER);
        else response.writeHead(202, { 'content-type': 'text/plain' }).end('accepted');
      });
    });
    await new Promise<void>((resolve) => wire.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(wire.address() as AddressInfo).port}/hook`;
  });
  afterAll(async () => {
    await new Promise((resolve) => wire.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => (requests.length = 0));

  it('replay sends the file byte for byte, signed over those bytes, as JSON', async () => {
    const body = Buffer.from(
      '{ "id" : "5ed170fe99c81a0007b9a3d3", "type":"check.completed.clear",\r\n  "note": "caf\u00e9", "payload": {"id": "x"} }\n',
      'utf8',
    );
    const file = join(dir, 'saved.json');
    writeFileSync(file, body);
    const run = await runCliProcess(['replay', file, '--url', url], { env: ENV });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      `Replaying check.completed.clear event 5ed170fe99c81a0007b9a3d3 (${body.length} bytes) to ${url}\n202 accepted\n`,
    );
    expect(requests).toHaveLength(1);
    expect(requests[0].body.equals(body)).toBe(true);
    expect(requests[0].headers['complycube-signature']).toBe(hmacHex(body, SECRET));
    expect(requests[0].headers['content-type']).toBe('application/json');
  });

  it('reports a redirect as the answer (exit 1) instead of following it', async () => {
    const run = await runCliProcess(['trigger', 'check.failed', '--url', url.replace('/hook', '/moved')], { env: ENV });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/event [0-9a-f]{24}: 301\n1 sent: 0 answered 2xx, 1 did not\n$/);
    expect(requests).toHaveLength(1);
  });

  it('prints its own text whole, even with a secret that occurs in it', async () => {
    const run = await runCliProcess(['trigger', 'check.failed', '--url', url, '--secret', 'e']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      new RegExp(`^Sending 1 check.failed event to ${url}\nevent [0-9a-f]{24}: 202 accepted\n1 sent: 1 answered 2xx\n$`),
    );
    expect(run.stderr).toBe(LITERAL_SECRET_WARNING);
  });

  it("hides the secret where the endpoint's answer echoes it", async () => {
    const run = await runCliProcess(['trigger', 'check.failed', '--url', url.replace('/hook', '/echo-secret')], { env: ENV });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/event [0-9a-f]{24}: 400 bad signature for secret \*\*\*\n/);
    expectNoSecret(run);
  });

  it("prints the endpoint's answer without the terminal escapes and control characters in it", async () => {
    const run = await runCliProcess(['trigger', 'check.failed', '--url', url.replace('/hook', '/escapes')], { env: ENV });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/event [0-9a-f]{24}: 418 red title fake lineup\n/);
    expect(run.stdout).not.toMatch(CONTROL_CHARACTERS);
  });

  it('trigger --save writes the exact bytes it sends, readable by the owner only', async () => {
    const file = join(dir, 'trigger-saved.json');
    const run = await runCliProcess(['trigger', 'client.created', '--url', url, '--set', 'payload.email=ada@example.com', '--save', file], {
      env: ENV,
    });
    expect(run.code).toBe(0);
    expect(requests).toHaveLength(1);
    const saved = readFileSync(file);
    expect(saved.equals(requests[0].body)).toBe(true);
    expect(requests[0].headers['complycube-signature']).toBe(hmacHex(saved, SECRET));
    expect(JSON.parse(saved.toString())).toMatchObject({ type: 'client.created', payload: { email: 'ada@example.com' } });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(run.stdout).toBe(
      `Saved the body (${saved.length} bytes) to ${file}\nSending 1 client.created event to ${url}\n` +
        `event ${JSON.parse(saved.toString()).id}: 202 accepted\n1 sent: 1 answered 2xx\n`,
    );
  });

  describe('the secret, from a file, standard input, a flag or the environment', () => {
    const sentSignature = (): unknown => requests[0]?.headers['complycube-signature'];
    const eventFile = (): string => {
      const file = join(dir, 'event.json');
      writeFileSync(file, '{"id":"5ed170fe99c81a0007b9a3d3","type":"check.failed"}');
      return file;
    };

    it.each([
      ['no final newline', SECRET],
      ['a final newline', `${SECRET}\n`],
      ['a final CRLF', `${SECRET}\r\n`],
    ])('--secret-file reads it, without %s, and prints no warning', async (_name, content) => {
      const secretFile = join(dir, 'secret.txt');
      writeFileSync(secretFile, content);
      const run = await runCliProcess(['trigger', 'check.failed', '--url', url, '--secret-file', secretFile]);
      expect([run.code, run.stderr]).toEqual([0, '']);
      expect(sentSignature()).toBe(hmacHex(requests[0].body, SECRET));
      expectNoSecret(run);
    });

    it('--secret-file keeps everything but one final newline', async () => {
      const secretFile = join(dir, 'secret-with-spaces.txt');
      writeFileSync(secretFile, ` ${SECRET} \n\n`);
      const run = await runCliProcess(['replay', eventFile(), '--url', url, '--secret-file', secretFile]);
      expect(run.code).toBe(0);
      expect(sentSignature()).toBe(hmacHex(requests[0].body, ` ${SECRET} \n`));
    });

    it.each([
      ['trigger', () => ['trigger', 'check.failed']],
      ['replay of a file', () => ['replay', eventFile()]],
    ])('--secret - reads it from standard input for %s', async (_name, args) => {
      const run = await runCliProcess([...args(), '--url', url, '--secret', '-'], { input: `${SECRET}\n` });
      expect([run.code, run.stderr]).toEqual([0, '']);
      expect(sentSignature()).toBe(hmacHex(requests[0].body, SECRET));
      expectNoSecret(run);
    });

    it('sign --secret - reads the secret from standard input when the body is a file', async () => {
      const file = eventFile();
      const run = await runCliProcess(['sign', file, '--secret', '-'], { input: `${SECRET}\r\n` });
      expect(run).toEqual({ code: 0, stdout: `${hmacHex(readFileSync(file), SECRET)}\n`, stderr: '' });
    });

    it('--secret <value> still works, with a warning on stderr that never shows the secret', async () => {
      const run = await runCliProcess(['trigger', 'check.failed', '--url', url, '--secret', SECRET]);
      expect(run.code).toBe(0);
      expect(run.stderr).toBe(LITERAL_SECRET_WARNING);
      expect(sentSignature()).toBe(hmacHex(requests[0].body, SECRET));
      expectNoSecret(run);
    });

    it('the environment variable needs no flag and prints no warning', async () => {
      const run = await runCliProcess(['trigger', 'check.failed', '--url', url], { env: ENV });
      expect([run.code, run.stderr]).toEqual([0, '']);
      expect(sentSignature()).toBe(hmacHex(requests[0].body, SECRET));
    });
  });

  it('trigger signs exactly the bytes it sends', async () => {
    const run = await runCliProcess(['trigger', 'address.created', '--url', url], { env: ENV });
    expect(run.code).toBe(0);
    const [{ body, headers }] = requests;
    expect(headers['complycube-signature']).toBe(hmacHex(body, SECRET));
    expect(JSON.parse(body.toString())).toMatchObject({ type: 'address.created', resourceType: 'address' });
  });
});

describe('complycube-webhooks usage errors: one stderr line, non-zero exit, no secret', () => {
  let refusedUrl: string;
  beforeAll(async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    refusedUrl = `http://127.0.0.1:${(probe.address() as AddressInfo).port}/webhooks/complycube`;
    await new Promise((resolve) => probe.close(resolve));
  });

  it.each<[string, string[], Record<string, string>, number, RegExp]>([
    ['an unknown flag', ['trigger', 'check.failed', '--bogus'], ENV, 2, /^complycube-webhooks trigger: unknown option '--bogus'$/],
    [
      'a flag without its value',
      ['trigger', 'check.failed', '--url'],
      ENV,
      2,
      /^complycube-webhooks trigger: option '--url <value>' argument missing$/,
    ],
    [
      'a bad URL',
      ['trigger', 'check.failed', '--url', 'localhost:3000/hook'],
      ENV,
      2,
      /bad URL 'localhost:3000\/hook': only http:\/\/ and https:\/\//,
    ],
    ['an unparsable URL', ['replay', 'x.json', '--url', 'not a url'], ENV, 2, /bad URL 'not a url': give the endpoint's full URL/],
    [
      'a missing secret',
      ['trigger', 'check.failed', '--url', 'http://127.0.0.1:9/'],
      {},
      2,
      /no webhook secret: set COMPLYCUBE_WEBHOOK_SECRET or pass --secret/,
    ],
    ['a missing secret for sign', ['sign', 'package.json'], {}, 2, /^complycube-webhooks sign: no webhook secret/],
    [
      'an unknown event type',
      ['trigger', 'check.complted'],
      ENV,
      2,
      /unknown event type 'check.complted'; 'complycube-webhooks trigger --list' lists them/,
    ],
    ['a bad --count', ['trigger', 'check.failed', '--count', '0'], ENV, 2, /--count must be a whole number from 1 to 10000, got '0'/],
    ['a bad --set', ['trigger', 'check.failed', '--set', 'payload.status'], ENV, 2, /--set needs path=value/],
    ['a --set through a value', ['trigger', 'check.failed', '--set', 'payload.status.x=1'], ENV, 2, /'payload.status' is not an object/],
    ['a missing file', ['replay', 'no-such-file.json'], ENV, 2, /cannot read 'no-such-file.json': no such file/],
    ['a file that is not JSON', ['replay', 'README.md'], ENV, 2, /'README.md' is not JSON/],
    ['an unknown command', ['trigger-all'], ENV, 2, /unknown command 'trigger-all'/],
    [
      '--save with --count above 1',
      ['trigger', 'check.failed', '--count', '2', '--save', 'sent.json'],
      ENV,
      2,
      /^complycube-webhooks trigger: --save writes the body of one event: drop --count 2, or run trigger --save once per event$/,
    ],
    [
      'both --secret and --secret-file',
      ['trigger', 'check.failed', '--secret', SECRET, '--secret-file', 'secret.txt'],
      {},
      2,
      /give the secret once: --secret or --secret-file, not both/,
    ],
    [
      'a missing secret file',
      ['replay', 'x.json', '--secret-file', 'no-such-secret.txt'],
      {},
      2,
      /cannot read 'no-such-secret.txt': no such file/,
    ],
    ['an empty --secret', ['trigger', 'check.failed', '--secret', ''], ENV, 2, /the secret from --secret is empty/],
    ['a blank --secret', ['sign', 'package.json', '--secret', ' \t '], ENV, 2, /the secret from --secret is empty/],
  ])('%s', async (_name, args, env, code, message) => {
    const run = await runCliProcess(args, { env });
    expect(run.code).toBe(code);
    expect(run.stdout).toBe('');
    expectOneErrorLine(run, message);
    expectNoSecret(run);
  });

  describe('with files and standard input', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'complycube-cli-'));
      writeFileSync(join(dir, 'event.json'), '{"id":"5ed170fe99c81a0007b9a3d3","type":"check.failed"}');
      writeFileSync(join(dir, 'empty-secret.txt'), '');
      writeFileSync(join(dir, 'blank-secret.txt'), '  \r\n');
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    const bodyAndSecretOnStdin =
      /--secret - reads the secret from standard input, which carries the body here: give the body as a file, or the secret with --secret-file$/;
    it.each<[string, (dir: string) => string[], string, RegExp]>([
      ['sign --secret - with the body on standard input', () => ['sign', '--secret', '-'], '{}', bodyAndSecretOnStdin],
      ['sign - --secret -', () => ['sign', '-', '--secret', '-'], '{}', bodyAndSecretOnStdin],
      ['replay - --secret -', () => ['replay', '-', '--secret', '-'], '{}', bodyAndSecretOnStdin],
      [
        'an empty standard input for --secret -',
        () => ['trigger', 'check.failed', '--secret', '-'],
        '',
        /the secret from standard input \(--secret -\) is empty/,
      ],
      [
        'a lone newline for --secret -',
        (d) => ['replay', join(d, 'event.json'), '--secret', '-'],
        '\n',
        /the secret from standard input \(--secret -\) is empty/,
      ],
      [
        'an empty secret file',
        (d) => ['trigger', 'check.failed', '--secret-file', join(d, 'empty-secret.txt')],
        '',
        /the secret from the secret file '.*empty-secret.txt' is empty/,
      ],
      [
        'a blank secret file',
        (d) => ['sign', '--secret-file', join(d, 'blank-secret.txt')],
        '{}',
        /the secret from the secret file '.*blank-secret.txt' is empty/,
      ],
      [
        '--save into a missing directory',
        (d) => ['trigger', 'check.failed', '--url', refusedUrl, '--save', join(d, 'no-such-dir', 'sent.json')],
        '',
        /cannot write '.*no-such-dir\/sent.json': no such file or directory$/,
      ],
    ])('%s', async (_name, args, input, message) => {
      const run = await runCliProcess(args(dir), { env: ENV, input });
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expectOneErrorLine(run, message);
      expectNoSecret(run);
    });
  });

  describe('a URL with a user name and password, parseable or not, is never repeated', () => {
    it.each([
      'http://admin:hunter2@bad host/x',
      'https://admin:hunter2@bad host/x',
      'http://admin:hunter2@127.0.0.1:99999/x',
      'http://admin:hun@ter2@bad host/x',
      'http://admin:hun:ter2@bad host/x',
      'http://admin:hun%40ter2@bad host/x',
      'http://admin:hun ter2@bad host/x',
      'http://admin:hun/ter2@127.0.0.1/x',
      'http://admin:hun?ter2@127.0.0.1/x',
      'http://admin:hun#ter2@127.0.0.1/x',
      'http://admin:hun ter2@127.0.0.1/x',
      'http:admin:hunter2@127.0.0.1/x',
      'admin:hunter2@127.0.0.1/x',
      'ftp://admin:hunter2@bad host/x',
      ' http://admin:hunter2@bad host/x ',
    ])('%j', async (withCredentials) => {
      // trigger and replay share the check: each URL is given to one of them, in turn.
      const args =
        withCredentials.length % 2 === 0 ? ['trigger', 'check.completed.clear'] : ['replay', 'fixtures/events/check.completed.clear.json'];
      const run = await runCliProcess([...args, '--url', withCredentials], { env: ENV });
      expect(run.code).toBe(2);
      expectOneErrorLine(run, /bad URL/);
      expect(run.stdout + run.stderr).not.toMatch(/admin|hun|ter2/);
    });
  });

  it('a refused connection', async () => {
    const run = await runCliProcess(['trigger', 'check.failed', '--url', refusedUrl], { env: ENV });
    expect(run.code).toBe(1);
    expectOneErrorLine(
      run,
      `complycube-webhooks trigger: cannot reach ${refusedUrl}: connection refused (is the app running on that port?)`,
    );
    expectNoSecret(run);
  });

  it.each(['trigger', 'replay'])('%s refuses a URL with a user name or password, without echoing them', async (command) => {
    const withCredentials = refusedUrl.replace('http://', 'http://admin:hunter2@');
    const args = command === 'trigger' ? ['trigger', 'check.completed.clear'] : ['replay', 'fixtures/events/check.completed.clear.json'];
    const run = await runCliProcess([...args, '--url', withCredentials], { env: ENV });
    expect(run.code).toBe(2);
    expectOneErrorLine(run, /user name or password/);
    expect(run.stdout + run.stderr).not.toMatch(/admin|hunter2/);
  });

  it.each(['trigger', 'sign', 'replay'])('%s --help prints its usage', async (command) => {
    const run = await runCliProcess([command, '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^Usage: complycube-webhooks ${command} `));
  });
});

describe('complycube-webhooks trigger and replay send plain HTTP only to this machine', () => {
  let wire: Server;
  let port: number;
  const hosts: Array<string | undefined> = [];
  const externalAddress = Object.values(networkInterfaces())
    .flat()
    .find((address) => address !== undefined && !address.internal && address.family === 'IPv4')?.address;

  beforeAll(async () => {
    wire = createServer((request, response) => {
      hosts.push(request.headers.host);
      request.resume();
      request.on('end', () => response.writeHead(202, { 'content-type': 'text/plain' }).end('accepted'));
    });
    // Every address of this machine, IPv4 and IPv6.
    await new Promise<void>((resolve) => wire.listen(0, '::', resolve));
    port = (wire.address() as AddressInfo).port;
  });
  afterAll(() => new Promise((resolve) => wire.close(resolve)));
  beforeEach(() => (hosts.length = 0));

  const commands: Array<[string, string[]]> = [
    ['trigger', ['trigger', 'check.completed.clear']],
    ['replay', ['replay', 'fixtures/events/check.completed.clear.json']],
  ];

  it.each(['localhost', '127.0.0.1', '127.1.2.3', '[::1]'])('sends to http://%s', async (host) => {
    for (const [, args] of commands) {
      const run = await runCliProcess([...args, '--url', `http://${host}:${port}/hook`], { env: ENV });
      expect([run.code, run.stderr]).toEqual([0, '']);
    }
    expect(hosts).toEqual([`${host}:${port}`, `${host}:${port}`]);
  });

  it.each(commands)('%s refuses http:// to another host, saying why and what to do, before sending', async (_name, args) => {
    // A documentation address (TEST-NET-3): nothing answers there, and nothing is sent.
    const run = await runCliProcess([...args, '--url', 'http://203.0.113.7:8080/hook'], { env: ENV });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expectOneErrorLine(
      run,
      /^complycube-webhooks (trigger|replay): refusing plain http:\/\/ to 203.0.113.7:8080: events carry personal data, so plain HTTP is only for this machine \(localhost, 127.0.0.0\/8, \[::1\]\); use https:\/\/, or pass --insecure to send them unencrypted anyway$/,
    );
  });

  const onNetwork = externalAddress ? it : it.skip;
  onNetwork(
    `sends over the network with --insecure only, and over HTTPS without it${externalAddress ? '' : ' (skipped: this machine has no network address but loopback)'}`,
    async () => {
      const external = `http://${externalAddress}:${port}/hook`;
      for (const [, args] of commands) {
        const refused = await runCliProcess([...args, '--url', external], { env: ENV });
        expect(refused.code).toBe(2);
        expectOneErrorLine(refused, /refusing plain http:\/\/ .* pass --insecure/);
        expect(hosts).toEqual([]);

        const insecure = await runCliProcess([...args, '--url', external, '--insecure'], { env: ENV });
        expect([insecure.code, insecure.stderr]).toEqual([0, '']);
        expect(insecure.stdout).toContain('202 accepted');
        expect(hosts.splice(0)).toEqual([`${externalAddress}:${port}`]);

        // Not refused: TLS is attempted, and fails against this plain-HTTP listener.
        const https = await runCliProcess([...args, '--url', external.replace('http:', 'https:')], { env: ENV });
        expect(https.code).toBe(1);
        expectOneErrorLine(https, /cannot reach https:\/\//);
      }
    },
    // Six CLI processes in a row, each compiling the CLI: a bound for a busy machine, not a target.
    120_000,
  );
});
