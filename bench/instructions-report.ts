import { existsSync, readFileSync } from 'node:fs';
import { BenchCase, judge, RATIOS, Verdict } from './cases';
import type { BenchMachine } from './machine';
import { Spread, spreadOf } from './pipeline-report';
import { describeLoad, fixed, renderVerdict } from './format';

/** One measured window of a case's process: its requests, the instructions they took, and how many of those compiled code. */
export interface InstructionWindow {
  requests: number;
  instructions: number;
  compiling: number;
  /** The self cost of the garbage collector's functions in the window. */
  collecting: number;
}

export interface InstructionCaseResult {
  id: string;
  title: string;
  server: string;
  /** Per process, its windows in order. */
  processes: InstructionWindow[][];
  /** Over every window of every process: instructions / requests. */
  instructionsPerRequest: Spread;
  /** All windows' instructions over all their requests: a major collection's cost spread over them all. */
  meanPerRequest: number;
  /** The same without the garbage collector's own functions: what moves least from window to window. */
  outsideCollectionPerRequest: number;
  /** Over every window: the share of its instructions in the garbage collector's own functions. */
  collectingShare: Spread;
  /** Over every window: the share of its instructions spent compiling. */
  compilingShare: Spread;
}

export interface InstructionRatioResult {
  name: string;
  /** Per window (paired by process and window): instructions per request of the denominator over the numerator's (> 1: the numerator is cheaper). */
  perWindow: number[];
  spread: Spread;
  /** The denominator's mean instructions per request over the numerator's. */
  ofMeans: number;
  /** The same, outside the garbage collector's own functions. */
  outsideCollection: number;
  target?: number;
  verdict?: Verdict;
  meaning: string;
}

export interface InstructionResults {
  machine: BenchMachine & { durationSeconds: number };
  settings: {
    warmupRequests: number;
    windows: number;
    windowRequests: number;
    repeats: number;
    concurrency: number;
    package: string;
    bodyBytes: { complycube: number; stripe: number };
    valgrind: string;
    nodeFlags: string[];
    /** Processes under callgrind at a time. */
    parallel: number;
  };
  cases: InstructionCaseResult[];
  ratios: InstructionRatioResult[];
  notes: string[];
}

/** The `totals:` (or `summary:`) line of a callgrind output file: the instructions executed (Ir). */
export function readCallgrindTotal(file: string, label: string): number {
  if (!existsSync(file)) throw new Error(`${label}: callgrind wrote no output file (${file})`);
  const match = /^(?:totals|summary):\s*(\d+)/m.exec(readFileSync(file, 'utf8'));
  if (!match) throw new Error(`${label}: no instruction total in ${file}`);
  return Number(match[1]);
}

/** Runtime functions through which V8 compiles code (lazy, baseline, optimised) and regular expressions. */
const COMPILE_ENTRY = /^\s*([\d,]+)\s.*\bv8::internal::(?:Runtime_Compile\w*|Runtime_InstallBaselineCode|RegExpImpl::CompileIrregexp)\(/;

/** The summed inclusive instructions of the compile entry points in `callgrind_annotate --inclusive=yes` output. */
export function sumCompileEntries(annotated: string): number {
  let sum = 0;
  for (const line of annotated.split('\n')) {
    const match = COMPILE_ENTRY.exec(line);
    if (match) sum += Number(match[1].replaceAll(',', ''));
  }
  return sum;
}

/**
 * V8's garbage collector's own functions, by name: scavenges, marking, sweeping, evacuation and
 * their visitors. Their self cost leaves out the generic functions they call (memcpy, say), so it
 * is a little under what collection costs.
 */
const COLLECTOR_FUNCTION =
  /v8::internal::(?:\w+::)*\w*(?:Scaveng|MarkCompact|Marking|Marker|Sweep|Evacuat|Compactor|RememberedSet|SlotSet|IncrementalMarking|BodyDescriptor|Visitor|LiveObject|GCTracer|SemiSpace|NewSpace|ArrayBufferSweeper|MemoryAllocator|Worklist)|heap::base::/;

/** The summed self cost of the collector's functions in `callgrind_annotate --inclusive=no` output. */
export function sumCollectorSelfCost(annotated: string): number {
  let sum = 0;
  for (const line of annotated.split('\n')) {
    const match = /^\s*([\d,]+)\s+\([^)]*\)\s+(.*)$/.exec(line);
    if (match && !match[2].includes('PROGRAM TOTALS') && COLLECTOR_FUNCTION.test(match[2])) sum += Number(match[1].replaceAll(',', ''));
  }
  return sum;
}

export const perRequest = (window: InstructionWindow): number => window.instructions / window.requests;

const sum = <T>(items: readonly T[], value: (item: T) => number): number => items.reduce((total, item) => total + value(item), 0);

export function summariseInstructionCase(benchCase: BenchCase, processes: InstructionWindow[][]): InstructionCaseResult {
  const windows = processes.flat();
  return {
    id: benchCase.id,
    title: benchCase.title,
    server: [`bench/servers/${benchCase.server}.ts`, ...benchCase.args].join(' '),
    processes,
    instructionsPerRequest: spreadOf(windows.map(perRequest)),
    meanPerRequest: sum(windows, (window) => window.instructions) / sum(windows, (window) => window.requests),
    outsideCollectionPerRequest:
      sum(windows, (window) => window.instructions - window.collecting) / sum(windows, (window) => window.requests),
    collectingShare: spreadOf(windows.map((window) => window.collecting / window.instructions)),
    compilingShare: spreadOf(windows.map((window) => window.compiling / window.instructions)),
  };
}

/** The ratios whose two cases both ran, from windows paired by process and position. */
export function computeInstructionRatios(cases: readonly InstructionCaseResult[]): InstructionRatioResult[] {
  const byId = new Map(cases.map((result) => [result.id, result]));
  return RATIOS.flatMap((ratio) => {
    const numerator = byId.get(ratio.numerator);
    const denominator = byId.get(ratio.denominator);
    if (!numerator || !denominator) return [];
    const perWindow = numerator.processes.flatMap((windows, process) =>
      windows.flatMap((window, index) => {
        const other = denominator.processes[process]?.[index];
        return other ? [perRequest(other) / perRequest(window)] : [];
      }),
    );
    const spread = spreadOf(perWindow);
    return [
      {
        name: `${ratio.numerator}/${ratio.denominator}`,
        perWindow,
        spread,
        ofMeans: denominator.meanPerRequest / numerator.meanPerRequest,
        outsideCollection: denominator.outsideCollectionPerRequest / numerator.outsideCollectionPerRequest,
        target: ratio.target,
        verdict: judge(ratio.target, spread.median, spread.lowest),
        meaning: ratio.meaning,
      },
    ];
  });
}

const thousands = (value: number): string => (Number.isFinite(value) ? Math.round(value).toLocaleString('en') : '—');

export function renderInstructionsMarkdown(results: InstructionResults): string {
  const { machine, settings } = results;
  const lines = [
    '# Instruction-count benchmark results',
    '',
    `Machine: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node} (${machine.platform}), ${settings.valgrind}; ` +
      `${describeLoad(machine)}; ${machine.date}; the run took ${Math.round(machine.durationSeconds)} s, ` +
      `${settings.parallel} process${settings.parallel === 1 ? '' : 'es'} under callgrind at a time. A count does not depend on ` +
      `the processor's speed, but V8 schedules its garbage collector by the clock, so other load on the machine moves it.`,
    '',
    `Method: each case's process runs under callgrind (node ${settings.nodeFlags.join(' ')}), its request handler driven ` +
      `without sockets (light-my-request), ${settings.concurrency} requests in flight. It sends ${settings.warmupRequests} ` +
      `requests to warm up, sent as unmeasured windows, then ${settings.windows} window${settings.windows === 1 ? '' : 's'} of ${settings.windowRequests}, ` +
      `signing each window's requests just before; callgrind's counters are zeroed before each window and dumped after it, so start-up, ` +
      `signing and warm-up are not counted. ${settings.repeats} process${settings.repeats === 1 ? '' : 'es'} per case. Bodies are ` +
      `${settings.bodyBytes.complycube} bytes (ComplyCube) and ${settings.bodyBytes.stripe} bytes (Stripe). ` +
      `Package loaded from \`${settings.package}\`.`,
    '',
    '| case | server | instructions/req (all windows) | windows (min–max) | outside the collector | collector (median share) | compiling (median share) |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
    ...results.cases.map(
      (result) =>
        `| ${result.id} | ${result.title} | ${thousands(result.meanPerRequest)} | ` +
        `${thousands(result.instructionsPerRequest.lowest)}–${thousands(result.instructionsPerRequest.highest)} | ` +
        `${thousands(result.outsideCollectionPerRequest)} | ${fixed(result.collectingShare.median * 100, 1)} % | ` +
        `${fixed(result.compilingShare.median * 100, 2)} % |`,
    ),
    '',
  ];
  if (results.ratios.length) {
    lines.push(
      'X/Y = instructions per request of Y / instructions per request of X (> 1: X is cheaper): of all windows, and per ' +
        'window (the same window of the same process of each case), with their median, lowest and highest. Windows ' +
        "differ mostly by where a major garbage collection falls; outside the collector's own functions they differ " +
        'less, and that ratio says what the code apart from its garbage costs. A target is met only when the lowest ' +
        'window clears it.',
      '',
      '| ratio | all windows | median | lowest | highest | outside the collector | target | verdict | what it compares |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |',
      ...results.ratios.map(
        ({ name, ofMeans, spread, outsideCollection, target, verdict, meaning }) =>
          `| ${name} | ${fixed(ofMeans, 3)} | ${fixed(spread.median, 3)} | ${fixed(spread.lowest, 3)} | ${fixed(spread.highest, 3)} | ` +
          `${fixed(outsideCollection, 3)} | ` +
          `${target === undefined ? '—' : `≥ ${target.toFixed(2)}`} | ${renderVerdict(verdict)} | ${meaning} |`,
      ),
      '',
    );
  }
  if (results.notes.length) lines.push('## Notes', '', ...results.notes.map((note) => `- ${note}`), '');
  return lines.join('\n');
}
