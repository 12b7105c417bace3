// Mutation testing of the resolution, validation, parsing and trust code (`npm run test:mutation`).
// Not part of `npm test`: it takes minutes. The score is recorded in docs/security.md.
//
// The property suites read STRYKER_MUTATION and run a quarter of their default cases under
// Stryker (every surviving mutant reruns every test that covers it). Which tests run is set in
// test/mutation-kill/vitest.stryker.config.ts.
process.env.STRYKER_MUTATION = '1';

// Two scopes, each with its own test selection: the pure core (the default) and the edge
// (`STRYKER_SCOPE=edge`: every file outside src/core/, plus the cloud proof and the header
// edits). Run one file
// at a time with `--mutate <file>`; the scores are recorded in docs/security.md.
const edge = process.env.STRYKER_SCOPE === 'edge';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  // The test selection lives in the vitest config, not in `testFiles` (see that file).
  vitest: {
    configFile: edge
      ? 'test/mutation-kill/vitest.stryker.edge.config.ts'
      : 'test/mutation-kill/vitest.stryker.config.ts',
    related: false,
  },
  // Together the two scopes cover every file in src/.
  mutate: edge
    ? [
        'src/**/*.ts',
        '!src/core/**',
        // The cloud proof and the shared header edits are tested through the edges.
        'src/core/proof.ts',
        'src/core/edit.ts',
      ]
    : ['src/core/*.ts', '!src/core/proof.ts', '!src/core/edit.ts'],
  coverageAnalysis: 'perTest',
  concurrency: Number(process.env.STRYKER_CONCURRENCY ?? 2),
  timeoutMS: 10000,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  // STRYKER_REPORT names a one-file run's reports (reports/mutation/<name>.json).
  jsonReporter: { fileName: `reports/mutation/${process.env.STRYKER_REPORT ?? 'mutation'}.json` },
  incremental: true,
  // One-file runs (STRYKER_REPORT set) keep their own incremental file and sandbox, so several
  // can run side by side without overwriting each other.
  incrementalFile: `reports/mutation/stryker-incremental-${process.env.STRYKER_REPORT ?? (edge ? 'edge' : 'core')}.json`,
  // Never copy another run's sandbox into this one's.
  ignorePatterns: ['/.stryker-tmp*'],
  tempDirName: process.env.STRYKER_REPORT ? `.stryker-tmp-${process.env.STRYKER_REPORT}` : '.stryker-tmp',
  thresholds: { high: 90, low: 80, break: null },
  cleanTempDir: true,
};
