import { execFile } from 'node:child_process';
import { join } from 'node:path';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

const ROOT = join(__dirname, '..', '..');

/**
 * Runs `complycube-webhooks <args>` from the sources in a child process, as a user would. `HIDDEN_MODULES`
 * in `env` (comma-separated) makes those packages impossible to resolve, as if never installed.
 */
export function runCliProcess(args: string[], env: Record<string, string | undefined>): Promise<CliResult> {
  const baseEnv = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('COMPLYCUBE_') && name !== 'REDIS_URL' && name !== 'HIDDEN_MODULES'),
  );
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [
        '-r',
        'ts-node/register/transpile-only',
        '-r',
        'tsconfig-paths/register',
        '-r',
        './test/src/hide-modules.js',
        'lib/cli/main.ts',
        ...args,
      ],
      { cwd: ROOT, env: { ...baseEnv, ...env }, timeout: 20_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
