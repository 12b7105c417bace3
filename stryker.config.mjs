// Mutation testing of the resolution, validation, parsing and trust code (`npm run test:mutation`).
// Not part of `npm test`: it takes minutes. The score is recorded in docs/security.md.
//
// The property suites read STRYKER_MUTATION and run a quarter of their default cases under
// Stryker (every surviving mutant reruns every test that covers it). The fuzz run and the
// regression list are left out: the first is a crash hunt, not an oracle, and the second may
// hold open findings, which would fail the initial run.
process.env.STRYKER_MUTATION = '1';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.config.ts', related: false },
  mutate: [
    'src/resolve.ts',
    'src/values.ts',
    'src/forwarded.ts',
    'src/trust.ts',
    'src/ip.ts',
    'src/options.ts',
  ],
  testFiles: [
    // exports.test.ts needs the built dist/, which the sandbox does not have.
    'test/unit/**/!(exports).test.ts',
    'test/mutation-kill/**/*.test.ts',
    'test/property/invariants.test.ts',
    'test/property/differential.test.ts',
    'test/property/forwarded.test.ts',
    'test/property/cve.test.ts',
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
