import { join, relative } from 'node:path';
import { askBenchProcess, BenchProcess, benchProcessStats, COMPILED, startBenchProcess, stopBenchProcess } from './bench-process';
import { BenchCase, casesOf } from './cases';
import { complyCubeEventTemplate, stripeEventTemplate } from './events';
import { watchMachine } from './machine';
import { PACKAGE_ROOT } from './package-under-test';
import {
  computePipelineRatios,
  PipelineCaseResult,
  PipelineResults,
  renderPipelineMarkdown,
  summarisePipelineCase,
} from './pipeline-report';
import { PIPELINE_PROFILE_DIR_ENV, PipelineDelivery, PipelineRoundResult, PipelineSliceResult } from './pipeline-round';
import { BENCH_TRANSPORT_ENV } from './server-harness';
import { benchCommandLine, fromPackageRoot, packageNote, writeBenchResults } from './command-line';

const PIPELINE_CASES = casesOf('pipeline');
const ALL_CASES = PIPELINE_CASES.map((benchCase) => benchCase.id).join(',');

const USAGE = `Usage: npm run bench:pipeline -- [options]

Drives each case's request handler in a process of its own, without sockets (light-my-request),
in rounds cut into slices the cases take in turns, and reports CPU per request and the ratios'
median and spread.

  --cases A,B,...     cases to run (default: all, ${ALL_CASES})
  --rounds N          measured rounds; each runs every case's requests once (default 20)
  --requests N        requests per case per round (default 4000)
  --slices N          each round's requests cut into N slices; the cases take turns slice by slice, in an
                      order shuffled every slice, so the two cases of a ratio meet the same machine (default 16)
  --warmup N          warm-up rounds first, not counted (default 2)
  --concurrency N     requests in flight at once in each case (default 10)
  --package dist|lib  load the built package (default, needs npm run build) or its TypeScript sources
  --out DIR           where pipeline.json and PIPELINE.md go (default bench/)
  --body-bytes N      approximate size of the signed event (default 1024)
  --cpu-prof DIR      write a V8 CPU profile of each measured slice to DIR/case-<id>/ (the figures then include the profiler)
  --note TEXT         a note for PIPELINE.md, e.g. what else ran on the machine (repeatable)`;

const OPTIONS = {
  cases: { type: 'string', default: ALL_CASES },
  rounds: { type: 'string', default: '20' },
  requests: { type: 'string', default: '4000' },
  slices: { type: 'string', default: '16' },
  warmup: { type: 'string', default: '2' },
  concurrency: { type: 'string', default: '10' },
  package: { type: 'string', default: 'dist' },
  out: { type: 'string', default: 'bench' },
  'body-bytes': { type: 'string', default: '1024' },
  'cpu-prof': { type: 'string' },
  note: { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

const { flags, usageError, wholeNumber, cases, packageSource: checkedPackage } = benchCommandLine('bench:pipeline', USAGE, OPTIONS);

const rounds = wholeNumber('rounds', flags.rounds, 1);
const requestsPerRound = wholeNumber('requests', flags.requests, 1);
const warmupRounds = wholeNumber('warmup', flags.warmup, 0);
const slices = wholeNumber('slices', flags.slices, 1);
if (slices > requestsPerRound) usageError(`--slices (${slices}) cannot be more than --requests (${requestsPerRound}).`);
/** The requests of each slice of a round: as even as whole numbers allow. */
const sliceSizes = Array.from(
  { length: slices },
  (_, slice) => Math.floor(requestsPerRound / slices) + (slice < requestsPerRound % slices ? 1 : 0),
);
const concurrency = wholeNumber('concurrency', flags.concurrency, 1);
const bodyBytes = wholeNumber('body-bytes', flags['body-bytes'], 1);
const packageSource = checkedPackage(flags.package);
const selected = cases(flags.cases, PIPELINE_CASES);
const outDir = fromPackageRoot(flags.out);
const profileDir = flags['cpu-prof'] ? fromPackageRoot(flags['cpu-prof']) : undefined;
const bodySizes = { complycube: complyCubeEventTemplate(bodyBytes).bytes, stripe: stripeEventTemplate(bodyBytes).bytes };

interface CaseProcess extends BenchProcess {
  benchCase: BenchCase;
  delivery: PipelineDelivery;
}

/** A case's process, its app ready for in-process requests (and, with --cpu-prof, told where its profiles go). */
async function startCase(benchCase: BenchCase): Promise<CaseProcess> {
  const env: Record<string, string> = { [BENCH_TRANSPORT_ENV]: 'inject' };
  if (profileDir) env[PIPELINE_PROFILE_DIR_ENV] = join(profileDir, `case-${benchCase.id}`);
  const started = await startBenchProcess({
    label: `case ${benchCase.id}`,
    script: benchCase.server,
    args: benchCase.args,
    packageSource,
    env,
  });
  const delivery: PipelineDelivery = { path: benchCase.path, signing: benchCase.signing, bodyBytes, accepted: benchCase.acceptedAnswer };
  return { ...started, benchCase, delivery };
}

/** A signed delivery must get the case's answer and run one handler, a forged one be refused, or the case measures nothing. */
async function probe(target: CaseProcess): Promise<string[]> {
  const { result } = await askBenchProcess(target, { type: 'probe', delivery: target.delivery }, 'probed');
  const expected = target.delivery.accepted;
  const problems: string[] = [];
  if (result.accepted.status !== expected.status || result.accepted.body !== expected.body) {
    problems.push(
      `a correctly signed delivery got ${result.accepted.status} ${result.accepted.body} (expected ${expected.status} ${expected.body})`,
    );
  }
  if (result.forged.status < 400) problems.push(`a delivery with a wrong signature got ${result.forged.status}`);
  if (result.handled !== 1) problems.push(`the signed and the forged delivery ran handlers ${result.handled} times (expected 1)`);
  return problems;
}

/** A slice's requests are many and quick, but a machine this shared may be slow: a generous bound. */
const sliceTimeoutMs = (requests: number): number => 120_000 + requests * 20;

function runSlice(target: CaseProcess, requests: number, firstOfRound: boolean, profileName?: string): Promise<PipelineSliceResult> {
  return askBenchProcess(
    target,
    {
      type: 'slice',
      slice: {
        delivery: target.delivery,
        requests,
        ...(firstOfRound ? { signRound: requestsPerRound } : {}),
        concurrency,
        ...(profileName === undefined ? {} : { profile: { name: profileName } }),
      },
    },
    'slice-done',
    sliceTimeoutMs(requests),
  ).then((answer) => answer.result);
}

/** The items in a random order (Fisher–Yates). */
function shuffled<T>(items: readonly T[]): T[] {
  const order = [...items];
  for (let last = order.length - 1; last > 0; last--) {
    const pick = Math.floor(Math.random() * (last + 1));
    [order[last], order[pick]] = [order[pick], order[last]];
  }
  return order;
}

/** A case's round: its slices added up. */
function addSlice(round: PipelineRoundResult | undefined, slice: PipelineSliceResult): PipelineRoundResult {
  const sum = round ?? { requests: 0, cpuMicros: 0, wallMicros: 0, handled: 0, unexpected: 0 };
  const profiles = [...(round?.profiles ?? []), ...(slice.profile ? [slice.profile] : [])];
  return {
    requests: sum.requests + slice.requests,
    cpuMicros: sum.cpuMicros + slice.cpuMicros,
    wallMicros: sum.wallMicros + slice.wallMicros,
    handled: sum.handled + slice.handled,
    unexpected: sum.unexpected + slice.unexpected,
    firstUnexpected: sum.firstUnexpected ?? slice.firstUnexpected,
    ...(profiles.length > 0 ? { profiles } : {}),
  };
}

function roundProblems(round: PipelineRoundResult): string[] {
  const problems: string[] = [];
  if (round.unexpected > 0)
    problems.push(`${round.unexpected} of ${round.requests} answers were not the expected one (first: ${round.firstUnexpected})`);
  if (round.handled !== round.requests) {
    problems.push(`handlers ran ${round.handled} times for ${round.requests} deliveries in a round (expected one per delivery)`);
  }
  return problems;
}

async function main(): Promise<void> {
  const began = performance.now();
  const machine = watchMachine();
  const processes: CaseProcess[] = [];
  try {
    const problems = new Map<string, string[]>();
    for (const benchCase of selected) {
      process.stderr.write(`starting case ${benchCase.id}: ${benchCase.title}\n`);
      const started = await startCase(benchCase);
      processes.push(started);
      problems.set(benchCase.id, await probe(started));
    }
    const measured = new Map<string, PipelineRoundResult[]>(processes.map((target) => [target.benchCase.id, []]));
    // A round cuts each case's requests into slices and runs them one at a time, the cases taking turns
    // slice by slice in a fresh random order every slice. The two cases of a ratio then share the
    // machine's state (its other tenants, its clock) within every round, instead of meeting it seconds
    // apart, and a burst of load from elsewhere spreads over all the cases. The order is shuffled, not
    // rotated: in a rotation each case always follows the same one, whose traces in the shared caches
    // (a heavy case before it, or one running the same libraries) then bias one side of a ratio.
    for (let round = -warmupRounds; round < rounds; round++) {
      const warmup = round < 0;
      const totals = new Map<string, PipelineRoundResult>();
      for (let slice = 0; slice < slices; slice++) {
        for (const target of shuffled(processes)) {
          const profileName =
            !warmup && profileDir ? `round-${String(round + 1).padStart(2, '0')}-slice-${String(slice + 1).padStart(2, '0')}` : undefined;
          const id = target.benchCase.id;
          totals.set(id, addSlice(totals.get(id), await runSlice(target, sliceSizes[slice], slice === 0, profileName)));
        }
      }
      for (const target of processes) {
        const id = target.benchCase.id;
        const result = totals.get(id)!;
        problems.get(id)?.push(...roundProblems(result));
        if (!warmup) measured.get(id)?.push(result);
        process.stderr.write(
          `${warmup ? `warm-up ${round + warmupRounds + 1}/${warmupRounds}` : `round ${round + 1}/${rounds}`} case ${id}: ` +
            `${(result.cpuMicros / result.requests).toFixed(1)} µs CPU/request, ${(result.wallMicros / result.requests).toFixed(1)} µs wall/request\n`,
        );
      }
    }
    const cases: PipelineCaseResult[] = [];
    for (const target of [...processes].sort((a, b) => a.benchCase.id.localeCompare(b.benchCase.id))) {
      const { rssBytes } = await benchProcessStats(target);
      const id = target.benchCase.id;
      cases.push(summarisePipelineCase(target.benchCase, measured.get(id) ?? [], rssBytes, [...new Set(problems.get(id) ?? [])]));
    }
    await Promise.all(processes.splice(0).map(stopBenchProcess));
    const notes = [
      "CPU per request is the case process's user + system time (all its threads: the garbage collector included) from the " +
        "end of signing the round's requests to the end of its last slice, divided by their number: what the collector's " +
        'threads do between two slices of a round is counted, signing is not. ' +
        'No sockets: what the socket bench adds (the kernel, writev, loopback scheduling) is the same for every case and ' +
        'is what swings its figures; `npm run bench` measures it end to end.',
      COMPILED ? 'Case processes are compiled to JavaScript and run on plain node.' : 'Case processes ran from TypeScript through ts-node.',
      packageNote(packageSource),
      'Express apps are driven through their request handler (the adapter instance) with light-my-request, Fastify apps with ' +
        'fastify.inject (light-my-request too), case A through its node:http request listener.',
      'T1 registers NodeTracerProvider (the BasicTracerProvider Node apps register, with its AsyncLocalStorage context ' +
        'manager) with a BatchSpanProcessor and an exporter that drops the spans; T0 and T1 also ask for OpenTelemetry ' +
        'metrics, with no meter provider registered.',
      'H answers 201 with an empty body (its controller has no @HttpCode); the others answer 200 {"received":true}.',
      ...(flags.note ?? []),
    ];
    const results: PipelineResults = {
      machine: {
        ...machine.describe(),
        durationSeconds: (performance.now() - began) / 1000,
      },
      settings: {
        rounds,
        requestsPerRound,
        slices,
        warmupRounds,
        concurrency,
        package: packageSource,
        bodyBytes: bodySizes,
        profiled: profileDir !== undefined,
      },
      cases,
      ratios: computePipelineRatios(cases),
      notes,
    };
    writeBenchResults(outDir, { json: 'pipeline.json', markdown: 'PIPELINE.md' }, results, renderPipelineMarkdown(results));
    if (profileDir) {
      process.stdout.write('\nPer-request self time from the profiles:\n');
      for (const result of cases) {
        const dir = relative(PACKAGE_ROOT, join(profileDir, `case-${result.id}`));
        process.stdout.write(
          `  npx ts-node --transpile-only bench/profile-summary.ts ${dir}/*.cpuprofile --requests ${rounds * requestsPerRound} --group\n`,
        );
      }
    }
  } finally {
    machine.stop();
    await Promise.all(processes.map(stopBenchProcess));
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
