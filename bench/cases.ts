/** How a case's requests are signed, and so which event it receives. */
export type Signing = 'complycube' | 'stripe';

export interface BenchCase {
  id: string;
  title: string;
  /** Server file under bench/servers (without extension), started in a process of its own. */
  server: string;
  args: string[];
  path: string;
  signing: Signing;
  /**
   * `jobs`: the server stores each delivery as a job in Redis instead of running a handler (queue
   * mode, endpoint role), so deliveries are counted as jobs in the bench's queue.
   */
  counts?: 'handlers' | 'jobs';
  /** The answer to a correctly signed delivery of a fresh event, checked before measuring. */
  acceptedAnswer: { status: number; body: string };
  /** A case only one bench runs (every other case runs in both). */
  only?: 'sockets' | 'pipeline';
}

/** What every case answers a signed delivery, but H (201, empty) and Q. */
const RECEIVED = { status: 200, body: '{"received":true}' };

/** The BullMQ queue case Q stores its deliveries in, on the redis-server the bench starts. */
export const BENCH_QUEUE_NAME = 'bench-q';

export const BENCH_CASES: readonly BenchCase[] = [
  {
    id: 'A',
    title: 'node:http: raw-body HMAC check, JSON.parse, Map dispatch (the floor)',
    server: 'raw-node',
    args: [],
    path: '/webhooks/complycube',
    signing: 'complycube',
    acceptedAnswer: RECEIVED,
  },
  {
    id: 'B',
    title: 'hand-written Nest controller on Express (rawBody, verify, switch)',
    server: 'handwritten-controller',
    args: ['--adapter', 'express'],
    path: '/webhooks/complycube',
    signing: 'complycube',
    acceptedAnswer: RECEIVED,
  },
  {
    id: 'C',
    title: 'this module on Express, one handler',
    server: 'complycube-module',
    args: ['--adapter', 'express'],
    path: '/webhooks/complycube',
    signing: 'complycube',
    acceptedAnswer: RECEIVED,
  },
  {
    id: 'D',
    title: 'hand-written Nest controller on Fastify',
    server: 'handwritten-controller',
    args: ['--adapter', 'fastify'],
    path: '/webhooks/complycube',
    signing: 'complycube',
    acceptedAnswer: RECEIVED,
  },
  {
    id: 'E',
    title: 'this module on Fastify, one handler',
    server: 'complycube-module',
    args: ['--adapter', 'fastify'],
    path: '/webhooks/complycube',
    signing: 'complycube',
    acceptedAnswer: RECEIVED,
  },
  {
    id: 'F',
    title: 'this module on Express, 200 handlers over 200 patterns (exact + wildcard), one matches',
    server: 'complycube-module',
    args: ['--adapter', 'express', '--handlers', 'many'],
    path: '/webhooks/complycube',
    signing: 'complycube',
    acceptedAnswer: RECEIVED,
  },
  {
    id: 'G',
    title: "this module on Express, one handler, the package's default idempotency",
    server: 'complycube-module',
    args: ['--adapter', 'express', '--idempotency', 'default'],
    path: '/webhooks/complycube',
    signing: 'complycube',
    acceptedAnswer: RECEIVED,
  },
  {
    id: 'H',
    title: '@golevelup/nestjs-stripe on Express, Stripe-signed event, one handler (a peer)',
    server: 'golevelup-stripe',
    args: [],
    path: '/stripe/webhook',
    signing: 'stripe',
    acceptedAnswer: { status: 201, body: '' },
  },
  {
    id: 'Q',
    title: 'this module on Express in queue mode (endpoint role, RedisIdempotencyStore), events stored as BullMQ jobs',
    server: 'complycube-module',
    args: ['--adapter', 'express', '--queue', BENCH_QUEUE_NAME],
    path: '/webhooks/complycube',
    signing: 'complycube',
    counts: 'jobs',
    acceptedAnswer: { status: 200, body: '{"received":true,"queued":true}' },
    only: 'sockets',
  },
  {
    id: 'T0',
    title: 'C with openTelemetry: true and no OpenTelemetry SDK registered (the API is a no-op)',
    server: 'complycube-module',
    args: ['--adapter', 'express', '--tracing', 'api'],
    path: '/webhooks/complycube',
    signing: 'complycube',
    acceptedAnswer: RECEIVED,
    only: 'pipeline',
  },
  {
    id: 'T1',
    title: 'C with openTelemetry: true and an SDK tracer provider registered (every span sampled, batched, dropped)',
    server: 'complycube-module',
    args: ['--adapter', 'express', '--tracing', 'sdk'],
    path: '/webhooks/complycube',
    signing: 'complycube',
    acceptedAnswer: RECEIVED,
    only: 'pipeline',
  },
];

/** The cases a bench runs by default: all but those only the other one runs. */
export function casesOf(bench: 'sockets' | 'pipeline'): readonly BenchCase[] {
  return BENCH_CASES.filter((benchCase) => benchCase.only === undefined || benchCase.only === bench);
}

/**
 * The order the cases take turns in each round, read as a cycle (each bench skips the cases it does
 * not run): C's neighbours are B, and G in the socket bench, T0 in the pipeline bench; H is two steps
 * from C, G, F and Q at most three; D–E and E–A are neighbours, T1 four steps from C. The two cases
 * of a ratio run close together in time, so a burst of load from elsewhere hits both alike.
 */
export const RUN_ORDER: readonly string[] = ['D', 'E', 'A', 'Q', 'H', 'B', 'C', 'T0', 'G', 'F', 'T1'];

export interface RatioDefinition {
  numerator: string;
  denominator: string;
  /** Minimum acceptable value; undefined for a ratio reported for information. */
  target?: number;
  meaning: string;
}

export const RATIOS: readonly RatioDefinition[] = [
  { numerator: 'C', denominator: 'B', target: 0.97, meaning: 'module vs hand-written controller, Express' },
  { numerator: 'E', denominator: 'D', target: 0.97, meaning: 'module vs hand-written controller, Fastify' },
  { numerator: 'C', denominator: 'H', target: 1.1, meaning: 'module vs @golevelup/nestjs-stripe' },
  { numerator: 'F', denominator: 'C', target: 0.95, meaning: '200 handlers vs one' },
  { numerator: 'G', denominator: 'C', target: 0.9, meaning: 'idempotency store on vs off' },
  { numerator: 'E', denominator: 'A', meaning: 'module on Fastify vs the node:http floor' },
  { numerator: 'Q', denominator: 'C', meaning: 'queue mode (endpoint: store the job) vs handlers run in the request, Express' },
  { numerator: 'T0', denominator: 'C', meaning: 'tracing on, no OpenTelemetry SDK (the no-op API) vs tracing off' },
  { numerator: 'T1', denominator: 'C', meaning: 'tracing on with an SDK tracer provider (spans dropped) vs tracing off' },
];

/**
 * A ratio meets its target only when every round clears it: the lowest round, not just the median.
 * `median only`: the median clears it and the spread does not, so the run cannot tell.
 */
export type Verdict = 'met' | 'median only' | 'missed';

export function judge(target: number | undefined, median: number, lowest: number): Verdict | undefined {
  if (target === undefined || !Number.isFinite(median)) return undefined;
  if (lowest >= target) return 'met';
  return median >= target ? 'median only' : 'missed';
}
