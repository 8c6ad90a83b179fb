import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import ioredisPackage from 'ioredis/package.json';
import { answersPing, freeLoopbackPort, redisServerMissing } from './local-redis';
import { describeNeeding } from './needed-program';

/**
 * The ioredis the Redis suites run on: `ioredis` itself (5), or ioredis 6 in the jest project
 * that maps `ioredis` to the `ioredis-6` devDependency. `expectedMajor` is that project's
 * `globals.ioredisMajor`, so a mapping that stops working fails a test instead of testing 5 twice.
 */
export function ioredisUnderTest(): { version: string; major: number; expectedMajor: number | undefined } {
  const version = ioredisPackage.version;
  const expectedMajor = (globalThis as { ioredisMajor?: number }).ioredisMajor;
  return { version, major: Number(version.split('.')[0]), expectedMajor };
}

/** Whether this machine can run the Redis suites; without redis-server they skip, except on CI. */
export function redisServerAvailability(): { available: true } | { available: false; reason: string } {
  const reason = redisServerMissing();
  return reason === undefined ? { available: true } : { available: false, reason };
}

/** `describe` for suites that need redis-server (see describeNeeding: skipped with a reason, failed on CI). */
export function describeWithRedis(name: string, suite: () => void): void {
  describeNeeding('redis-server', redisServerMissing(), name, suite);
}

/** A private redis-server on a free loopback port, with no persistence. */
export class RedisServer {
  private process?: ChildProcess;

  private constructor(
    readonly port: number,
    private readonly extraArgs: readonly string[],
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** `extraArgs`: more redis-server settings, e.g. `['--maxmemory-policy', 'allkeys-lru']`. */
  static async start(extraArgs: readonly string[] = []): Promise<RedisServer> {
    const server = new RedisServer(await freeLoopbackPort(), extraArgs);
    await server.start();
    return server;
  }

  /** Starts (again) on the same port. */
  async start(): Promise<void> {
    const child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning', ...this.extraArgs],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.process = child;
    let output = '';
    const collect = (chunk: Buffer): void => {
      output += chunk.toString();
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    const deadline = Date.now() + 10_000;
    while (!(await answersPing(this.port))) {
      if (child.exitCode !== null) throw new Error(`redis-server exited (${child.exitCode}): ${output}`);
      if (Date.now() > deadline) throw new Error(`redis-server did not start on port ${this.port}: ${output}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Freezes the server (SIGSTOP): connections stay open, commands get no answer until `resume`. */
  pause(): void {
    this.signal('SIGSTOP');
  }

  /** Lets a paused server answer again (SIGCONT). */
  resume(): void {
    this.signal('SIGCONT');
  }

  private signal(signal: NodeJS.Signals): void {
    const child = this.process;
    if (!child || child.exitCode !== null || child.signalCode !== null)
      throw new Error(`redis-server on port ${this.port} is not running.`);
    child.kill(signal);
  }

  async stop(): Promise<void> {
    const child = this.process;
    this.process = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  }
}
