import { createHmac, randomBytes } from 'node:crypto';
import { Agent } from 'node:http';
import { rawPost } from '../test/utils/raw-http';
import { SOAK_HANDLERS_BY_TYPE, SOAK_SECRET } from './soak-app';
import { SoakLedger, sleep } from './soak-ledger';

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
  ledger: SoakLedger;
}

export interface SimulationReport {
  events: number;
  deliveries: number;
  requests: number;
  answers: Map<string, number>;
  /** Deliveries never answered 2xx. */
  givenUp: number;
  /** 2xx answers for an event whose handlers had not all succeeded at that moment. */
  prematureAcks: number;
  /** Events whose handlers did not all succeed. */
  lostEvents: number;
  /** Handler successes beyond the first, per event and handler. */
  doubleHandled: number;
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
  let outstanding = queue.length;
  let requests = 0;
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
      if (!options.ledger.isFullyHandled(delivery.id, SOAK_HANDLERS_BY_TYPE[delivery.type])) prematureAcks += 1;
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

  let lostEvents = 0;
  for (const event of events) {
    if (!options.ledger.isFullyHandled(event.id, SOAK_HANDLERS_BY_TYPE[event.type])) lostEvents += 1;
  }
  let doubleHandled = 0;
  for (const count of options.ledger.successes.values()) doubleHandled += count - 1;
  return {
    events: events.length,
    deliveries: options.deliveries,
    requests,
    answers,
    givenUp,
    prematureAcks,
    lostEvents,
    doubleHandled,
    seconds: (performance.now() - started) / 1000,
  };
}
