import { ChildProcess, fork } from 'node:child_process';
import { extname, join } from 'node:path';
import { PACKAGE_ROOT, PackageSource } from './package-under-test';
import { DriverMessage, ServerMessage } from './server-harness';

/** Compiled (npm run bench), bench processes run on plain node; from source, through ts-node. */
export const COMPILED = extname(__filename) === '.js';

export interface BenchProcess {
  /** What the driver's errors call it, e.g. `case C`. */
  label: string;
  child: ChildProcess;
  /** The loopback port of its HTTP server; undefined for an application context. */
  port?: number;
}

export interface BenchProcessOptions {
  label: string;
  /** File under bench/servers, without extension. */
  script: string;
  args: readonly string[];
  packageSource: PackageSource;
  /** More environment, e.g. the bench's Redis URL. */
  env?: Record<string, string>;
  /** Write a V8 CPU profile of the process (node --cpu-prof) to this directory, under this name. */
  cpuProfile?: { dir: string; name: string };
  /**
   * Run node under another program, e.g. valgrind: `command ...args node ...nodeFlags <script>`.
   * The IPC channel is node's, so it passes through the wrapper.
   */
  wrapper?: { command: string; args: readonly string[]; nodeFlags: readonly string[] };
  /** How long it may take to report ready (default 120 s). */
  startTimeoutMs?: number;
}

/** Forks a bench process (bench/servers/*) and waits until it reports ready. */
export function startBenchProcess(options: BenchProcessOptions): Promise<BenchProcess> {
  const { label, cpuProfile, wrapper } = options;
  const execArgv = COMPILED ? [] : ['-r', 'ts-node/register/transpile-only'];
  if (cpuProfile) execArgv.push('--cpu-prof', `--cpu-prof-dir=${cpuProfile.dir}`, `--cpu-prof-name=${cpuProfile.name}`);
  const child = fork(join(__dirname, 'servers', `${options.script}${COMPILED ? '.js' : '.ts'}`), options.args, {
    cwd: PACKAGE_ROOT,
    ...(wrapper
      ? { execPath: wrapper.command, execArgv: [...wrapper.args, process.execPath, ...wrapper.nodeFlags, ...execArgv] }
      : { execArgv }),
    env: { ...process.env, ...options.env, BENCH_PACKAGE: options.packageSource, TS_NODE_PROJECT: join(PACKAGE_ROOT, 'tsconfig.json') },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolvePromise, reject) => {
    const startTimeoutMs = options.startTimeoutMs ?? 120_000;
    const timer = setTimeout(
      () => reject(new Error(`${label}: the process did not start within ${startTimeoutMs / 1000} s`)),
      startTimeoutMs,
    );
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${label}: the process exited with code ${code} before it was ready`));
    });
    child.on('message', (message: ServerMessage) => {
      if (message.type !== 'ready') return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      resolvePromise({ label, child, port: message.port });
    });
  });
}

/** Sends `request` and resolves with the first answer of type `answerType`. */
export function askBenchProcess<Type extends ServerMessage['type']>(
  target: BenchProcess,
  request: DriverMessage,
  answerType: Type,
  timeoutMs = 30_000,
): Promise<Extract<ServerMessage, { type: Type }>> {
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      target.child.off('message', listener);
      reject(new Error(`${target.label}: no ${answerType} answer within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    const listener = (message: ServerMessage): void => {
      if (message.type !== answerType) return;
      clearTimeout(timer);
      target.child.off('message', listener);
      resolvePromise(message as Extract<ServerMessage, { type: Type }>);
    };
    target.child.on('message', listener);
    target.child.send(request);
  });
}

export function benchProcessStats(target: BenchProcess): Promise<Extract<ServerMessage, { type: 'stats' }>> {
  return askBenchProcess(target, { type: 'stats' }, 'stats');
}

export function stopBenchProcess(target: BenchProcess): Promise<void> {
  const { child } = target;
  return new Promise((resolvePromise) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolvePromise();
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolvePromise();
    });
    // Disconnecting lets the process exit normally, which is when node writes a --cpu-prof profile.
    if (child.connected) child.disconnect();
    else child.kill('SIGTERM');
  });
}
