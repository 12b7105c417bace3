#!/usr/bin/env node
// Bumps the package version, but only when CHANGELOG.md already describes the new version.
//
//   npm run release -- <patch|minor|major|x.y.z> [--dry-run] [--git] [--publish]
//
// Refuses (exit 1) unless CHANGELOG.md has a `## [x.y.z]` section for the new version with at
// least one entry in it: write the entry first (move the Unreleased items under the new
// heading), then release. The Unreleased section may be empty at that point.
//
// Writes the version into package.json and package-lock.json (when present). Nothing else
// happens unless asked:
//   --git      git commit package.json (+ lock) as "Release x.y.z" and tag it vx.y.z
//   --publish  npm publish (after --git when both are given)
//   --dry-run  check everything, change nothing
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;

function fail(message) {
  console.error(`release: ${message}`);
  process.exit(1);
}

function parseVersion(text) {
  const m = SEMVER.exec(text);
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), pre: m[4] };
}

function compareVersions(a, b) {
  for (const k of ['major', 'minor', 'patch']) if (a[k] !== b[k]) return a[k] < b[k] ? -1 : 1;
  if (a.pre === b.pre) return 0;
  if (a.pre === undefined) return 1; // 1.0.0 > 1.0.0-rc.1
  if (b.pre === undefined) return -1;
  return a.pre < b.pre ? -1 : 1;
}

function nextVersion(current, bump) {
  const v = parseVersion(current);
  if (!v) throw new Error(`package.json has an invalid version: ${JSON.stringify(current)}`);
  if (bump === 'major') return `${v.major + 1}.0.0`;
  if (bump === 'minor') return `${v.major}.${v.minor + 1}.0`;
  if (bump === 'patch')
    return v.pre === undefined ? `${v.major}.${v.minor}.${v.patch + 1}` : `${v.major}.${v.minor}.${v.patch}`;
  if (parseVersion(bump)) return bump;
  throw new Error(`expected patch, minor, major or a version like 1.2.3, got ${JSON.stringify(bump)}`);
}

/** The body of the `## [version]` section of a Keep a Changelog file, or undefined if there is none. */
function changelogSection(changelog, version) {
  const lines = changelog.split('\n');
  const escaped = version.replace(/[.+-]/g, '\\$&');
  const start = lines.findIndex((l) => new RegExp(`^## \\[${escaped}\\](?:\\s|$)`).test(l));
  if (start === -1) return undefined;
  let end = lines.findIndex((l, i) => i > start && /^## /.test(l));
  if (end === -1) end = lines.length;
  return lines
    .slice(start + 1, end)
    .filter((l) => !/^\[[^\]]+\]:\s/.test(l)) // link reference definitions at the bottom
    .join('\n');
}

function main(argv) {
  const flags = new Set(argv.filter((a) => a.startsWith('--')));
  const args = argv.filter((a) => !a.startsWith('--'));
  for (const f of flags) if (!['--dry-run', '--git', '--publish'].includes(f)) fail(`unknown flag ${f}`);
  if (args.length !== 1)
    fail('usage: npm run release -- <patch|minor|major|x.y.z> [--dry-run] [--git] [--publish]');

  const pkgPath = join(root, 'package.json');
  const pkgText = readFileSync(pkgPath, 'utf8');
  const pkg = JSON.parse(pkgText);
  let version;
  try {
    version = nextVersion(pkg.version, args[0]);
  } catch (err) {
    fail(err.message);
  }
  if (compareVersions(parseVersion(version), parseVersion(pkg.version)) <= 0) {
    fail(`${version} is not newer than the current version ${pkg.version}`);
  }

  const changelogPath = join(root, 'CHANGELOG.md');
  if (!existsSync(changelogPath)) fail('CHANGELOG.md is missing');
  const section = changelogSection(readFileSync(changelogPath, 'utf8'), version);
  if (section === undefined) {
    fail(
      `CHANGELOG.md has no "## [${version}]" section. Move the Unreleased entries under ` +
        `"## [${version}] - ${new Date().toISOString().slice(0, 10)}" first, then run the release again.`,
    );
  }
  if (!/^\s*[-*]\s+\S/m.test(section)) {
    fail(
      `the "## [${version}]" section of CHANGELOG.md has no entries ("- …" lines); describe the release first.`,
    );
  }

  const dry = flags.has('--dry-run');
  const indent = /^(\s+)"/m.exec(pkgText)?.[1] ?? '  ';
  const files = ['package.json'];
  if (!dry) {
    pkg.version = version;
    writeFileSync(pkgPath, `${JSON.stringify(pkg, null, indent)}\n`);
    const lockPath = join(root, 'package-lock.json');
    if (existsSync(lockPath)) {
      const lock = JSON.parse(readFileSync(lockPath, 'utf8'));
      lock.version = version;
      if (lock.packages?.['']) lock.packages[''].version = version;
      writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
      files.push('package-lock.json');
    }
  }
  console.log(
    `${dry ? 'would release' : 'released'} ${pkg.name} ${version} (was ${JSON.parse(pkgText).version})`,
  );

  if (flags.has('--git') && !dry) {
    execFileSync('git', ['add', ...files], { cwd: root, stdio: 'inherit' });
    execFileSync('git', ['commit', '-m', `Release ${version}`], { cwd: root, stdio: 'inherit' });
    execFileSync('git', ['tag', '-a', `v${version}`, '-m', `v${version}`], { cwd: root, stdio: 'inherit' });
    console.log(`committed and tagged v${version}`);
  }
  if (flags.has('--publish') && !dry) {
    execFileSync('npm', ['publish'], { cwd: root, stdio: 'inherit' });
  }
  if (!flags.has('--git') && !flags.has('--publish')) {
    console.log('not committed, tagged or published (use --git and --publish for that)');
  }
}

main(process.argv.slice(2));
