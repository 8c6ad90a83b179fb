import { cpus, loadavg } from 'node:os';

/** The machine a run was measured on, and how busy it was with other work meanwhile. */
export interface BenchMachine {
  cpu: string;
  cores: number;
  node: string;
  platform: string;
  loadAverageAtStart: number[];
  loadAverageAtEnd: number[];
  /** Lowest and highest 1-minute load average sampled every 5 s through the run. */
  loadAverage1mRange: [number, number];
  date: string;
}

/**
 * Starts watching the machine's load for a run: `describe()` says what the machine is and how
 * loaded it was from the start until now; `stop()` ends the sampling.
 */
export function watchMachine(): { describe: () => BenchMachine; stop: () => void } {
  const loadAverageAtStart = loadavg();
  const samples = [loadAverageAtStart[0]];
  const timer = setInterval(() => samples.push(loadavg()[0]), 5_000);
  timer.unref();
  return {
    describe: () => ({
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      loadAverageAtStart,
      loadAverageAtEnd: loadavg(),
      loadAverage1mRange: [Math.min(...samples), Math.max(...samples)],
      date: new Date().toISOString(),
    }),
    stop: () => clearInterval(timer),
  };
}
