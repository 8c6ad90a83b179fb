import { readFileSync } from 'node:fs';
import { relative, sep } from 'node:path';
import { parseArgs } from 'node:util';

/**
 * Summarises V8 .cpuprofile files (from `npm run bench -- --cpu-prof DIR`, or one per round from
 * `npm run bench:pipeline -- --cpu-prof DIR`): the functions with the most self and inclusive time,
 * optionally only those whose file path contains --filter (e.g. `dist/` for the package's own code);
 * with --group, self time by where the code comes from (this package, each dependency, Node's
 * internals, the garbage collector). Several profiles are added up. With --requests N (the requests
 * the profiles cover), times are also given per request.
 *
 *   npx ts-node --transpile-only bench/profile-summary.ts PROFILE... [--filter dist/] [--top 15] [--requests N] [--group]
 */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  /** Microseconds between one sample and the one before it. */
  timeDeltas?: number[];
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    filter: { type: 'string', default: '' },
    top: { type: 'string', default: '15' },
    requests: { type: 'string' },
    group: { type: 'boolean', default: false },
  },
});
const requests = values.requests === undefined ? undefined : Number(values.requests);
if (positionals.length === 0 || (requests !== undefined && !(requests > 0))) {
  console.error('Usage: profile-summary.ts PROFILE.cpuprofile... [--filter PATH_PART] [--top N] [--requests N] [--group]');
  process.exit(2);
}

/** Where a frame's code comes from: this package, a dependency (by name), Node, or V8's own pseudo-frames. */
function origin(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node internals';
  const path = url.replace(/^file:\/\//, '');
  const modules = path.lastIndexOf('/node_modules/');
  if (modules !== -1) {
    const [scope, name] = path.slice(modules + '/node_modules/'.length).split('/');
    return scope.startsWith('@') ? `${scope}/${name}` : scope;
  }
  const own = relative(process.cwd(), path).split(sep);
  if (own[0] === 'dist' || own[0] === 'lib') return 'nestjs-complycube-webhooks';
  if (own[0] === 'bench' || (own[0] === '.bench-tmp' && own.includes('bench'))) return 'bench harness';
  return 'other';
}

const frameName = (node: ProfileNode): string => {
  const { functionName, url, lineNumber } = node.callFrame;
  const path = url.replace(/^file:\/\//, '');
  const file = path.includes('/node_modules/') ? path.slice(path.lastIndexOf('/node_modules/') + 1) : relative(process.cwd(), path) || path;
  return `${functionName || '(anonymous)'} ${file ? `${file}:${lineNumber + 1}` : ''}`.trim();
};

const self = new Map<string, number>();
const inclusive = new Map<string, number>();
const byOrigin = new Map<string, number>();
let total = 0;
const add = (table: Map<string, number>, key: string, micros: number): void => void table.set(key, (table.get(key) ?? 0) + micros);

for (const file of positionals) {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const deltas = profile.timeDeltas ?? [];
  const meanDelta = deltas.length > 1 ? deltas.slice(1).reduce((sum, delta) => sum + delta, 0) / (deltas.length - 1) : 1;
  profile.samples.forEach((sample, index) => {
    // A sample stands for the time until the next one (the last for an average interval).
    const micros = deltas[index + 1] ?? meanDelta;
    total += micros;
    const seen = new Set<string>();
    for (let id: number | undefined = sample, first = true; id !== undefined; id = parent.get(id), first = false) {
      const node = byId.get(id);
      if (!node) break;
      const name = frameName(node);
      if (first) {
        add(self, name, micros);
        add(byOrigin, origin(node.callFrame.url, node.callFrame.functionName), micros);
      }
      if (!seen.has(name)) add(inclusive, name, micros);
      seen.add(name);
    }
  });
}

const describe = (micros: number): string =>
  `${((100 * micros) / total).toFixed(2).padStart(6)} %` + (requests ? `  ${(micros / requests).toFixed(2).padStart(8)} µs/req` : '');
const matches = (name: string): boolean => values.filter === '' || name.includes(` ${values.filter}`);
const top = Number(values.top);
const profiled = `${(total / 1000).toFixed(0)} ms profiled in ${positionals.length} profile${positionals.length === 1 ? '' : 's'}`;
console.log(`${profiled}${requests ? `, ${requests} requests: ${(total / requests).toFixed(1)} µs per request` : ''}`);
if (values.group) {
  console.log('\nSelf time by origin:');
  [...byOrigin].sort((a, b) => b[1] - a[1]).forEach(([name, micros]) => console.log(`${describe(micros)}  ${name}`));
}
for (const [title, table] of [
  ['self', self],
  ['inclusive', inclusive],
] as const) {
  console.log(`\nTop ${top} by ${title} time${values.filter ? `, frames matching ${values.filter}` : ''}:`);
  [...table]
    .filter(([name]) => matches(name))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .forEach(([name, micros]) => console.log(`${describe(micros)}  ${name}`));
}
