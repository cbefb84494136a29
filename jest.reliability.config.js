/**
 * `npm run test:reliability`: the long-running proofs (worker crashes, outages, load) against a real dev server.
 * `npm test` leaves test/reliability out; .ci/run runs both.
 * @type {import('jest').Config}
 */
module.exports = {
  ...require('./jest.config.js'),
  roots: ['<rootDir>/test/reliability'],
  testPathIgnorePatterns: ['/node_modules/'],
  testTimeout: 600_000,
  // The load and crash tests measure a worker under load: one file at a time.
  maxWorkers: 1,
};
