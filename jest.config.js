/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Crash loops and the load test: `npm run test:reliability` (jest.reliability.config.js).
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/reliability/'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: false }],
  },
  // Temporal's time-skipping server has one clock per environment: test files run one at a time.
  maxWorkers: 1,
  testTimeout: 60_000,
  // Says which suites this machine skips (PostgreSQL without DATABASE_URL), in one line at the top of the run.
  globalSetup: '<rootDir>/test/helpers/announce-skipped-suites.ts',
  verbose: false,
};
