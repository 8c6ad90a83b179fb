/** How the bench reports show numbers and verdicts (kept apart from report.ts, which loads the micro-benchmarks). */
import type { Verdict } from './cases';

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
