import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { parseArgs, ParseArgsConfig } from 'node:util';
import type { BenchCase } from './cases';
import { PACKAGE_ROOT, PackageSource } from './package-under-test';

type Options = NonNullable<ParseArgsConfig['options']>;

/** A driver's parsed flags, and the checks of the options the drivers share. */
export interface BenchCommandLine<O extends Options> {
  flags: ReturnType<typeof parseArgs<{ options: O }>>['values'];
  usageError(this: void, message: string): never;
  wholeNumber(this: void, name: string, value: string, minimum: number): number;
  /** The cases named in `list` (comma-separated ids, any case), in `known`'s order. */
  cases(this: void, list: string, known: readonly BenchCase[]): BenchCase[];
  /** `--package`: dist (which must have been built) or lib. */
  packageSource(this: void, value: string): PackageSource;
}

/**
 * What the bench drivers (`npm run bench`, `bench:pipeline`, `bench:instructions`) share on their
 * command line: parsing with `--help`, one-line usage errors (exit code 2), and the checks of the
 * options they have in common.
 */
export function benchCommandLine<const O extends Options>(script: string, usage: string, options: O): BenchCommandLine<O> {
  /** Bad input: one line, the way to get help, exit code 2. */
  const usageError = (message: string): never => {
    console.error(`${script}: ${message}\nRun 'npm run ${script} -- --help' for the options.`);
    process.exit(2);
  };
  let flags: BenchCommandLine<O>['flags'];
  try {
    flags = parseArgs({ options }).values;
  } catch (error) {
    return usageError((error as Error).message);
  }
  if ((flags as { help?: boolean }).help) {
    console.log(usage);
    process.exit(0);
  }
  return {
    flags,
    usageError,
    wholeNumber: (name: string, value: string, minimum: number): number => {
      const number = Number(value);
      if (!Number.isInteger(number) || number < minimum)
        usageError(`--${name} must be a whole number of at least ${minimum} (got ${JSON.stringify(value)}).`);
      return number;
    },
    cases: (list: string, known: readonly BenchCase[]): BenchCase[] => {
      const requested = list
        .split(',')
        .map((id) => id.trim().toUpperCase())
        .filter(Boolean);
      const unknown = requested.filter((id) => !known.some((benchCase) => benchCase.id === id));
      if (unknown.length || requested.length === 0) {
        usageError(`unknown or no case(s) '${list}'; known: ${known.map((benchCase) => benchCase.id).join(',')}.`);
      }
      return known.filter((benchCase) => requested.includes(benchCase.id));
    },
    packageSource: (value: string): PackageSource => {
      if (value !== 'dist' && value !== 'lib') usageError('--package must be dist or lib.');
      if (value === 'dist' && !existsSync(join(PACKAGE_ROOT, 'dist', 'index.js'))) {
        usageError(`dist/ is missing: run \`npm run build\` first (npm run ${script} does), or pass --package lib.`);
      }
      return value as PackageSource;
    },
  };
}

/** A path given on the command line, relative to the package's root unless absolute. */
export const fromPackageRoot = (path: string): string => (isAbsolute(path) ? path : resolve(PACKAGE_ROOT, path));

/** The note every result file carries about which build of the package it measured. */
export function packageNote(source: PackageSource): string {
  return `The package was loaded from ${source === 'dist' ? 'dist/ (package.json main), as a user gets it from npm' : 'lib/ through ts-node'}.`;
}

/** Writes a run's JSON and Markdown side by side in `outDir`, and prints the Markdown and where both went. */
export function writeBenchResults(outDir: string, files: { json: string; markdown: string }, results: unknown, markdown: string): void {
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, files.json), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(outDir, files.markdown), markdown);
  process.stdout.write(`${markdown}\nWrote ${join(outDir, files.json)} and ${join(outDir, files.markdown)}.\n`);
}
