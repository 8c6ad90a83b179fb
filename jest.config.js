/** @type {import('jest').Config} */
module.exports = {
  rootDir: '.',
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/**/*.spec.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json', isolatedModules: false }] },
  moduleNameMapper: {
    '^nestjs-complycube-webhooks$': '<rootDir>/lib/index.ts',
    '^nestjs-complycube-webhooks/(.*)$': '<rootDir>/lib/$1/index.ts',
  },
  testTimeout: 30000,
};
