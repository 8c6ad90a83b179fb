import { Server } from 'node:http';
import { AddressInfo } from 'node:net';

/** What a bench server tells the driver over IPC. */
export type ServerMessage =
  { type: 'ready'; port: number } | { type: 'stats'; handled: number; cpuMicros: number; rssBytes: number; peakRssBytes: number };

/** What the driver asks a bench server. */
export type DriverMessage = { type: 'stats' };

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

/**
 * Runs in a bench server's process: starts the server on a free loopback port, reports the port,
 * answers stats requests (handled events, CPU time, resident memory) and exits when the driver goes away.
 */
export function serveBenchCase(start: () => Promise<Server>): void {
  if (!process.send) throw new Error('Bench servers are started by bench/run.ts, with an IPC channel.');
  const send = (message: ServerMessage): void => {
    process.send?.(message);
  };
  process.on('message', (message: DriverMessage) => {
    if (message.type === 'stats') {
      send({
        type: 'stats',
        handled,
        cpuMicros: cpuMicros(),
        rssBytes: process.memoryUsage.rss(),
        peakRssBytes: process.resourceUsage().maxRSS * 1024,
      });
    }
  });
  process.on('disconnect', () => process.exit(0));
  start().then(
    (server) => send({ type: 'ready', port: (server.address() as AddressInfo).port }),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
