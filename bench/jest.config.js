/**
 * The bench smoke check, `npm run test:bench`: bench/*.spec.ts only. `npm test` (the root config,
 * test/ only) never starts a benchmark.
 */
const root = require('../jest.config');

/** @type {import('jest').Config} */
module.exports = { ...root, rootDir: '..', testMatch: ['<rootDir>/bench/**/*.spec.ts'] };
