import { EventVerifier } from '@complycube/api';
import { Bench } from 'tinybench';
import { COMPLYCUBE_BENCH_SECRET, complyCubeEventTemplate, fillTemplate, newEventId, signComplyCube } from './events';
import { loadPackageUnderTest, PackageSource } from './package-under-test';

export interface VerifyMicroResult {
  bodyBytes: number;
  task: string;
  opsPerSecond: number;
  meanMicroseconds: number;
  /** Relative margin of error of the mean, in percent. */
  rme: number;
}

export const VERIFY_MICRO_SIZES = [1024, 10 * 1024, 100 * 1024];

export const VERIFY_MICRO_TASKS = {
  ours: 'verifyComplyCubeSignature',
  oursAndParse: 'verifyComplyCubeSignature + JSON.parse',
  sdk: '@complycube/api EventVerifier.constructEvent (verify + JSON.parse)',
} as const;

/**
 * The signature check alone, against the official SDK's EventVerifier, on the same Buffer a Nest
 * app's `rawBody` holds. The SDK also parses the body, so ours is measured with and without the parse.
 */
const MICRO_ROUNDS = 3;

export async function runVerifyMicroBench(timeMs: number, source: PackageSource): Promise<VerifyMicroResult[]> {
  const { verifyComplyCubeSignature } = loadPackageUnderTest(source);
  const verifier = new EventVerifier(COMPLYCUBE_BENCH_SECRET);
  const results: VerifyMicroResult[] = [];
  for (const size of VERIFY_MICRO_SIZES) {
    const body = Buffer.from(fillTemplate(complyCubeEventTemplate(size), newEventId()));
    const signature = signComplyCube(body);
    let sink = 0;
    const tasks: Array<[string, () => void]> = [
      [
        VERIFY_MICRO_TASKS.ours,
        () => {
          if (!verifyComplyCubeSignature(body, signature, COMPLYCUBE_BENCH_SECRET)) throw new Error('rejected a valid signature');
        },
      ],
      [
        VERIFY_MICRO_TASKS.oursAndParse,
        () => {
          if (!verifyComplyCubeSignature(body, signature, COMPLYCUBE_BENCH_SECRET)) throw new Error('rejected a valid signature');
          sink += (JSON.parse(body.toString('utf8')) as { id: string }).id.length;
        },
      ],
      [
        VERIFY_MICRO_TASKS.sdk,
        () => {
          // Typed as string, but the SDK hashes and stringifies a Buffer as well; both get the same bytes.
          sink += verifier.constructEvent(body as unknown as string, signature).id.length;
        },
      ],
    ];
    // Several short rounds, each in a rotated task order, so a burst of load elsewhere on the
    // machine does not land on one task only; each task's figure is its median round.
    const samples = new Map<string, Array<{ period: number; rme: number }>>(tasks.map(([name]) => [name, []]));
    for (let round = 0; round < MICRO_ROUNDS; round++) {
      const roundTime = timeMs / MICRO_ROUNDS;
      const bench = new Bench({ time: roundTime, warmupTime: Math.min(roundTime, 200), throws: true });
      for (let index = 0; index < tasks.length; index++) bench.add(...tasks[(round + index) % tasks.length]);
      await bench.run();
      for (const task of bench.tasks) {
        const result = task.result;
        if (result.state !== 'completed') throw new Error(`micro-benchmark task "${task.name}" ended as ${result.state}`);
        // period is totalTime / runs (ms); its inverse is the sustained rate, unlike the mean of per-sample rates.
        samples.get(task.name)?.push({ period: result.period, rme: result.latency.rme });
      }
    }
    if (sink === 0) throw new Error('the parsing tasks did not run');
    for (const [task, rounds] of samples) {
      const period = median(rounds.map((round) => round.period));
      results.push({
        bodyBytes: body.length,
        task,
        opsPerSecond: 1000 / period,
        meanMicroseconds: period * 1000,
        rme: median(rounds.map((round) => round.rme)),
      });
    }
  }
  return results;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
