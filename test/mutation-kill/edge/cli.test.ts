/**
 * The command line's modules in process (the test/cli suites spawn the built dist/, which a
 * mutant never reaches): argument parsing, the start line, the demo page in its three types,
 * and loading an app module.
 */
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_HOST,
  DEFAULT_PORT,
  describeConfig,
  parseCommand,
  USAGE,
  UsageError,
} from '../../../src/cli/args.js';
import { buildReport, demoListener, escapeHtml, renderHtml, renderText } from '../../../src/cli/demo.js';
import { loadApp } from '../../../src/cli/load-app.js';
import { trustedProxy } from '../../../src/index.js';
import { makeRequest } from '../../property/support/harness.js';

const ENV = {};

function run(argv: string[], env: Record<string, string | undefined> = ENV) {
  const parsed = parseCommand(argv, env);
  if (parsed.kind !== 'run') throw new Error(`not a run: ${parsed.kind}`);
  return parsed.config;
}

function usage(argv: string[], env: Record<string, string | undefined> = ENV): string {
  try {
    parseCommand(argv, env);
  } catch (err) {
    return `${(err as Error).name}: ${(err as Error).message}`;
  }
  throw new Error('did not throw');
}

const MINIMAL = ['--trust-proxy-header', 'X-Forwarded-For', '--trust-proxy', 'loopback'];

describe('parseCommand', () => {
  it('help and version', () => {
    expect(parseCommand(['--help'], ENV)).toEqual({ kind: 'help' });
    expect(parseCommand(['-h', '--version'], ENV)).toEqual({ kind: 'help' });
    expect(parseCommand(['--version'], ENV)).toEqual({ kind: 'version' });
    expect(USAGE).toContain('--trust-proxy-header NAME');
  });

  it('defaults', () => {
    const config = run(MINIMAL);
    expect(config).toMatchObject({
      app: undefined,
      port: DEFAULT_PORT,
      host: DEFAULT_HOST,
      options: { trustedHeaders: ['X-Forwarded-For'], trustedProxies: ['loopback'] },
      sources: { headers: '--trust-proxy-header', proxies: '--trust-proxy', allowedHosts: undefined },
      rewriteLocation: false,
      logRejections: false,
      proxyProtocol: undefined,
    });
    expect(DEFAULT_PORT).toBe(8000);
    expect(DEFAULT_HOST).toBe('127.0.0.1');
  });

  it('every flag, lists in one value, the app path', () => {
    const config = run([
      '--trust-proxy-header',
      'X-Forwarded-For, X-Forwarded-Host',
      '--trust-proxy-header',
      'X-Forwarded-Proto',
      '--trust-proxy',
      '10.0.0.0/8 ::1',
      '--allowed-host',
      'example.com',
      '--port',
      '0',
      '--host',
      '::1',
      '--rewrite-location',
      '--log-rejections',
      'app.mjs',
    ]);
    expect(config).toMatchObject({
      app: 'app.mjs',
      port: 0,
      host: '::1',
      options: {
        trustedHeaders: ['X-Forwarded-For', 'X-Forwarded-Host', 'X-Forwarded-Proto'],
        trustedProxies: ['10.0.0.0/8', '::1'],
        allowedHosts: ['example.com'],
      },
      sources: { allowedHosts: '--allowed-host' },
      rewriteLocation: true,
      logRejections: true,
    });
  });

  it('the environment fills what flags leave out; a flag replaces its variable', () => {
    const env = {
      TRUSTED_PROXY_HEADERS: 'X-Real-IP',
      TRUSTED_PROXIES: '2',
      TRUSTED_PROXY_ALLOWED_HOSTS: '*.example.com',
    };
    const fromEnv = run([], env);
    expect(fromEnv.options).toEqual({
      trustedHeaders: ['X-Real-IP'],
      trustedProxies: 2,
      allowedHosts: ['*.example.com'],
    });
    expect(fromEnv.sources).toMatchObject({
      headers: 'TRUSTED_PROXY_HEADERS',
      proxies: 'TRUSTED_PROXIES',
      allowedHosts: 'TRUSTED_PROXY_ALLOWED_HOSTS',
    });
    const mixed = run(['--trust-proxy', '127.0.0.1'], env);
    expect(mixed.options.trustedProxies).toEqual(['127.0.0.1']);
    expect(mixed.sources.proxies).toBe('--trust-proxy');
    expect(mixed.sources.headers).toBe('TRUSTED_PROXY_HEADERS');
  });

  it.each([
    [['--port', '65536', ...MINIMAL], 'UsageError: --port: expected 0-65535, got "65536"'],
    [['--port=-1', ...MINIMAL], 'UsageError: --port: expected 0-65535, got "-1"'],
    [['--port', '1e3', ...MINIMAL], 'UsageError: --port: expected 0-65535, got "1e3"'],
    [['--port', '123456', ...MINIMAL], 'UsageError: --port: expected 0-65535, got "123456"'],
    [['--host', '', ...MINIMAL], 'UsageError: --host: expected an address, got ""'],
    [['a.mjs', 'b.mjs', ...MINIMAL], 'UsageError: expected at most one APP, got 2: a.mjs b.mjs'],
  ])('%j → %s', (argv, message) => {
    expect(usage(argv)).toBe(message);
  });

  it('port 65535 and 00080 are fine (decimal digits only)', () => {
    expect(run(['--port', '65535', ...MINIMAL]).port).toBe(65535);
    expect(run(['--port', '00080', ...MINIMAL]).port).toBe(80);
  });

  it('names what is missing', () => {
    expect(usage(['--trust-proxy', 'loopback'])).toMatch(
      /^UsageError: no trusted headers: give --trust-proxy-header NAME/,
    );
    expect(usage(['--trust-proxy-header', 'X-Forwarded-For'])).toMatch(
      /^UsageError: no trusted proxies: give --trust-proxy ADDR/,
    );
    expect(usage(['--bogus'])).toMatch(/^UsageError: .*bogus/);
  });

  it('config errors name the flag or the variable', () => {
    expect(usage(['--trust-proxy-header', 'X-Bogus', '--trust-proxy', 'loopback'])).toMatch(
      /^TrustedProxyConfigError: --trust-proxy-header: unknown header/,
    );
    expect(usage([], { TRUSTED_PROXY_HEADERS: 'X-Forwarded-For', TRUSTED_PROXIES: 'fe80::1%eth0' })).toMatch(
      /^TrustedProxyConfigError: TRUSTED_PROXIES: zone ids/,
    );
    expect(usage([...MINIMAL, '--allowed-host', '..'])).toMatch(
      /^TrustedProxyConfigError: --allowed-host: invalid/,
    );
  });
});

describe('describeConfig', () => {
  it('says where, what and from which source', () => {
    const config = run([...MINIMAL, '--allowed-host', 'example.com', '--rewrite-location', 'app.mjs']);
    expect(describeConfig(config, 'http://127.0.0.1:8000')).toBe(
      'trusted-proxy listening on http://127.0.0.1:8000 (app: app.mjs; trusted proxies: loopback [--trust-proxy]; trusted headers: X-Forwarded-For [--trust-proxy-header]; allowed hosts: example.com [--allowed-host]; rewrite location: on; log rejections: off)',
    );
    const hops = run(['--log-rejections'], { TRUSTED_PROXY_HEADERS: 'X-Real-IP', TRUSTED_PROXIES: '1' });
    expect(describeConfig(hops, 'u')).toBe(
      'trusted-proxy listening on u (app: built-in demo; trusted proxies: 1 hop (hop count) [TRUSTED_PROXIES]; trusted headers: X-Real-IP [TRUSTED_PROXY_HEADERS]; allowed hosts: any; rewrite location: off; log rejections: on)',
    );
    const two = run([], { TRUSTED_PROXY_HEADERS: 'X-Real-IP', TRUSTED_PROXIES: '2' });
    expect(describeConfig(two, 'u')).toContain('trusted proxies: 2 hops (hop count)');
    const text = { ...two, options: { ...two.options, trustedProxies: 'loopback, 10.0.0.0/8' } };
    expect(describeConfig(text, 'u')).toContain('trusted proxies: loopback, 10.0.0.0/8 [TRUSTED_PROXIES]');
  });
});

describe('the demo page', () => {
  const proxy = trustedProxy({
    trustedHeaders: ['X-Forwarded-For', 'X-Forwarded-Host', 'X-Forwarded-Prefix'],
    trustedProxies: ['10.0.0.0/8'],
  });

  function request(
    lines: [string, string][],
    accept?: string,
    peer = '10.0.0.1',
    method = 'GET',
  ): IncomingMessage {
    const all: [string, string][] = accept === undefined ? lines : [...lines, ['Accept', accept]];
    const req = makeRequest({
      peer,
      tls: false,
      localAddress: '10.0.0.9',
      localPort: 8080,
      method,
      url: '/p?q',
      lines: all,
    });
    proxy.process(req);
    return req;
  }

  const LINES: [string, string][] = [
    ['Host', 'internal:8080'],
    ['X-Forwarded-For', '203.0.113.9'],
    ['X-Forwarded-Host', 'www.example.com'],
    ['X-Forwarded-Prefix', '/app'],
    ['X-Real-IP', '<script>"x\''],
  ];

  it('escapes HTML', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    expect(escapeHtml(42)).toBe('42');
  });

  it('reports the URL, the ProxyInfo and the stripped headers', () => {
    const report = buildReport(request(LINES));
    expect(report.url).toBe('http://www.example.com/app/p?q');
    expect(report.stripped).toEqual(['x-real-ip']);
    expect(report.proxyInfo?.remoteAddress).toBe('203.0.113.9');
    const unprocessed = makeRequest({
      peer: '1.1.1.1',
      tls: false,
      localAddress: 'x',
      localPort: 1,
      method: 'GET',
      url: '/',
      lines: [['Host', 'a']],
    });
    expect(buildReport(unprocessed)).toMatchObject({ url: 'http://a/', proxyInfo: undefined, stripped: [] });
  });

  it('renders text with every field, quoting client values', () => {
    const text = renderText(buildReport(request(LINES)));
    expect(text).toBe(
      [
        'http://www.example.com/app/p?q',
        '',
        'remote address: 203.0.113.9',
        'peer: 10.0.0.1 (trusted)',
        'chain: 203.0.113.9 -> 10.0.0.1',
        'protocol: http',
        'host: www.example.com',
        'port: 80',
        'server name: www.example.com',
        'prefix: /app',
        'host allowed: yes',
        'applied: x-forwarded-for, x-forwarded-host, x-forwarded-prefix',
        'stripped: x-real-ip',
        'rejected: ',
        '  x-real-ip: not-trusted-header "<script>\\"x\'"',
        'received: http, Host "internal:8080", from 10.0.0.1',
        '',
      ].join('\n'),
    );
    const bare = renderText(buildReport(request([], undefined, '203.0.113.1')));
    expect(bare).toContain("prefix: ''");
    expect(bare).toContain('applied: -');
    expect(bare).toContain('stripped: -');
    expect(bare).toContain('rejected: -\n');
    expect(bare).toContain('received: http, Host (none), from 203.0.113.1');
    expect(bare).toContain('peer: 203.0.113.1 (not trusted)');
    expect(renderText({ url: 'u', proxyInfo: undefined, stripped: [], headers: {} })).toBe(
      'u\n(request not processed)\n',
    );
  });

  it('renders text for a UNIX-socket peer', () => {
    const info = buildReport(request(LINES));
    const unix = {
      ...info,
      proxyInfo: {
        ...info.proxyInfo!,
        peerAddress: undefined,
        remoteAddress: undefined,
        addresses: [],
        original: { ...info.proxyInfo!.original, remoteAddress: undefined },
      },
    };
    const text = renderText(unix);
    expect(text).toContain('remote address: -');
    expect(text).toContain('peer: (unix socket) (trusted)');
    expect(text).toContain('chain: -');
    expect(text).toContain('from (unix socket)');
  });

  it('renders HTML with everything escaped', () => {
    const html = renderHtml(buildReport(request(LINES)));
    expect(html.startsWith('<!doctype html>\n<html lang="en">')).toBe(true);
    expect(html).toContain('<h1><code>http://www.example.com/app/p?q</code></h1>');
    expect(html).toContain('<tr><th>remoteAddress</th><td>203.0.113.9</td></tr>');
    expect(html).toContain('<tr><th>peerAddress</th><td>10.0.0.1 (trusted)</td></tr>');
    expect(html).toContain('<tr><th>addresses</th><td>203.0.113.9 → 10.0.0.1</td></tr>');
    expect(html).toContain('<tr><th>port</th><td>80</td></tr>');
    expect(html).toContain('<tr><th>prefix</th><td>/app</td></tr>');
    expect(html).toContain('<tr><th>hostAllowed</th><td>true</td></tr>');
    expect(html).toContain('<tr><th>stripped</th><td>x-real-ip</td></tr>');
    expect(html).toContain(
      '<tr><td>x-real-ip</td><td>not-trusted-header</td><td><code>&lt;script&gt;&quot;x&#39;</code></td></tr>',
    );
    expect(html).toContain('<tr><th>x-real-ip</th><td>&lt;script&gt;&quot;x&#39;</td></tr>');
    expect(html).not.toContain('<script>');
    const bare = renderHtml(buildReport(request([], undefined, '203.0.113.1')));
    expect(bare).toContain('<p>none</p>');
    expect(bare).toContain('<tr><th>prefix</th><td>&#39;&#39;</td></tr>');
    expect(bare).toContain('<tr><th>applied</th><td>-</td></tr>');
    expect(bare).toContain('<tr><th>addresses</th><td>203.0.113.1</td></tr>');
    expect(renderHtml({ url: '<u>', proxyInfo: undefined, stripped: [], headers: {} })).toContain(
      '<h1><code>&lt;u&gt;</code></h1>\n<p>This request was not processed by trusted-proxy.</p>',
    );
    const arrays = renderHtml({
      ...buildReport(request(LINES)),
      headers: { 'set-cookie': ['a', 'b'], x: undefined },
    });
    expect(arrays).toContain('<tr><th>set-cookie</th><td>a\nb</td></tr>');
    expect(arrays).toContain('<tr><th>x</th><td></td></tr>');
  });

  function serve(req: IncomingMessage) {
    const res = new ServerResponse(new IncomingMessage(new Socket()));
    let body: unknown;
    res.end = ((chunk?: unknown) => {
      body = chunk;
      return res;
    }) as ServerResponse['end'];
    demoListener(req, res);
    return { res, body: body as string | undefined };
  }

  it('serves text, HTML or JSON by Accept, with its security headers', () => {
    const text = serve(request(LINES));
    expect(text.res.getHeader('content-type')).toBe('text/plain; charset=utf-8');
    expect(text.body).toBe(renderText(buildReport(request(LINES))));
    expect(text.res.getHeader('content-length')).toBe(Buffer.byteLength(text.body!));
    expect(text.res.getHeader('cache-control')).toBe('no-store');
    expect(text.res.getHeader('vary')).toBe('Accept');
    expect(text.res.getHeader('x-content-type-options')).toBe('nosniff');
    expect(text.res.getHeader('content-security-policy')).toBe(
      "default-src 'none'; style-src 'unsafe-inline'",
    );
    const html = serve(request(LINES, 'text/html'));
    expect(html.res.getHeader('content-type')).toBe('text/html; charset=utf-8');
    expect(html.body).toContain('<!doctype html>');
    const json = serve(request(LINES, 'application/json'));
    expect(json.res.getHeader('content-type')).toBe('application/json; charset=utf-8');
    expect(json.body!.endsWith('}\n')).toBe(true);
    expect(JSON.parse(json.body!).url).toBe('http://www.example.com/app/p?q');
    expect(json.body).toContain('\n  "url"');
    const head = serve(request(LINES, undefined, '10.0.0.1', 'HEAD'));
    expect(head.body).toBeUndefined();
    expect(head.res.getHeader('content-length')).toBeGreaterThan(0);
  });

  it('answers 500 in plain text when the report cannot be built', () => {
    const broken = { headers: {}, url: 42, method: 'GET' } as unknown as IncomingMessage;
    Object.defineProperty(broken, 'headers', {
      get() {
        throw new Error('broken');
      },
    });
    const { res, body } = serve(broken);
    expect(res.statusCode).toBe(500);
    expect(body).toBe('Internal Server Error\n');
    expect(res.getHeader('content-type')).toBe('text/plain; charset=utf-8');
  });
});

describe('loadApp', () => {
  const FIXTURES = fileURLToPath(new URL('../../fixtures/cli/', import.meta.url));

  it('loads a CommonJS app and an __esModule default', async () => {
    for (const file of [
      'esm-express-app.mjs',
      'cjs-listener.cjs',
      'cjs-default-export.cjs',
      'connect-app.cjs',
    ]) {
      expect(typeof (await loadApp(file, FIXTURES)), file).toBe('function');
    }
  });

  it('explains every way a module can be wrong', async () => {
    const message = async (file: string) => {
      try {
        await loadApp(file, FIXTURES);
      } catch (err) {
        expect(err).toBeInstanceOf(UsageError);
        return (err as Error).message;
      }
      throw new Error('loaded');
    };
    expect(await message('missing.mjs')).toBe(
      `cannot load app "missing.mjs": no such file ${FIXTURES}missing.mjs`,
    );
    expect(await message('throws-on-load.mjs')).toMatch(/^cannot load app "throws-on-load.mjs": /);
    expect(await message('no-default.mjs')).toMatch(/must export .* got no default export$/);
    expect(await message('exports-number.mjs')).toMatch(/got number$/);
    expect(await message('exports-server.mjs')).toMatch(
      /got an instance of Server \(export the app or listener itself, not a server: trusted-proxy creates and listens on its own\)$/,
    );
  });
});

describe('the command line › survivors of the first mutation run', () => {
  const SECRET = 'a-long-enough-secret-0123456789abcdef';

  it('loadApp describes every wrong default export', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'tp-app-'));
    const cases: Array<[string, string]> = [
      ['export default null;', 'got null'],
      ['export default {};', 'got an object'],
      ['export default Object.create(null);', 'got an object'],
      ['export default { listen() {} };', 'got an object (export the app or listener itself, not a server'],
      ['class Thing {}\nexport default new Thing();', 'got an instance of Thing'],
      ['export default { default: 42 };', 'got an object'],
    ];
    for (const [i, [source, expected]] of cases.entries()) {
      const file = join(dir, `case-${i}.mjs`);
      writeFileSync(file, source);
      let message = '';
      try {
        await loadApp(file, dir);
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message, source).toContain(expected);
      if (!expected.includes('(export')) expect(message, source).not.toContain('(export the app');
    }
    const wrapped = join(dir, 'wrapped.mjs');
    writeFileSync(wrapped, 'export default { default: function listener() {} };');
    expect((await loadApp(wrapped, dir)).name).toBe('listener');
  });

  it('requireProof from flags and the environment; the start line names the sources, never a secret', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const file = join(mkdtempSync(join(tmpdir(), 'tp-cli-')), 'secrets');
    writeFileSync(file, `${SECRET}\n`);
    const flags = run([...MINIMAL, '--proof-header', 'X-Proof', '--proof-secrets-file', file]);
    expect(flags.options.requireProof).toEqual({ header: 'X-Proof', secrets: [SECRET] });
    expect(flags.sources.proof).toBe('--proof-header, --proof-secrets-file');
    const line = describeConfig(flags, 'u');
    expect(line).toContain('proof: header X-Proof, 1 secret [--proof-header, --proof-secrets-file]');
    expect(line).not.toContain(SECRET);
    const env = run(MINIMAL, {
      TRUSTED_PROXY_PROOF_HEADER: 'x-p',
      TRUSTED_PROXY_PROOF_SECRETS: `${SECRET},${SECRET}x`,
    });
    expect(env.options.requireProof).toEqual({ header: 'x-p', secrets: [SECRET, `${SECRET}x`] });
    expect(env.sources.proof).toBe('TRUSTED_PROXY_PROOF_HEADER, TRUSTED_PROXY_PROOF_SECRETS');
    expect(describeConfig(env, 'u')).toContain('2 secrets');
    const none = run(MINIMAL);
    expect('requireProof' in none.options).toBe(false);
    expect(none.sources.proof).toBeUndefined();
    expect(describeConfig(none, 'u')).not.toContain('proof:');
  });

  it('the PROXY protocol flags and variable', () => {
    expect(
      run([...MINIMAL, '--proxy-protocol', '--proxy-protocol-from', '10.0.0.0/8, ::1']).proxyProtocol,
    ).toEqual({
      from: ['10.0.0.0/8', '::1'],
      source: '--proxy-protocol-from',
    });
    expect(
      run([
        ...MINIMAL,
        '--proxy-protocol-from',
        '10.0.0.1',
        '--proxy-protocol',
        '--proxy-protocol-from',
        '10.0.0.2',
      ]).proxyProtocol?.from,
    ).toEqual(['10.0.0.1', '10.0.0.2']);
    expect(run(MINIMAL, { TRUSTED_PROXY_PROTOCOL_FROM: 'private' }).proxyProtocol).toEqual({
      from: ['private'],
      source: 'TRUSTED_PROXY_PROTOCOL_FROM',
    });
    expect(run(MINIMAL).proxyProtocol).toBeUndefined();
    expect(usage([...MINIMAL, '--proxy-protocol-from', '10.0.0.1'])).toBe(
      'UsageError: --proxy-protocol-from needs --proxy-protocol (the header is never read by default)',
    );
    expect(usage([...MINIMAL, '--proxy-protocol'])).toMatch(
      /^UsageError: --proxy-protocol needs the load balancers/,
    );
    expect(usage([...MINIMAL, '--proxy-protocol', '--proxy-protocol-from', 'nope.example'])).toMatch(
      /^TrustedProxyConfigError: --proxy-protocol-from: /,
    );
    const line = describeConfig(
      run([...MINIMAL, '--proxy-protocol', '--proxy-protocol-from', '10.0.0.1']),
      'u',
    );
    expect(line).toContain(
      'proxy protocol: v1/v2 header required from 10.0.0.1 [--proxy-protocol-from], other peers refused',
    );
  });

  it('an empty flag list falls back to the variable; lists are joined with a comma and a space', () => {
    const config = run(['--trust-proxy-header', 'X-Forwarded-For', '--trust-proxy', '10.0.0.1,10.0.0.2']);
    expect(describeConfig(config, 'u')).toContain('trusted proxies: 10.0.0.1, 10.0.0.2 [--trust-proxy]');
    expect(usage([], {})).toMatch(/^UsageError: no trusted headers/);
  });
});
