import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export type PackageSource = 'dist' | 'lib';

const PACKAGE_NAME = 'nestjs-complycube-webhooks';

/** The package's root, found from here whether the bench runs from bench/ or compiled into .bench-tmp/. */
function findPackageRoot(from: string): string {
  for (let directory = from; ; directory = dirname(directory)) {
    const manifest = join(directory, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === PACKAGE_NAME) {
      return directory;
    }
    if (dirname(directory) === directory) throw new Error(`${PACKAGE_NAME}: package.json not found above ${from}.`);
  }
}

export const PACKAGE_ROOT = findPackageRoot(__dirname);

/**
 * Which build of the package the bench loads: `dist` (the default) is what `npm run build`
 * publishes and what a user's `require('nestjs-complycube-webhooks')` resolves to (package.json
 * `main`); `lib` runs the TypeScript sources through ts-node, for a run without a build.
 */
export function packageSource(): PackageSource {
  const source = process.env.BENCH_PACKAGE ?? 'dist';
  if (source !== 'dist' && source !== 'lib') {
    throw new Error(`BENCH_PACKAGE must be "dist" or "lib" (got ${JSON.stringify(source)}).`);
  }
  return source;
}

export function loadPackageUnderTest(source: PackageSource = packageSource()): typeof import('../lib') {
  const load = createRequire(__filename);
  if (source === 'dist') return load(PACKAGE_ROOT) as typeof import('../lib');
  if (!load.extensions['.ts']) {
    (load('ts-node') as typeof import('ts-node')).register({ transpileOnly: true, project: join(PACKAGE_ROOT, 'tsconfig.json') });
  }
  return load(join(PACKAGE_ROOT, 'lib', 'index.ts')) as typeof import('../lib');
}
