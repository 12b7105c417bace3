import { defineConfig } from 'vitest/config';

// End-to-end suite: real Apache httpd, nginx and HAProxy in front of the package's CLI.
// The topology is started once by the global setup; the files run one after another.
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    globalSetup: ['test/e2e/global-setup.ts'],
    setupFiles: ['test/e2e/print-logs-on-failure.ts'],
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Installing the proxies from Debian's packages on a clean machine takes a while.
    teardownTimeout: 30_000,
  },
});
