#!/usr/bin/env node
// Compatibility checks (`npm run compat`). Builds and packs this package once, then:
//
// 1. Nest 12: installs the tarball into a throw-away Nest 12 app (copied from test/compat/app into
//    a temp dir), compiles that app with its own tsc twice (ESM and CommonJS), runs each build with
//    plain node on a free loopback port, and posts ComplyCube-signed events to it over real HTTP.
// 2. Nest 11, as a newcomer follows the README: a Nest 11 app with what `nest new` gives it for
//    Jest (test/compat/nest11-jest-app), the sample app's sources, the tarball installed with the
//    README's own Nest 11 install lines, and the README's Jest example, run with the app's Jest.
//
// Temp dirs and child processes are removed even when a step fails.
import { spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const templateDir = join(repoRoot, 'test/compat/app');
const nest11TemplateDir = join(repoRoot, 'test/compat/nest11-jest-app');
const sampleDir = join(repoRoot, 'sample');
/** sample/ files that belong to this repository's tooling, not to the app a user writes. */
const SAMPLE_TOOLING = new Set(['demo.ts', 'tsconfig.json']);
const PACKAGE_NAME = 'nestjs-complycube-webhooks';
const NPM_QUIET = ['--no-audit', '--no-fund'];
const webhookPath = '/webhooks/complycube';
const commandTimeoutMs = 5 * 60_000;
const startTimeoutMs = 30_000;
const stopTimeoutMs = 5_000;

const results = [];
/** Child processes still alive: the commands and the app; all are stopped on every exit path. */
const running = new Set();
let workDir;
let interruptedBy;

class CheckFailure extends Error {}

function track(child) {
  running.add(child);
  child.on('exit', () => running.delete(child));
  return child;
}

function ensureNotInterrupted() {
  if (interruptedBy) throw new CheckFailure(`interrupted by ${interruptedBy}`);
}

function log(message) {
  console.log(`compat: ${message}`);
}

function seconds(since) {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}

/** Runs a command to completion; its output is shown only when it fails. */
function run(command, args, cwd) {
  ensureNotInterrupted();
  return new Promise((resolvePromise, reject) => {
    const child = track(spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] }));
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, commandTimeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolvePromise(output);
      const reason = timedOut ? `timed out after ${commandTimeoutMs / 1000} s` : (signal ?? `exit ${code}`);
      reject(new CheckFailure(`\`${command} ${args.join(' ')}\` failed (${reason}):\n${output.trim()}`));
    });
  });
}

async function step(title, action) {
  const started = Date.now();
  const value = await action();
  log(`${title} (${seconds(started)})`);
  return value;
}

async function packPackage() {
  workDir = await mkdtemp(join(tmpdir(), 'complycube-compat-'));
  await step('built the package', () => run('npm', ['run', 'build'], repoRoot));
  // The build just ran: --ignore-scripts keeps a prepack script from building a second time.
  return step('packed the package', async () => {
    await run('npm', ['pack', '--ignore-scripts', '--pack-destination', workDir], repoRoot);
    const [filename] = (await readdir(workDir)).filter((name) => name.endsWith('.tgz'));
    return join(workDir, filename);
  });
}

async function logInstalledVersions(appDir, names) {
  const versions = [];
  for (const name of names) {
    const { version } = JSON.parse(await readFile(join(appDir, 'node_modules', name, 'package.json'), 'utf8'));
    versions.push(`${name}@${version}`);
  }
  log(`installed ${versions.join(', ')}`);
}

async function prepareNest12App(tarball) {
  if (!process.features.require_module) {
    throw new CheckFailure(
      `Node ${process.version} cannot require() ES modules; Nest 12 is ESM-only and this package is CommonJS. ` +
        'Use Node 20.19+, 22.12+ or 24+.',
    );
  }
  const appDir = join(workDir, 'nest12-app');
  await cp(templateDir, appDir, { recursive: true });
  const manifestPath = join(appDir, 'package.json');
  const manifest = JSON.parse(await readFile(manifestPath, 'utf8'));
  manifest.dependencies[PACKAGE_NAME] = `file:${tarball}`;
  await writeFile(manifestPath, JSON.stringify(manifest, null, 2));

  // npm refuses the install (ERESOLVE) if the package's peer ranges do not admit Nest 12.
  await step('installed the Nest 12 app', () => run('npm', ['install', ...NPM_QUIET], appDir));
  await logInstalledVersions(appDir, ['@nestjs/common', '@nestjs/core', '@nestjs/platform-express', '@nestjs/event-emitter', 'typescript']);

  const tsc = join(appDir, 'node_modules/typescript/bin/tsc');
  await step('compiled the app as ESM', () => run(process.execPath, [tsc, '-p', 'tsconfig.json'], appDir));
  await step('compiled the app as CommonJS', () => run(process.execPath, [tsc, '-p', 'tsconfig.cjs.json'], appDir));
  await writeFile(join(appDir, 'dist-cjs/package.json'), JSON.stringify({ type: 'commonjs' }));
  return appDir;
}

/** Starts the compiled app with plain node and resolves with its base URL once it listens. */
function startApp(entry, secret) {
  ensureNotInterrupted();
  const child = track(
    spawn(process.execPath, [entry], {
      cwd: dirname(entry),
      env: { ...process.env, COMPLYCUBE_WEBHOOK_SECRET: secret },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  let output = '';
  const ready = new Promise((resolvePromise, reject) => {
    const timer = setTimeout(
      () => reject(new CheckFailure(`the app did not start within ${startTimeoutMs} ms:\n${output}`)),
      startTimeoutMs,
    );
    child.stdout.on('data', (chunk) => {
      output += chunk;
      const url = /listening on (http:\/\/\S+)/.exec(output)?.[1];
      if (url) {
        clearTimeout(timer);
        resolvePromise(url);
      }
    });
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new CheckFailure(`the app exited before listening (${signal ?? `exit ${code}`}):\n${output.trim()}`));
    });
  });
  const exited = new Promise((resolvePromise) => child.once('exit', resolvePromise));
  const exitedWithin = (ms) => Promise.race([exited, new Promise((resolvePromise) => setTimeout(resolvePromise, ms))]);
  return { child, ready, exitedWithin, output: () => output };
}

async function stopApp(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolvePromise) => child.once('exit', resolvePromise));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), stopTimeoutMs);
  await exited;
  clearTimeout(timer);
}

function makeEvent() {
  const id = randomBytes(12).toString('hex');
  return {
    id,
    type: 'check.completed.clear',
    resourceType: 'check',
    payload: { id: randomBytes(12).toString('hex'), outcome: 'clear' },
    createdAt: new Date().toISOString(),
  };
}

async function postEvent(baseUrl, body, secret) {
  const signature = createHmac('sha256', secret).update(body).digest('hex');
  const response = await fetch(`${baseUrl}${webhookPath}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'complycube-signature': signature },
    body,
    signal: AbortSignal.timeout(10_000),
  });
  return { status: response.status, text: await response.text() };
}

async function receivedEvents(baseUrl) {
  const response = await fetch(`${baseUrl}/compat/received`, { signal: AbortSignal.timeout(10_000) });
  return (await response.json()).events;
}

/** Runs one named check; on failure `context()` adds what helps to understand it. */
async function check(name, body, context) {
  try {
    await body();
    results.push({ name, passed: true });
    log(`PASS ${name}`);
  } catch (error) {
    if (interruptedBy) throw error;
    results.push({ name, passed: false });
    log(`FAIL ${name}: ${error.message}${await context()}`);
  }
}

function expect(condition, message) {
  if (!condition) throw new CheckFailure(message);
}

async function checkBuild(label, entry) {
  const secret = randomBytes(24).toString('hex');
  const app = startApp(entry, secret);
  // A request that fails because the app crashed is explained by what the app printed.
  const appOutput = async () => {
    await app.exitedWithin(1_000);
    const output = app
      .output()
      .replace(/^listening on .*$/m, '')
      .trim();
    return output ? `\napp output:\n${output}` : '';
  };
  try {
    const baseUrl = await app.ready;
    await check(
      `${label}: a signed event reaches the @OnComplyCubeEvent handler`,
      async () => {
        const event = makeEvent();
        const response = await postEvent(baseUrl, JSON.stringify(event), secret);
        expect(response.status === 200, `expected 200, got ${response.status} ${response.text}`);
        const handled = (await receivedEvents(baseUrl)).filter((received) => received.id === event.id);
        expect(handled.length === 1, `expected the handler to receive event ${event.id} once, got ${handled.length}`);
        expect(handled[0].payloadId === event.payload.id, 'the handler received a different payload');
      },
      appOutput,
    );
    await check(
      `${label}: a forged signature gets 401 and runs no handler`,
      async () => {
        const event = makeEvent();
        const response = await postEvent(baseUrl, JSON.stringify(event), `${secret}-forged`);
        expect(response.status === 401, `expected 401, got ${response.status} ${response.text}`);
        const handled = (await receivedEvents(baseUrl)).filter((received) => received.id === event.id);
        expect(handled.length === 0, 'the handler received an event with a forged signature');
      },
      appOutput,
    );
  } catch (error) {
    if (interruptedBy) throw error;
    results.push({ name: `${label}: start`, passed: false });
    log(`FAIL ${label}: ${error.message}`);
  } finally {
    await stopApp(app.child);
  }
}

/** A README section: from its `<!-- section: name -->` marker to the next section marker. */
function readmeSection(readme, name) {
  const start = readme.indexOf(`<!-- section: ${name} -->`);
  if (start < 0) throw new CheckFailure(`README.md: the ${name} section (<!-- section: ${name} -->) is missing`);
  const end = readme.indexOf('<!-- section:', start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

/**
 * The `npm install` lines under `# Nest <major>` in the bash block of the README's Install
 * section, as argument lists (comments dropped), so this check installs exactly what it says.
 */
function readmeInstallCommands(readme, major) {
  const block = /```bash\n([\s\S]*?)```/.exec(readmeSection(readme, 'install'))?.[1] ?? '';
  const commands = [];
  let underMajor = false;
  for (const line of block.split('\n')) {
    const heading = /^#\s*Nest (\d+)\b/.exec(line.trim());
    if (heading) {
      underMajor = heading[1] === String(major);
      continue;
    }
    const command = line.replace(/#.*$/, '').trim();
    if (!underMajor || command === '') continue;
    const words = command.split(/\s+/);
    if (words[0] !== 'npm' || words[1] !== 'install' || !words.slice(2).every((word) => /^[\w@./^~<>=-]+$/.test(word))) {
      throw new CheckFailure(`README.md: under "# Nest ${major}", expected plain npm install lines, found: ${command}`);
    }
    commands.push(words.slice(2));
  }
  if (!commands.some((args) => args.includes(PACKAGE_NAME))) {
    throw new CheckFailure(`README.md: the Install section has no "# Nest ${major}" line installing ${PACKAGE_NAME}`);
  }
  return commands;
}

/** The README's Jest example, and the path it names for it (`test/...e2e-spec.ts`). */
function readmeJestExample(readme) {
  const section = readmeSection(readme, 'testing');
  const blocks = [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]);
  const path = /`(test\/[\w./-]+\.e2e-spec\.ts)`/.exec(section)?.[1];
  if (blocks.length !== 1 || !path) {
    throw new CheckFailure('README.md: the testing section should hold one ```ts block and name its file (`test/....e2e-spec.ts`)');
  }
  return { path, source: blocks[0] };
}

/**
 * What a newcomer on Nest 11 does: a `nest new` app, the README's Nest 11 install lines with the
 * packed tarball in place of the package name, the app's sources (sample/), the README's Jest
 * example, `npm run test:e2e`. Each test of the example must pass.
 */
async function checkNest11Jest(tarball) {
  const readme = await readFile(join(repoRoot, 'README.md'), 'utf8');
  const installCommands = readmeInstallCommands(readme, 11);
  const example = readmeJestExample(readme);
  const appDir = join(workDir, 'nest11-app');
  await cp(nest11TemplateDir, appDir, { recursive: true });
  await cp(sampleDir, join(appDir, 'src'), { recursive: true, filter: (source) => !SAMPLE_TOOLING.has(basename(source)) });
  await writeFile(join(appDir, example.path), example.source);

  await step('installed a Nest 11 app as `nest new` creates it', () => run('npm', ['install', ...NPM_QUIET], appDir));
  for (const args of installCommands) {
    const withTarball = args.map((word) => (word === PACKAGE_NAME ? tarball : word));
    await step(`ran the README's Nest 11 line: npm install ${args.join(' ')}`, () =>
      run('npm', ['install', ...withTarball, ...NPM_QUIET], appDir),
    );
  }
  await logInstalledVersions(appDir, [
    '@nestjs/common',
    '@nestjs/core',
    '@nestjs/event-emitter',
    '@nestjs/config',
    'jest',
    'ts-jest',
    'typescript',
  ]);

  const expectedTests = example.source.match(/^\s*it\(/gm)?.length ?? 0;
  await check(
    `Nest 11 app: the README's Jest example (${example.path}) passes, installed as the README says`,
    async () => {
      await step("ran the README's Jest example", () =>
        run('npm', ['run', 'test:e2e', '--', '--json', '--outputFile=jest-results.json'], appDir),
      );
      const results = JSON.parse(await readFile(join(appDir, 'jest-results.json'), 'utf8'));
      expect(
        results.numPassedTests === expectedTests && results.numFailedTests === 0,
        `expected the example's ${expectedTests} tests to pass, got ${results.numPassedTests} passed and ${results.numFailedTests} failed`,
      );
    },
    async () => '',
  );
}

async function cleanUp() {
  await Promise.all([...running].map(stopApp));
  if (workDir) await rm(workDir, { recursive: true, force: true });
}

// Stopping the children makes the step in progress fail; the usual path then cleans up.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    interruptedBy = signal;
    log(`${signal} received: stopping and cleaning up`);
    running.forEach((child) => child.kill('SIGTERM'));
  });
}
process.once('exit', () => running.forEach((child) => child.kill('SIGKILL')));

/** Runs one group of checks; a failure to set it up fails the group, not the groups after it. */
async function group(name, body) {
  try {
    await body();
  } catch (error) {
    if (interruptedBy) throw error;
    results.push({ name: `${name}: setup`, passed: false });
    log(`FAIL ${name}: setup: ${error instanceof CheckFailure ? error.message : error.stack}`);
  }
}

const started = Date.now();
try {
  const tarball = await packPackage();
  await group('Nest 12 app', async () => {
    const appDir = await prepareNest12App(tarball);
    await checkBuild('Nest 12 ESM app', join(appDir, 'dist/main.js'));
    await checkBuild('Nest 12 CommonJS app', join(appDir, 'dist-cjs/main.js'));
  });
  await group('Nest 11 app', () => checkNest11Jest(tarball));
} catch (error) {
  if (!interruptedBy) {
    results.push({ name: 'setup', passed: false });
    log(`FAIL setup: ${error instanceof CheckFailure ? error.message : error.stack}`);
  }
} finally {
  await cleanUp();
}

const failed = results.filter((result) => !result.passed).length;
log(`finished in ${seconds(started)}`);
log(`${results.length - failed} passed, ${failed} failed`);
if (interruptedBy) log(`interrupted by ${interruptedBy}`);
process.exitCode = interruptedBy ? 130 : failed === 0 ? 0 : 1;
