/**
 * The integration examples under examples/ run as documented, each in its own runtime (Node,
 * real Bun, real Deno), behind a "proxy" that is this test's loopback address 127.0.0.1.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BUN, DENO } from './runtimes.js';

const children: ChildProcess[] = [];
const caches: string[] = [];
afterAll(() => {
  for (const child of children) child.kill('SIGTERM');
  for (const dir of caches) rmSync(dir, { recursive: true, force: true });
});

/** Starts an example and resolves with the port it prints. */
function start(command: string, args: string[]): Promise<number> {
  const cache = mkdtempSync(join(tmpdir(), 'trusted-proxy-example-'));
  caches.push(cache);
  const child = spawn(command, args, {
    env: {
      PATH: process.env.PATH,
      HOME: cache,
      PORT: '0',
      NO_COLOR: '1',
      DENO_DIR: cache,
      DENO_NO_UPDATE_CHECK: '1',
      BUN_INSTALL_CACHE_DIR: cache,
    },
    stdio: 'pipe',
  });
  children.push(child);
  let output = '';
  return new Promise((done, fail) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (match) done(Number(match[1]));
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => fail(new Error(`${args.join(' ')} exited ${code}:\n${output}`)));
  });
}

function get(
  port: number,
  path: string,
  headers: Record<string, string>,
  from = '127.0.0.1',
): Promise<{ status: number; body: string }> {
  return new Promise((done, fail) => {
    const req = http.request({ host: '127.0.0.1', port, path, localAddress: from, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => done({ status: res.statusCode!, body }));
    });
    req.on('error', fail);
    req.end();
  });
}

const FROM_PROXY = {
  Host: 'app.internal:3000',
  'X-Forwarded-For': '6.6.6.6, 203.0.113.7',
  'X-Forwarded-Host': 'shop.example.com',
  'X-Forwarded-Proto': 'https',
};

const HONO = [
  { runtime: 'node', command: process.execPath, args: ['examples/hono-node.mjs'] },
  { runtime: 'bun', command: BUN, args: ['--no-install', 'run', 'examples/hono-bun.mjs'] },
  {
    runtime: 'deno',
    command: DENO,
    args: [
      'run',
      '--cached-only',
      '--no-lock',
      '--allow-net',
      '--allow-read',
      '--allow-env',
      'examples/hono-deno.mjs',
    ],
  },
];

describe('examples/hono-*.mjs', () => {
  for (const { runtime, command, args } of HONO) {
    it(`runs on ${runtime}: the client behind the proxy, the public URL, ipRestriction and allowedHosts`, async () => {
      const port = await start(command, args);
      const got = await get(port, '/hello?x=1', FROM_PROXY);
      expect(JSON.parse(got.body)).toEqual({
        client: '203.0.113.7',
        url: 'https://shop.example.com/hello?x=1',
        runtime,
      });
      // A direct client (not the proxy) cannot claim anything.
      const direct = await get(port, '/hello', FROM_PROXY, '127.0.0.50');
      expect(direct.status).toBe(400); // its Host app.internal is not an allowed host
      expect((await get(port, '/admin/x', FROM_PROXY)).status).toBe(200);
      expect((await get(port, '/admin/x', { ...FROM_PROXY, 'X-Forwarded-For': '198.51.100.1' })).status).toBe(
        403,
      );
    });
  }
});

describe('examples/fetch-node.mjs', () => {
  it('resolves a Web Request on node:http, Forwarded line by line', async () => {
    const port = await start(process.execPath, ['examples/fetch-node.mjs']);
    const got = await get(port, '/a?b=1', {
      Host: 'app.internal:3000',
      Forwarded: 'for=203.0.113.7;proto=https;host=shop.example.com',
      'X-Forwarded-Prefix': '/store',
    });
    expect(JSON.parse(got.body)).toEqual({
      url: 'https://shop.example.com/a?b=1',
      public: 'https://shop.example.com/store/a?b=1',
    });
  });
});

describe('examples/cloudflare-worker.mjs', () => {
  it('treats CF-Connecting-IP as the peer and strips what the client forged', async () => {
    const path = '../../examples/cloudflare-worker.mjs';
    const worker = ((await import(path)) as { default: unknown }).default as {
      fetch(request: Request, env: unknown): Promise<Response>;
    };
    const response = await worker.fetch(
      new Request('https://shop.example.com/p?q=1', {
        headers: {
          'CF-Connecting-IP': '203.0.113.7',
          'X-Forwarded-For': '6.6.6.6',
          'X-Forwarded-Host': 'evil.example',
        },
      }),
      {},
    );
    expect(await response.json()).toEqual({
      client: '203.0.113.7',
      url: 'https://shop.example.com/p?q=1',
      dropped: ['x-forwarded-for', 'cf-connecting-ip', 'x-forwarded-host'],
    });
  });
});
