import { Server } from 'node:http';
import { AddressInfo } from 'node:net';
import type { PipelineDelivery, PipelineSliceRequest, PipelineSliceResult, ProbeResult } from './pipeline-round';

/** What a bench process tells the driver over IPC. */
export type ServerMessage =
  | { type: 'ready'; port?: number }
  | { type: 'stats'; handled: number; cpuMicros: number; rssBytes: number; peakRssBytes: number }
  | { type: 'filled'; queued: number; otherAnswers: number }
  | { type: 'probed'; result: ProbeResult }
  | { type: 'slice-done'; result: PipelineSliceResult };

/**
 * What the driver asks a bench process: its stats; (a queue filler) to store `count` fresh events as
 * jobs; (the pipeline bench) to check a signed and a forged delivery, or to run a slice of requests.
 */
export type DriverMessage =
  | { type: 'stats' }
  | { type: 'fill'; count: number }
  | { type: 'probe'; delivery: PipelineDelivery }
  | { type: 'slice'; slice: PipelineSliceRequest };

/**
 * How the driver reaches a case's app: over a loopback socket (`npm run bench`), or by calling its
 * request handler in the process with light-my-request (`npm run bench:pipeline`).
 */
export type BenchTransport = 'sockets' | 'inject';
export const BENCH_TRANSPORT_ENV = 'BENCH_TRANSPORT';

/** One request as light-my-request takes it. */
export interface InjectedRequest {
  method: 'POST';
  url: string;
  headers: Record<string, string>;
  payload: Buffer;
}

export interface InjectedResponse {
  statusCode: number;
  payload: string;
}

/** A case's request handler, driven without a socket. */
export type Inject = (request: InjectedRequest) => Promise<InjectedResponse>;

/** A case's app, made ready for one transport or the other. */
export interface BenchApp {
  /** Listens on a free loopback port. */
  listen(): Promise<Server>;
  /** Readies the app without listening and returns its request handler. */
  inject(): Promise<Inject>;
}

let handled = 0;

/** User + system CPU time of the whole process (all its threads: GC, libuv pool), in microseconds. */
export function cpuMicros(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

/** Every handler of every case calls this once per event, so the driver can check each delivery ran exactly one handler. */
export function recordHandledEvent(event: { id?: unknown }): void {
  if (typeof event.id === 'string') handled += 1;
}

/** Events the handlers of this process have recorded so far. */
export function handledEvents(): number {
  return handled;
}

/** Sends a message to the driver, if it is still there. */
export function sendToDriver(message: ServerMessage): void {
  process.send?.(message);
}

export function benchTransport(): BenchTransport {
  const transport = process.env[BENCH_TRANSPORT_ENV] ?? 'sockets';
  if (transport !== 'sockets' && transport !== 'inject') {
    throw new Error(`${BENCH_TRANSPORT_ENV} must be "sockets" or "inject" (got ${JSON.stringify(transport)}).`);
  }
  return transport;
}

/**
 * Runs in a bench process: makes its app (an HTTP app, or an application context with no server),
 * readies it for the driver's transport (listening on a free loopback port, or in-process requests),
 * reports it ready, answers stats requests (handled events, CPU time, resident memory) and the
 * pipeline bench's requests, and exits when the driver goes away.
 */
export function serveBenchCase(create: () => Promise<BenchApp | undefined>): void {
  if (!process.send) throw new Error('Bench servers are started by a bench driver (bench/run.ts, bench/pipeline.ts), with an IPC channel.');
  const transport = benchTransport();
  process.on('message', (message: DriverMessage) => {
    if (message.type === 'stats') {
      sendToDriver({
        type: 'stats',
        handled,
        cpuMicros: cpuMicros(),
        rssBytes: process.memoryUsage.rss(),
        peakRssBytes: process.resourceUsage().maxRSS * 1024,
      });
    }
  });
  process.on('disconnect', () => process.exit(0));
  // The driver may have gone while this process was loading.
  if (!process.connected) process.exit(0);
  const start = async (): Promise<number | undefined> => {
    const app = await create();
    if (!app) return undefined;
    if (transport === 'sockets') return ((await app.listen()).address() as AddressInfo).port;
    // Loaded only here: the socket bench and the queue workers never need it.
    const { servePipelineRounds } = await import('./pipeline-round');
    servePipelineRounds(await app.inject());
    return undefined;
  };
  start().then(
    (port) => sendToDriver({ type: 'ready', port }),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
