#!/usr/bin/env node
// Checks the package as users receive it: packs the tarball, lints it with publint and
// @arethetypeswrong/cli, then installs it into a throw-away project and uses it from ESM,
// CommonJS and TypeScript (moduleResolution node16 and bundler).
//
//   npm run check:package           (builds first)
//   node scripts/check-package.mjs  (uses the existing dist/)
//
// Needs no network: the package has no runtime dependencies and the tools come from this
// repo's node_modules. Prints one "ok"/"FAIL" line per check and exits 1 if any failed.
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const keep = process.argv.includes('--keep');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** The names the package must export at runtime (SPEC §1, plus the ERROR_CODES registry). */
const EXPORTS = [
  'ERROR_CODES',
  'TrustedProxyConfigError',
  'cloudRanges',
  'createResolver',
  'optionsFromEnv',
  'proxyInfo',
  'reconstructUrl',
  'trustedProxy',
];

const failures = [];
function check(name, fn) {
  try {
    const note = fn();
    console.log(`ok    ${name}${note ? ` (${note})` : ''}`);
  } catch (err) {
    failures.push(name);
    console.log(`FAIL  ${name}`);
    const out = [err.stdout, err.stderr].filter(Boolean).join('\n').trim();
    console.log(indent(out || err.message));
  }
}
function indent(text) {
  return String(text)
    .split('\n')
    .map((l) => `      ${l}`)
    .join('\n');
}
function run(cmd, args, cwd) {
  return execFileSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_OPTIONS: '', npm_config_update_notifier: 'false', FORCE_COLOR: '0' },
  });
}
function bin(pkgName, binName) {
  // Not require.resolve(`${pkgName}/package.json`): publint's exports map does not expose it.
  const pkgJson = join(root, 'node_modules', pkgName, 'package.json');
  const { bin: b } = JSON.parse(readFileSync(pkgJson, 'utf8'));
  return join(dirname(pkgJson), typeof b === 'string' ? b : b[binName]);
}

if (!existsSync(join(root, 'dist/esm/index.js')) || !existsSync(join(root, 'dist/cjs/index.js'))) {
  console.error('dist/ is missing: run `npm run build` (or `npm run check:package`, which builds first).');
  process.exit(1);
}

const work = mkdtempSync(join(tmpdir(), 'trusted-proxy-pack-'));
let tarball;
try {
  check('npm pack', () => {
    // --ignore-scripts: the build already ran; `prepare` would rebuild dist/ for nothing.
    const out = run(npm, ['pack', '--ignore-scripts', '--json', '--pack-destination', work], root);
    const [info] = JSON.parse(out);
    tarball = join(work, info.filename);
    const files = info.files.map((f) => f.path);
    const must = [
      'package.json',
      'dist/esm/index.js',
      'dist/esm/index.d.ts',
      'dist/cjs/index.js',
      'dist/cjs/index.d.ts',
    ];
    must.push('dist/cjs/package.json', 'README.md', 'CHANGELOG.md', 'LICENSE');
    const missing = must.filter((f) => !files.includes(f));
    if (missing.length) throw new Error(`missing from the tarball: ${missing.join(', ')}`);
    const stray = files.filter(
      (f) => /^(src|test|bench|scripts|docs|examples)\//.test(f) || f.endsWith('.map'),
    );
    if (stray.length) throw new Error(`should not be in the tarball: ${stray.join(', ')}`);
    for (const target of Object.values(pkg.bin ?? {})) {
      const path = target.replace(/^\.\//, '');
      if (!files.includes(path)) throw new Error(`bin target ${path} is not in the tarball`);
    }
    return `${info.filename}, ${files.length} files, ${(info.size / 1024).toFixed(1)} kB packed`;
  });

  if (!tarball) throw new Error('no tarball');

  check('publint', () => {
    const out = run(
      process.execPath,
      [bin('publint', 'publint'), 'run', tarball, '--level', 'warning', '--strict'],
      root,
    );
    return out.includes('All good') ? 'all good' : out.trim().split('\n').join('; ');
  });

  check('attw', () => {
    const out = run(
      process.execPath,
      // node16 profile: TypeScript's legacy `node10` resolution cannot see subpath exports at
      // all (no exports map); every current resolution mode (node16 ESM/CJS, bundler) is checked.
      [
        bin('@arethetypeswrong/cli', 'attw'),
        tarball,
        '--no-definitely-typed',
        '--profile',
        'node16',
        '--format',
        'json',
      ],
      root,
    );
    const result = JSON.parse(out);
    // The JSON lists every resolution kind whatever the profile: drop node10's, as --profile node16 does.
    const problems = (result.analysis?.problems ?? []).filter((p) => p.resolutionKind !== 'node10');
    // `bin` is ESM-only on purpose and not an entry point, so every problem counts.
    if (problems.length) throw new Error(JSON.stringify(problems, null, 2));
    return 'no problems';
  });

  const app = join(work, 'app');
  mkdirSync(app);
  check('install the tarball into a new project', () => {
    writeFileSync(
      join(app, 'package.json'),
      `${JSON.stringify({ name: 'smoke', private: true, version: '0.0.0' }, null, 2)}\n`,
    );
    run(npm, ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball], app);
    const installed = JSON.parse(readFileSync(join(app, 'node_modules/trusted-proxy/package.json'), 'utf8'));
    if (installed.version !== pkg.version)
      throw new Error(`installed ${installed.version}, expected ${pkg.version}`);
    return `trusted-proxy@${installed.version}`;
  });

  const smoke = `
    const names = Object.keys(api).filter((k) => k !== 'default' && k !== 'module.exports').sort();
    assert.deepEqual(names, ${JSON.stringify(EXPORTS)});
    const proxy = api.trustedProxy({ trustedHeaders: ['X-Forwarded-For'], trustedProxies: 'loopback' });
    assert.equal(typeof proxy, 'function');
    assert.equal(typeof proxy.wrap, 'function');
    assert.equal(typeof proxy.process, 'function');
    assert.throws(() => api.trustedProxy({ trustedHeaders: ['X-Forwarded-Fro'], trustedProxies: 'loopback' }),
      (err) => err instanceof api.TrustedProxyConfigError && err instanceof TypeError && err.code === 'ERR_TRUSTED_PROXY_CONFIG');
    assert.equal(api.reconstructUrl({ 'wsgi.url_scheme': 'https', HTTP_HOST: 'example.com', PATH_INFO: '/a b' }), 'https://example.com/a%20b');
  `;
  writeFileSync(
    join(app, 'esm.mjs'),
    `import assert from 'node:assert/strict';\nimport * as api from 'trusted-proxy';\n${smoke}\nconsole.log('esm ok');\n`,
  );
  writeFileSync(
    join(app, 'cjs.cjs'),
    `const assert = require('node:assert/strict');\nconst api = require('trusted-proxy');\n${smoke}\nconsole.log('cjs ok');\n`,
  );
  // Both builds must share request state (SPEC R3: Symbol.for), so a dual-package app sees one ProxyInfo.
  writeFileSync(
    join(app, 'dual.mjs'),
    `import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import * as esm from 'trusted-proxy';
const cjs = createRequire(import.meta.url)('trusted-proxy');
assert.notEqual(esm.trustedProxy, cjs.trustedProxy, 'two copies are loaded');
assert.equal(cjs.proxyInfo({ headers: {} }), undefined);
console.log('dual ok');
`,
  );

  // Subpath exports (R19–R21): each loads from ESM and CommonJS with its framework beside it
  // (optional peer dependencies, linked from this repo as a user would have them installed).
  const subpaths = Object.keys(pkg.exports).filter((k) => k !== '.' && k !== './package.json');
  for (const peer of Object.keys(pkg.peerDependencies ?? {})) {
    const from = join(root, 'node_modules', peer);
    const to = join(app, 'node_modules', peer);
    if (existsSync(from) && !existsSync(to)) {
      mkdirSync(dirname(to), { recursive: true });
      symlinkSync(from, to, 'dir');
    }
  }
  const specifiers = JSON.stringify(subpaths.map((s) => `trusted-proxy${s.slice(1)}`));
  const subpathSmoke = `
    for (const sub of ${specifiers}) {
      const mod = await load(sub);
      assert.ok(Object.values(mod).some((v) => typeof v === 'function'), sub + ' exports no function');
    }
    const hono = await load('trusted-proxy/hono');
    const missing = ['clientAddress', 'transportFromEnv', 'trustedProxy', 'wrapFetch'].filter((k) => typeof hono[k] !== 'function');
    assert.deepEqual(missing, []);
    console.log(${specifiers}.length + ' subpaths ok');
  `;
  writeFileSync(
    join(app, 'subpaths.mjs'),
    `import assert from 'node:assert/strict';\nconst load = (s) => import(s);\n${subpathSmoke}\n`,
  );
  writeFileSync(
    join(app, 'subpaths.cjs'),
    `const assert = require('node:assert/strict');\nconst load = async (s) => require(s);\n(async () => {${subpathSmoke}})().catch((err) => { console.error(err); process.exit(1); });\n`,
  );
  check('subpath exports from ESM', () => run(process.execPath, ['subpaths.mjs'], app).trim());
  check('subpath exports from CommonJS', () => run(process.execPath, ['subpaths.cjs'], app).trim());

  check('use from ESM (import)', () => run(process.execPath, ['esm.mjs'], app).trim());
  check('use from CommonJS (require)', () => run(process.execPath, ['cjs.cjs'], app).trim());
  check('ESM and CommonJS builds side by side', () => run(process.execPath, ['dual.mjs'], app).trim());

  const tsSource = `import { trustedProxy, reconstructUrl, proxyInfo, optionsFromEnv, TrustedProxyConfigError } from 'trusted-proxy';
import type { ProxyInfo, RejectEvent, TrustedProxyOptions, TrustedProxyMiddleware } from 'trusted-proxy';
import { createServer, type IncomingMessage } from 'node:http';

const options: TrustedProxyOptions = {
  trustedHeaders: ['X-Forwarded-For', 'X-Forwarded-Proto'],
  trustedProxies: ['10.0.0.0/8', 'loopback'],
  allowedHosts: ['example.com', '*.example.com'],
  rewriteLocation: true,
  onReject: (event: RejectEvent, req: IncomingMessage) => void [event.header, event.value, event.reason, req.url],
};
const proxy: TrustedProxyMiddleware = trustedProxy(options);
createServer(proxy.wrap((req, res) => res.end(reconstructUrl(req))));
const hops = trustedProxy({ trustedHeaders: ['X-Forwarded-For'], trustedProxies: 1 });
const fn = trustedProxy({ trustedHeaders: ['Forwarded'], trustedProxies: (address: string | undefined, hop: number) => address === '10.0.0.1' && hop < 2 });
declare const req: IncomingMessage;
const info: ProxyInfo | undefined = proxyInfo(req);
const processed: ProxyInfo = hops.process(req);
const url: string = reconstructUrl(req, '/login?next=%2F');
const env: TrustedProxyOptions = optionsFromEnv({ TRUSTED_PROXY_HEADERS: 'X-Forwarded-For', TRUSTED_PROXIES: 'loopback' });
const err: TypeError = new TrustedProxyConfigError('x');
const code: 'ERR_TRUSTED_PROXY_CONFIG' = new TrustedProxyConfigError('x').code;
const protocol: 'http' | 'https' = processed.protocol;
void [info, url, env, err, code, protocol, fn];
// @ts-expect-error trustedHeaders is required
trustedProxy({ trustedProxies: 'loopback' });
`;
  const tsCjsSource = `import tp = require('trusted-proxy');
const proxy: tp.TrustedProxyMiddleware = tp.trustedProxy({ trustedHeaders: ['X-Real-IP'], trustedProxies: 'loopback' });
const info: tp.ProxyInfo | undefined = tp.proxyInfo({} as import('node:http').IncomingMessage);
void [proxy, info];
export {};
`;
  const typeRoots = [join(root, 'node_modules/@types')];
  const tsconfig = (moduleResolution, module, include) =>
    `${JSON.stringify(
      {
        compilerOptions: {
          strict: true,
          exactOptionalPropertyTypes: true,
          noEmit: true,
          target: 'ES2022',
          module,
          moduleResolution,
          types: ['node'],
          typeRoots,
          skipLibCheck: false,
          verbatimModuleSyntax: moduleResolution === 'bundler',
        },
        include,
      },
      null,
      2,
    )}\n`;
  mkdirSync(join(app, 'ts'));
  writeFileSync(join(app, 'ts/esm.mts'), tsSource);
  writeFileSync(join(app, 'ts/cjs.cts'), tsCjsSource);
  writeFileSync(join(app, 'ts/bundler.ts'), tsSource);
  // The fetch edge and the Hono subpath, typed against the real hono package.
  const tsHonoSource = `import { Hono } from 'hono';
import { clientAddress, type TrustedProxyEnv, trustedProxy, wrapFetch } from 'trusted-proxy/hono';
import { createResolver, type ProxyInfo, type Resolved } from 'trusted-proxy';

const app = new Hono<TrustedProxyEnv>();
app.use(trustedProxy({ trustedHeaders: ['X-Forwarded-For'], trustedProxies: 'loopback', getPeer: () => '127.0.0.1' }));
app.get('/', (c) => {
  const info: ProxyInfo = c.var.proxyInfo;
  return c.text(info.host + clientAddress(c));
});
const fetch: (request: Request) => Response | Promise<Response> = wrapFetch(app.fetch, { trustedHeaders: ['X-Forwarded-For'], trustedProxies: 'loopback' });
const resolve = createResolver({ trustedHeaders: ['Forwarded'], trustedProxies: 'loopback', onReject: (event, req: Request) => void [event.reason, req.url] });
const resolved: Resolved = resolve(new Request('http://a.example/'), { peer: '127.0.0.1', rawHeaders: [] });
void [fetch, resolved.request.url];
`;
  writeFileSync(join(app, 'ts/hono.mts'), tsHonoSource);
  writeFileSync(join(app, 'ts/hono-bundler.ts'), tsHonoSource);
  writeFileSync(
    join(app, 'tsconfig.node16.json'),
    tsconfig('node16', 'node16', ['ts/esm.mts', 'ts/cjs.cts', 'ts/hono.mts']),
  );
  writeFileSync(
    join(app, 'tsconfig.bundler.json'),
    tsconfig('bundler', 'esnext', ['ts/bundler.ts', 'ts/hono-bundler.ts']),
  );
  const tsc = join(dirname(require.resolve('typescript/package.json')), 'bin/tsc');
  check('TypeScript, moduleResolution node16 (.mts and .cts)', () => {
    run(process.execPath, [tsc, '-p', 'tsconfig.node16.json'], app);
    return 'tsc --noEmit clean';
  });
  check('TypeScript, moduleResolution bundler', () => {
    run(process.execPath, [tsc, '-p', 'tsconfig.bundler.json'], app);
    return 'tsc --noEmit clean';
  });
} catch (err) {
  failures.push(String(err?.message ?? err));
} finally {
  if (keep) console.log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}

if (failures.length) {
  console.log(`\n${failures.length} package check(s) failed: ${failures.join(', ')}`);
  process.exit(1);
}
console.log('\nall package checks passed');
