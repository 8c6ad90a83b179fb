import { BenchCase, RATIOS } from './cases';
import { VERIFY_MICRO_TASKS, VerifyMicroResult } from './verify-micro';

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
  /** Events the server's handlers recorded during the run: one per 2xx, plus any still in flight at the end. */
  handled: number;
  /** Server process CPU time (user + system) over the run, per delivery it handled. */
  serverCpuMicrosPerRequest: number;
}

export interface CaseResult {
  id: string;
  title: string;
  server: string;
  runs: RunMeasurement[];
  median: { requestsPerSecond: number; latencyP50Ms: number; latencyP99Ms: number; serverCpuMicrosPerRequest: number };
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
  /** Median over rounds of the two cases' req/s ratio in that round. */
  requestsPerSecondRatio: number;
  target?: number;
  /** Judged on `value`. */
  met?: boolean;
  meaning: string;
}

export interface BenchResults {
  machine: {
    cpu: string;
    cores: number;
    node: string;
    platform: string;
    loadAverageAtStart: number[];
    loadAverageAtEnd: number[];
    date: string;
  };
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
  micro: VerifyMicroResult[];
  notes: string[];
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export interface ServerTotals {
  rssBytes: number;
  peakRssBytes: number;
  handled: number;
}

export function summariseCase(benchCase: BenchCase, runs: RunMeasurement[], totals: ServerTotals, problems: string[]): CaseResult {
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
    const value = median(rounds.map((run) => run.denominator.serverCpuMicrosPerRequest / run.numerator.serverCpuMicrosPerRequest));
    const requestsPerSecondRatio = median(rounds.map((run) => run.numerator.requestsPerSecond / run.denominator.requestsPerSecond));
    return [
      {
        name: `${ratio.numerator}/${ratio.denominator}`,
        value,
        requestsPerSecondRatio,
        target: ratio.target,
        met: ratio.target === undefined ? undefined : value >= ratio.target,
        meaning: ratio.meaning,
      },
    ];
  });
}

const fixed = (value: number, digits: number): string => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');

export function renderMarkdown(results: BenchResults): string {
  const { machine, settings } = results;
  const lines = [
    '# Benchmark results',
    '',
    `Machine: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node} (${machine.platform}); ` +
      `load average ${machine.loadAverageAtStart.map((load) => load.toFixed(1)).join(' ')} at start, ` +
      `${machine.loadAverageAtEnd.map((load) => load.toFixed(1)).join(' ')} at end; ${machine.date}.`,
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
  if (results.ratios.length) {
    lines.push(
      '| ratio | CPU-normalised | req/s (per-round median) | target | met | what it compares |',
      '| --- | ---: | ---: | ---: | --- | --- |',
      ...results.ratios.map(
        (ratio) =>
          `| ${ratio.name} | ${ratio.value.toFixed(3)} | ${fixed(ratio.requestsPerSecondRatio, 3)} | ${ratio.target === undefined ? '—' : `≥ ${ratio.target.toFixed(2)}`} | ` +
          `${ratio.met === undefined ? '—' : ratio.met ? 'yes' : '**no**'} | ${ratio.meaning} |`,
      ),
      '',
    );
  }
  const problems = results.cases.flatMap((result) => result.problems.map((problem) => `- ${result.id}: ${problem}`));
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
