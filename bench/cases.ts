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
}

export const BENCH_CASES: readonly BenchCase[] = [
  {
    id: 'A',
    title: 'node:http: raw-body HMAC check, JSON.parse, Map dispatch (the floor)',
    server: 'raw-node',
    args: [],
    path: '/webhooks/complycube',
    signing: 'complycube',
  },
  {
    id: 'B',
    title: 'hand-written Nest controller on Express (rawBody, verify, switch)',
    server: 'handwritten-controller',
    args: ['--adapter', 'express'],
    path: '/webhooks/complycube',
    signing: 'complycube',
  },
  {
    id: 'C',
    title: 'this module on Express, one handler',
    server: 'complycube-module',
    args: ['--adapter', 'express'],
    path: '/webhooks/complycube',
    signing: 'complycube',
  },
  {
    id: 'D',
    title: 'hand-written Nest controller on Fastify',
    server: 'handwritten-controller',
    args: ['--adapter', 'fastify'],
    path: '/webhooks/complycube',
    signing: 'complycube',
  },
  {
    id: 'E',
    title: 'this module on Fastify, one handler',
    server: 'complycube-module',
    args: ['--adapter', 'fastify'],
    path: '/webhooks/complycube',
    signing: 'complycube',
  },
  {
    id: 'F',
    title: 'this module on Express, 200 handlers over 200 patterns (exact + wildcard), one matches',
    server: 'complycube-module',
    args: ['--adapter', 'express', '--handlers', 'many'],
    path: '/webhooks/complycube',
    signing: 'complycube',
  },
  {
    id: 'G',
    title: "this module on Express, one handler, the package's default idempotency",
    server: 'complycube-module',
    args: ['--adapter', 'express', '--idempotency', 'default'],
    path: '/webhooks/complycube',
    signing: 'complycube',
  },
  {
    id: 'H',
    title: '@golevelup/nestjs-stripe on Express, Stripe-signed event, one handler (a peer)',
    server: 'golevelup-stripe',
    args: [],
    path: '/stripe/webhook',
    signing: 'stripe',
  },
];

/**
 * The order the cases take turns in each round, read as a cycle: B–C, C–G, D–E and E–A are
 * neighbours, F and H one step further from C.
 */
export const RUN_ORDER: readonly string[] = ['D', 'E', 'A', 'B', 'C', 'G', 'F', 'H'];

export interface RatioDefinition {
  numerator: string;
  denominator: string;
  /** Minimum acceptable value; undefined for a ratio reported for information. */
  target?: number;
  meaning: string;
}

export const RATIOS: readonly RatioDefinition[] = [
  { numerator: 'C', denominator: 'B', target: 0.95, meaning: 'module vs hand-written controller, Express' },
  { numerator: 'E', denominator: 'D', target: 0.95, meaning: 'module vs hand-written controller, Fastify' },
  { numerator: 'F', denominator: 'C', target: 0.95, meaning: '200 handlers vs one' },
  { numerator: 'G', denominator: 'C', target: 0.9, meaning: 'idempotency store on vs off' },
  { numerator: 'C', denominator: 'H', target: 1.0, meaning: 'module vs @golevelup/nestjs-stripe' },
  { numerator: 'E', denominator: 'A', meaning: 'module on Fastify vs the node:http floor' },
];
