import autocannon from 'autocannon';
import { ChildProcess, fork } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { extname, isAbsolute, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { BENCH_CASES, BenchCase, RUN_ORDER } from './cases';
import {
  complyCubeEventTemplate,
  EventTemplate,
  fillTemplate,
  newEventId,
  newStripeEventId,
  signComplyCube,
  signStripe,
  stripeEventTemplate,
} from './events';
import { PACKAGE_ROOT, PackageSource } from './package-under-test';
import { BenchResults, CaseResult, computeRatios, renderMarkdown, RunMeasurement, summariseCase } from './report';
import { DriverMessage, ServerMessage } from './server-harness';
import { runVerifyMicroBench } from './verify-micro';

const USAGE = `Usage: npm run bench -- [options]

  --cases A,B,...     cases to run (default: all, ${BENCH_CASES.map((benchCase) => benchCase.id).join(',')})
  --duration S        seconds per measured run (default 10)
  --runs N            measured runs per case (default 3)
  --warmup S          seconds of warm-up per case, 0 for none (default 5)
  --connections N     concurrent connections, the same for every case (default 10)
  --pipelining N      requests in flight per connection (default 1)
  --package dist|lib  load the built package (default, needs npm run build) or its TypeScript sources
  --out DIR           where results.json and RESULTS.md go (default bench/)
  --micro-time MS     time per verifyComplyCubeSignature micro-benchmark task (default 2000)
  --skip-micro        leave the micro-benchmark out
  --cpu-prof DIR      write a V8 CPU profile of each server process to DIR (node --cpu-prof)
  --body-bytes N      approximate size of the signed event (default 1024)`;

/** Bad input: one line, the way to get help, exit code 2. */
function usageError(message: string): never {
  console.error(`bench: ${message}\nRun 'npm run bench -- --help' for the options.`);
  process.exit(2);
}

const BENCH_OPTIONS = {
  cases: { type: 'string', default: BENCH_CASES.map((benchCase) => benchCase.id).join(',') },
  duration: { type: 'string', default: '10' },
  runs: { type: 'string', default: '3' },
  warmup: { type: 'string', default: '5' },
  connections: { type: 'string', default: '10' },
  pipelining: { type: 'string', default: '1' },
  package: { type: 'string', default: 'dist' },
  out: { type: 'string', default: 'bench' },
  'micro-time': { type: 'string', default: '2000' },
  'skip-micro': { type: 'boolean', default: false },
  'cpu-prof': { type: 'string' },
  'body-bytes': { type: 'string', default: '1024' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

function readFlags(): ReturnType<typeof parseArgs<{ options: typeof BENCH_OPTIONS }>>['values'] {
  try {
    return parseArgs({ options: BENCH_OPTIONS }).values;
  } catch (error) {
    return usageError((error as Error).message);
  }
}
const flags = readFlags();

function positiveNumber(name: string, value: string, allowZero = false): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number < 0 || (!allowZero && number === 0)) {
    usageError(`--${name} must be a ${allowZero ? 'non-negative' : 'positive'} number (got ${JSON.stringify(value)}).`);
  }
  return number;
}

const fromRoot = (path: string): string => (isAbsolute(path) ? path : resolve(PACKAGE_ROOT, path));

interface RunningServer {
  benchCase: BenchCase;
  child: ChildProcess;
  port: number;
  template: EventTemplate;
}

function startServer(benchCase: BenchCase, packageSource: PackageSource, cpuProfileDir?: string): Promise<RunningServer> {
  const execArgv = compiled ? [] : ['-r', 'ts-node/register/transpile-only'];
  if (cpuProfileDir) execArgv.push('--cpu-prof', `--cpu-prof-dir=${cpuProfileDir}`, `--cpu-prof-name=case-${benchCase.id}.cpuprofile`);
  const child = fork(join(__dirname, 'servers', `${benchCase.server}${compiled ? '.js' : '.ts'}`), benchCase.args, {
    cwd: PACKAGE_ROOT,
    execArgv,
    env: { ...process.env, BENCH_PACKAGE: packageSource, TS_NODE_PROJECT: join(PACKAGE_ROOT, 'tsconfig.json') },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`case ${benchCase.id}: the server did not start within 120 s`)), 120_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`case ${benchCase.id}: the server exited with code ${code} before it was ready`));
    });
    child.on('message', (message: ServerMessage) => {
      if (message.type !== 'ready') return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      resolvePromise({ benchCase, child, port: message.port, template: templates[benchCase.signing] });
    });
  });
}

function serverStats(server: RunningServer): Promise<Extract<ServerMessage, { type: 'stats' }>> {
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`case ${server.benchCase.id}: no stats from the server`)), 30_000);
    const listener = (message: ServerMessage): void => {
      if (message.type !== 'stats') return;
      clearTimeout(timer);
      server.child.off('message', listener);
      resolvePromise(message);
    };
    server.child.on('message', listener);
    server.child.send({ type: 'stats' } satisfies DriverMessage);
  });
}

function stopServer(server: RunningServer): Promise<void> {
  return new Promise((resolvePromise) => {
    if (server.child.exitCode !== null) return resolvePromise();
    const timer = setTimeout(() => server.child.kill('SIGKILL'), 30_000);
    server.child.once('exit', () => {
      clearTimeout(timer);
      resolvePromise();
    });
    // Disconnecting lets the server exit normally, which is when node writes a --cpu-prof profile.
    server.child.disconnect();
  });
}

/** A fresh event id and signature for each request, as real deliveries have. */
function signedDelivery(server: RunningServer): { body: string; headers: Record<string, string> } {
  const { signing } = server.benchCase;
  const body = fillTemplate(server.template, signing === 'stripe' ? newStripeEventId() : newEventId());
  const signature: Record<string, string> =
    signing === 'stripe' ? { 'stripe-signature': signStripe(body) } : { 'complycube-signature': signComplyCube(body) };
  return { body, headers: { 'content-type': 'application/json', ...signature } };
}

/** One signed request must be accepted and one with a wrong signature refused, or the case measures nothing. */
async function preflight(server: RunningServer): Promise<string[]> {
  const url = `http://127.0.0.1:${server.port}${server.benchCase.path}`;
  const valid = signedDelivery(server);
  const accepted = await fetch(url, { method: 'POST', headers: valid.headers, body: valid.body });
  await accepted.arrayBuffer();
  const forged = signedDelivery(server);
  const [signatureHeader, signature] = Object.entries(forged.headers).find(([name]) => name.endsWith('-signature')) ?? ['', ''];
  const wrongSignature = signature.slice(0, -1) + (signature.endsWith('0') ? '1' : '0');
  const refused = await fetch(url, {
    method: 'POST',
    headers: { ...forged.headers, [signatureHeader]: wrongSignature },
    body: forged.body,
  });
  await refused.arrayBuffer();
  const problems: string[] = [];
  if (accepted.status < 200 || accepted.status > 299) problems.push(`a correctly signed delivery got ${accepted.status}`);
  if (refused.status < 400) problems.push(`a delivery with a wrong signature got ${refused.status}`);
  return problems;
}

async function load(server: RunningServer, seconds: number): Promise<RunMeasurement> {
  const before = await serverStats(server);
  const result = await autocannon({
    url: `http://127.0.0.1:${server.port}`,
    connections,
    pipelining,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        path: server.benchCase.path,
        setupRequest: (request) => ({ ...request, ...signedDelivery(server) }),
      },
    ],
  });
  const after = await serverStats(server);
  return {
    // Accepted deliveries over the measured time: autocannon's per-second average is skewed when a
    // busy machine's timer adds an eleventh, partial, one-second sample to a 10 s run.
    requestsPerSecond: result['2xx'] / result.duration,
    durationSeconds: result.duration,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    responses2xx: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    handled: after.handled - before.handled,
    serverCpuMicrosPerRequest: (after.cpuMicros - before.cpuMicros) / Math.max(1, after.handled - before.handled),
  };
}

function runProblems(run: RunMeasurement, sent: number): string[] {
  const problems: string[] = [];
  if (run.non2xx > 0 || run.errors > 0 || run.timeouts > 0) {
    problems.push(`${run.non2xx} non-2xx responses, ${run.errors} errors, ${run.timeouts} timeouts in a run`);
  }
  // Requests still in flight when autocannon stops may have been handled but not counted as 2xx.
  if (run.handled < run.responses2xx || run.handled > run.responses2xx + sent) {
    problems.push(`handlers ran ${run.handled} times for ${run.responses2xx} accepted deliveries (expected one handler per delivery)`);
  }
  return problems;
}

if (flags.help) {
  console.log(USAGE);
  process.exit(0);
}
const connections = positiveNumber('connections', flags.connections);
const pipelining = positiveNumber('pipelining', flags.pipelining);
const durationSeconds = positiveNumber('duration', flags.duration);
const runs = positiveNumber('runs', flags.runs);
const warmupSeconds = positiveNumber('warmup', flags.warmup, true);
const bodyBytes = positiveNumber('body-bytes', flags['body-bytes']);
const packageSource = flags.package as PackageSource;
if (packageSource !== 'dist' && packageSource !== 'lib') usageError('--package must be dist or lib.');
const requested = flags.cases
  .split(',')
  .map((id) => id.trim().toUpperCase())
  .filter(Boolean);
const selected = BENCH_CASES.filter((benchCase) => requested.includes(benchCase.id));
const unknown = requested.filter((id) => !BENCH_CASES.some((benchCase) => benchCase.id === id));
if (unknown.length || selected.length === 0) {
  usageError(`unknown or no case(s) '${flags.cases}'; known: ${BENCH_CASES.map((benchCase) => benchCase.id).join(', ')}.`);
}
if (packageSource === 'dist' && !existsSync(join(PACKAGE_ROOT, 'dist', 'index.js'))) {
  usageError('dist/ is missing: run `npm run build` first (npm run bench does), or pass --package lib.');
}
// Compiled (npm run bench), the servers run on plain node; from source, through ts-node.
const compiled = extname(__filename) === '.js';
const templates = { complycube: complyCubeEventTemplate(bodyBytes), stripe: stripeEventTemplate(bodyBytes) };
const outDir = fromRoot(flags.out);
const cpuProfileDir = flags['cpu-prof'] ? fromRoot(flags['cpu-prof']) : undefined;

async function main(): Promise<void> {
  const loadAverageAtStart = loadavg();
  const servers: RunningServer[] = [];
  const measurements = new Map<string, RunMeasurement[]>();
  const problems = new Map<string, string[]>();
  try {
    for (const benchCase of selected) {
      process.stderr.write(`starting case ${benchCase.id}: ${benchCase.title}\n`);
      const server = await startServer(benchCase, packageSource, cpuProfileDir);
      servers.push(server);
      measurements.set(benchCase.id, []);
      problems.set(benchCase.id, await preflight(server));
      if (warmupSeconds > 0) await load(server, warmupSeconds);
    }
    // Rounds interleave the cases (rotating who goes first), so a burst of load from elsewhere on
    // the machine spreads over every case instead of skewing one; the cyclic order keeps the cases
    // of each ratio next to each other in time.
    servers.sort((a, b) => RUN_ORDER.indexOf(a.benchCase.id) - RUN_ORDER.indexOf(b.benchCase.id));
    for (let round = 0; round < runs; round++) {
      for (let offset = 0; offset < servers.length; offset++) {
        const server = servers[(round + offset) % servers.length];
        const run = await load(server, durationSeconds);
        measurements.get(server.benchCase.id)?.push(run);
        problems.get(server.benchCase.id)?.push(...runProblems(run, connections * pipelining));
        process.stderr.write(
          `round ${round + 1}/${runs} case ${server.benchCase.id}: ${run.requestsPerSecond.toFixed(0)} req/s, ` +
            `p50 ${run.latencyP50Ms} ms, p99 ${run.latencyP99Ms} ms, server CPU ${run.serverCpuMicrosPerRequest.toFixed(1)} µs/request\n`,
        );
      }
    }
    const cases: CaseResult[] = [];
    for (const server of [...servers].sort((a, b) => a.benchCase.id.localeCompare(b.benchCase.id))) {
      const stats = await serverStats(server);
      const id = server.benchCase.id;
      cases.push(summariseCase(server.benchCase, measurements.get(id) ?? [], stats, problems.get(id) ?? []));
    }
    await Promise.all(servers.splice(0).map(stopServer));

    const micro = flags['skip-micro'] ? [] : await runVerifyMicroBench(positiveNumber('micro-time', flags['micro-time']), packageSource);
    const notes = [
      'The machine was shared with other work while this ran (see the load average), so req/s swings from round to round. ' +
        'Server CPU per request (user + system time of the server process over the deliveries it handled) is what a ' +
        'case costs, whatever else runs; targets are judged on it, as CPU-normalised throughput ' +
        '(ratio X/Y = CPU per request of Y / CPU per request of X). Both ratio columns are medians of per-round ratios, ' +
        'which pair runs made close together in time.',
      compiled
        ? 'Servers are compiled to JavaScript and run on plain node.'
        : 'Servers ran from TypeScript through ts-node: RSS includes the TypeScript compiler (about 60 MB); use npm run bench for memory figures.',
      `The package was loaded from ${packageSource === 'dist' ? 'dist/ (package.json main), as a user gets it from npm' : 'lib/ through ts-node'}.`,
      'autocannon records latency in whole milliseconds, so p50 and p99 have a 1 ms resolution.',
      'C uses EventEmitterModule.forRoot() (no wildcards); F uses wildcard: true, as wildcard patterns need it.',
      'H answers 201 with an empty body (its controller has no @HttpCode); the others answer 200.',
    ];
    const results: BenchResults = {
      machine: {
        cpu: cpus()[0]?.model ?? 'unknown',
        cores: cpus().length,
        node: process.version,
        platform: `${process.platform} ${process.arch}`,
        loadAverageAtStart,
        loadAverageAtEnd: loadavg(),
        date: new Date().toISOString(),
      },
      settings: {
        connections,
        pipelining,
        durationSeconds,
        runs,
        warmupSeconds,
        package: packageSource,
        bodyBytes: { complycube: templates.complycube.bytes, stripe: templates.stripe.bytes },
      },
      cases,
      ratios: computeRatios(cases),
      micro,
      notes,
    };
    mkdirSync(outDir, { recursive: true });
    writeFileSync(join(outDir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
    const markdown = renderMarkdown(results);
    writeFileSync(join(outDir, 'RESULTS.md'), markdown);
    process.stdout.write(`${markdown}\nWrote ${join(outDir, 'results.json')} and ${join(outDir, 'RESULTS.md')}.\n`);
  } finally {
    await Promise.all(servers.map(stopServer));
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
