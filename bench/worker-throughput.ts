import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { setTimeout as sleep } from 'node:timers/promises';
import { askBenchProcess, BenchProcess, benchProcessStats, startBenchProcess, stopBenchProcess } from './bench-process';
import { PackageSource } from './package-under-test';
import { BENCH_REDIS_URL_ENV, redisCpuMicros } from './queue-bench';
import { median } from './format';

/** The worker counts measured, each on a queue of its own with its own worker processes. */
export const WORKER_COUNTS = [1, 2] as const;

export interface WorkerRound {
  jobs: number;
  /** From the queue's resume to the last job's completion (BullMQ's finishedOn). */
  seconds: number;
  jobsPerSecond: number;
  /** CPU time (user + system) of the worker processes over the round, per job. */
  workerCpuMicrosPerJob: number;
  /** redis-server's CPU time over the round, per job (the driver's completion polls included). */
  redisCpuMicrosPerJob: number;
  completed: number;
  failed: number;
  /** Handler runs the worker processes recorded during the round. */
  handled: number;
}

export interface WorkerCountResult {
  workers: number;
  rounds: WorkerRound[];
  median: { jobsPerSecond: number; workerCpuMicrosPerJob: number; redisCpuMicrosPerJob: number };
  /** Lowest and highest jobs/s over the rounds. */
  jobsPerSecondRange: [number, number];
  problems: string[];
}

export interface WorkerThroughputResult {
  jobsPerRound: number;
  warmupJobs: number;
  handlerIoMs: number;
  byWorkers: WorkerCountResult[];
  /** Jobs/s with two workers over jobs/s with one, per round (rounds pair runs made one after the other). */
  ratio: { name: string; value: number; range: [number, number] };
}

export interface WorkerThroughputOptions {
  redisUrl: string;
  packageSource: PackageSource;
  jobs: number;
  rounds: number;
  warmupJobs: number;
  handlerIoMs: number;
  bodyBytes: number;
  log: (line: string) => void;
}

/** The processes and the queue of one worker count. */
interface WorkerSetup {
  workers: number;
  queue: Queue;
  filler: BenchProcess;
  workerProcesses: BenchProcess[];
}

const POLL_MS = 50;
/** A round that makes no progress for this long is given up (and reported as a problem). */
const STALL_MS = 60_000;

/**
 * Jobs per second of queue mode's workers for a handler that awaits I/O, with one and with two
 * worker processes. Each worker count has its own queue, its own worker processes (application
 * contexts, role 'worker', default concurrency) and its own filler (role 'endpoint'), started once.
 * A round fills the paused queue with fresh events through the filler, resumes it and waits until
 * every job has completed; the two counts take turns, the first alternating between rounds.
 */
export async function runWorkerThroughput(options: WorkerThroughputOptions): Promise<WorkerThroughputResult> {
  const client = new Redis(options.redisUrl);
  const queues: Queue[] = [];
  const started: BenchProcess[] = [];
  try {
    const setups = await settleAll(
      WORKER_COUNTS.map(async (workers): Promise<WorkerSetup> => {
        const queue = new Queue(`bench-workers-${workers}`, { connection: client });
        queues.push(queue);
        // Paused before any worker starts, so that nothing runs while a round fills it.
        await queue.pause();
        const start = async (role: 'worker' | 'endpoint', label: string): Promise<BenchProcess> => {
          const benchProcess = await startBenchProcess({
            label,
            script: 'queue-worker',
            args: [
              '--queue',
              queue.name,
              '--role',
              role,
              '--io-ms',
              String(options.handlerIoMs),
              '--body-bytes',
              String(options.bodyBytes),
            ],
            packageSource: options.packageSource,
            env: { [BENCH_REDIS_URL_ENV]: options.redisUrl },
          });
          started.push(benchProcess);
          return benchProcess;
        };
        const workerLabels = Array.from({ length: workers }, (_, index) => `worker ${index + 1} of ${queue.name}`);
        const [filler, ...workerProcesses] = await settleAll([
          start('endpoint', `filler of ${queue.name}`),
          ...workerLabels.map((label) => start('worker', label)),
        ]);
        return { workers, queue, filler, workerProcesses };
      }),
    );
    const rounds = new Map<number, WorkerRound[]>(setups.map((setup) => [setup.workers, []]));
    const problems = new Map<number, string[]>(setups.map((setup) => [setup.workers, []]));
    if (options.warmupJobs > 0) {
      for (const setup of setups) {
        const warmup = await runRound(setup, options.warmupJobs, client);
        problems.get(setup.workers)?.push(...warmup.problems.map((problem) => `warm-up: ${problem}`));
      }
    }
    for (let round = 0; round < options.rounds; round++) {
      const order = round % 2 === 0 ? setups : [...setups].reverse();
      for (const setup of order) {
        const { measured, problems: found } = await runRound(setup, options.jobs, client);
        rounds.get(setup.workers)?.push(measured);
        problems.get(setup.workers)?.push(...found);
        options.log(
          `workers round ${round + 1}/${options.rounds}, ${setup.workers} worker(s): ${measured.jobsPerSecond.toFixed(0)} jobs/s, ` +
            `worker CPU ${measured.workerCpuMicrosPerJob.toFixed(0)} µs/job, Redis CPU ${measured.redisCpuMicrosPerJob.toFixed(0)} µs/job`,
        );
      }
    }
    const byWorkers = setups.map((setup) => summarise(setup.workers, rounds.get(setup.workers) ?? [], problems.get(setup.workers) ?? []));
    const [one, two] = byWorkers;
    const perRound = one.rounds.map((run, round) => two.rounds[round].jobsPerSecond / run.jobsPerSecond);
    return {
      jobsPerRound: options.jobs,
      warmupJobs: options.warmupJobs,
      handlerIoMs: options.handlerIoMs,
      byWorkers,
      ratio: { name: '2 workers / 1 worker', value: median(perRound), range: [Math.min(...perRound), Math.max(...perRound)] },
    };
  } finally {
    await Promise.all(started.map(stopBenchProcess));
    await Promise.all(queues.map((queue) => queue.close().catch(() => undefined)));
    client.disconnect();
  }
}

/** Like Promise.all, but waits for every promise to settle before failing, so that nothing started is left behind. */
async function settleAll<T>(promises: Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(promises);
  const failed = settled.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((result) => (result as PromiseFulfilledResult<T>).value);
}

async function runRound(setup: WorkerSetup, jobs: number, client: Redis): Promise<{ measured: WorkerRound; problems: string[] }> {
  const { queue } = setup;
  const problems: string[] = [];
  const filled = await askBenchProcess(setup.filler, { type: 'fill', count: jobs }, 'filled', 120_000);
  if (filled.queued !== jobs)
    problems.push(`the filler stored ${filled.queued} of ${jobs} events as new jobs (${filled.otherAnswers} other answers)`);
  const waiting = await queue.getJobCountByTypes('waiting', 'prioritized');
  if (waiting !== jobs) problems.push(`${waiting} jobs waited in the paused queue for ${jobs} stored`);

  const statsBefore = await Promise.all(setup.workerProcesses.map(benchProcessStats));
  const redisCpuBefore = await redisCpuMicros(client);
  const startedAt = Date.now();
  await queue.resume();
  let finished = 0;
  let lastProgressAt = Date.now();
  while (finished < jobs) {
    await sleep(POLL_MS);
    const counts = await queue.getJobCounts('completed', 'failed');
    const now = counts.completed + counts.failed;
    if (now > finished) lastProgressAt = Date.now();
    finished = now;
    if (Date.now() - lastProgressAt > STALL_MS) {
      problems.push(`no job finished for ${STALL_MS / 1000} s; ${finished} of ${jobs} finished`);
      break;
    }
  }
  await queue.pause();
  const redisCpuAfter = await redisCpuMicros(client);
  const statsAfter = await Promise.all(setup.workerProcesses.map(benchProcessStats));
  const { completed, failed } = await queue.getJobCounts('completed', 'failed');
  // Completed and failed jobs are sorted sets scored by the time each finished, in ms.
  const lastFinishedAt = Math.max(...(await Promise.all([queue.keys.completed, queue.keys.failed].map((key) => lastScore(client, key)))));
  const handled = sum(statsAfter.map((stats) => stats.handled)) - sum(statsBefore.map((stats) => stats.handled));
  const workerCpu = sum(statsAfter.map((stats) => stats.cpuMicros)) - sum(statsBefore.map((stats) => stats.cpuMicros));
  if (failed > 0) problems.push(`${failed} of ${jobs} jobs failed`);
  if (completed !== jobs) problems.push(`${completed} of ${jobs} jobs completed`);
  if (handled !== jobs) problems.push(`the handler ran ${handled} times for ${jobs} jobs (expected once per job)`);
  await queue.clean(0, 0, 'completed');
  await queue.clean(0, 0, 'failed');
  const seconds = Math.max(1, lastFinishedAt - startedAt) / 1000;
  return {
    measured: {
      jobs,
      seconds,
      jobsPerSecond: completed / seconds,
      workerCpuMicrosPerJob: workerCpu / Math.max(1, completed),
      redisCpuMicrosPerJob: (redisCpuAfter - redisCpuBefore) / Math.max(1, completed),
      completed,
      failed,
      handled,
    },
    problems,
  };
}

async function lastScore(client: Redis, key: string): Promise<number> {
  const [, score] = await client.zrange(key, -1, -1, 'WITHSCORES');
  return score === undefined ? 0 : Number(score);
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

function summarise(workers: number, rounds: WorkerRound[], problems: string[]): WorkerCountResult {
  const jobsPerSecond = rounds.map((round) => round.jobsPerSecond);
  return {
    workers,
    rounds,
    median: {
      jobsPerSecond: median(jobsPerSecond),
      workerCpuMicrosPerJob: median(rounds.map((round) => round.workerCpuMicrosPerJob)),
      redisCpuMicrosPerJob: median(rounds.map((round) => round.redisCpuMicrosPerJob)),
    },
    jobsPerSecondRange: [Math.min(...jobsPerSecond), Math.max(...jobsPerSecond)],
    problems,
  };
}
