// The vitest configuration for mutating the node:http edge, URL reconstruction, the
// environment and the command line (`STRYKER_SCOPE=edge`, see stryker.config.mjs): in-process
// tests only (the command-line suites spawn the built dist/, which a mutant never reaches),
// with the model's differential run in its short mutation-testing size.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// STRYKER_TESTS (comma-separated globs) narrows the selection for a one-file run, e.g.
// STRYKER_TESTS=test/mutation-kill/edge/location.test.ts,test/location.test.ts
const narrowed = process.env.STRYKER_TESTS?.split(',').filter((g) => g !== '');

export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    include: narrowed ?? [
      'test/mutation-kill/edge/**/*.test.ts',
      'test/model/regressions.test.ts',
      'test/model/differential.test.ts',
      'test/location.test.ts',
      'test/env.test.ts',
      'test/unit/url.test.ts',
      'test/integration/**/*.test.ts',
      'test/cli/accept.test.ts',
      'test/proxy-protocol/parse.test.ts',
      'test/proxy-protocol/property.test.ts',
      'test/cloud/proof.test.ts',
      'test/fetch/resolver.test.ts',
      'test/unit/many-headers.test.ts',
    ],
    exclude: ['node_modules/**'],
    testTimeout: 60_000,
  },
});
