/** What every project of `npm test` shares. */
const base = {
  rootDir: '.',
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json', isolatedModules: false }] },
  moduleNameMapper: {
    '^nestjs-complycube-webhooks$': '<rootDir>/lib/index.ts',
    '^nestjs-complycube-webhooks/(.*)$': '<rootDir>/lib/$1/index.ts',
  },
  // The ioredis major this project's Redis suites must run on (checked through test/utils/redis-server.ts).
  globals: { ioredisMajor: 5 },
};

/** The Redis suites, again with ioredis 6 (devDependency `ioredis-6`) wherever `ioredis` is required. */
const REDIS_SUITES = ['<rootDir>/test/unit/idempotency-store.contract.spec.ts', '<rootDir>/test/e2e/delivery-redis.e2e.spec.ts'];

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: 30000,
  projects: [
    { ...base, testMatch: ['<rootDir>/test/**/*.spec.ts'] },
    {
      ...base,
      displayName: 'ioredis 6',
      testMatch: REDIS_SUITES,
      moduleNameMapper: { ...base.moduleNameMapper, '^ioredis(/.*)?$': 'ioredis-6$1' },
      globals: { ioredisMajor: 6 },
    },
  ],
};
