import type { BenchMachine } from './machine';
import { BenchCase, judge, RATIOS, Verdict } from './cases';
import type { PipelineRoundResult } from './pipeline-round';
import { describeLoad, fixed, median, renderVerdict } from './format';

/** The spread of per-round values: lowest, quartiles (linear interpolation), highest. */
export interface Spread {
  lowest: number;
  lowerQuartile: number;
  median: number;
  upperQuartile: number;
  highest: number;
}

export interface PipelineCaseResult {
  id: string;
  title: string;
  server: string;
  /** One per measured round, in round order. */
  rounds: PipelineRoundResult[];
  cpuMicrosPerRequest: Spread;
  wallMicrosPerRequest: Spread;
  rssMB: number;
  /** Anything that makes the case's numbers untrustworthy: a wrong answer, a handler count that does not add up. */
  problems: string[];
  /** The CPU profiles of its rounds, with --cpu-prof. */
  profiles?: string[];
}

export interface PipelineRatioResult {
  name: string;
  /** Per round: CPU per request of the denominator over the numerator's (> 1: the numerator is cheaper). */
  perRound: number[];
  spread: Spread;
  target?: number;
  verdict?: Verdict;
  meaning: string;
}

export interface PipelineResults {
  machine: BenchMachine & { durationSeconds: number };
  settings: {
    rounds: number;
    requestsPerRound: number;
    /** Slices each round's requests were cut into, the cases taking turns slice by slice. */
    slices: number;
    warmupRounds: number;
    concurrency: number;
    package: string;
    bodyBytes: { complycube: number; stripe: number };
    profiled: boolean;
  };
  cases: PipelineCaseResult[];
  ratios: PipelineRatioResult[];
  notes: string[];
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.ceil(position);
  return sorted[below] + (sorted[above] - sorted[below]) * (position - below);
}

export function spreadOf(values: readonly number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    lowest: sorted[0] ?? NaN,
    lowerQuartile: quantile(sorted, 0.25),
    median: median(sorted),
    upperQuartile: quantile(sorted, 0.75),
    highest: sorted[sorted.length - 1] ?? NaN,
  };
}

export function summarisePipelineCase(
  benchCase: BenchCase,
  rounds: PipelineRoundResult[],
  rssBytes: number,
  problems: string[],
): PipelineCaseResult {
  const profiles = rounds.flatMap((round) => round.profiles ?? []);
  return {
    id: benchCase.id,
    title: benchCase.title,
    server: [`bench/servers/${benchCase.server}.ts`, ...benchCase.args].join(' '),
    rounds,
    cpuMicrosPerRequest: spreadOf(rounds.map((round) => round.cpuMicros / round.requests)),
    wallMicrosPerRequest: spreadOf(rounds.map((round) => round.wallMicros / round.requests)),
    rssMB: rssBytes / 2 ** 20,
    problems,
    ...(profiles.length > 0 ? { profiles } : {}),
  };
}

/** The ratios whose two cases both ran, from rounds paired by index (run close together in time). */
export function computePipelineRatios(cases: readonly PipelineCaseResult[]): PipelineRatioResult[] {
  const byId = new Map(cases.map((result) => [result.id, result]));
  return RATIOS.flatMap((ratio) => {
    const numerator = byId.get(ratio.numerator);
    const denominator = byId.get(ratio.denominator);
    if (!numerator || !denominator) return [];
    const count = Math.min(numerator.rounds.length, denominator.rounds.length);
    const perRound = Array.from({ length: count }, (_, index) => {
      const top = numerator.rounds[index];
      const bottom = denominator.rounds[index];
      return bottom.cpuMicros / bottom.requests / (top.cpuMicros / top.requests);
    });
    const spread = spreadOf(perRound);
    return [
      {
        name: `${ratio.numerator}/${ratio.denominator}`,
        perRound,
        spread,
        target: ratio.target,
        verdict: judge(ratio.target, spread.median, spread.lowest),
        meaning: ratio.meaning,
      },
    ];
  });
}

export function renderPipelineMarkdown(results: PipelineResults): string {
  const { machine, settings } = results;
  const lines = [
    '# Pipeline benchmark results',
    '',
    `Machine: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node} (${machine.platform}); ` +
      `${describeLoad(machine)}; ${machine.date}; the run took ${Math.round(machine.durationSeconds)} s.`,
    '',
    `Method: each case's request handler driven in its own process without sockets (light-my-request), ` +
      `${settings.rounds} rounds of ${settings.requestsPerRound} requests per case, ${settings.concurrency} in flight, ` +
      `after ${settings.warmupRounds} warm-up round${settings.warmupRounds === 1 ? '' : 's'}; each round cuts every case's ` +
      `requests into ${settings.slices} slice${settings.slices === 1 ? '' : 's'}, and the cases take turns slice by slice, in an ` +
      `order shuffled every slice, so that the two cases of a ratio meet the same machine within a round. Every request carries a fresh event id and its own signature, made before the round; bodies are ` +
      `${settings.bodyBytes.complycube} bytes (ComplyCube) and ${settings.bodyBytes.stripe} bytes (Stripe). ` +
      `Package loaded from \`${settings.package}\`.` +
      (settings.profiled ? ' **Profiled run**: the CPU profiler ran during the rounds, so the figures include its cost.' : ''),
    '',
    '| case | server | CPU µs/req (median) | rounds (min–max) | wall µs/req (median) | RSS MB |',
    '| --- | --- | ---: | ---: | ---: | ---: |',
    ...results.cases.map(
      (result) =>
        `| ${result.id} | ${result.title}${result.problems.length ? ' (**see problems**)' : ''} | ` +
        `${fixed(result.cpuMicrosPerRequest.median, 1)} | ${fixed(result.cpuMicrosPerRequest.lowest, 1)}–${fixed(result.cpuMicrosPerRequest.highest, 1)} | ` +
        `${fixed(result.wallMicrosPerRequest.median, 1)} | ${fixed(result.rssMB, 0)} |`,
    ),
    '',
  ];
  if (results.ratios.length) {
    lines.push(
      'Ratios are CPU-normalised throughput, X/Y = CPU per request of Y / CPU per request of X, computed per round ' +
        '(> 1: X is cheaper). A target is met only when the lowest round clears it; `median only`: the median clears it ' +
        'and the spread does not.',
      '',
      '| ratio | median | lowest | interquartile | highest | target | verdict | what it compares |',
      '| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |',
      ...results.ratios.map(
        ({ name, spread, target, verdict, meaning }) =>
          `| ${name} | ${fixed(spread.median, 3)} | ${fixed(spread.lowest, 3)} | ${fixed(spread.lowerQuartile, 3)}–${fixed(spread.upperQuartile, 3)} | ` +
          `${fixed(spread.highest, 3)} | ${target === undefined ? '—' : `≥ ${target.toFixed(2)}`} | ${renderVerdict(verdict)} | ${meaning} |`,
      ),
      '',
    );
  }
  const problems = results.cases.flatMap((result) => result.problems.map((problem) => `- ${result.id}: ${problem}`));
  if (problems.length) lines.push('## Problems', '', ...problems, '');
  if (results.notes.length) lines.push('## Notes', '', ...results.notes.map((note) => `- ${note}`), '');
  return lines.join('\n');
}
