import { createHmac, randomBytes } from 'node:crypto';
import { Agent } from 'node:http';
import { rawPost } from '../test/utils/raw-http';
import { SOAK_HANDLERS_BY_TYPE, SOAK_SECRET } from './soak-app';
import { sleep } from './soak-ledger';

export interface SimulationOptions {
  /** Endpoints of the app instances; each delivery goes to one of them at random (a load balancer). */
  urls: readonly string[];
  deliveries: number;
  /** Share of deliveries that repeat an event already in the plan. */
  duplicateShare: number;
  /** Requests in flight at once. */
  concurrency: number;
  /** A delivery not answered 2xx after this many attempts is given up (counted as lost). */
  maxAttempts: number;
  /**
   * Whether the endpoint may answer 2xx for this event now, asked as each 2xx arrives: once every
   * handler has succeeded without a queue, once the event is stored with one. A 2xx for which it
   * says no is counted as premature.
   */
  mayAcknowledge(event: SimulatedEvent): boolean | Promise<boolean>;
  /** Told after each delivery answered 2xx, with the count so far. */
  onAcknowledged?(acknowledged: number): void;
}

/** One event of the plan. */
export interface SimulatedEvent {
  id: string;
  type: string;
}

export interface SimulationReport {
  /** The distinct events delivered. */
  events: SimulatedEvent[];
  /** Ids of the events answered 2xx at least once. */
  acknowledged: Set<string>;
  deliveries: number;
  requests: number;
  answers: Map<string, number>;
  /** Deliveries never answered 2xx. */
  givenUp: number;
  /** 2xx answers for which `mayAcknowledge` said no. */
  prematureAcks: number;
  seconds: number;
}

interface Delivery {
  id: string;
  type: string;
  body: Buffer;
  signature: string;
  attempts: number;
}

/**
 * Plays ComplyCube: every delivery is retried until it gets a 2xx (with a short back-off instead of
 * minutes), some events are delivered twice, sometimes at the same moment.
 */
export async function simulateComplyCube(options: SimulationOptions): Promise<SimulationReport> {
  const started = performance.now();
  const types = Object.keys(SOAK_HANDLERS_BY_TYPE);
  const duplicates = Math.round(options.deliveries * options.duplicateShare);
  const events = Array.from({ length: options.deliveries - duplicates }, (_, index) => {
    const id = randomBytes(12).toString('hex');
    const type = types[index % types.length];
    const body = Buffer.from(
      JSON.stringify({
        id,
        type,
        resourceType: type.split('.')[0],
        payload: { id: randomBytes(12).toString('hex') },
        createdAt: new Date().toISOString(),
      }),
    );
    return { id, type, body, signature: createHmac('sha256', SOAK_SECRET).update(body).digest('hex') };
  });
  const queue: Delivery[] = events.map((event) => ({ ...event, attempts: 0 }));
  for (let index = 0; index < duplicates; index += 1) {
    const original = events[Math.floor(Math.random() * events.length)];
    const position = queue.findIndex((delivery) => delivery.id === original.id);
    // Half of the duplicates arrive together with the original, the rest at a random later point.
    const at = index % 2 === 0 ? position + 1 : position + 1 + Math.floor(Math.random() * (queue.length - position));
    queue.splice(at, 0, { ...original, attempts: 0 });
  }

  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
  const answers = new Map<string, number>();
  const acknowledged = new Set<string>();
  const acknowledgeChecks: Array<Promise<void>> = [];
  let outstanding = queue.length;
  let requests = 0;
  let acknowledgedDeliveries = 0;
  let givenUp = 0;
  let prematureAcks = 0;

  const deliver = async (delivery: Delivery): Promise<void> => {
    delivery.attempts += 1;
    requests += 1;
    const url = options.urls[Math.floor(Math.random() * options.urls.length)];
    let answer: string;
    try {
      const response = await rawPost(
        url,
        delivery.body,
        [
          ['content-type', 'application/json'],
          ['complycube-signature', delivery.signature],
        ],
        agent,
      );
      answer = response.status === 200 && response.body.includes('"duplicate":true') ? '200 duplicate' : String(response.status);
    } catch (error) {
      answer = `connection error (${(error as Error).message})`;
    }
    answers.set(answer, (answers.get(answer) ?? 0) + 1);
    if (answer.startsWith('2')) {
      // Asked at once (a synchronous answer is taken in this very tick), awaited at the end.
      acknowledgeChecks.push(
        Promise.resolve(options.mayAcknowledge(delivery)).then((allowed) => {
          if (!allowed) prematureAcks += 1;
        }),
      );
      acknowledged.add(delivery.id);
      acknowledgedDeliveries += 1;
      options.onAcknowledged?.(acknowledgedDeliveries);
      outstanding -= 1;
    } else if (delivery.attempts >= options.maxAttempts) {
      givenUp += 1;
      outstanding -= 1;
    } else {
      setTimeout(() => queue.push(delivery), 10 + Math.random() * 20 * Math.min(delivery.attempts, 5));
    }
  };

  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      while (outstanding > 0) {
        const next = queue.shift();
        if (next) await deliver(next);
        else await sleep(5);
      }
    }),
  );
  agent.destroy();
  await Promise.all(acknowledgeChecks);

  return {
    events: events.map(({ id, type }) => ({ id, type })),
    acknowledged,
    deliveries: options.deliveries,
    requests,
    answers,
    givenUp,
    prematureAcks,
    seconds: (performance.now() - started) / 1000,
  };
}

/** The report's first lines: what was delivered, how long it took, and what the endpoints answered. */
export function printDeliveries(report: SimulationReport): void {
  const answers = [...report.answers.entries()]
    .sort()
    .map(([answer, count]) => `${answer} x ${count}`)
    .join(', ');
  const duplicateShare = Math.round(((report.deliveries - report.events.length) / report.deliveries) * 100);
  console.log(
    `  ${report.deliveries} deliveries of ${report.events.length} events (${duplicateShare} % duplicates), ${report.requests} requests with retries, ${report.seconds.toFixed(1)} s`,
  );
  console.log(`  answers: ${answers}`);
}
