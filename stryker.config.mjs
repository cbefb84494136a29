/**
 * Mutation testing: `npm run test:mutation` (docs/testing.md, Mutation testing). Not part of `npm test` or CI.
 * Mutates code whose tests are fast and pure (jest.mutation.config.js runs them): the domain's money arithmetic,
 * duration planning, input validation and price overrides, the classification of Replicate's errors and failed
 * predictions, the webhook signature check (not the secret's fetch, below line 88) and the download host policy's
 * address ranges. Static mutants (module-level tables and patterns) are ignored: each
 * would rerun every test. Incremental: reports/stryker-incremental.json keeps results, so a rerun tests only the
 * mutants whose code or tests changed (`npx stryker run --force` tests them all).
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  packageManager: 'npm',
  testRunner: 'jest',
  jest: { projectType: 'custom', configFile: 'jest.mutation.config.js', enableFindRelatedTests: false },
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.mutation.json',
  coverageAnalysis: 'perTest',
  concurrency: 2,
  mutate: [
    'src/domain/money.ts',
    'src/domain/decimal.ts',
    'src/domain/prediction-errors.ts',
    'src/replicate/webhook-signature.ts:1-88',
    'src/media/address-ranges.ts',
    'src/domain/duration-planning.ts',
    'src/domain/plan-inputs.ts',
    'src/domain/validation.ts',
    'src/domain/field-checks.ts',
    'src/domain/settings-validation.ts',
    'src/domain/pricing.ts',
    'src/replicate/classify-error.ts',
  ],
  ignoreStatic: true,
  ignorePatterns: ['lib', '.clipgen', 'coverage', 'reports', '.stryker-tmp'],
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 90, low: 80, break: null },
  tempDirName: '.stryker-tmp',
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  timeoutMS: 10_000,
};
