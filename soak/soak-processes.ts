import { ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import type { ComplyCubeWebhookCounters } from 'nestjs-complycube-webhooks';

const STARTUP_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;
const OUTPUT_LINES_KEPT = 200;

/** The registration's name in the queue scenario's processes, and so the scope of their job ids and records. */
export const SOAK_REGISTRATION = 'soak';

/** What the soak asks a process (queue-process.ts), and what the process says. */
export type SoakProcessCommand = 'metrics' | 'stop';
export type SoakProcessMessage =
  { ready: true; url?: string } | { metrics: ComplyCubeWebhookCounters } | { stopped: true } | { failed: string };

const exitKillers = new Set<() => void>();
let exitHooksInstalled = false;

/**
 * Runs `kill` (synchronous: the process is about to go) if the soak exits before it is
 * unregistered: on an error, on process.exit, on SIGINT or SIGTERM. Returns the unregistration.
 */
export function killOnExit(kill: () => void): () => void {
  if (!exitHooksInstalled) {
    exitHooksInstalled = true;
    const killAll = (): void => {
      for (const killer of [...exitKillers]) killer();
      exitKillers.clear();
    };
    process.on('exit', killAll);
    for (const [signal, code] of [
      ['SIGINT', 130],
      ['SIGTERM', 143],
    ] as const) {
      process.once(signal, () => {
        console.error(`\n${signal}: stopping the soak's processes.`);
        killAll();
        process.exit(code);
      });
    }
  }
  exitKillers.add(kill);
  return () => exitKillers.delete(kill);
}

export type SoakProcessRole = { role: 'endpoint'; adapter: 'express' | 'fastify' } | { role: 'worker' };

/** One child process of the queue scenario (see queue-process.ts), with its output kept for the report. */
export class SoakProcess {
  /** Set for an endpoint: where it takes deliveries. */
  url?: string;
  /** The last lines it wrote (its warnings and errors). */
  readonly output: string[] = [];
  private readonly forget: () => void;
  private readonly exited: Promise<unknown>;

  private constructor(
    readonly role: SoakProcessRole['role'],
    readonly label: string,
    private readonly child: ChildProcess,
  ) {
    this.forget = killOnExit(() => this.killNow());
    this.exited = once(child, 'exit')
      .catch(() => undefined)
      .finally(() => this.forget());
    const keep = (chunk: Buffer): void => {
      for (const line of chunk.toString().split('\n')) {
        if (line.trim() !== '') this.output.push(line);
      }
      this.output.splice(0, Math.max(0, this.output.length - OUTPUT_LINES_KEPT));
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** Forks queue-process.ts with the soak's own ts-node setup, and waits until it is ready. */
  static async start(role: SoakProcessRole, redisUrl: string, label: string): Promise<SoakProcess> {
    const child = fork(join(__dirname, 'queue-process.ts'), role.role === 'endpoint' ? ['endpoint', role.adapter] : ['worker'], {
      execArgv: ['-r', 'ts-node/register', '-r', 'tsconfig-paths/register'],
      env: { ...process.env, SOAK_REDIS_URL: redisUrl },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const started = new SoakProcess(role.role, label, child);
    const ready = await started.next(STARTUP_TIMEOUT_MS, (message) => 'ready' in message);
    if (!ready || !('ready' in ready)) {
      started.killNow();
      const reason = ready && 'failed' in ready ? ready.failed : `not ready within ${STARTUP_TIMEOUT_MS} ms`;
      throw new Error(`${label} did not start: ${reason}\n${started.output.join('\n')}`);
    }
    started.url = ready.url;
    return started;
  }

  async metrics(): Promise<ComplyCubeWebhookCounters> {
    const answer = this.next(5_000, (message) => 'metrics' in message);
    this.child.send('metrics' satisfies SoakProcessCommand);
    const message = await answer;
    if (!message || !('metrics' in message)) throw new Error(`${this.label} did not report its metrics.`);
    return message.metrics;
  }

  /** SIGKILL, as a crash would: no shutdown hook runs. Resolves once the process is gone. */
  async kill(): Promise<void> {
    this.killNow();
    await this.exited;
  }

  /** Asks for a clean shutdown (the app closes), and kills the process if it takes too long. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.child.send('stop' satisfies SoakProcessCommand);
    const timer = setTimeout(() => this.killNow(), STOP_TIMEOUT_MS);
    await this.exited;
    clearTimeout(timer);
  }

  private get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  private killNow(): void {
    if (this.running) this.child.kill('SIGKILL');
  }

  /** The next message that `accept`s, or undefined after `timeoutMs` or when the process exits; a `failed` message ends the wait too. */
  private next(timeoutMs: number, accept: (message: SoakProcessMessage) => boolean): Promise<SoakProcessMessage | undefined> {
    return new Promise((resolve) => {
      const done = (message?: SoakProcessMessage): void => {
        clearTimeout(timer);
        this.child.off('message', onMessage);
        this.child.off('exit', onExit);
        resolve(message);
      };
      const onMessage = (message: SoakProcessMessage): void => {
        if (accept(message) || 'failed' in message) done(message);
      };
      const onExit = (): void => done();
      const timer = setTimeout(() => done(), timeoutMs);
      this.child.on('message', onMessage);
      this.child.on('exit', onExit);
    });
  }
}
