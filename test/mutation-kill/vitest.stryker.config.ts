// The vitest configuration Stryker uses (stryker.config.mjs): the tests that assert on the
// mutated files, without the fuzz run (a crash hunt, not an oracle), the regression list (it
// may hold open findings), the end-to-end suite and the tests that need the built dist/.
//
// Listing them here instead of in Stryker's `testFiles` matters: with `testFiles`, Stryker
// 9.6 activates static mutants only after the module loaded, so they all "survive"
// (stryker-mutator/stryker-js#6144).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// STRYKER_TESTS (comma-separated globs) narrows the selection for a one-file run, as in the
// edge configuration.
const narrowed = process.env.STRYKER_TESTS?.split(',').filter((g) => g !== '');

export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    include: narrowed ?? [
      'test/unit/**/*.test.ts',
      'test/mutation-kill/**/*.test.ts',
      'test/property/invariants.test.ts',
      'test/property/differential.test.ts',
      'test/property/forwarded.test.ts',
      'test/property/cve.test.ts',
    ],
    exclude: ['test/unit/exports.test.ts', 'node_modules/**'],
    testTimeout: 60_000,
  },
});
