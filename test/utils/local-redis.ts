import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { AddressInfo, createServer, Socket } from 'node:net';

/**
 * What the test suites, the soak and the bench share to run a private redis-server on this
 * machine. No test-framework globals here: the bench compiles this file with plain node types.
 */

/** Why redis-server cannot run here, or undefined when it can. */
export function redisServerMissing(): string | undefined {
  const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  return probe.error || probe.status !== 0 ? 'redis-server is not installed (apt-get install -y redis-server)' : undefined;
}

/** A loopback port free at the time of asking. */
export async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

/** Whether a Redis answers PING on the loopback `port`, within half a second. */
export async function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (result: boolean): void => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(port, '127.0.0.1', () => socket.write('PING\r\n'));
    // A server started with --requirepass answers NOAUTH: it is up all the same.
    socket.once('data', (data) => done(/^(\+PONG|-NOAUTH)/.test(data.toString())));
  });
}
