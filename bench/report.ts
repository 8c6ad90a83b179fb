import type { BenchMachine } from './machine';
import { BenchCase, judge, RATIOS, Verdict } from './cases';
import { describeLoad, fixed, median, renderVerdict } from './format';
import { VERIFY_MICRO_TASKS, VerifyMicroResult } from './verify-micro';
import type { WorkerThroughputResult } from './worker-throughput';

export interface RunMeasurement {
  /** 2xx responses per second of measured time. */
  requestsPerSecond: number;
  durationSeconds: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  responses2xx: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /**
   * Events the server's handlers recorded during the run (for a queue-mode case, the jobs its
   * queue gained): one per 2xx, plus any still in flight at the end.
   */
  handled: number;
  /** Server process CPU time (user + system) over the run, per delivery it handled. */
  serverCpuMicrosPerRequest: number;
  /** For a queue-mode case: redis-server's CPU time over the run, per delivery (not in the server's). */
  redisCpuMicrosPerRequest?: number;
}

export interface CaseResult {
  id: string;
  title: string;
  server: string;
  runs: RunMeasurement[];
  median: {
    requestsPerSecond: number;
    latencyP50Ms: number;
    latencyP99Ms: number;
    serverCpuMicrosPerRequest: number;
    redisCpuMicrosPerRequest?: number;
  };
  rssMB: number;
  peakRssMB: number;
  /** Deliveries the server's handlers recorded in total, warm-up and checks included (to normalise a CPU profile). */
  deliveriesHandled: number;
  /** Anything that makes the case's numbers untrustworthy: failed responses, a handler count that does not add up. */
  problems: string[];
}

export interface RatioResult {
  name: string;
  /** CPU-normalised throughput: median over rounds of the denominator's server CPU per request over the numerator's. */
  value: number;
  /** Lowest and highest per-round CPU-normalised ratio: the spread `value` is the median of. */
  range: [number, number];
  /** Median over rounds of the two cases' req/s ratio in that round. */
  requestsPerSecondRatio: number;
  target?: number;
  /** `met` when the lowest round clears the target, `median only` when only `value` does. */
  verdict?: Verdict;
  meaning: string;
}

export interface BenchResults {
  /** The load average's range is absent in older results. */
  machine: Omit<BenchMachine, 'loadAverage1mRange'> & Partial<Pick<BenchMachine, 'loadAverage1mRange'>>;
  settings: {
    connections: number;
    pipelining: number;
    durationSeconds: number;
    runs: number;
    warmupSeconds: number;
    package: string;
    bodyBytes: { complycube: number; stripe: number };
  };
  cases: CaseResult[];
  ratios: RatioResult[];
  /** Queue-mode workers' jobs/s with one and two worker processes; absent when left out. */
  workers?: WorkerThroughputResult;
  micro: VerifyMicroResult[];
  notes: string[];
}

export interface ServerTotals {
  rssBytes: number;
  peakRssBytes: number;
  handled: number;
}

export function summariseCase(benchCase: BenchCase, runs: RunMeasurement[], totals: ServerTotals, problems: string[]): CaseResult {
  const redisCpu = runs.flatMap((run) => (run.redisCpuMicrosPerRequest === undefined ? [] : [run.redisCpuMicrosPerRequest]));
  return {
    id: benchCase.id,
    title: benchCase.title,
    server: [`bench/servers/${benchCase.server}.ts`, ...benchCase.args].join(' '),
    runs,
    median: {
      requestsPerSecond: median(runs.map((run) => run.requestsPerSecond)),
      latencyP50Ms: median(runs.map((run) => run.latencyP50Ms)),
      latencyP99Ms: median(runs.map((run) => run.latencyP99Ms)),
      serverCpuMicrosPerRequest: median(runs.map((run) => run.serverCpuMicrosPerRequest)),
      ...(redisCpu.length > 0 ? { redisCpuMicrosPerRequest: median(redisCpu) } : {}),
    },
    rssMB: totals.rssBytes / 2 ** 20,
    peakRssMB: totals.peakRssBytes / 2 ** 20,
    deliveriesHandled: totals.handled,
    problems,
  };
}

/** The ratios whose two cases both ran. */
export function computeRatios(cases: readonly CaseResult[]): RatioResult[] {
  const byId = new Map(cases.map((result) => [result.id, result]));
  return RATIOS.flatMap((ratio) => {
    const numerator = byId.get(ratio.numerator);
    const denominator = byId.get(ratio.denominator);
    if (!numerator || !denominator) return [];
    // Per-round ratios pair runs made close together in time, so drift in the machine's load cancels out.
    const rounds = Array.from({ length: Math.min(numerator.runs.length, denominator.runs.length) }, (_, round) => ({
      numerator: numerator.runs[round],
      denominator: denominator.runs[round],
    }));
    const perRound = rounds.map((run) => run.denominator.serverCpuMicrosPerRequest / run.numerator.serverCpuMicrosPerRequest);
    const value = median(perRound);
    const requestsPerSecondRatio = median(rounds.map((run) => run.numerator.requestsPerSecond / run.denominator.requestsPerSecond));
    return [
      {
        name: `${ratio.numerator}/${ratio.denominator}`,
        value,
        range: [Math.min(...perRound), Math.max(...perRound)],
        requestsPerSecondRatio,
        target: ratio.target,
        verdict: judge(ratio.target, value, Math.min(...perRound)),
        meaning: ratio.meaning,
      },
    ];
  });
}

export function renderMarkdown(results: BenchResults): string {
  const { machine, settings } = results;
  const lines = [
    '# Benchmark results',
    '',
    `Machine: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node} (${machine.platform}); ` +
      `${describeLoad(machine)}; ${machine.date}.`,
    '',
    `Load: autocannon in the driver process, each server in a process of its own, loopback only; ` +
      `${settings.connections} connections, pipelining ${settings.pipelining}; ` +
      `${settings.warmupSeconds} s warm-up, then ${settings.runs} runs of ${settings.durationSeconds} s per case, ` +
      `interleaved across cases. Every request carries a fresh event id and its own signature; bodies are ` +
      `${settings.bodyBytes.complycube} bytes (ComplyCube) and ${settings.bodyBytes.stripe} bytes (Stripe). ` +
      `Package loaded from \`${settings.package}\`. Figures are medians over the runs.`,
    '',
    '| case | server | req/s | p50 ms | p99 ms | server CPU µs/req | RSS MB | peak RSS MB | runs (req/s) |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    ...results.cases.map(
      (result) =>
        `| ${result.id} | ${result.title}${result.problems.length ? ' (**see problems**)' : ''} | ` +
        `${fixed(result.median.requestsPerSecond, 0)} | ${fixed(result.median.latencyP50Ms, 2)} | ${fixed(result.median.latencyP99Ms, 2)} | ` +
        `${fixed(result.median.serverCpuMicrosPerRequest, 1)} | ${fixed(result.rssMB, 0)} | ${fixed(result.peakRssMB, 0)} | ${result.runs.map((run) => fixed(run.requestsPerSecond, 0)).join(', ')} |`,
    ),
    '',
  ];
  for (const result of results.cases) {
    if (result.median.redisCpuMicrosPerRequest === undefined) continue;
    lines.push(
      `${result.id} also costs redis-server ${fixed(result.median.redisCpuMicrosPerRequest, 1)} µs of CPU per request (median; ` +
        `rounds ${result.runs.map((run) => fixed(run.redisCpuMicrosPerRequest ?? NaN, 1)).join(', ')}), not in its server CPU column.`,
      '',
    );
  }
  if (results.ratios.length) {
    lines.push(
      '| ratio | CPU-normalised | rounds (min–max) | req/s (per-round median) | target | met | what it compares |',
      '| --- | ---: | ---: | ---: | ---: | --- | --- |',
      ...results.ratios.map(
        (ratio) =>
          `| ${ratio.name} | ${ratio.value.toFixed(3)} | ${fixed(ratio.range[0], 3)}–${fixed(ratio.range[1], 3)} | ${fixed(ratio.requestsPerSecondRatio, 3)} | ` +
          `${ratio.target === undefined ? '—' : `≥ ${ratio.target.toFixed(2)}`} | ${renderVerdict(ratio.verdict)} | ${ratio.meaning} |`,
      ),
      '',
    );
  }
  if (results.workers) lines.push(...renderWorkers(results.workers));
  const problems = [
    ...results.cases.flatMap((result) => result.problems.map((problem) => `- ${result.id}: ${problem}`)),
    ...(results.workers?.byWorkers ?? []).flatMap((count) => count.problems.map((problem) => `- ${count.workers} worker(s): ${problem}`)),
  ];
  if (problems.length) lines.push('## Problems', '', ...problems, '');
  if (results.micro.length) {
    lines.push(
      '## verifyComplyCubeSignature vs the official SDK',
      '',
      '| body bytes | task | ops/s | mean µs | ± % | vs SDK |',
      '| ---: | --- | ---: | ---: | ---: | ---: |',
      ...results.micro.map((row) => {
        const sdk = results.micro.find((other) => other.bodyBytes === row.bodyBytes && other.task === VERIFY_MICRO_TASKS.sdk);
        const versus = sdk ? `${(row.opsPerSecond / sdk.opsPerSecond).toFixed(2)}×` : '—';
        return `| ${row.bodyBytes} | ${row.task} | ${fixed(row.opsPerSecond, 0)} | ${fixed(row.meanMicroseconds, 2)} | ${fixed(row.rme, 1)} | ${versus} |`;
      }),
      '',
    );
  }
  if (results.notes.length) lines.push('## Notes', '', ...results.notes.map((note) => `- ${note}`), '');
  return lines.join('\n');
}

function renderWorkers(workers: WorkerThroughputResult): string[] {
  const range = ([low, high]: [number, number], digits: number): string => `${fixed(low, digits)}–${fixed(high, digits)}`;
  return [
    '## Queue-mode workers',
    '',
    `Jobs per second of worker processes (Nest application contexts, queue role \`worker\`, the package's default ` +
      `concurrency) running one handler that awaits ${workers.handlerIoMs} ms of I/O (a timer), over ${workers.jobsPerRound} jobs ` +
      `stored beforehand through the package's endpoint path into a paused queue; timed from the queue's resume to the last ` +
      `job's completion. RedisIdempotencyStore on the same redis-server. Rounds alternate which worker count goes first` +
      `${workers.warmupJobs > 0 ? `, after one warm-up round of ${workers.warmupJobs} jobs each` : ''}.`,
    '',
    '| worker processes | jobs/s | rounds (min–max) | runs (jobs/s) | worker CPU µs/job | Redis CPU µs/job |',
    '| ---: | ---: | ---: | --- | ---: | ---: |',
    ...workers.byWorkers.map(
      (count) =>
        `| ${count.workers}${count.problems.length ? ' (**see problems**)' : ''} | ${fixed(count.median.jobsPerSecond, 0)} | ` +
        `${range(count.jobsPerSecondRange, 0)} | ${count.rounds.map((round) => fixed(round.jobsPerSecond, 0)).join(', ')} | ` +
        `${fixed(count.median.workerCpuMicrosPerJob, 0)} | ${fixed(count.median.redisCpuMicrosPerJob, 0)} |`,
    ),
    '',
    `${workers.ratio.name}: ${fixed(workers.ratio.value, 3)} (median of per-round ratios; rounds ${range(workers.ratio.range, 3)}).`,
    '',
  ];
}
