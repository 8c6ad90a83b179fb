import { EventVerifier } from '@complycube/api';
import { Bench } from 'tinybench';
import { COMPLYCUBE_BENCH_SECRET, complyCubeEventTemplate, fillTemplate, newEventId, signComplyCube } from './events';
import { loadPackageUnderTest } from './package-under-test';

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
export async function runVerifyMicroBench(timeMs: number): Promise<VerifyMicroResult[]> {
  const { verifyComplyCubeSignature } = loadPackageUnderTest();
  const verifier = new EventVerifier(COMPLYCUBE_BENCH_SECRET);
  const results: VerifyMicroResult[] = [];
  for (const size of VERIFY_MICRO_SIZES) {
    const body = Buffer.from(fillTemplate(complyCubeEventTemplate(size), newEventId()));
    const signature = signComplyCube(body);
    const bench = new Bench({ time: timeMs, warmupTime: Math.min(timeMs, 200), throws: true });
    let sink = 0;
    bench
      .add(VERIFY_MICRO_TASKS.ours, () => {
        if (!verifyComplyCubeSignature(body, signature, COMPLYCUBE_BENCH_SECRET)) throw new Error('rejected a valid signature');
      })
      .add(VERIFY_MICRO_TASKS.oursAndParse, () => {
        if (!verifyComplyCubeSignature(body, signature, COMPLYCUBE_BENCH_SECRET)) throw new Error('rejected a valid signature');
        sink += (JSON.parse(body.toString('utf8')) as { id: string }).id.length;
      })
      .add(VERIFY_MICRO_TASKS.sdk, () => {
        // Typed as string, but the SDK hashes and stringifies a Buffer as well; both get the same bytes.
        sink += verifier.constructEvent(body as unknown as string, signature).id.length;
      });
    await bench.run();
    if (sink === 0) throw new Error('the parsing tasks did not run');
    for (const task of bench.tasks) {
      const result = task.result;
      if (result.state !== 'completed') throw new Error(`micro-benchmark task "${task.name}" ended as ${result.state}`);
      results.push({
        bodyBytes: body.length,
        task: task.name,
        // period is totalTime / runs (ms); its inverse is the sustained rate, unlike the mean of per-sample rates.
        opsPerSecond: 1000 / result.period,
        meanMicroseconds: result.period * 1000,
        rme: result.latency.rme,
      });
    }
  }
  return results;
}
