/**
 * The bench smoke check, `npm run test:bench`: bench/*.spec.ts only. `npm test` (the root config,
 * test/ only) never starts a benchmark.
 */
const { testTimeout, projects } = require('../jest.config');
const [tests] = projects;

/** @type {import('jest').Config} */
module.exports = { ...tests, testTimeout, rootDir: '..', testMatch: ['<rootDir>/bench/**/*.spec.ts'] };
