import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { askBenchProcess, COMPILED, startBenchProcess, stopBenchProcess } from './bench-process';
import { BenchCase, casesOf } from './cases';
import { complyCubeEventTemplate, stripeEventTemplate } from './events';
import {
  computeInstructionRatios,
  InstructionCaseResult,
  InstructionResults,
  InstructionWindow,
  readCallgrindTotal,
  sumCollectorSelfCost,
  sumCompileEntries,
  renderInstructionsMarkdown,
  summariseInstructionCase,
} from './instructions-report';
import { watchMachine } from './machine';
import { PipelineDelivery } from './pipeline-round';
import { BENCH_TRANSPORT_ENV } from './server-harness';
import { benchCommandLine, fromPackageRoot, packageNote, writeBenchResults } from './command-line';

const CASES = casesOf('pipeline');
const ALL_CASES = CASES.map((benchCase) => benchCase.id).join(',');

const USAGE = `Usage: npm run bench:instructions -- [options]

Counts the instructions each case executes per request, under valgrind's callgrind, its request handler
driven without sockets (light-my-request) as the pipeline bench does. Each case's process signs its
requests, sends the warm-up ones until its JIT compiler has settled, then measures windows of requests:
callgrind's counters are zeroed before a window and dumped after it (callgrind_control), so start-up,
signing and warm-up are not counted. Node runs single-threaded with fixed seeds; what a window compiles
is reported beside it. A count does not depend on the processor's speed, but V8 schedules its garbage
collector by the clock, so other load moves it: run on an otherwise idle machine, at most one process
per core.

  --cases A,B,...     cases to run (default: all, ${ALL_CASES})
  --warmup N          requests before the first window (default 16000)
  --windows N         measured windows per process (default 3)
  --requests N        requests per window (default 4000)
  --repeats N         processes per case, to show the counts repeat across processes (default 1)
  --concurrency N     requests in flight at once (default 10)
  --parallel N        valgrind processes at once (default: the machine's cores)
  --package dist|lib  load the built package (default, needs npm run build) or its TypeScript sources
  --out DIR           where instructions.json and INSTRUCTIONS.md go (default bench/)
  --body-bytes N      approximate size of the signed event (default 1024)
  --keep-dumps DIR    keep each window's callgrind dump in DIR (for callgrind_annotate) instead of deleting it
  --note TEXT         a note for INSTRUCTIONS.md (repeatable)`;

const OPTIONS = {
  cases: { type: 'string', default: ALL_CASES },
  warmup: { type: 'string', default: '16000' },
  windows: { type: 'string', default: '3' },
  requests: { type: 'string', default: '4000' },
  repeats: { type: 'string', default: '1' },
  concurrency: { type: 'string', default: '10' },
  parallel: { type: 'string', default: String(availableParallelism()) },
  package: { type: 'string', default: 'dist' },
  out: { type: 'string', default: 'bench' },
  'body-bytes': { type: 'string', default: '1024' },
  'keep-dumps': { type: 'string' },
  note: { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

const { flags, usageError, wholeNumber, cases, packageSource: checkedPackage } = benchCommandLine('bench:instructions', USAGE, OPTIONS);

const warmupRequests = wholeNumber('warmup', flags.warmup, 0);
const windows = wholeNumber('windows', flags.windows, 1);
const windowRequests = wholeNumber('requests', flags.requests, 1);
const repeats = wholeNumber('repeats', flags.repeats, 1);
const concurrency = wholeNumber('concurrency', flags.concurrency, 1);
const parallel = wholeNumber('parallel', flags.parallel, 1);
const bodyBytes = wholeNumber('body-bytes', flags['body-bytes'], 1);
const packageSource = checkedPackage(flags.package);
const selected = cases(flags.cases, CASES);
const outDir = fromPackageRoot(flags.out);
const keepDir = flags['keep-dumps'] === undefined ? undefined : fromPackageRoot(flags['keep-dumps']);
const bodySizes = { complycube: complyCubeEventTemplate(bodyBytes).bytes, stripe: stripeEventTemplate(bodyBytes).bytes };

function valgrindVersion(): string {
  try {
    return execFileSync('valgrind', ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    return usageError('valgrind is not installed: on Debian or Ubuntu, `apt-get install -y valgrind`.');
  }
}
const valgrind = valgrindVersion();

/**
 * Node's flags under callgrind. Single-threaded: the compiler's and the collector's work runs on the
 * main thread, not on helper threads whose interleaving would change what the main thread finds
 * done; fixed hash and random seeds, so that hash tables and Math.random behave alike in every run.
 * Callgrind counts every thread anyway, so the work is all counted either way. No bytecode flushing:
 * V8 otherwise drops the bytecode and type feedback of functions idle for a few collections, and in
 * four of six runs of D or E without it the first window compiled 1.9 to 2.7 % of its instructions.
 * It does not prevent that every time (E's first window in the committed run compiled 2.5 %), so
 * the report shows what each window compiled.
 */
const NODE_FLAGS = ['--single-threaded', '--hash-seed=1', '--random-seed=1', '--no-flush-bytecode'];

/** Generous: under callgrind a process runs some fifty times slower. */
const START_TIMEOUT_MS = 20 * 60_000;
const sliceTimeoutMs = (requests: number): number => 10 * 60_000 + requests * 200;

interface RunPlan {
  benchCase: BenchCase;
  repeat: number;
}

function callgrindControl(option: '--zero' | '--dump', pid: number, label: string): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    execFile('callgrind_control', [option, String(pid)], { timeout: 120_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${label}: callgrind_control ${option} failed: ${stderr || stdout || error.message}`));
      else resolvePromise();
    });
  });
}

/** One process of a case under callgrind: its warm-up, then its windows, each counted apart. */
async function measureProcess(plan: RunPlan, workDir: string): Promise<InstructionWindow[]> {
  const { benchCase, repeat } = plan;
  const label = `case ${benchCase.id} process ${repeat + 1}`;
  const outFile = join(keepDir ?? workDir, `callgrind-${benchCase.id}-${repeat + 1}.out`);
  const target = await startBenchProcess({
    label,
    script: benchCase.server,
    args: benchCase.args,
    packageSource,
    env: { [BENCH_TRANSPORT_ENV]: 'inject' },
    wrapper: { command: 'valgrind', args: ['--tool=callgrind', '--quiet', `--callgrind-out-file=${outFile}`], nodeFlags: NODE_FLAGS },
    startTimeoutMs: START_TIMEOUT_MS,
  });
  const pid = target.child.pid!;
  try {
    const delivery: PipelineDelivery = { path: benchCase.path, signing: benchCase.signing, bodyBytes, accepted: benchCase.acceptedAnswer };
    const slice = async (requests: number, signRound?: number): Promise<void> => {
      const { result } = await askBenchProcess(
        target,
        { type: 'slice', slice: { delivery, requests, concurrency, ...(signRound === undefined ? {} : { signRound }) } },
        'slice-done',
        sliceTimeoutMs(signRound ?? requests),
      );
      if (result.unexpected > 0) {
        throw new Error(
          `${label}: ${result.unexpected} of ${result.requests} answers were not the expected one (first: ${result.firstUnexpected})`,
        );
      }
      if (result.handled !== result.requests) {
        throw new Error(`${label}: handlers ran ${result.handled} times for ${result.requests} deliveries (expected one per delivery)`);
      }
    };
    // Requests are signed a window at a time, just before they are sent, so that the process never
    // holds more of them than that: tens of thousands of signed requests kept alive would give every
    // collection of the old generation far more to mark than a server has. The warm-up is sent as
    // unmeasured windows (the last one shorter when the warm-up is not a multiple of the window),
    // signed and sent in the same two messages as the measured ones.
    for (let sent = 0; sent < warmupRequests; sent += windowRequests) {
      const requests = Math.min(windowRequests, warmupRequests - sent);
      await slice(0, requests);
      await slice(requests);
    }
    const measured: InstructionWindow[] = [];
    for (let window = 1; window <= windows; window++) {
      // Signed before the counters are zeroed: an empty slice that signs the window's requests.
      await slice(0, windowRequests);
      // The process waits for the driver's next message meanwhile: zeroing counts nothing of its own.
      await callgrindControl('--zero', pid, label);
      await slice(windowRequests);
      await callgrindControl('--dump', pid, label);
      const dump = `${outFile}.${window}`;
      measured.push({ requests: windowRequests, instructions: readCallgrindTotal(dump, label), ...annotate(dump) });
      if (!keepDir) rmSync(dump, { force: true });
    }
    return measured;
  } finally {
    await stopBenchProcess(target);
  }
}

/**
 * What a window spent compiling and collecting garbage, from callgrind_annotate: compiling is the
 * inclusive cost of V8's compile entry points (a warm window compiles next to nothing, and the
 * column shows it did); collecting, the self cost of the garbage collector's own functions.
 */
function annotate(dump: string): { compiling: number; collecting: number } {
  const run = (inclusive: 'yes' | 'no'): string =>
    execFileSync('callgrind_annotate', [`--inclusive=${inclusive}`, '--threshold=100', dump], {
      encoding: 'utf8',
      maxBuffer: 256 * 2 ** 20,
    });
  return { compiling: sumCompileEntries(run('yes')), collecting: sumCollectorSelfCost(run('no')) };
}

/** Runs the plans, `parallel` at a time, and returns each one's windows in plan order. */
async function runAll(plans: readonly RunPlan[], workDir: string): Promise<InstructionWindow[][]> {
  const results: InstructionWindow[][] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < plans.length) {
      const index = next++;
      const plan = plans[index];
      const began = performance.now();
      results[index] = await measureProcess(plan, workDir);
      const perRequest = results[index].map((window) => Math.round(window.instructions / window.requests).toLocaleString('en'));
      process.stderr.write(
        `case ${plan.benchCase.id} process ${plan.repeat + 1}: ${perRequest.join(', ')} instructions/request ` +
          `(${Math.round((performance.now() - began) / 1000)} s)\n`,
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, plans.length) }, worker));
  return results;
}

async function main(): Promise<void> {
  const began = performance.now();
  const machine = watchMachine();
  const workDir = mkdtempSync(join(tmpdir(), 'complycube-bench-instructions-'));
  try {
    const plans: RunPlan[] = [];
    for (let repeat = 0; repeat < repeats; repeat++) {
      for (const benchCase of selected) plans.push({ benchCase, repeat });
    }
    if (keepDir) mkdirSync(keepDir, { recursive: true });
    const measured = await runAll(plans, workDir);
    const cases: InstructionCaseResult[] = selected.map((benchCase) =>
      summariseInstructionCase(
        benchCase,
        plans.flatMap((plan, index) => (plan.benchCase === benchCase ? [measured[index]] : [])),
      ),
    );
    const results: InstructionResults = {
      machine: { ...machine.describe(), durationSeconds: (performance.now() - began) / 1000 },
      settings: {
        warmupRequests,
        windows,
        windowRequests,
        repeats,
        concurrency,
        package: packageSource,
        bodyBytes: bodySizes,
        valgrind,
        nodeFlags: NODE_FLAGS,
        parallel: Math.min(parallel, plans.length),
      },
      cases,
      ratios: computeInstructionRatios(cases),
      notes: [
        COMPILED
          ? 'Case processes are compiled to JavaScript and run on plain node.'
          : 'Case processes ran from TypeScript through ts-node.',
        packageNote(packageSource),
        'H answers 201 with an empty body (its controller has no @HttpCode); the others answer 200 {"received":true}.',
        ...(flags.note ?? []),
      ],
    };
    writeBenchResults(outDir, { json: 'instructions.json', markdown: 'INSTRUCTIONS.md' }, results, renderInstructionsMarkdown(results));
  } finally {
    machine.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
