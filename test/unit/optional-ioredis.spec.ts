import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

describe('ioredis is an optional peer dependency', () => {
  it('is never loaded by the package itself; without it the memory store works and the Redis store fails at start with a clear error', () => {
    const root = join(__dirname, '..', '..');
    const output = execFileSync(process.execPath, ['-r', 'ts-node/register', join(__dirname, '..', 'src/without-ioredis.js')], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true', TS_NODE_PROJECT: join(root, 'tsconfig.json') },
    });
    expect(JSON.parse(output.trim().split('\n').pop() as string)).toEqual({
      loadedAtImport: false,
      memory: 'started',
      redis: "failed: RedisIdempotencyStore needs the 'ioredis' package: run npm install ioredis.",
    });
  });
});
