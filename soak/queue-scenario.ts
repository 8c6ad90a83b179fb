import { Job, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { ComplyCubeWebhookCounters, RedisIdempotencyStore } from 'nestjs-complycube-webhooks';
import { ComplyCubeEventJobData, eventJobId } from '../lib/dead-letters/event-job';
import { recordKey } from '../lib/delivery/delivery.runner';
import { DEFAULT_QUEUE_NAME } from '../lib/queue/queue-options';
import { printDeliveries, SimulatedEvent, simulateComplyCube } from './complycube-simulator';
import { QueueLedgerReader, QueueLedgerSnapshot } from './queue-ledger';
import { SOAK_HANDLERS_BY_TYPE } from './soak-app';
import { sleep } from './soak-ledger';
import { SOAK_REGISTRATION, SoakProcess } from './soak-processes';

const DELIVERIES = 20_000;
const DUPLICATE_SHARE = 0.3;
const CONCURRENCY = 32;
/** The worker is killed once this share of the deliveries has been acknowledged. */
const KILL_AT_SHARE = 0.4;
/** How long the kill waits for a worker with handler runs under way. */
const KILL_WAIT_MS = 30_000;
/**
 * How long the queue may take to drain after the last delivery. A killed worker's jobs wait for
 * their BullMQ lock to expire (30 s) and for the next stalled-job check (every 30 s) before
 * another worker takes them.
 */
const DRAIN_TIMEOUT_MS = 180_000;
const BATCH = 500;

type Check = (condition: boolean, message: string) => void;

/** What the soak saw of the kill, read from Redis while the killed worker's jobs were still locked. */
interface KillReport {
  /** The killed worker's label. */
  killed: string;
  killedPid: number;
  restartedPid: number;
  /** Deliveries acknowledged when the worker was killed. */
  atAcknowledged: number;
  /** Seconds into the deliveries. */
  at: number;
  /** The jobs the killed worker held (active, under its lock token). */
  jobs: Array<{ id: string; eventId: string; type: string }>;
  /** The handler runs it had started and not finished. */
  interrupted: Set<string>;
  /** The handler runs of its jobs' events whose success the idempotency store had recorded. */
  recordedAtKill: Set<string>;
  /** Why its jobs could not be told apart from the other worker's, if they could not. */
  problem?: string;
}

/**
 * Queue mode under load and a crash: two endpoint processes (Express and Fastify, `role:
 * 'endpoint'`) and two worker processes (application contexts, `role: 'worker'`) on one Redis,
 * which also holds the idempotency records and the handlers' ledger. ComplyCube's simulator
 * delivers to the endpoints at random; one worker is SIGKILLed mid-run and restarted. Checks: no
 * event acknowledged and not handled, no 2xx before the job was stored, every handler of a
 * completed event ran once, except those that were running in the killed worker (at least once).
 */
export async function queueScenario(redisUrl: string, check: Check): Promise<void> {
  const name = 'queue mode';
  console.log(
    `\n== ${name}: two endpoint processes (Express + Fastify), two worker processes, one Redis; a worker SIGKILLed and restarted`,
  );
  const began = performance.now();
  const redis = new Redis(redisUrl);
  const queue = new Queue(DEFAULT_QUEUE_NAME, { connection: redis });
  const store = new RedisIdempotencyStore(redis);
  const ledger = new QueueLedgerReader(redis);
  const processes: SoakProcess[] = [];
  const start = async (...args: Parameters<typeof SoakProcess.start>): Promise<SoakProcess> => {
    const started = await SoakProcess.start(...args);
    processes.push(started);
    return started;
  };
  try {
    // All four settle before any failure is thrown, so that the cleanup below stops every one that started.
    const starting = await Promise.allSettled([
      start({ role: 'endpoint', adapter: 'express' }, redisUrl, 'endpoint 1'),
      start({ role: 'endpoint', adapter: 'fastify' }, redisUrl, 'endpoint 2'),
      start({ role: 'worker' }, redisUrl, 'worker 1'),
      start({ role: 'worker' }, redisUrl, 'worker 2'),
    ]);
    const [endpoint1, endpoint2, worker1, worker2] = starting.map((result) => {
      if (result.status === 'rejected') throw result.reason;
      return result.value;
    });
    const endpoints = [endpoint1, endpoint2];
    const workers = [worker1, worker2];
    const startedIn = (performance.now() - began) / 1000;

    const stored = async (event: SimulatedEvent): Promise<boolean> =>
      (await queue.getJobState(eventJobId(SOAK_REGISTRATION, event.id))) !== 'unknown' ||
      (await store.isCompleted(recordKey(SOAK_REGISTRATION, event.id)));
    const deliveriesBegan = performance.now();
    let kill: Promise<KillReport> | undefined;
    const report = await simulateComplyCube({
      urls: endpoints.map((endpoint) => endpoint.url!),
      deliveries: DELIVERIES,
      duplicateShare: DUPLICATE_SHARE,
      concurrency: CONCURRENCY,
      maxAttempts: 50,
      mayAcknowledge: stored,
      onAcknowledged: (acknowledged) => {
        if (!kill && acknowledged >= DELIVERIES * KILL_AT_SHARE) {
          kill = killAndRestart(workers, acknowledged, { queue, redis, store, ledger, redisUrl, began: deliveriesBegan, start });
          // Awaited once the deliveries end; a failure meanwhile must not end the soak before its cleanup.
          kill.catch(() => undefined);
        }
      },
    });
    const killed = kill ? await kill : undefined;
    const drainBegan = performance.now();
    const drained = await waitForDrain(queue);
    const drainSeconds = (performance.now() - drainBegan) / 1000;

    const snapshot = await ledger.snapshot();
    const acknowledged = report.events.filter((event) => report.acknowledged.has(event.id));
    const runsOf = (event: SimulatedEvent): string[] =>
      SOAK_HANDLERS_BY_TYPE[event.type].map((handlerKey) => QueueLedgerReader.run(event.id, handlerKey));
    const storedAfter = await inBatches(acknowledged, stored);
    const lost = acknowledged.filter((event) => runsOf(event).some((run) => (snapshot.completions.get(run) ?? 0) < 1));
    const notStored = acknowledged.filter((_, index) => !storedAfter[index]);
    const reruns = findReruns(snapshot, killed);
    const counts = await queue.getJobCounts('completed', 'failed');
    const endpointMetrics = await Promise.all(endpoints.map((endpoint) => endpoint.metrics()));
    const workerMetrics = await Promise.all(
      processes.filter((process) => process.role === 'worker' && process.pid !== killed?.killedPid).map((worker) => worker.metrics()),
    );
    const total = (metrics: ComplyCubeWebhookCounters[], counter: 'queued' | 'inFlightConflicts'): number =>
      metrics.reduce((sum, counters) => sum + counters[counter], 0);
    const endpointRuns = endpoints.reduce((sum, endpoint) => sum + (snapshot.runsByProcess.get(endpoint.pid) ?? 0), 0);
    const handlerRuns = [...snapshot.starts.values()].reduce((sum, count) => sum + count, 0);
    const answered = (predicate: (answer: string) => boolean): number =>
      [...report.answers].filter(([answer]) => predicate(answer)).reduce((sum, [, count]) => sum + count, 0);

    console.log(`  4 processes ready in ${startedIn.toFixed(1)} s`);
    printDeliveries(report);
    console.log(
      `  2xx ${answered((answer) => answer.startsWith('2'))}, 503 ${answered((answer) => answer === '503')}; ` +
        `jobs: ${acknowledged.length - notStored.length} events stored, one job each (the endpoints added ${total(endpointMetrics, 'queued')}: ` +
        `concurrent first deliveries of one event each add, BullMQ keeps one); BullMQ keeps ${counts.completed} completed (removeOnComplete), ${counts.failed} dead letters`,
    );
    if (killed) {
      console.log(
        `  kill: ${killed.killed} (pid ${killed.killedPid}) SIGKILLed ${killed.at.toFixed(1)} s into the deliveries (${killed.atAcknowledged} acknowledged), ` +
          `holding ${killed.jobs.length} active jobs with ${killed.interrupted.size} handler runs under way and ${killed.recordedAtKill.size} recorded; ` +
          `restarted as pid ${killed.restartedPid}`,
      );
    }
    const runsIn = processes
      .filter((process) => process.role === 'worker')
      .map((worker) => `${worker.label} ${snapshot.runsByProcess.get(worker.pid) ?? 0}`)
      .join(', ');
    console.log(
      `  handler runs: ${handlerRuns} (${runsIn}, endpoints ${endpointRuns}); ` +
        `jobs delayed by a claim the killed worker still held: ${total(workerMetrics, 'inFlightConflicts')}`,
    );
    console.log(
      `  reruns: ${reruns.allowed.length} handler runs of ${reruns.events.size} events, all in jobs the killed worker held ` +
        `(${reruns.interrupted} interrupted mid-run, ${reruns.allowed.length - reruns.interrupted} returned but not yet recorded)` +
        (reruns.events.size > 0
          ? `: ${[...reruns.events].map(([eventId, handlers]) => `${eventId} (${handlers.join(', ')})`).join(', ')}`
          : ''),
    );
    console.log(
      `  lost events: ${lost.length}, double-handled: ${reruns.unexpected.length}, 2xx before the job was stored: ${report.prematureAcks} (after the run: ${notStored.length}), ` +
        `never acknowledged: ${report.givenUp}, overlapping runs: ${snapshot.overlaps.length}`,
    );
    console.log(
      `  queue drained ${drainSeconds.toFixed(1)} s after the last delivery; scenario ${((performance.now() - began) / 1000).toFixed(1)} s`,
    );

    check(killed !== undefined, `${name}: the worker was never killed (the deliveries ended first)`);
    check(!killed?.problem, `${name}: ${killed?.problem ?? ''}`);
    check((killed?.jobs.length ?? 0) > 0, `${name}: the killed worker held no active job, so the kill proved nothing`);
    check(drained, `${name}: the queue did not drain within ${DRAIN_TIMEOUT_MS / 1000} s of the last delivery`);
    check(
      lost.length === 0,
      `${name}: ${lost.length} acknowledged events not handled (${lost
        .slice(0, 5)
        .map((event) => event.id)
        .join(', ')})`,
    );
    check(report.prematureAcks === 0, `${name}: ${report.prematureAcks} 2xx answers before the job was stored`);
    check(notStored.length === 0, `${name}: ${notStored.length} acknowledged events with neither a job nor completed records`);
    check(
      reruns.unexpected.length === 0,
      `${name}: ${reruns.unexpected.length} handler runs beyond the first outside the killed worker's unrecorded runs (${reruns.unexpected.slice(0, 5).join(', ')})`,
    );
    check(
      snapshot.overlaps.length === 0,
      `${name}: ${snapshot.overlaps.length} handler runs overlapped another run of the same handler and event`,
    );
    check(endpointRuns === 0, `${name}: ${endpointRuns} handler runs in endpoint-only processes`);
    check(report.givenUp === 0, `${name}: ${report.givenUp} deliveries never acknowledged`);
    check(counts.failed === 0, `${name}: ${counts.failed} dead letters`);
    check(![...report.answers.keys()].some((answer) => answer.startsWith('connection')), `${name}: connection errors`);
  } finally {
    const logs = processes.flatMap((process) => process.output.map((line) => `    [${process.label}] ${line}`));
    await Promise.all(processes.map((process) => process.stop()));
    await queue.close();
    await redis.quit();
    if (logs.length > 0) console.log(`  process output (warnings and errors, last lines):\n${logs.slice(-20).join('\n')}`);
  }
}

interface KillContext {
  queue: Queue;
  redis: Redis;
  store: RedisIdempotencyStore;
  ledger: QueueLedgerReader;
  redisUrl: string;
  /** When the scenario began (performance.now()). */
  began: number;
  start(...args: Parameters<typeof SoakProcess.start>): Promise<SoakProcess>;
}

/**
 * Kills the worker (SIGKILL, once it has handler runs under way), reads what it left in Redis
 * before anyone can take its jobs (their BullMQ locks outlive it by at least 15 s), then starts a
 * new worker in its place, as a supervisor would.
 */
async function killAndRestart(workers: readonly SoakProcess[], atAcknowledged: number, context: KillContext): Promise<KillReport> {
  const { queue, redis, store, ledger } = context;
  const worker = await busyWorker(workers, ledger);
  const at = (performance.now() - context.began) / 1000;
  await worker.kill();

  const interrupted = await ledger.runningIn(worker.pid);
  const ranInKilled = await ledger.eventsRanIn(worker.pid);
  const active = (await queue.getActive()) as Array<Job<ComplyCubeEventJobData>>;
  // BullMQ's lock of an active job holds `<worker id>:<n>`, the token of the worker running it.
  const owners = await Promise.all(
    active.map(async (job) => {
      const token = await redis.get(`${queue.toKey(job.id!)}:lock`);
      return { job, workerId: token === null ? 'no lock' : token.slice(0, token.lastIndexOf(':')) };
    }),
  );
  // The killed worker is the owner of the active jobs of the events whose handlers ran in it.
  const killedWorkerIds = new Set(owners.filter(({ job }) => ranInKilled.has(job.data.event.id)).map(({ workerId }) => workerId));
  const [killedWorkerId] = killedWorkerIds;
  const jobs =
    killedWorkerIds.size === 1
      ? owners
          .filter(({ workerId }) => workerId === killedWorkerId)
          .map(({ job }) => ({ id: job.id!, eventId: job.data.event.id, type: job.data.event.type }))
      : [];
  const recordedAtKill = new Set<string>();
  for (const job of jobs) {
    for (const handlerKey of await recordedHandlers(redis, store, job)) recordedAtKill.add(QueueLedgerReader.run(job.eventId, handlerKey));
  }
  await ledger.forgetRunsOf(worker.pid, interrupted);

  const restarted = await context.start({ role: 'worker' }, context.redisUrl, `${worker.label} (restarted)`);
  return {
    killed: worker.label,
    killedPid: worker.pid,
    restartedPid: restarted.pid,
    atAcknowledged,
    at,
    jobs,
    interrupted: new Set(interrupted),
    recordedAtKill,
    problem:
      killedWorkerIds.size === 1
        ? undefined
        : `could not tell the killed worker's jobs apart (${killedWorkerIds.size} lock owners among the active jobs of events it ran)`,
  };
}

/** The first worker found with handler runs under way (the first worker after KILL_WAIT_MS of idleness). */
async function busyWorker(workers: readonly SoakProcess[], ledger: QueueLedgerReader): Promise<SoakProcess> {
  const bound = Date.now() + KILL_WAIT_MS;
  while (Date.now() < bound) {
    for (const worker of workers) {
      if ((await ledger.runningCount(worker.pid)) > 0) return worker;
    }
    await sleep(1);
  }
  return workers[0];
}

/**
 * The handlers whose success the idempotency store has recorded for an event, read from
 * RedisIdempotencyStore's keys (`<keyPrefix>:{<record key>}:done`, a set of handler keys, and
 * `:completed`, set once all are done), as the next claim would find them.
 */
async function recordedHandlers(redis: Redis, store: RedisIdempotencyStore, job: { eventId: string; type: string }): Promise<string[]> {
  const base = `${store.keyPrefix}:{${recordKey(SOAK_REGISTRATION, job.eventId)}}`;
  const [done, completed] = await Promise.all([redis.smembers(`${base}:done`), redis.exists(`${base}:completed`)]);
  return completed === 1 ? [...SOAK_HANDLERS_BY_TYPE[job.type]] : done;
}

/**
 * Handler runs beyond the first. Allowed: a second run of a handler of a job the killed worker held,
 * whose success the store had not recorded at the kill (it was running, or had just returned).
 * Anything else runs a handler twice.
 */
function findReruns(
  snapshot: QueueLedgerSnapshot,
  killed: KillReport | undefined,
): { allowed: string[]; events: Map<string, string[]>; interrupted: number; unexpected: string[] } {
  const killedEvents = new Set(killed?.jobs.map((job) => job.eventId));
  const allowed: string[] = [];
  const events = new Map<string, string[]>();
  const unexpected: string[] = [];
  let interrupted = 0;
  for (const [run, starts] of [...snapshot.starts].sort()) {
    if (starts <= 1) continue;
    const [eventId, handlerKey] = run.split(' ');
    if (killed && starts === 2 && killedEvents.has(eventId) && !killed.recordedAtKill.has(run)) {
      allowed.push(run);
      events.set(eventId, [...(events.get(eventId) ?? []), handlerKey.slice(handlerKey.indexOf('.') + 1)]);
      if (killed.interrupted.has(run)) interrupted += 1;
    } else {
      unexpected.push(`${run} x ${starts}`);
    }
  }
  return { allowed, events, interrupted, unexpected };
}

/** Waits until BullMQ holds no job still to run; false if that takes longer than DRAIN_TIMEOUT_MS. */
async function waitForDrain(queue: Queue): Promise<boolean> {
  const bound = Date.now() + DRAIN_TIMEOUT_MS;
  for (;;) {
    const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children');
    if (Object.values(counts).every((count) => count === 0)) return true;
    if (Date.now() > bound) return false;
    await sleep(250);
  }
}

/** `check` over every item, BATCH at a time, in order. */
async function inBatches<T, R>(items: readonly T[], check: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let index = 0; index < items.length; index += BATCH) {
    results.push(...(await Promise.all(items.slice(index, index + BATCH).map(check))));
  }
  return results;
}
