import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * The layers of ARCHITECTURE.md, lowest first. A file may import from its own layer and the ones
 * below it, never from one above: the folder names are the map, and this keeps it true.
 */
const LAYERS = [
  'common',
  'events',
  'verification',
  'dead-letters',
  'observability',
  'management',
  'dispatch',
  'delivery',
  'queue',
  'endpoint',
  'module',
  'prometheus',
  'terminus',
  'testing',
  'cli',
];
/**
 * Prometheus, terminus, testing and the CLI reach the Nest side, and each other, only through the
 * public entry points, as a user's code does; the layers with no Nest in them (common, events, verification,
 * dead-letters, observability, management) they may use directly.
 */
const PUBLIC_ONLY = new Set(['prometheus', 'terminus', 'testing', 'cli']);
const NEST_SIDE = new Set(['dispatch', 'delivery', 'queue', 'endpoint', 'module']);
const PUBLIC_ENTRY_POINTS = new Set([
  'lib/index.ts',
  'lib/testing/index.ts',
  'lib/management/index.ts',
  'lib/prometheus/index.ts',
  'lib/terminus/index.ts',
]);

const LIB = resolve(__dirname, '..', '..', 'lib');

function layerOf(file: string): string {
  const [first, ...rest] = relative(LIB, file).split('/');
  return rest.length === 0 ? 'module' : first;
}

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

function resolveImport(from: string, specifier: string): string {
  const base = resolve(dirname(from), specifier);
  for (const candidate of [`${base}.ts`, join(base, 'index.ts')]) {
    try {
      readFileSync(candidate);
      return candidate;
    } catch {
      // not this one
    }
  }
  throw new Error(`${relative(LIB, from)} imports ${specifier}, which does not resolve`);
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/g;

function violations(): string[] {
  const found: string[] = [];
  for (const file of sourceFiles(LIB)) {
    const layer = layerOf(file);
    for (const [, specifier] of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const target = resolveImport(file, specifier);
      const targetLayer = layerOf(target);
      const where = `${relative(resolve(LIB, '..'), file)} imports ${relative(resolve(LIB, '..'), target)}`;
      if (LAYERS.indexOf(targetLayer) > LAYERS.indexOf(layer)) {
        found.push(`${where}: ${targetLayer} is above ${layer}`);
      } else if (
        PUBLIC_ONLY.has(layer) &&
        targetLayer !== layer &&
        (NEST_SIDE.has(targetLayer) || PUBLIC_ONLY.has(targetLayer)) &&
        !PUBLIC_ENTRY_POINTS.has(relative(resolve(LIB, '..'), target))
      ) {
        found.push(`${where}: ${layer} reaches ${targetLayer} only through its public entry point`);
      }
    }
  }
  return found;
}

describe('the layers of lib/', () => {
  it('has every folder in the layer list', () => {
    const folders = readdirSync(LIB, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
    expect(folders.filter((folder) => !LAYERS.includes(folder))).toEqual([]);
  });

  it('never imports a layer above the importing one', () => {
    expect(violations()).toEqual([]);
  });
});
