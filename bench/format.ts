/** How the bench reports show numbers and verdicts (kept apart from report.ts, which loads the micro-benchmarks). */
import type { Verdict } from './cases';
import type { BenchMachine } from './machine';

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export const fixed = (value: number, digits: number): string => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');

/** A verdict as the result tables show it: a miss stands out. */
export function renderVerdict(verdict: Verdict | undefined): string {
  if (verdict === undefined) return '—';
  return verdict === 'missed' ? '**missed**' : verdict;
}

/** How loaded the machine was: its load averages at the start and end, and the 1-minute one's range between. */
export function describeLoad(
  machine: Pick<BenchMachine, 'loadAverageAtStart' | 'loadAverageAtEnd'> & Partial<Pick<BenchMachine, 'loadAverage1mRange'>>,
): string {
  const loads = (values: readonly number[]): string => values.map((value) => value.toFixed(1)).join(' ');
  const range = machine.loadAverage1mRange
    ? ` (1-minute average ${machine.loadAverage1mRange.map((value) => value.toFixed(1)).join(' to ')} during the run)`
    : '';
  return `load average ${loads(machine.loadAverageAtStart)} at start, ${loads(machine.loadAverageAtEnd)} at end${range}`;
}
