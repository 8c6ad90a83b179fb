import type { Redis } from 'ioredis';
import type { SoakHandlerLedger } from './soak-app';
import { sleep } from './soak-ledger';

/** The ledger's keys in the soak's Redis, apart from the package's own. */
const KEYS = {
  /** `${eventId} ${handlerKey}` -> runs started. */
  starts: 'soak-ledger:starts',
  /** `${eventId} ${handlerKey}` -> runs that returned. */
  completions: 'soak-ledger:completions',
  /** `${eventId} ${handlerKey}` -> runs under way now, in any process. */
  runningNow: 'soak-ledger:running-now',
  /** The `${eventId} ${handlerKey}` that once ran twice at the same time. */
  overlaps: 'soak-ledger:overlaps',
  /** pid -> runs started in that process. */
  runsByProcess: 'soak-ledger:runs-by-process',
  /** The `${eventId} ${handlerKey}` under way in one process. */
  running: (pid: number) => `soak-ledger:running:${pid}`,
  /** The ids of the events one process ran handlers of. */
  ranIn: (pid: number) => `soak-ledger:ran-in:${pid}`,
};

/**
 * How long a run works, in ms: a few ms of I/O; longer for the handler that calls another system,
 * so that a kill often finds an event with some handlers recorded and one still running.
 */
const WORK_MS: Record<string, readonly [number, number]> = { 'SoakHandlers.notifyCompliance': [20, 60] };
const DEFAULT_WORK_MS = [2, 8] as const;

/**
 * The soak's handlers in queue mode, in every worker process: each run does a few ms of async work
 * and is counted in Redis, the one place that all processes share and that outlives a killed one.
 */
export class RedisHandlerLedger implements SoakHandlerLedger {
  constructor(private readonly redis: Redis) {}

  async run(handlerKey: string, eventId: string): Promise<void> {
    const run = `${eventId} ${handlerKey}`;
    const { pid } = process;
    const started = await this.redis
      .multi()
      .hincrby(KEYS.starts, run, 1)
      .sadd(KEYS.running(pid), run)
      .sadd(KEYS.ranIn(pid), eventId)
      .hincrby(KEYS.runsByProcess, String(pid), 1)
      .hincrby(KEYS.runningNow, run, 1)
      .exec();
    const runningNow = Number(started?.[4]?.[1]);
    if (runningNow > 1) await this.redis.sadd(KEYS.overlaps, run);
    const [min, max] = WORK_MS[handlerKey] ?? DEFAULT_WORK_MS;
    await sleep(min + Math.random() * (max - min));
    await this.redis.multi().hincrby(KEYS.completions, run, 1).srem(KEYS.running(pid), run).hincrby(KEYS.runningNow, run, -1).exec();
  }
}

/** What the ledger holds, read by the soak after (or during) the run. */
export interface QueueLedgerSnapshot {
  starts: Map<string, number>;
  completions: Map<string, number>;
  overlaps: string[];
  runsByProcess: Map<number, number>;
}

/** The soak's reading side of the ledger. */
export class QueueLedgerReader {
  constructor(private readonly redis: Redis) {}

  /** The key of one handler's runs for one event. */
  static run(eventId: string, handlerKey: string): string {
    return `${eventId} ${handlerKey}`;
  }

  async snapshot(): Promise<QueueLedgerSnapshot> {
    const [starts, completions, overlaps, runsByProcess] = await Promise.all([
      this.redis.hgetall(KEYS.starts),
      this.redis.hgetall(KEYS.completions),
      this.redis.smembers(KEYS.overlaps),
      this.redis.hgetall(KEYS.runsByProcess),
    ]);
    const counts = (hash: Record<string, string>): Map<string, number> =>
      new Map(Object.entries(hash).map(([run, count]) => [run, Number(count)]));
    return {
      starts: counts(starts),
      completions: counts(completions),
      overlaps,
      runsByProcess: new Map(Object.entries(runsByProcess).map(([pid, count]) => [Number(pid), Number(count)])),
    };
  }

  /** How many handler runs are under way in one process. */
  runningCount(pid: number): Promise<number> {
    return this.redis.scard(KEYS.running(pid));
  }

  /** The runs under way in one process (after it was killed: those it never finished). */
  runningIn(pid: number): Promise<string[]> {
    return this.redis.smembers(KEYS.running(pid));
  }

  async eventsRanIn(pid: number): Promise<Set<string>> {
    return new Set(await this.redis.smembers(KEYS.ranIn(pid)));
  }

  /**
   * A killed process will never finish its runs: take them off the runs under way, so that their
   * rerun elsewhere does not count as running twice at once.
   */
  async forgetRunsOf(pid: number, runs: readonly string[]): Promise<void> {
    if (runs.length === 0) return;
    const transaction = this.redis.multi();
    for (const run of runs) transaction.hincrby(KEYS.runningNow, run, -1);
    transaction.del(KEYS.running(pid));
    await transaction.exec();
  }
}
