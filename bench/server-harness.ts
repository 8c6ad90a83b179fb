import { Server } from 'node:http';
import { AddressInfo } from 'node:net';

/** What a bench process tells the driver over IPC. */
export type ServerMessage =
  | { type: 'ready'; port?: number }
  | { type: 'stats'; handled: number; cpuMicros: number; rssBytes: number; peakRssBytes: number }
  | { type: 'filled'; queued: number; otherAnswers: number };

/** What the driver asks a bench process: its stats, or (a queue filler) to store `count` fresh events as jobs. */
export type DriverMessage = { type: 'stats' } | { type: 'fill'; count: number };

let handled = 0;

/** User + system CPU time of the whole process (all its threads: GC, libuv pool), in microseconds. */
function cpuMicros(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

/** Every handler of every case calls this once per event, so the driver can check each delivery ran exactly one handler. */
export function recordHandledEvent(event: { id?: unknown }): void {
  if (typeof event.id === 'string') handled += 1;
}

/** Sends a message to the driver, if it is still there. */
export function sendToDriver(message: ServerMessage): void {
  process.send?.(message);
}

/**
 * Runs in a bench process: starts it (an HTTP server on a free loopback port, or an application
 * context with no server), reports it ready, answers stats requests (handled events, CPU time,
 * resident memory) and exits when the driver goes away.
 */
export function serveBenchCase(start: () => Promise<Server | undefined>): void {
  if (!process.send) throw new Error('Bench servers are started by bench/run.ts, with an IPC channel.');
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
  start().then(
    (server) => sendToDriver({ type: 'ready', port: server ? (server.address() as AddressInfo).port : undefined }),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
