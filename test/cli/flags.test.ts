import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, fetchLocal, ROOT, runCli, startCli } from './helpers.js';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };

describe('trusted-proxy CLI › --help and --version', () => {
  it('prints the usage on --help and exits 0', async () => {
    const run = await runCli(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Usage: trusted-proxy [flags] [APP]');
    for (const flag of [
      '--trust-proxy-header',
      '--trust-proxy',
      '--allowed-host',
      '--port',
      '--host',
      '--rewrite-location',
      '--log-rejections',
    ]) {
      expect(run.stdout).toContain(flag);
    }
  });

  it('prints the package version on --version and exits 0', async () => {
    const run = await runCli(['--version']);
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe(pkg.version);
  });
});

describe('trusted-proxy CLI › flags', () => {
  it('prints one start line with the real port and the resolved trust configuration', async () => {
    const cli = await startCli([
      '--trust-proxy',
      '127.0.0.1',
      '--trust-proxy',
      '192.168.59.0/24',
      '--trust-proxy-header',
      'X-Forwarded-Host',
      '--trust-proxy-header',
      'X-Forwarded-Port',
    ]);
    try {
      expect(cli.port).toBeGreaterThan(0);
      expect(cli.startLine).toContain(`listening on http://127.0.0.1:${cli.port} `);
      expect(cli.startLine).toContain('trusted proxies: 127.0.0.1, 192.168.59.0/24 [--trust-proxy]');
      expect(cli.startLine).toContain(
        'trusted headers: X-Forwarded-Host, X-Forwarded-Port [--trust-proxy-header]',
      );
      expect(cli.startLine).toContain('allowed hosts: any');
      expect(cli.startLine).toContain('app: built-in demo');
      expect(cli.stdout().split('\n')).toHaveLength(2); // the start line and the final newline
    } finally {
      await cli.stop();
    }
  });

  it('applies the trusted headers from a trusted peer', async () => {
    const cli = await startCli([
      '--trust-proxy',
      'loopback',
      '--trust-proxy-header',
      'X-Forwarded-Host,X-Forwarded-Port',
    ]);
    try {
      const answer = await fetchLocal(cli.port, '/a?b=1', {
        'X-Forwarded-Host': 'blog.example.com',
        'X-Forwarded-Port': '8080',
      });
      expect(answer.body.split('\n')[0]).toBe('http://blog.example.com:8080/a?b=1');
    } finally {
      await cli.stop();
    }
  });

  it('reads a lone integer --trust-proxy as a hop count', async () => {
    const cli = await startCli(['--trust-proxy', '1', '--trust-proxy-header', 'X-Forwarded-For']);
    try {
      expect(cli.startLine).toContain('trusted proxies: 1 hop (hop count)');
      const answer = await fetchLocal(cli.port, '/', {
        Accept: 'application/json',
        'X-Forwarded-For': '203.0.113.9',
      });
      expect(JSON.parse(answer.body).proxyInfo.remoteAddress).toBe('203.0.113.9');
    } finally {
      await cli.stop();
    }
  });

  it('trusts nothing from a peer outside --trust-proxy', async () => {
    const cli = await startCli(['--trust-proxy', '192.168.59.3', '--trust-proxy-header', 'X-Forwarded-Host']);
    try {
      const answer = await fetchLocal(cli.port, '/', { 'X-Forwarded-Host': 'evil.example' });
      expect(answer.body.split('\n')[0]).toBe(`http://127.0.0.1:${cli.port}/`);
      expect(answer.body).toContain('x-forwarded-host: untrusted-peer "evil.example"');
    } finally {
      await cli.stop();
    }
  });

  it('refuses hosts outside --allowed-host with 400', async () => {
    const cli = await startCli([
      '--trust-proxy',
      'loopback',
      '--trust-proxy-header',
      'X-Forwarded-Host',
      '--allowed-host',
      'blog.example.com',
    ]);
    try {
      expect(cli.startLine).toContain('allowed hosts: blog.example.com [--allowed-host]');
      const ok = await fetchLocal(cli.port, '/', { 'X-Forwarded-Host': 'blog.example.com' });
      expect(ok.status).toBe(200);
      const refused = await fetchLocal(cli.port, '/', { 'X-Forwarded-Host': 'other.example.com' });
      expect(refused.status).toBe(400);
    } finally {
      await cli.stop();
    }
  });

  it('rewrites Location with --rewrite-location, and not without it', async () => {
    const app = join(FIXTURES, 'esm-express-app.mjs');
    const base = ['--trust-proxy', 'loopback', '--trust-proxy-header', 'X-Forwarded-Prefix,X-Forwarded-Host'];
    const headers = { 'X-Forwarded-Prefix': '/app', 'X-Forwarded-Host': 'blog.example.com' };
    const on = await startCli([...base, '--rewrite-location', app]);
    try {
      expect(on.startLine).toContain('rewrite location: on');
      expect((await fetchLocal(on.port, '/relative', headers)).headers.location).toBe('/app/landed');
      expect((await fetchLocal(on.port, '/internal', headers)).headers.location).toBe(
        'http://blog.example.com/app/static/',
      );
    } finally {
      await on.stop();
    }
    const off = await startCli([...base, app]);
    try {
      expect(off.startLine).toContain('rewrite location: off');
      expect((await fetchLocal(off.port, '/relative', headers)).headers.location).toBe('/landed');
      expect((await fetchLocal(off.port, '/internal', headers)).headers.location).toBe(
        `http://127.0.0.1:${off.port}/static/`,
      );
    } finally {
      await off.stop();
    }
  });

  it('logs one JSON line per rejected value with --log-rejections', async () => {
    const cli = await startCli([
      '--trust-proxy',
      'loopback',
      '--trust-proxy-header',
      'X-Forwarded-For',
      '--log-rejections',
    ]);
    try {
      expect(cli.startLine).toContain('log rejections: on');
      const spoof = '6.6.6.6"}, {"injected": true';
      await fetchLocal(cli.port, '/', { 'X-Real-IP': spoof, 'X-Forwarded-Host': '<evil>' });
      const lines = cli
        .stderr()
        .split('\n')
        .filter((l) => l !== '');
      expect(lines).toHaveLength(2);
      const events = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
      const realIp = events.find((e) => e.header === 'x-real-ip');
      expect(realIp).toMatchObject({
        reason: 'not-trusted-header',
        value: spoof,
        peer: '127.0.0.1',
        method: 'GET',
      });
      expect(events.find((e) => e.header === 'x-forwarded-host')).toMatchObject({
        reason: 'not-trusted-header',
        value: '<evil>',
      });
    } finally {
      await cli.stop();
    }
  });

  it('logs nothing on stderr without --log-rejections', async () => {
    const cli = await startCli(['--trust-proxy', 'loopback', '--trust-proxy-header', 'X-Forwarded-For']);
    try {
      await fetchLocal(cli.port, '/', { 'X-Real-IP': '6.6.6.6' });
      expect(cli.stderr()).toBe('');
    } finally {
      await cli.stop();
    }
  });
});

describe('trusted-proxy CLI › environment', () => {
  it('reads TRUSTED_PROXY_HEADERS and TRUSTED_PROXIES', async () => {
    const cli = await startCli([], {
      TRUSTED_PROXY_HEADERS: 'X-Forwarded-Host X-Forwarded-Proto',
      TRUSTED_PROXIES: 'loopback',
    });
    try {
      expect(cli.startLine).toContain('trusted proxies: loopback [TRUSTED_PROXIES]');
      expect(cli.startLine).toContain(
        'trusted headers: X-Forwarded-Host, X-Forwarded-Proto [TRUSTED_PROXY_HEADERS]',
      );
      const answer = await fetchLocal(cli.port, '/', {
        'X-Forwarded-Host': 'blog.example.com',
        'X-Forwarded-Proto': 'https',
      });
      expect(answer.body.split('\n')[0]).toBe('https://blog.example.com/');
    } finally {
      await cli.stop();
    }
  });

  it('reads TRUSTED_PROXY_ALLOWED_HOSTS', async () => {
    const cli = await startCli([], {
      TRUSTED_PROXY_HEADERS: 'X-Forwarded-Host',
      TRUSTED_PROXIES: 'loopback',
      TRUSTED_PROXY_ALLOWED_HOSTS: '*.example.com',
    });
    try {
      expect(cli.startLine).toContain('allowed hosts: *.example.com [TRUSTED_PROXY_ALLOWED_HOSTS]');
      expect((await fetchLocal(cli.port, '/', { 'X-Forwarded-Host': 'blog.example.com' })).status).toBe(200);
      expect((await fetchLocal(cli.port, '/', { 'X-Forwarded-Host': 'example.org' })).status).toBe(400);
    } finally {
      await cli.stop();
    }
  });

  it('lets flags override the environment, variable by variable', async () => {
    const cli = await startCli(['--trust-proxy-header', 'X-Forwarded-Proto'], {
      TRUSTED_PROXY_HEADERS: 'X-Forwarded-Host',
      TRUSTED_PROXIES: 'loopback',
    });
    try {
      expect(cli.startLine).toContain('trusted headers: X-Forwarded-Proto [--trust-proxy-header]');
      expect(cli.startLine).toContain('trusted proxies: loopback [TRUSTED_PROXIES]');
      const answer = await fetchLocal(cli.port, '/', {
        Accept: 'application/json',
        'X-Forwarded-Host': 'blog.example.com',
        'X-Forwarded-Proto': 'https',
      });
      const report = JSON.parse(answer.body);
      expect(report.url).toBe(`https://127.0.0.1:${cli.port}/`);
      expect(report.proxyInfo.applied).toEqual(['x-forwarded-proto']);
      expect(report.stripped).toContain('x-forwarded-host');
    } finally {
      await cli.stop();
    }
  });
});

const fixture = (name: string) => join('test', 'fixtures', 'cli', name);
const TRUST = ['--trust-proxy', 'loopback', '--trust-proxy-header', 'X-Forwarded-For'];

const errors: { name: string; args: string[]; env?: Record<string, string>; message: string | RegExp }[] = [
  {
    name: 'an unknown flag',
    args: [...TRUST, '--trust-proxies', 'x'],
    message: "Unknown option '--trust-proxies'",
  },
  { name: 'a flag without its value', args: [...TRUST, '--port'], message: '--port' },
  {
    name: 'a non-numeric port',
    args: [...TRUST, '--port', 'http'],
    message: '--port: expected 0-65535, got "http"',
  },
  { name: 'a port above 65535', args: [...TRUST, '--port', '65536'], message: '--port: expected 0-65535' },
  { name: 'a negative port', args: [...TRUST, '--port=-1'], message: '--port: expected 0-65535' },
  {
    name: 'no trusted headers at all',
    args: ['--trust-proxy', 'loopback'],
    message: 'no trusted headers: give --trust-proxy-header NAME (repeatable) or set TRUSTED_PROXY_HEADERS',
  },
  {
    name: 'no trusted proxies at all',
    args: ['--trust-proxy-header', 'X-Forwarded-For'],
    message: 'no trusted proxies: give --trust-proxy ADDR (repeatable) or set TRUSTED_PROXIES',
  },
  {
    name: 'an unknown header name in a flag',
    args: ['--trust-proxy', 'loopback', '--trust-proxy-header', 'X-Forwarded-Fro'],
    message: /--trust-proxy-header: unknown header .*"X-Forwarded-Fro"/,
  },
  {
    name: 'a hostname in --trust-proxy',
    args: ['--trust-proxy', 'proxy.internal', '--trust-proxy-header', 'X-Forwarded-For'],
    message: /error: --trust-proxy: .*proxy\.internal/,
  },
  {
    name: 'a bad variable',
    args: ['--trust-proxy-header', 'X-Forwarded-For'],
    env: { TRUSTED_PROXIES: '10.0.0.0/40' },
    message: /TRUSTED_PROXIES: .*10\.0\.0\.0\/40/,
  },
  {
    name: 'a bad TRUSTED_PROXY_ALLOWED_HOSTS',
    args: TRUST,
    env: { TRUSTED_PROXY_ALLOWED_HOSTS: 'example.com:443' },
    message: /TRUSTED_PROXY_ALLOWED_HOSTS: .*example\.com:443/,
  },
  {
    name: 'a trust-everything /0 range',
    args: ['--trust-proxy', '::/0', '--trust-proxy-header', 'X-Forwarded-For'],
    message: /--trust-proxy: .*\/0/,
  },
  { name: 'two apps', args: [...TRUST, 'a.mjs', 'b.mjs'], message: 'expected at most one APP, got 2' },
  {
    name: 'a missing app file',
    args: [...TRUST, 'missing-app.mjs'],
    message: 'cannot load app "missing-app.mjs": no such file',
  },
  {
    name: 'an app that throws while loading',
    args: [...TRUST, fixture('throws-on-load.mjs')],
    message: 'fixture failed to initialise',
  },
  {
    name: 'an app that exports a number',
    args: [...TRUST, fixture('exports-number.mjs')],
    message:
      'must export an Express/Connect app or a (req, res) listener as its default export (or module.exports), got number',
  },
  {
    name: 'an app with no default export',
    args: [...TRUST, fixture('no-default.mjs')],
    message: 'got no default export',
  },
  {
    name: 'an app that exports a server',
    args: [...TRUST, fixture('exports-server.mjs')],
    message: 'not a server',
  },
];

describe('trusted-proxy CLI › errors exit 2 before listening', () => {
  for (const row of errors) {
    it(`refuses ${row.name}`, async () => {
      const run = await runCli(['--port', '0', ...row.args], row.env);
      expect(run.code).toBe(2);
      expect(run.stdout).not.toContain('listening');
      expect(run.stderr).toMatch(/^trusted-proxy: error: /);
      if (typeof row.message === 'string') expect(run.stderr).toContain(row.message);
      else expect(run.stderr).toMatch(row.message);
      expect(run.stderr).toContain("Run 'trusted-proxy --help' for usage.");
    });
  }

  it('exits 1 (not 2) when the port is taken, after a clear message', async () => {
    const first = await startCli(TRUST);
    try {
      const run = await runCli(['--port', String(first.port), ...TRUST]);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`cannot listen on 127.0.0.1:${first.port}: EADDRINUSE`);
    } finally {
      await first.stop();
    }
  });
});
