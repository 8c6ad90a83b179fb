/** What a CLI command may touch, injectable so that tests run commands in-process. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: NodeJS.ProcessEnv;
  /** Reads all of standard input (for commands that take a body from a pipe). */
  readStdin(): Promise<Buffer>;
}

/** One `complycube-webhooks <name>` command. */
export interface CliCommand {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** The full `--help` text. */
  usage: string;
  /** Returns the process exit code. Throw CliUsageError for bad input: it becomes one stderr line. */
  run(argv: string[], io: CliIo): Promise<number>;
}

/** A problem the user can fix (bad flag, missing secret, unreachable URL): printed as one line, exit code 2 or given. */
export class CliUsageError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
    this.name = 'CliUsageError';
  }
}
