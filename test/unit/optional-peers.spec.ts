import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/** Boots apps in a child process where the given packages cannot be resolved. */
function bootWithout(packages: string[]): Record<string, unknown> {
  const output = execFileSync(
    process.execPath,
    ['-r', 'ts-node/register', join(__dirname, '..', 'src/without-optional-peers.js'), packages.join(',')],
    {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true', TS_NODE_PROJECT: join(ROOT, 'tsconfig.json') },
    },
  );
  return JSON.parse(output.trim().split('\n').pop() as string) as Record<string, unknown>;
}

describe('the optional peer dependencies', () => {
  it('are never loaded by the package itself: an app without any of them runs, and each feature that needs one fails at start saying what to install', () => {
    expect(bootWithout(['ioredis', 'bullmq', '@opentelemetry/api', 'prom-client', '@nestjs/terminus'])).toEqual({
      loadedAtImport: [],
      memory: 'started',
      redis: "failed: RedisIdempotencyStore needs the 'ioredis' package: run npm install ioredis.",
      queue: "failed: ComplyCubeWebhookModule queue mode needs the 'bullmq' package: run npm install bullmq ioredis.",
      openTelemetry:
        "failed: ComplyCubeWebhookModule openTelemetry needs the '@opentelemetry/api' package: run npm install @opentelemetry/api.",
      prometheus: "failed: nestjs-complycube-webhooks/prometheus needs the 'prom-client' package: run npm install prom-client.",
      terminus: "failed: nestjs-complycube-webhooks/terminus needs the '@nestjs/terminus' package: run npm install @nestjs/terminus.",
    });
  });

  it('leave the root entry point working when only @nestjs/terminus is missing', () => {
    expect(bootWithout(['@nestjs/terminus'])).toMatchObject({
      loadedAtImport: [],
      memory: 'started',
      prometheus: 'loaded',
      terminus: "failed: nestjs-complycube-webhooks/terminus needs the '@nestjs/terminus' package: run npm install @nestjs/terminus.",
    });
  });

  it('are not loaded by the root entry point even when installed: prom-client and @nestjs/terminus only by their entry points', () => {
    const optionalPeers = Object.keys(
      (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { peerDependenciesMeta: object }).peerDependenciesMeta,
    );
    const script = [
      "require('reflect-metadata');",
      `const peers = ${JSON.stringify(optionalPeers)};`,
      'const loaded = () => peers.filter((name) => Object.keys(require.cache).some((path) => path.includes(`/node_modules/${name}/`)));',
      "require('./lib');",
      'const root = loaded();',
      "require('./lib/prometheus');",
      'const withPrometheus = loaded();',
      "require('./lib/terminus');",
      'process.stdout.write(JSON.stringify({ root, withPrometheus, withTerminus: loaded() }));',
    ].join('\n');
    const output = execFileSync(process.execPath, ['-r', 'ts-node/register', '-e', script], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true', TS_NODE_PROJECT: join(ROOT, 'tsconfig.json') },
    });
    const { root, withPrometheus, withTerminus } = JSON.parse(output) as Record<string, string[]>;
    expect(root).toEqual([]);
    // The check sees a peer once it is loaded (prom-client itself requires @opentelemetry/api).
    expect(withPrometheus).toContain('prom-client');
    expect(withPrometheus).not.toContain('@nestjs/terminus');
    expect(withTerminus).toContain('@nestjs/terminus');
  });

  it('asks for ioredis when queue mode is given connection options and ioredis is not installed', () => {
    expect(bootWithout(['ioredis'])).toMatchObject({
      loadedAtImport: [],
      memory: 'started',
      queue: "failed: ComplyCubeWebhookModule queue mode needs the 'ioredis' package: run npm install ioredis.",
    });
  });
});
