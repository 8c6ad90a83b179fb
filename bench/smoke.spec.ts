import { execFile, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describeNeeding } from '../test/utils/needed-program';
import { describeWithRedis } from '../test/utils/redis-server';
import { waitFor } from '../test/utils/wait';
import { BENCH_CASES } from './cases';
import {
  computeInstructionRatios,
  InstructionResults,
  InstructionWindow,
  readCallgrindTotal,
  sumCollectorSelfCost,
  sumCompileEntries,
  summariseInstructionCase,
} from './instructions-report';
import type { PipelineResults } from './pipeline-report';
import type { BenchResults } from './report';

const execFileAsync = promisify(execFile);
const ROOT = join(__dirname, '..');
const DRIVER = ['-r', 'ts-node/register/transpile-only', 'bench/run.ts'];
const PIPELINE_DRIVER = ['-r', 'ts-node/register/transpile-only', 'bench/pipeline.ts'];
const INSTRUCTIONS_DRIVER = ['-r', 'ts-node/register/transpile-only', 'bench/instructions.ts'];
const DRIVER_ENV = { ...process.env, TS_NODE_PROJECT: join(ROOT, 'tsconfig.json') };

/** The port of the redis-server a driver run started, from its progress output. */
function redisPort(stderr: string): number {
  const port = /redis-server started on 127\.0\.0\.1:(\d+)/.exec(stderr)?.[1];
  if (!port) throw new Error(`the bench did not say where it started redis-server:\n${stderr}`);
  return Number(port);
}

/** Whether anything still accepts connections on a loopback port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.connect(port, '127.0.0.1');
  });
}

/**
 * Checks that bench/ still runs end to end: servers start, take load, verify and dispatch, and a
 * complete result file comes out. One second per case; no timing is asserted. Run by
 * `npm run test:bench`, not by `npm test`; it loads the package from lib/, so nothing needs building.
 */
describe('bench/run.ts smoke run (1 s per case)', () => {
  let outDir: string;
  let results: BenchResults;
  let markdown: string;

  beforeAll(async () => {
    outDir = mkdtempSync(join(tmpdir(), 'complycube-bench-'));
    const args = [...DRIVER, '--cases', 'A,B,C', '--duration', '1', '--runs', '1', '--warmup', '0', '--package', 'lib'];
    args.push('--micro-time', '50', '--skip-workers', '--out', outDir);
    await execFileAsync(process.execPath, args, { cwd: ROOT, env: DRIVER_ENV, timeout: 90_000 });
    results = JSON.parse(readFileSync(join(outDir, 'results.json'), 'utf8'));
    markdown = readFileSync(join(outDir, 'RESULTS.md'), 'utf8');
  }, 100_000);
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it('measures each requested case, with every delivery accepted and handled exactly once', () => {
    expect(results.cases.map((result) => result.id)).toEqual(['A', 'B', 'C']);
    for (const result of results.cases) {
      expect(result.problems).toEqual([]);
      expect(result.runs).toHaveLength(1);
      const [run] = result.runs;
      expect(run.responses2xx).toBeGreaterThan(0);
      expect(run.non2xx + run.errors + run.timeouts).toBe(0);
      expect(run.handled).toBeGreaterThanOrEqual(run.responses2xx);
      expect(run.handled).toBeLessThanOrEqual(run.responses2xx + results.settings.connections);
      expect(result.median.requestsPerSecond).toBeGreaterThan(0);
      expect(run.serverCpuMicrosPerRequest).toBeGreaterThan(0);
      expect(Number.isFinite(result.median.latencyP99Ms)).toBe(true);
      expect(result.rssMB).toBeGreaterThan(10);
    }
  });

  it('computes only the ratios whose cases ran: CPU-normalised, and req/s per round', () => {
    const [, handwritten, module] = results.cases;
    expect(results.ratios.map((ratio) => ratio.name)).toEqual(['C/B']);
    const [ratio] = results.ratios;
    expect(ratio.value).toBeCloseTo(handwritten.median.serverCpuMicrosPerRequest / module.median.serverCpuMicrosPerRequest, 10);
    expect(ratio.range).toEqual([ratio.value, ratio.value]);
    expect(ratio.requestsPerSecondRatio).toBeCloseTo(module.runs[0].requestsPerSecond / handwritten.runs[0].requestsPerSecond, 10);
    // One run: the lowest round is the median, so the verdict is met or missed, never median only.
    expect(ratio.verdict).toBe(ratio.value >= 0.97 ? 'met' : 'missed');
  });

  it('records the machine and settings, and a micro-benchmark row per body size and verifier', () => {
    expect(results.machine.cores).toBeGreaterThan(0);
    expect(results.machine.node).toBe(process.version);
    expect(results.settings).toMatchObject({ connections: 10, pipelining: 1, durationSeconds: 1, runs: 1, package: 'lib' });
    expect(results.settings.bodyBytes.complycube).toBeGreaterThanOrEqual(1024);
    expect(results.micro).toHaveLength(9);
    expect(new Set(results.micro.map((row) => row.bodyBytes)).size).toBe(3);
    for (const row of results.micro) expect(row.opsPerSecond).toBeGreaterThan(0);
  });

  it('writes a Markdown table with the machine line, one row per case and the ratio', () => {
    expect(markdown).toContain(`Machine: ${results.machine.cpu}, ${results.machine.cores} cores, Node ${process.version}`);
    for (const id of ['A', 'B', 'C']) expect(markdown).toMatch(new RegExp(`^\\| ${id} \\| `, 'm'));
    expect(markdown).toMatch(/^\| C\/B \| \d+\.\d{3} \| \d+\.\d{3}–\d+\.\d{3} \| \d+\.\d{3} \| ≥ 0\.97 \| (met|\*\*missed\*\*) \|/m);
    expect(results.workers).toBeUndefined();
  });
});

/**
 * Checks that the pipeline bench (bench/pipeline.ts) still runs end to end: three cases, from the
 * TypeScript sources, two small measured rounds after a warm-up one; every request answered as
 * expected and handled once, and a complete result file. No timing is asserted.
 */
describe('bench/pipeline.ts smoke run (cases B, C, T0; 2 rounds of 50 requests, each in 3 slices)', () => {
  const ROUNDS = 2;
  const REQUESTS = 50;
  const SLICES = 3;
  let outDir: string;
  let results: PipelineResults;
  let markdown: string;

  beforeAll(async () => {
    outDir = mkdtempSync(join(tmpdir(), 'complycube-bench-pipeline-'));
    const args = [
      ...PIPELINE_DRIVER,
      '--cases',
      'B,C,T0',
      '--rounds',
      String(ROUNDS),
      '--requests',
      String(REQUESTS),
      '--slices',
      String(SLICES),
    ];
    args.push('--warmup', '1', '--package', 'lib', '--out', outDir);
    await execFileAsync(process.execPath, args, { cwd: ROOT, env: DRIVER_ENV, timeout: 150_000 });
    results = JSON.parse(readFileSync(join(outDir, 'pipeline.json'), 'utf8'));
    markdown = readFileSync(join(outDir, 'PIPELINE.md'), 'utf8');
  }, 160_000);
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it('runs each case for every round, every request answered as expected and handled once', () => {
    expect(results.cases.map((result) => result.id)).toEqual(['B', 'C', 'T0']);
    for (const result of results.cases) {
      expect(result.problems).toEqual([]);
      expect(result.rounds).toHaveLength(ROUNDS);
      for (const round of result.rounds) {
        expect(round).toMatchObject({ requests: REQUESTS, handled: REQUESTS, unexpected: 0 });
        expect(round.cpuMicros).toBeGreaterThan(0);
        expect(round.wallMicros).toBeGreaterThan(0);
      }
      expect(result.cpuMicrosPerRequest.lowest).toBeLessThanOrEqual(result.cpuMicrosPerRequest.highest);
      expect(result.rssMB).toBeGreaterThan(10);
    }
  });

  it('gives each ratio whose cases ran a per-round value, a median and a spread, judged on the lowest round', () => {
    expect(results.ratios.map((ratio) => ratio.name)).toEqual(['C/B', 'T0/C']);
    const byId = new Map(results.cases.map((result) => [result.id, result]));
    const cpuPerRequest = (id: string, round: number): number => {
      const measured = byId.get(id)?.rounds[round];
      return measured ? measured.cpuMicros / measured.requests : NaN;
    };
    for (const ratio of results.ratios) {
      const [numerator, denominator] = ratio.name.split('/');
      expect(ratio.perRound).toHaveLength(ROUNDS);
      ratio.perRound.forEach((value, round) =>
        expect(value).toBeCloseTo(cpuPerRequest(denominator, round) / cpuPerRequest(numerator, round), 10),
      );
      const { lowest, lowerQuartile, median, upperQuartile, highest } = ratio.spread;
      expect(lowest).toBe(Math.min(...ratio.perRound));
      expect(highest).toBe(Math.max(...ratio.perRound));
      expect(median).toBeCloseTo((ratio.perRound[0] + ratio.perRound[1]) / 2, 10);
      expect([lowest, lowerQuartile, median, upperQuartile, highest]).toEqual(
        [...[lowest, lowerQuartile, median, upperQuartile, highest]].sort((a, b) => a - b),
      );
    }
    const [moduleVsHandwritten, tracing] = results.ratios;
    expect(moduleVsHandwritten.target).toBe(0.97);
    const { lowest, median } = moduleVsHandwritten.spread;
    expect(moduleVsHandwritten.verdict).toBe(lowest >= 0.97 ? 'met' : median >= 0.97 ? 'median only' : 'missed');
    expect(tracing.target).toBeUndefined();
    expect(tracing.verdict).toBeUndefined();
  });

  it('records the machine and settings, and writes a Markdown table per case and per ratio', () => {
    expect(results.machine.node).toBe(process.version);
    expect(results.machine.loadAverageAtStart).toHaveLength(3);
    expect(results.settings).toMatchObject({
      rounds: ROUNDS,
      requestsPerRound: REQUESTS,
      slices: SLICES,
      warmupRounds: 1,
      package: 'lib',
      profiled: false,
    });
    expect(markdown).toContain(`Node ${process.version}`);
    expect(markdown).toContain(`each round cuts every case's requests into ${SLICES} slices`);
    for (const id of ['B', 'C', 'T0']) expect(markdown).toMatch(new RegExp(`^\\| ${id} \\| `, 'm'));
    expect(markdown).toMatch(
      /^\| C\/B \| \d+\.\d{3} \| \d+\.\d{3} \| \d+\.\d{3}–\d+\.\d{3} \| \d+\.\d{3} \| ≥ 0\.97 \| (met|median only|\*\*missed\*\*) \|/m,
    );
    expect(markdown).toMatch(/^\| T0\/C \| \d+\.\d{3} \| \d+\.\d{3} \| \d+\.\d{3}–\d+\.\d{3} \| \d+\.\d{3} \| — \| — \|/m);
  });
});

describeWithRedis('bench/run.ts smoke run of queue mode: case Q (1 s) and the worker measurement (200 jobs)', () => {
  const WORKER_JOBS = 200;
  let outDir: string;
  let results: BenchResults;
  let markdown: string;
  let stderr: string;

  beforeAll(async () => {
    outDir = mkdtempSync(join(tmpdir(), 'complycube-bench-queue-'));
    const args = [...DRIVER, '--cases', 'C,Q', '--duration', '1', '--runs', '1', '--warmup', '0', '--package', 'lib'];
    args.push('--skip-micro', '--worker-jobs', String(WORKER_JOBS), '--out', outDir);
    ({ stderr } = await execFileAsync(process.execPath, args, { cwd: ROOT, env: DRIVER_ENV, timeout: 150_000 }));
    results = JSON.parse(readFileSync(join(outDir, 'results.json'), 'utf8'));
    markdown = readFileSync(join(outDir, 'RESULTS.md'), 'utf8');
  }, 160_000);
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it('measures Q with each accepted delivery stored as one job, and Redis CPU apart', () => {
    expect(results.cases.map((result) => result.id)).toEqual(['C', 'Q']);
    const queueMode = results.cases[1];
    expect(queueMode.problems).toEqual([]);
    const [run] = queueMode.runs;
    expect(run.responses2xx).toBeGreaterThan(0);
    expect(run.non2xx + run.errors + run.timeouts).toBe(0);
    expect(run.handled).toBeGreaterThanOrEqual(run.responses2xx);
    expect(run.handled).toBeLessThanOrEqual(run.responses2xx + results.settings.connections);
    expect(run.serverCpuMicrosPerRequest).toBeGreaterThan(0);
    expect(run.redisCpuMicrosPerRequest).toBeGreaterThan(0);
    expect(results.cases[0].runs[0].redisCpuMicrosPerRequest).toBeUndefined();
  });

  it('reports Q/C, CPU-normalised, with no target', () => {
    const [module, queueMode] = results.cases;
    expect(results.ratios.map((ratio) => ratio.name)).toEqual(['Q/C']);
    const [ratio] = results.ratios;
    expect(ratio.value).toBeCloseTo(module.median.serverCpuMicrosPerRequest / queueMode.median.serverCpuMicrosPerRequest, 10);
    expect(ratio.target).toBeUndefined();
    expect(markdown).toMatch(/^\| Q\/C \| \d+\.\d{3} \| \d+\.\d{3}–\d+\.\d{3} \| \d+\.\d{3} \| — \| — \|/m);
    expect(markdown).toMatch(/^Q also costs redis-server \d+\.\d µs of CPU per request/m);
  });

  it('runs every pre-filled job once with one and with two worker processes, and reports their ratio', () => {
    const workers = results.workers;
    expect(workers?.byWorkers.map((count) => count.workers)).toEqual([1, 2]);
    for (const count of workers?.byWorkers ?? []) {
      expect(count.problems).toEqual([]);
      expect(count.rounds).toHaveLength(1);
      expect(count.rounds[0]).toMatchObject({ jobs: WORKER_JOBS, completed: WORKER_JOBS, failed: 0, handled: WORKER_JOBS });
      expect(count.rounds[0].jobsPerSecond).toBeGreaterThan(0);
      expect(count.rounds[0].workerCpuMicrosPerJob).toBeGreaterThan(0);
    }
    const [one, two] = workers?.byWorkers ?? [];
    expect(workers?.ratio.value).toBeCloseTo(two.rounds[0].jobsPerSecond / one.rounds[0].jobsPerSecond, 10);
    expect(markdown).toContain('## Queue-mode workers');
    expect(markdown).toMatch(/^2 workers \/ 1 worker: \d+\.\d{3} /m);
  });

  it('stops its redis-server when it finishes', async () => {
    expect(await listening(redisPort(stderr))).toBe(false);
  });

  it('stops its redis-server when it is killed mid-run (SIGKILL, no handler runs)', async () => {
    const args = [...DRIVER, '--cases', 'Q', '--duration', '60', '--runs', '1', '--warmup', '0', '--package', 'lib'];
    const driver = spawn(process.execPath, [...args, '--skip-micro', '--skip-workers', '--out', outDir], { cwd: ROOT, env: DRIVER_ENV });
    let output = '';
    driver.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('starting case Q') && driver.signalCode === null) driver.kill('SIGKILL');
    });
    const [, signal] = await once(driver, 'exit');
    expect(signal).toBe('SIGKILL');
    const port = redisPort(output);
    await waitFor('redis-server to stop', async () => !(await listening(port)));
  }, 60_000);
});

const valgrindMissing =
  spawnSync('valgrind', ['--version']).error === undefined ? undefined : 'valgrind is not installed (apt-get install -y valgrind)';

/**
 * Checks that the instruction-count bench (bench/instructions.ts) still runs end to end under
 * valgrind's callgrind: case A, from the TypeScript sources, a short warm-up and two small windows,
 * each counted apart with callgrind_control. No count is judged. Without valgrind it is skipped,
 * saying so, and fails under CI=true (`.ci/run` installs valgrind).
 */
describeNeeding(
  'valgrind',
  valgrindMissing,
  'bench/instructions.ts smoke run (case A under callgrind: 100 requests of warm-up, 2 windows of 50)',
  () => {
    let outDir: string;
    let results: InstructionResults;
    let markdown: string;

    beforeAll(async () => {
      outDir = mkdtempSync(join(tmpdir(), 'complycube-bench-instructions-'));
      const args = [...INSTRUCTIONS_DRIVER, '--cases', 'A', '--warmup', '100', '--windows', '2', '--requests', '50'];
      args.push('--package', 'lib', '--out', outDir);
      await execFileAsync(process.execPath, args, { cwd: ROOT, env: DRIVER_ENV, timeout: 300_000 });
      results = JSON.parse(readFileSync(join(outDir, 'instructions.json'), 'utf8'));
      markdown = readFileSync(join(outDir, 'INSTRUCTIONS.md'), 'utf8');
    }, 310_000);
    afterAll(() => rmSync(outDir, { recursive: true, force: true }));

    it('counts each window of the case apart: its requests, its instructions, what of them compiled and collected garbage', () => {
      expect(results.cases.map((result) => result.id)).toEqual(['A']);
      const [windows] = results.cases[0].processes;
      expect(windows).toHaveLength(2);
      for (const window of windows) {
        expect(window.requests).toBe(50);
        // A request through node:http, an HMAC and JSON.parse is tens of thousands of instructions at the very least.
        expect(window.instructions / window.requests).toBeGreaterThan(10_000);
        expect(window.compiling).toBeGreaterThanOrEqual(0);
        expect(window.collecting).toBeGreaterThanOrEqual(0);
        expect(window.collecting).toBeLessThan(window.instructions);
        expect(window.compiling).toBeLessThan(window.instructions);
      }
      expect(results.ratios).toEqual([]);
    });

    it('records the settings and writes the Markdown table', () => {
      expect(results.settings).toMatchObject({ warmupRequests: 100, windows: 2, windowRequests: 50, repeats: 1, package: 'lib' });
      expect(results.settings.valgrind).toMatch(/^valgrind-\d/);
      expect(results.settings.nodeFlags).toEqual(expect.arrayContaining(['--single-threaded']));
      expect(markdown).toContain('then 2 windows of 50');
      expect(markdown).toMatch(/^\| A \| .+ \| [\d,]+ \| [\d,]+–[\d,]+ \| [\d,]+ \| \d+\.\d % \| \d+\.\d{2} % \|$/m);
    });
  },
);

describe('bench/instructions-report.ts, the counts read from callgrind and the ratios made of them', () => {
  it('reads the instruction total of a callgrind file, and says which file lacks one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'complycube-callgrind-'));
    try {
      const dump = join(dir, 'callgrind.out.1');
      writeFileSync(dump, 'version: 1\ncreator: callgrind-3.19.0\nevents: Ir\nsummary: 1234567\n\nfn=(1) main\n0 12\ntotals: 1234567\n');
      expect(readCallgrindTotal(dump, 'case X')).toBe(1_234_567);
      writeFileSync(dump, 'version: 1\nevents: Ir\n');
      expect(() => readCallgrindTotal(dump, 'case X')).toThrow(`case X: no instruction total in ${dump}`);
      expect(() => readCallgrindTotal(join(dir, 'missing'), 'case Y')).toThrow('case Y: callgrind wrote no output file');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("sums the inclusive cost of V8's compile entry points only, never a function they call", () => {
    const annotated = [
      '2,000,000 (100.0%)  PROGRAM TOTALS',
      '1,500,000 (75.00%)  ???:node::SpinEventLoopInternal(node::Environment*) [/usr/bin/node]',
      '  300,000 (15.00%)  ???:v8::internal::Runtime_CompileOptimized(int, unsigned long*, v8::internal::Isolate*) [/usr/bin/node]',
      '  290,000 (14.50%)  ???:v8::internal::Compiler::CompileOptimized(v8::internal::Isolate*) [/usr/bin/node]',
      '   20,000 ( 1.00%)  ???:v8::internal::Runtime_CompileLazy(int, unsigned long*, v8::internal::Isolate*) [/usr/bin/node]',
      '    5,000 ( 0.25%)  ???:v8::internal::RegExpImpl::CompileIrregexp(v8::internal::Isolate*) [/usr/bin/node]',
      '    1,000 ( 0.05%)  ???:v8::internal::Runtime_RegExpExec(int, unsigned long*, v8::internal::Isolate*) [/usr/bin/node]',
    ].join('\n');
    expect(sumCompileEntries(annotated)).toBe(325_000);
    expect(sumCompileEntries('')).toBe(0);
  });

  it("sums the self cost of the garbage collector's own functions only", () => {
    const annotated = [
      '2,000,000 (100.0%)  PROGRAM TOTALS',
      '  400,000 (20.00%)  ???:heap::base::SlotCallbackResult v8::internal::Scavenger::ScavengeObject<v8::internal::FullHeapObjectSlot>(v8::internal::FullHeapObjectSlot) [/usr/bin/node]',
      '  100,000 ( 5.00%)  ???:v8::internal::MarkCompactCollector::ProcessMarkingWorklist(unsigned long) [/usr/bin/node]',
      '   50,000 ( 2.50%)  ???:v8::internal::Sweeper::RawSweep(v8::internal::Page*) [/usr/bin/node]',
      '   30,000 ( 1.50%)  ???:sha256_block_data_order_avx2 [/usr/bin/node]',
      '   20,000 ( 1.00%)  ???:Builtins_LoadIC [/usr/bin/node]',
      '   10,000 ( 0.50%)  ./string/../sysdeps/x86_64/multiarch/memmove-vec-unaligned-erms.S:__memcpy_avx_unaligned_erms [libc.so.6]',
    ].join('\n');
    expect(sumCollectorSelfCost(annotated)).toBe(550_000);
  });

  it('pairs windows by process and position, and judges a target on the lowest pair', () => {
    const windows = (...perRequest: number[]): InstructionWindow[] =>
      perRequest.map((value) => ({ requests: 100, instructions: value * 100, compiling: 0, collecting: value * 10 }));
    const byId = (id: string) => BENCH_CASES.find((benchCase) => benchCase.id === id)!;
    const module = summariseInstructionCase(byId('C'), [windows(1000, 1100), windows(1050)]);
    const handwritten = summariseInstructionCase(byId('B'), [windows(990, 1000), windows(1060, 2000)]);
    expect(module.instructionsPerRequest).toMatchObject({ lowest: 1000, median: 1050, highest: 1100 });
    expect(module.meanPerRequest).toBe(1050);
    expect(module.outsideCollectionPerRequest).toBeCloseTo(945, 10);
    const [ratio] = computeInstructionRatios([module, handwritten]);
    expect(ratio.name).toBe('C/B');
    // Window by window: 990/1000, 1000/1100, 1060/1050; the second process's second window has no pair.
    expect(ratio.perWindow).toEqual([0.99, 1000 / 1100, 1060 / 1050]);
    expect(ratio.spread.median).toBe(0.99);
    expect(ratio.ofMeans).toBeCloseTo((990 + 1000 + 1060 + 2000) / 4 / 1050, 12);
    expect(ratio.outsideCollection).toBeCloseTo(ratio.ofMeans, 12);
    expect(ratio.verdict).toBe('median only');
    const [cheaper] = computeInstructionRatios([summariseInstructionCase(byId('C'), [windows(900, 950)]), handwritten]);
    expect(cheaper.verdict).toBe('met');
  });
});
