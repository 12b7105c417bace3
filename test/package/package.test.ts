// `npm run check:package` as part of `npm test`: the packed tarball passes publint and attw and
// works from ESM, CommonJS and TypeScript in a fresh project. Needs dist/ (npm test builds it).
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('../../scripts/check-package.mjs', import.meta.url));

const CHECKS = [
  'npm pack',
  'publint',
  'attw',
  'install the tarball into a new project',
  'subpath exports from ESM',
  'subpath exports from CommonJS',
  'use from ESM (import)',
  'use from CommonJS (require)',
  'ESM and CommonJS builds side by side',
  'TypeScript, moduleResolution node16 (.mts and .cts)',
  'TypeScript, moduleResolution bundler',
];

describe('the packed package', () => {
  let status: number | null = null;
  let output = '';

  beforeAll(async () => {
    await new Promise<void>((resolve) => {
      execFile(process.execPath, [script], { encoding: 'utf8', timeout: 150_000 }, (err, stdout, stderr) => {
        status = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        output = `${stdout}${stderr}`;
        resolve();
      });
    });
  }, 160_000);

  for (const name of CHECKS) {
    it(`passes: ${name}`, () => {
      const line = output.split('\n').find((l) => l.slice(6) === name || l.slice(6).startsWith(`${name} (`));
      expect(line ?? `(no line for ${name})`, output).toMatch(/^ok {4}/);
    });
  }

  it('exits 0', () => {
    expect(status, output).toBe(0);
  });
});
