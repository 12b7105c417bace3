// Mutation testing of the resolution, validation, parsing and trust code (`npm run test:mutation`).
// Not part of `npm test`: it takes minutes. The score is recorded in docs/security.md.
//
// The property suites read STRYKER_MUTATION and run a quarter of their default cases under
// Stryker (every surviving mutant reruns every test that covers it). Which tests run is set in
// test/mutation-kill/vitest.stryker.config.ts.
process.env.STRYKER_MUTATION = '1';

// Two scopes, each with its own test selection: the pure core (the default) and the edge
// (`STRYKER_SCOPE=edge`: apply, middleware, location, url, env, the command line, the PROXY
// protocol parser, the cloud proof, header edits and the fetch resolver). Run one file
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
  mutate: edge
    ? [
        'src/node/apply.ts',
        'src/node/middleware.ts',
        'src/node/location.ts',
        'src/url.ts',
        'src/env.ts',
        'src/cli.ts',
        'src/cli/*.ts',
        // The peer and request feeds added with the cloud work: the PROXY-protocol parser and its
        // checksum, the cloud proof, the shared header edits and the fetch resolver.
        'src/proxy-protocol/parse.ts',
        'src/proxy-protocol/crc32c.ts',
        'src/core/proof.ts',
        'src/core/edit.ts',
        'src/fetch/resolver.ts',
      ]
    : [
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
  // STRYKER_REPORT names a one-file run's reports (reports/mutation/<name>.json).
  jsonReporter: { fileName: `reports/mutation/${process.env.STRYKER_REPORT ?? 'mutation'}.json` },
  incremental: true,
  incrementalFile: edge
    ? 'reports/mutation/stryker-incremental-edge.json'
    : 'reports/mutation/stryker-incremental.json',
  thresholds: { high: 90, low: 80, break: null },
  cleanTempDir: true,
};
