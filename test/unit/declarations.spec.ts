import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, normalize, relative } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const OPTIONAL_PEERS = ['bullmq', 'ioredis', '@opentelemetry/api', 'prom-client', '@nestjs/terminus'];
/** What each entry point may import among the optional peers: its own, nothing more. */
const ENTRY_POINTS: Record<string, string[]> = {
  'index.d.ts': [],
  'testing/index.d.ts': [],
  'management/index.d.ts': [],
  'prometheus/index.d.ts': ['prom-client'],
  'terminus/index.d.ts': ['@nestjs/terminus'],
};

/** The package-relative and external modules a declaration file imports. */
function importsOf(file: string): string[] {
  return [...readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)].map((match) => match[1]);
}

function resolveDeclaration(from: string, specifier: string): string | undefined {
  const base = normalize(join(dirname(from), specifier));
  return [`${base}.d.ts`, join(base, 'index.d.ts')].find((candidate) => existsSync(candidate));
}

/**
 * The types an app compiles against (with skipLibCheck off, as Nest 12's `nest new` sets it) must not
 * name an optional peer the app may not have installed: every declaration file reachable from an
 * entry point is followed, and each import of an optional peer listed.
 */
describe('the published type declarations', () => {
  let out: string;
  beforeAll(() => {
    out = mkdtempSync(join(tmpdir(), 'complycube-declarations-'));
    execFileSync(
      process.execPath,
      [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--declaration', '--emitDeclarationOnly', '--outDir', out],
      {
        cwd: ROOT,
      },
    );
  }, 120_000);
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it.each(Object.entries(ENTRY_POINTS))('reachable from %s, import no optional peer but its own', (entry, allowed) => {
    const seen = new Set<string>();
    const peers: string[] = [];
    const pending = [join(out, entry)];
    while (pending.length > 0) {
      const file = pending.pop() as string;
      if (seen.has(file)) continue;
      seen.add(file);
      for (const specifier of importsOf(file)) {
        if (specifier.startsWith('.')) {
          const target = resolveDeclaration(file, specifier);
          if (target) pending.push(target);
        } else if (OPTIONAL_PEERS.some((peer) => specifier === peer || specifier.startsWith(`${peer}/`)) && !allowed.includes(specifier)) {
          peers.push(`${relative(out, file)} imports ${specifier}`);
        }
      }
    }
    expect(seen.size).toBeGreaterThan(1);
    expect(peers).toEqual([]);
  });
});
