/**
 * `npm run test:live`: the opt-in tests against the real Replicate and Supabase (docs/testing.md), one at a time.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test/live'],
  testMatch: ['**/*.live.ts'],
  transform: require('./jest.config.js').transform,
  maxWorkers: 1,
  testTimeout: 1_500_000,
  globalSetup: '<rootDir>/test/live/announce-live.ts',
  verbose: true,
};
