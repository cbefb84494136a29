const base = require('./jest.config.js');

/**
 * The tests `npm run test:mutation` (stryker.config.mjs) runs against each mutant: fast, pure tests of the mutated
 * modules. No Temporal server, no PostgreSQL, no network (a local HTTP server at most), so it runs anywhere.
 * Same transform as jest.config.js; no globalSetup (nothing here is skipped for want of a server).
 */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: base.testEnvironment,
  transform: base.transform,
  roots: ['<rootDir>/test'],
  testMatch: [
    '<rootDir>/test/domain/money.test.ts',
    '<rootDir>/test/replicate/classify-error.test.ts',
    '<rootDir>/test/replicate/prediction-failures.test.ts',
    '<rootDir>/test/replicate/webhook-signature.test.ts',
    '<rootDir>/test/media/address-ranges.test.ts',
    '<rootDir>/test/domain/svd-planning.test.ts',
    '<rootDir>/test/domain/cogvideox-planning.test.ts',
    '<rootDir>/test/domain/official-models-planning.test.ts',
    '<rootDir>/test/domain/validation.test.ts',
    '<rootDir>/test/domain/field-checks.test.ts',
    '<rootDir>/test/domain/pricing.test.ts',
    '<rootDir>/test/replicate/classify-http-error.test.ts',
  ],
  testTimeout: 60_000,
  verbose: false,
};
