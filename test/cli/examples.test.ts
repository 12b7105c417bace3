// The files under examples/ run as documented.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanEnv, fetchLocal, NPM_START_FLAGS, ROOT, startCli } from './helpers.js';

const PROXIED = {
  'X-Forwarded-For': '203.0.113.7',
  'X-Forwarded-Host': 'blog.example.com',
  'X-Forwarded-Proto': 'https',
  'X-Forwarded-Prefix': '/blog',
};

describe('examples/', () => {
  it('express-app.mjs runs under the command line, with --rewrite-location', async () => {
    const cli = await startCli([...NPM_START_FLAGS, '--rewrite-location', 'examples/express-app.mjs']);
    try {
      const home = await fetchLocal(cli.port, '/', PROXIED);
      expect(home.body).toBe('https://blog.example.com/blog/\nclient: 203.0.113.7\n');
      const whoami = JSON.parse((await fetchLocal(cli.port, '/whoami', PROXIED)).body);
      expect(whoami).toMatchObject({
        ip: '203.0.113.7',
        protocol: 'https',
        secure: true,
        host: 'blog.example.com',
      });
      const links = JSON.parse((await fetchLocal(cli.port, '/links', PROXIED)).body);
      expect(links).toEqual({
        home: 'https://blog.example.com/blog/',
        login: 'https://blog.example.com/blog/login?next=%2F',
      });
      expect((await fetchLocal(cli.port, '/login', PROXIED)).headers.location).toBe('/blog/');
    } finally {
      await cli.stop();
    }
  });

  it('plain-listener.cjs runs under the command line, configured by the environment', async () => {
    const cli = await startCli(['examples/plain-listener.cjs'], {
      TRUSTED_PROXY_HEADERS: 'X-Forwarded-For X-Forwarded-Host X-Forwarded-Port',
      TRUSTED_PROXIES: 'loopback',
    });
    try {
      const answer = await fetchLocal(cli.port, '/x', { 'X-Forwarded-Host': 'blog.example.com:8080' });
      expect(JSON.parse(answer.body)).toEqual({
        url: 'http://blog.example.com:8080/x',
        client: '127.0.0.1',
        viaTrustedProxy: true,
        applied: ['x-forwarded-host'],
      });
    } finally {
      await cli.stop();
    }
  });

  it('own-server.mjs reads the environment, serves, and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, ['examples/own-server.mjs'], {
      cwd: ROOT,
      env: cleanEnv({
        TRUSTED_PROXY_HEADERS: 'X-Forwarded-For X-Forwarded-Host X-Forwarded-Proto',
        TRUSTED_PROXIES: 'loopback',
        PORT: '0',
      }),
    });
    const exited = once(child, 'close');
    let stdout = '';
    child.stdout.setEncoding('utf8');
    const port = await new Promise<number>((resolve) => {
      child.stdout.on('data', (d: string) => {
        stdout += d;
        const match = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(stdout);
        if (match) resolve(Number(match[1]));
      });
    });
    const answer = await fetchLocal(port, '/a', PROXIED);
    expect(answer.body).toBe('https://blog.example.com/a\n');
    child.kill('SIGTERM');
    const [code] = await exited;
    expect(code).toBe(0);
  });

  it('own-server.mjs refuses to start without TRUSTED_PROXIES, naming it', async () => {
    const child = spawn(process.execPath, ['examples/own-server.mjs'], {
      cwd: ROOT,
      env: cleanEnv({ TRUSTED_PROXY_HEADERS: 'X-Forwarded-For', PORT: '0' }),
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    const [code] = await once(child, 'close');
    expect(code).toBe(1);
    expect(stderr).toContain('TrustedProxyConfigError: TRUSTED_PROXIES is required');
  });

  it('Dockerfile runs the command line as PID 1 with flags the command line accepts', async () => {
    const dockerfile = readFileSync(join(ROOT, 'examples', 'Dockerfile'), 'utf8');
    const cmd = /^CMD (\[[\s\S]*?\])\s*$/m.exec(dockerfile.replace(/\\\n\s*/g, ' '));
    expect(cmd).not.toBeNull();
    const argv = JSON.parse(cmd![1]!) as string[];
    expect(argv[0]).toBe('node_modules/.bin/trusted-proxy');
    // Same flags, but on a free loopback port and serving the example app instead of app.mjs.
    const flags = argv.slice(1, -1);
    const at = (flag: string) => flags.indexOf(flag) + 1;
    flags[at('--host')] = '127.0.0.1';
    flags.splice(at('--port') - 1, 2);
    const cli = await startCli([...flags, 'examples/plain-listener.cjs']);
    try {
      expect(cli.startLine).toContain(
        'trusted headers: X-Forwarded-For, X-Forwarded-Host, X-Forwarded-Port, X-Forwarded-Scheme [--trust-proxy-header]',
      );
      expect(cli.startLine).toContain('trusted proxies: 172.17.0.1 [--trust-proxy]');
      expect(cli.startLine).toContain('rewrite location: on');
    } finally {
      await cli.stop();
    }
  });
});
