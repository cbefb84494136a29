const os = require('node:os');

/**
 * Test files run in parallel: each starts its own servers (Temporal, simulator, storage stand-in, receivers) on free
 * ports, with its own temporary folders, job ids and task queues. Much of a file's time is waiting (servers booting,
 * real-time timers on dev servers, child processes), so two workers more than the machine's cores keep them busy
 * (on 2 cores: 3 workers 309 s, 4 workers 273 s, docs/testing.md). CLIPGEN_TEST_WORKERS overrides it (1 runs the
 * files one at a time).
 */
const workers = Number(process.env.CLIPGEN_TEST_WORKERS) || os.availableParallelism() + 2;

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Crash loops and the load test: `npm run test:reliability` (jest.reliability.config.js).
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/reliability/'],
  // SWC strips the types, as ts-jest did with tsconfig's isolatedModules, without loading TypeScript in every worker;
  // `npm run typecheck` checks them. The domain and Replicate tests, one process: 18 s with SWC, cache cold or warm;
  // 32.5 s cold and 26.7 s warm with ts-jest.
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022', transform: { useDefineForClassFields: true } },
        module: { type: 'commonjs' },
        sourceMaps: 'inline',
      },
    ],
  },
  maxWorkers: workers,
  testSequencer: '<rootDir>/jest.sequencer.js',
  testTimeout: 60_000,
  // Says which suites this machine skips (PostgreSQL without DATABASE_URL) and builds the CLI the tests spawn.
  globalSetup: '<rootDir>/test/helpers/global-setup.ts',
  verbose: false,
};
