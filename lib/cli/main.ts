#!/usr/bin/env node
import { toTerminalLine } from './terminal-text';
import { CliCommand, CliIo, CliUsageError } from './cli-command';
import { deadLettersCommand } from './commands/dead-letters.command';
import { doctorCommand } from './commands/doctor.command';
import { replayCommand } from './commands/replay.command';
import { signCommand } from './commands/sign.command';
import { triggerCommand } from './commands/trigger.command';
import { webhooksCommand } from './commands/webhooks.command';

/** Every command of the `complycube-webhooks` CLI. */
export const CLI_COMMANDS: readonly CliCommand[] = [
  triggerCommand,
  signCommand,
  replayCommand,
  webhooksCommand,
  doctorCommand,
  deadLettersCommand,
];

const PROGRAM = 'complycube-webhooks';

function overview(): string {
  const width = Math.max(0, ...CLI_COMMANDS.map((command) => command.name.length));
  return [
    `Usage: ${PROGRAM} <command> [options]`,
    '',
    'Commands:',
    ...CLI_COMMANDS.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`),
    '',
    `Run '${PROGRAM} <command> --help' for a command's options.`,
  ].join('\n');
}

/** Runs the CLI and returns its exit code; never throws. */
export async function runCli(argv: string[], io: CliIo, commands: readonly CliCommand[] = CLI_COMMANDS): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(`${overview()}\n`);
    return name ? 0 : 2;
  }
  const command = commands.find((candidate) => candidate.name === name);
  if (!command) {
    io.stderr(`${PROGRAM}: unknown command '${name}'. Run '${PROGRAM} --help' for the list.\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(`${command.usage}\n`);
    return 0;
  }
  // Messages may quote an API or an endpoint: one line, and nothing a terminal would act on.
  const printError = (message: string): void => io.stderr(`${PROGRAM} ${command.name}: ${toTerminalLine(message)}\n`);
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof CliUsageError) {
      printError(error.message);
      return error.exitCode;
    }
    printError(`unexpected error: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

export const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  readStdin: async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin as AsyncIterable<Buffer | string>) chunks.push(Buffer.from(chunk));
    return Buffer.concat(chunks);
  },
};

if (require.main === module) {
  void runCli(process.argv.slice(2), processIo).then((code) => {
    process.exitCode = code;
  });
}
