import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { answersPing, freeLoopbackPort } from '../test/utils/local-redis';

/** How the driver tells bench processes where its redis-server listens. */
export const BENCH_REDIS_URL_ENV = 'BENCH_REDIS_URL';

/** In a bench process: the URL of the redis-server the driver started. */
export function benchRedisUrl(): string {
  const url = process.env[BENCH_REDIS_URL_ENV];
  if (!url)
    throw new Error(
      `${BENCH_REDIS_URL_ENV} is not set: queue-mode bench processes are started by bench/run.ts, which starts redis-server.`,
    );
  return url;
}

/**
 * Runs redis-server for as long as its standard input stays open, then kills it: the driver holds
 * that pipe, so redis-server goes with the driver however the driver ends (SIGKILL included), and
 * closing the pipe stops it. A background job's standard input is /dev/null in sh, hence redis-server
 * in the background and the watch in the foreground.
 */
const REDIS_SERVER_TIED_TO_STDIN = 'redis-server "$@" & redis=$!; cat > /dev/null; kill -9 $redis 2> /dev/null; wait $redis';

/**
 * A private redis-server for one bench run: a free loopback port, no persistence, the default
 * `noeviction` policy queue mode needs. It stops when the driver closes it or exits, on any path.
 */
export class BenchRedisServer {
  private constructor(
    readonly port: number,
    private readonly watcher: ChildProcess,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<BenchRedisServer> {
    const port = await freeLoopbackPort();
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning'];
    const watcher = spawn('sh', ['-c', REDIS_SERVER_TIED_TO_STDIN, 'redis-server', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    const server = new BenchRedisServer(port, watcher);
    let output = '';
    const collect = (chunk: Buffer): void => {
      output += chunk.toString();
    };
    watcher.stdout?.on('data', collect);
    watcher.stderr?.on('data', collect);
    watcher.once('error', (error) => {
      output += error.message;
    });
    const deadline = Date.now() + 10_000;
    while (!(await answersPing(port))) {
      if (!server.running || Date.now() > deadline) {
        await server.stop();
        throw new Error(`redis-server did not start on 127.0.0.1:${port}: ${output.trim() || 'no output'}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return server;
  }

  get running(): boolean {
    return this.watcher.exitCode === null && this.watcher.signalCode === null;
  }

  /** Stops redis-server (nothing to keep: no persistence) and waits until it has exited. */
  async stop(): Promise<void> {
    if (!this.running) return;
    const exited = once(this.watcher, 'exit');
    this.watcher.stdin?.end();
    await exited;
  }
}

/** Redis's own CPU time (user + system, all its threads), in microseconds, from `INFO cpu`. */
export async function redisCpuMicros(client: { info(section: string): Promise<string> }): Promise<number> {
  const info = await client.info('cpu');
  const seconds = (field: string): number => Number(new RegExp(`^${field}:([\\d.]+)`, 'm').exec(info)?.[1] ?? NaN);
  return Math.round((seconds('used_cpu_user') + seconds('used_cpu_sys')) * 1e6);
}
