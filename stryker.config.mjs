// Mutation testing of the resolution, validation, parsing and trust code (`npm run test:mutation`).
// Not part of `npm test`: it takes minutes. The score is recorded in docs/security.md.
//
// The property suites read STRYKER_MUTATION and run a quarter of their default cases under
// Stryker (every surviving mutant reruns every test that covers it). Which tests run is set in
// test/mutation-kill/vitest.stryker.config.ts.
process.env.STRYKER_MUTATION = '1';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  // The test selection lives in the vitest config, not in `testFiles` (see that file).
  vitest: { configFile: 'test/mutation-kill/vitest.stryker.config.ts', related: false },
  mutate: [
    'src/core/resolve.ts',
    'src/core/values.ts',
    'src/core/forwarded.ts',
    'src/core/trust.ts',
    'src/core/ip.ts',
    'src/core/options.ts',
  ],
  coverageAnalysis: 'perTest',
  concurrency: 2,
  timeoutMS: 10000,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  incremental: true,
  incrementalFile: 'reports/mutation/stryker-incremental.json',
  thresholds: { high: 90, low: 80, break: null },
  cleanTempDir: true,
};
