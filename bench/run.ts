import autocannon from 'autocannon';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { setTimeout as sleep } from 'node:timers/promises';
import { BenchProcess, benchProcessStats, COMPILED, startBenchProcess, stopBenchProcess } from './bench-process';
import { BENCH_QUEUE_NAME, BenchCase, casesOf, RUN_ORDER } from './cases';
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
import { watchMachine } from './machine';
import { redisServerMissing } from '../test/utils/local-redis';
import { BENCH_REDIS_URL_ENV, BenchRedisServer, redisCpuMicros } from './queue-bench';
import { BENCH_TRANSPORT_ENV } from './server-harness';
import { benchCommandLine, fromPackageRoot, packageNote, writeBenchResults } from './command-line';
import { BenchResults, CaseResult, computeRatios, renderMarkdown, RunMeasurement, summariseCase } from './report';
import { runVerifyMicroBench } from './verify-micro';
import { runWorkerThroughput, WorkerThroughputResult } from './worker-throughput';

const USAGE = `Usage: npm run bench -- [options]

  --cases A,B,...     cases to run (default: all, ${casesOf('sockets')
    .map((benchCase) => benchCase.id)
    .join(',')})
  --duration S        seconds per measured run (default 10)
  --runs N            measured runs per case (default 3)
  --warmup S          seconds of warm-up per case, 0 for none (default 5)
  --connections N     concurrent connections, the same for every case (default 10)
  --pipelining N      requests in flight per connection (default 1)
  --package dist|lib  load the built package (default, needs npm run build) or its TypeScript sources
  --out DIR           where results.json and RESULTS.md go (default bench/)
  --micro-time MS     time per verifyComplyCubeSignature micro-benchmark task (default 2000)
  --skip-micro        leave the micro-benchmark out
  --worker-jobs N     jobs per round of the queue-mode worker measurement (default 2000; rounds: --runs)
  --skip-workers      leave the worker measurement out (case Q and it need redis-server)
  --note TEXT         a note for RESULTS.md, e.g. what else ran on the machine (repeatable)
  --cpu-prof DIR      write a V8 CPU profile of each server process to DIR (node --cpu-prof)
  --body-bytes N      approximate size of the signed event (default 1024)`;

const BENCH_OPTIONS = {
  cases: {
    type: 'string',
    default: casesOf('sockets')
      .map((benchCase) => benchCase.id)
      .join(','),
  },
  duration: { type: 'string', default: '10' },
  runs: { type: 'string', default: '3' },
  warmup: { type: 'string', default: '5' },
  connections: { type: 'string', default: '10' },
  pipelining: { type: 'string', default: '1' },
  package: { type: 'string', default: 'dist' },
  out: { type: 'string', default: 'bench' },
  'micro-time': { type: 'string', default: '2000' },
  'skip-micro': { type: 'boolean', default: false },
  'worker-jobs': { type: 'string', default: '2000' },
  'skip-workers': { type: 'boolean', default: false },
  note: { type: 'string', multiple: true },
  'cpu-prof': { type: 'string' },
  'body-bytes': { type: 'string', default: '1024' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

const { flags, usageError, cases, packageSource: checkedPackage } = benchCommandLine('bench', USAGE, BENCH_OPTIONS);

function positiveNumber(name: string, value: string, allowZero = false): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number < 0 || (!allowZero && number === 0)) {
    usageError(`--${name} must be a ${allowZero ? 'non-negative' : 'positive'} number (got ${JSON.stringify(value)}).`);
  }
  return number;
}

interface RunningServer extends BenchProcess {
  benchCase: BenchCase;
  port: number;
  template: EventTemplate;
}

async function startServer(benchCase: BenchCase, redisUrl: string | undefined): Promise<RunningServer> {
  const started = await startBenchProcess({
    label: `case ${benchCase.id}`,
    script: benchCase.server,
    args: benchCase.args,
    packageSource,
    env: { ...(redisUrl ? { [BENCH_REDIS_URL_ENV]: redisUrl } : {}), [BENCH_TRANSPORT_ENV]: 'sockets' },
    cpuProfile: cpuProfileDir ? { dir: cpuProfileDir, name: `case-${benchCase.id}.cpuprofile` } : undefined,
  });
  if (started.port === undefined) throw new Error(`case ${benchCase.id}: the server reported no port`);
  return { ...started, port: started.port, benchCase, template: templates[benchCase.signing] };
}

/**
 * The driver's view of case Q's queue: how many jobs it holds (each accepted delivery must be one),
 * and Redis's CPU time, which the server's does not include.
 */
class StoredJobs {
  private readonly queue: Queue;

  constructor(private readonly client: Redis) {
    this.queue = new Queue(BENCH_QUEUE_NAME, { connection: client });
  }

  count(): Promise<number> {
    return this.queue.getJobCountByTypes();
  }

  /** The count once it has stopped changing for a moment (the server has stored what it was storing), within 5 s. */
  async settledCount(): Promise<number> {
    let previous = await this.count();
    for (const deadline = Date.now() + 5_000; Date.now() < deadline;) {
      await sleep(100);
      const current = await this.count();
      if (current === previous) return current;
      previous = current;
    }
    return previous;
  }

  redisCpuMicros(): Promise<number> {
    return redisCpuMicros(this.client);
  }

  /** Removes the waiting jobs between runs, so that every run starts from the same Redis. */
  drain(): Promise<void> {
    return this.queue.drain();
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}

/** A fresh event id and signature for each request, as real deliveries have. */
function signedDelivery(server: RunningServer): { body: string; headers: Record<string, string> } {
  const { signing } = server.benchCase;
  const body = fillTemplate(server.template, signing === 'stripe' ? newStripeEventId() : newEventId());
  const signature: Record<string, string> =
    signing === 'stripe' ? { 'stripe-signature': signStripe(body) } : { 'complycube-signature': signComplyCube(body) };
  return { body, headers: { 'content-type': 'application/json', ...signature } };
}

/**
 * One signed request must be accepted (with the expected answer, and stored as one job in queue
 * mode) and one with a wrong signature refused, or the case measures nothing.
 */
async function preflight(server: RunningServer, jobs: StoredJobs | undefined): Promise<string[]> {
  const url = `http://127.0.0.1:${server.port}${server.benchCase.path}`;
  const jobsBefore = await jobs?.count();
  const valid = signedDelivery(server);
  const accepted = await fetch(url, { method: 'POST', headers: valid.headers, body: valid.body });
  const acceptedBody = await accepted.text();
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
  const expected = server.benchCase.acceptedAnswer;
  if (accepted.status !== expected.status || acceptedBody !== expected.body) {
    problems.push(`a correctly signed delivery got ${accepted.status} ${acceptedBody} (expected ${expected.status} ${expected.body})`);
  }
  if (jobs && jobsBefore !== undefined) {
    const stored = (await jobs.count()) - jobsBefore;
    if (stored !== 1) problems.push(`the signed and the forged delivery left ${stored} new jobs (expected 1)`);
    await jobs.drain();
  }
  return problems;
}

async function load(server: RunningServer, seconds: number, jobs: StoredJobs | undefined): Promise<RunMeasurement> {
  const jobsBefore = await jobs?.count();
  const redisCpuBefore = await jobs?.redisCpuMicros();
  const before = await benchProcessStats(server);
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
  const after = await benchProcessStats(server);
  // In queue mode a delivery is handled when its job is stored: the queue must have gained one per 2xx
  // (plus the deliveries still in flight when autocannon stopped, which are waited for, so that none
  // lands in the next run's count).
  const handled = jobs && jobsBefore !== undefined ? (await jobs.settledCount()) - jobsBefore : after.handled - before.handled;
  const redisCpuAfter = await jobs?.redisCpuMicros();
  if (jobs) await jobs.drain();
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
    handled,
    serverCpuMicrosPerRequest: (after.cpuMicros - before.cpuMicros) / Math.max(1, handled),
    ...(redisCpuBefore !== undefined && redisCpuAfter !== undefined
      ? { redisCpuMicrosPerRequest: (redisCpuAfter - redisCpuBefore) / Math.max(1, handled) }
      : {}),
  };
}

function runProblems(run: RunMeasurement, sent: number): string[] {
  const problems: string[] = [];
  if (run.non2xx > 0 || run.errors > 0 || run.timeouts > 0) {
    problems.push(`${run.non2xx} non-2xx responses, ${run.errors} errors, ${run.timeouts} timeouts in a run`);
  }
  // Requests still in flight when autocannon stops may have been handled but not counted as 2xx.
  if (run.handled < run.responses2xx || run.handled > run.responses2xx + sent) {
    problems.push(
      `handlers ran (or jobs were stored) ${run.handled} times for ${run.responses2xx} accepted deliveries (expected one per delivery)`,
    );
  }
  return problems;
}

const connections = positiveNumber('connections', flags.connections);
const pipelining = positiveNumber('pipelining', flags.pipelining);
const durationSeconds = positiveNumber('duration', flags.duration);
const runs = positiveNumber('runs', flags.runs);
const warmupSeconds = positiveNumber('warmup', flags.warmup, true);
const bodyBytes = positiveNumber('body-bytes', flags['body-bytes']);
const packageSource = checkedPackage(flags.package);
const SOCKET_CASES = casesOf('sockets');
const selected = cases(flags.cases, SOCKET_CASES);
const workerJobs = flags['skip-workers'] ? 0 : positiveNumber('worker-jobs', flags['worker-jobs']);
const needsRedis = workerJobs > 0 || selected.some((benchCase) => benchCase.counts === 'jobs');
const redisMissing = needsRedis ? redisServerMissing() : undefined;
if (redisMissing) {
  const withoutRedis = SOCKET_CASES.filter((benchCase) => benchCase.counts !== 'jobs').map((benchCase) => benchCase.id);
  usageError(
    `${redisMissing}: case Q and the worker measurement need it. Leave them out with --cases ${withoutRedis.join(',')} --skip-workers.`,
  );
}
const templates = { complycube: complyCubeEventTemplate(bodyBytes), stripe: stripeEventTemplate(bodyBytes) };
const outDir = fromPackageRoot(flags.out);
const cpuProfileDir = flags['cpu-prof'] ? fromPackageRoot(flags['cpu-prof']) : undefined;

async function main(): Promise<void> {
  const machine = watchMachine();
  const servers: RunningServer[] = [];
  const measurements = new Map<string, RunMeasurement[]>();
  const problems = new Map<string, string[]>();
  // However the driver ends, the bench processes exit with it (their IPC channel closes), and so does
  // redis-server (see BenchRedisServer); the finally block below is the orderly way out.
  let redisServer: BenchRedisServer | undefined;
  let redisClient: Redis | undefined;
  let storedJobs: StoredJobs | undefined;
  try {
    if (needsRedis) {
      redisServer = await BenchRedisServer.start();
      process.stderr.write(`redis-server started on 127.0.0.1:${redisServer.port}\n`);
      redisClient = new Redis(redisServer.url);
      storedJobs = new StoredJobs(redisClient);
    }
    const jobsOf = (server: RunningServer): StoredJobs | undefined => (server.benchCase.counts === 'jobs' ? storedJobs : undefined);
    for (const benchCase of selected) {
      process.stderr.write(`starting case ${benchCase.id}: ${benchCase.title}\n`);
      const server = await startServer(benchCase, redisServer?.url);
      servers.push(server);
      measurements.set(benchCase.id, []);
      problems.set(benchCase.id, await preflight(server, jobsOf(server)));
      if (warmupSeconds > 0) await load(server, warmupSeconds, jobsOf(server));
    }
    // Rounds interleave the cases (rotating who goes first), so a burst of load from elsewhere on
    // the machine spreads over every case instead of skewing one; the cyclic order keeps the cases
    // of each ratio next to each other in time.
    servers.sort((a, b) => RUN_ORDER.indexOf(a.benchCase.id) - RUN_ORDER.indexOf(b.benchCase.id));
    for (let round = 0; round < runs; round++) {
      for (let offset = 0; offset < servers.length; offset++) {
        const server = servers[(round + offset) % servers.length];
        const run = await load(server, durationSeconds, jobsOf(server));
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
      const stats = await benchProcessStats(server);
      const id = server.benchCase.id;
      cases.push(summariseCase(server.benchCase, measurements.get(id) ?? [], stats, problems.get(id) ?? []));
    }
    await Promise.all(servers.splice(0).map(stopBenchProcess));

    let workers: WorkerThroughputResult | undefined;
    if (workerJobs > 0 && redisServer) {
      process.stderr.write(`starting the worker measurement: ${runs} rounds of ${workerJobs} jobs with 1 and with 2 worker processes\n`);
      workers = await runWorkerThroughput({
        redisUrl: redisServer.url,
        packageSource,
        jobs: workerJobs,
        rounds: runs,
        warmupJobs: warmupSeconds > 0 ? Math.min(workerJobs, 500) : 0,
        handlerIoMs: 20,
        bodyBytes,
        log: (line) => process.stderr.write(`${line}\n`),
      });
    }

    const micro = flags['skip-micro'] ? [] : await runVerifyMicroBench(positiveNumber('micro-time', flags['micro-time']), packageSource);
    const notes = [
      'The machine was shared with other work while this ran (see the load average), so req/s swings from round to round. ' +
        'Server CPU per request (user + system time of the server process over the deliveries it handled) is what a ' +
        'case costs, whatever else runs; targets are judged on it, as CPU-normalised throughput ' +
        '(ratio X/Y = CPU per request of Y / CPU per request of X). Both ratio columns are medians of per-round ratios, ' +
        'which pair runs made close together in time.',
      COMPILED
        ? 'Servers are compiled to JavaScript and run on plain node.'
        : 'Servers ran from TypeScript through ts-node: RSS includes the TypeScript compiler (about 60 MB); use npm run bench for memory figures.',
      packageNote(packageSource),
      'autocannon records latency in whole milliseconds, so p50 and p99 have a 1 ms resolution.',
      'C uses EventEmitterModule.forRoot() (no wildcards); F uses wildcard: true, as wildcard patterns need it.',
      'H answers 201 with an empty body (its controller has no @HttpCode); the others answer 200.',
      ...(selected.some((benchCase) => benchCase.id === 'Q')
        ? [
            'Q answers 200 {"received":true,"queued":true} once Redis holds the job. Per delivery its endpoint makes two ' +
              'sequential round trips to Redis: a look-up of the job id and of the idempotency record (in parallel), then ' +
              "BullMQ's add script; its handler runs in a worker, not measured here. Q's server CPU leaves Redis's own out " +
              '(given under the case table). redis-server shares the cores with the server and autocannon. The job count is ' +
              'checked against the accepted deliveries after each run, then the queue is drained.',
          ]
        : []),
      ...(workers
        ? [
            'The worker measurement runs after the HTTP cases, on the same redis-server, with every HTTP server stopped. ' +
              'Jobs/s with 20 ms of I/O per job is bounded by concurrency / 20 ms (500 jobs/s per worker process at the ' +
              'default 10); Redis CPU includes the driver polling the job counts every 50 ms.',
          ]
        : []),
      ...(flags.note ?? []),
    ];
    const results: BenchResults = {
      machine: {
        ...machine.describe(),
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
      ...(workers ? { workers } : {}),
      micro,
      notes,
    };
    writeBenchResults(outDir, { json: 'results.json', markdown: 'RESULTS.md' }, results, renderMarkdown(results));
  } finally {
    machine.stop();
    await Promise.all(servers.map(stopBenchProcess));
    await storedJobs?.close().catch(() => undefined);
    redisClient?.disconnect();
    await redisServer?.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
