import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { parseArgs } from 'node:util';

/**
 * Summarises a V8 .cpuprofile (from `npm run bench -- --cpu-prof DIR`): the functions with the most
 * self and inclusive time, optionally only those whose file path contains --filter (e.g. `dist/`
 * for the package's own code).
 *
 *   npx ts-node --transpile-only bench/profile-summary.ts PROFILE [--filter dist/] [--top 15]
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
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { filter: { type: 'string', default: '' }, top: { type: 'string', default: '15' } },
});
if (positionals.length !== 1) {
  console.error('Usage: profile-summary.ts PROFILE.cpuprofile [--filter PATH_PART] [--top N]');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(positionals[0], 'utf8')) as CpuProfile;
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

const frameName = (node: ProfileNode): string => {
  const { functionName, url, lineNumber } = node.callFrame;
  const path = url.replace(/^file:\/\//, '');
  const file = path.includes('/node_modules/') ? path.slice(path.lastIndexOf('/node_modules/') + 1) : relative(process.cwd(), path) || path;
  return `${functionName || '(anonymous)'} ${file ? `${file}:${lineNumber + 1}` : ''}`.trim();
};

const self = new Map<string, number>();
const inclusive = new Map<string, number>();
for (const sample of profile.samples) {
  const seen = new Set<string>();
  for (let id: number | undefined = sample, first = true; id !== undefined; id = parent.get(id), first = false) {
    const node = byId.get(id);
    if (!node) break;
    const name = frameName(node);
    if (first) self.set(name, (self.get(name) ?? 0) + 1);
    if (!seen.has(name)) inclusive.set(name, (inclusive.get(name) ?? 0) + 1);
    seen.add(name);
  }
}

const total = profile.samples.length;
const matches = (name: string): boolean => values.filter === '' || name.includes(` ${values.filter}`);
const top = Number(values.top);
for (const [title, table] of [
  ['self', self],
  ['inclusive', inclusive],
] as const) {
  console.log(`\nTop ${top} by ${title} time (% of ${total} samples)${values.filter ? `, frames matching ${values.filter}` : ''}:`);
  [...table]
    .filter(([name]) => matches(name))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .forEach(([name, count]) => console.log(`${((100 * count) / total).toFixed(2).padStart(6)} %  ${name}`));
}
