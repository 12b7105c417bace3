// scripts/release.mjs on a throw-away copy of the repo's release inputs.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('../../scripts/release.mjs', import.meta.url));
const dirs: string[] = [];

const CHANGELOG = `# Changelog

All notable changes to this project are documented in this file.

## [Unreleased]

## [0.2.0] - 2026-01-02

### Added
- Something new.

## [0.1.1] - 2026-01-01

## [0.1.0] - 2025-12-31

### Added
- First release.

[Unreleased]: https://example.invalid/compare/v0.2.0...HEAD
[0.2.0]: https://example.invalid/compare/v0.1.0...v0.2.0
`;

function project(changelog: string | null = CHANGELOG, version = '0.1.0'): string {
  const dir = mkdtempSync(join(tmpdir(), 'trusted-proxy-release-'));
  dirs.push(dir);
  mkdirSync(join(dir, 'scripts'));
  copyFileSync(script, join(dir, 'scripts/release.mjs'));
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify({ name: 'trusted-proxy', version, type: 'module' }, null, 2)}\n`,
  );
  writeFileSync(
    join(dir, 'package-lock.json'),
    `${JSON.stringify({ name: 'trusted-proxy', version, lockfileVersion: 3, packages: { '': { name: 'trusted-proxy', version } } }, null, 2)}\n`,
  );
  if (changelog !== null) writeFileSync(join(dir, 'CHANGELOG.md'), changelog);
  return dir;
}

function release(dir: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [join(dir, 'scripts/release.mjs'), ...args], {
    cwd: dir,
    encoding: 'utf8',
  });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

function versions(dir: string): [string, string, string] {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const lock = JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8'));
  return [pkg.version, lock.version, lock.packages[''].version];
}

afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('npm run release', () => {
  it('bumps minor when CHANGELOG.md has an entry for the new version', () => {
    const dir = project();
    const r = release(dir, 'minor');
    expect(r.out).toContain('released trusted-proxy 0.2.0 (was 0.1.0)');
    expect(r.status).toBe(0);
    expect(versions(dir)).toEqual(['0.2.0', '0.2.0', '0.2.0']);
  });

  it('accepts an explicit version', () => {
    const dir = project();
    expect(release(dir, '0.2.0').status).toBe(0);
    expect(versions(dir)[0]).toBe('0.2.0');
  });

  it('keeps the rest of package.json as it was', () => {
    const dir = project();
    const before = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    release(dir, 'minor');
    expect(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))).toEqual({
      ...before,
      version: '0.2.0',
    });
  });

  it('refuses a version that CHANGELOG.md does not describe, and changes nothing', () => {
    const dir = project();
    const r = release(dir, 'major');
    expect(r.status).toBe(1);
    expect(r.out).toContain('CHANGELOG.md has no "## [1.0.0]" section');
    expect(versions(dir)).toEqual(['0.1.0', '0.1.0', '0.1.0']);
  });

  it('refuses a section with no entries', () => {
    const dir = project();
    const r = release(dir, 'patch');
    expect(r.status).toBe(1);
    expect(r.out).toContain('"## [0.1.1]" section of CHANGELOG.md has no entries');
    expect(versions(dir)[0]).toBe('0.1.0');
  });

  it('does not take a link reference at the bottom for an entry', () => {
    const dir = project(CHANGELOG.replace('### Added\n- Something new.\n', ''));
    expect(release(dir, 'minor').status).toBe(1);
  });

  it('refuses when CHANGELOG.md is missing', () => {
    const dir = project(null);
    const r = release(dir, 'minor');
    expect(r.status).toBe(1);
    expect(r.out).toContain('CHANGELOG.md is missing');
  });

  it('refuses a version that is not newer', () => {
    const dir = project(CHANGELOG, '0.2.0');
    const r = release(dir, '0.1.0');
    expect(r.status).toBe(1);
    expect(r.out).toContain('not newer');
  });

  it('refuses a bump it does not understand', () => {
    const r = release(project(), 'bigger');
    expect(r.status).toBe(1);
    expect(r.out).toContain('expected patch, minor, major');
  });

  it('changes nothing with --dry-run', () => {
    const dir = project();
    const r = release(dir, 'minor', '--dry-run');
    expect(r.status).toBe(0);
    expect(r.out).toContain('would release trusted-proxy 0.2.0');
    expect(versions(dir)).toEqual(['0.1.0', '0.1.0', '0.1.0']);
  });

  it('neither commits, tags nor publishes unless asked', () => {
    const r = release(project(), 'minor');
    expect(r.out).toContain('not committed, tagged or published');
  });

  it('the real CHANGELOG.md describes the current version', () => {
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    const changelog = readFileSync(join(root, 'CHANGELOG.md'), 'utf8');
    expect(changelog).toMatch(new RegExp(`^## \\[${pkg.version.replaceAll('.', '\\.')}\\]`, 'm'));
  });
});
