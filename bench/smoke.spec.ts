import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { BenchResults } from './report';

const execFileAsync = promisify(execFile);
const ROOT = join(__dirname, '..');

/**
 * Checks that bench/ still runs end to end: servers start, take load, verify and dispatch, and a
 * complete result file comes out. One second per case; no timing is asserted. Run by
 * `npm run test:bench`, not by `npm test`; it loads the package from lib/, so nothing needs building.
 */
describe('bench/run.ts smoke run (1 s per case)', () => {
  let outDir: string;
  let results: BenchResults;
  let markdown: string;

  beforeAll(async () => {
    outDir = mkdtempSync(join(tmpdir(), 'complycube-bench-'));
    const args = ['-r', 'ts-node/register/transpile-only', 'bench/run.ts', '--cases', 'A,B,C', '--duration', '1', '--runs', '1'];
    args.push('--warmup', '0', '--package', 'lib', '--micro-time', '50', '--out', outDir);
    await execFileAsync(process.execPath, args, {
      cwd: ROOT,
      env: { ...process.env, TS_NODE_PROJECT: join(ROOT, 'tsconfig.json') },
      timeout: 90_000,
    });
    results = JSON.parse(readFileSync(join(outDir, 'results.json'), 'utf8'));
    markdown = readFileSync(join(outDir, 'RESULTS.md'), 'utf8');
  }, 100_000);
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it('measures each requested case, with every delivery accepted and handled exactly once', () => {
    expect(results.cases.map((result) => result.id)).toEqual(['A', 'B', 'C']);
    for (const result of results.cases) {
      expect(result.problems).toEqual([]);
      expect(result.runs).toHaveLength(1);
      const [run] = result.runs;
      expect(run.responses2xx).toBeGreaterThan(0);
      expect(run.non2xx + run.errors + run.timeouts).toBe(0);
      expect(run.handled).toBeGreaterThanOrEqual(run.responses2xx);
      expect(run.handled).toBeLessThanOrEqual(run.responses2xx + results.settings.connections);
      expect(result.median.requestsPerSecond).toBeGreaterThan(0);
      expect(run.serverCpuMicrosPerRequest).toBeGreaterThan(0);
      expect(Number.isFinite(result.median.latencyP99Ms)).toBe(true);
      expect(result.rssMB).toBeGreaterThan(10);
    }
  });

  it('computes only the ratios whose cases ran: CPU-normalised, and req/s per round', () => {
    const [, handwritten, module] = results.cases;
    expect(results.ratios.map((ratio) => ratio.name)).toEqual(['C/B']);
    const [ratio] = results.ratios;
    expect(ratio.value).toBeCloseTo(handwritten.median.serverCpuMicrosPerRequest / module.median.serverCpuMicrosPerRequest, 10);
    expect(ratio.requestsPerSecondRatio).toBeCloseTo(module.runs[0].requestsPerSecond / handwritten.runs[0].requestsPerSecond, 10);
    expect(ratio.met).toBe(ratio.value >= 0.95);
  });

  it('records the machine and settings, and a micro-benchmark row per body size and verifier', () => {
    expect(results.machine.cores).toBeGreaterThan(0);
    expect(results.machine.node).toBe(process.version);
    expect(results.settings).toMatchObject({ connections: 10, pipelining: 1, durationSeconds: 1, runs: 1, package: 'lib' });
    expect(results.settings.bodyBytes.complycube).toBeGreaterThanOrEqual(1024);
    expect(results.micro).toHaveLength(9);
    expect(new Set(results.micro.map((row) => row.bodyBytes)).size).toBe(3);
    for (const row of results.micro) expect(row.opsPerSecond).toBeGreaterThan(0);
  });

  it('writes a Markdown table with the machine line, one row per case and the ratio', () => {
    expect(markdown).toContain(`Machine: ${results.machine.cpu}, ${results.machine.cores} cores, Node ${process.version}`);
    for (const id of ['A', 'B', 'C']) expect(markdown).toMatch(new RegExp(`^\\| ${id} \\| `, 'm'));
    expect(markdown).toMatch(/^\| C\/B \| \d+\.\d{3} \| \d+\.\d{3} \| ≥ 0\.95 \| (yes|\*\*no\*\*) \|/m);
  });
});
