/**
 * examples/fastify-app.mjs, examples/koa-app.mjs and examples/http2-server.mjs run as
 * documented (against the build, through the package's exports), behind a "proxy" that is
 * this test's loopback address 127.0.0.1; a direct client is 127.0.0.50.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { sendRaw } from '../edges/runner.js';
import type { Scenario } from '../edges/scenarios.js';
import { sendHttp2 } from '../http2/client.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) child.kill('SIGTERM');
});

/** Starts an example and resolves with the port it prints. */
function start(file: string, env: Record<string, string> = {}): Promise<number> {
  const child = spawn(process.execPath, [file], {
    cwd: root,
    env: { PATH: process.env.PATH, PORT: '0', ...env },
    stdio: 'pipe',
  });
  children.push(child);
  let output = '';
  return new Promise((done, fail) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on https?:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (match) done(Number(match[1]));
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => fail(new Error(`${file} exited ${code}:\n${output}`)));
  });
}

const FROM_PROXY: Array<[string, string]> = [
  ['Host', 'app.internal:3000'],
  ['X-Forwarded-For', '6.6.6.6, 203.0.113.7'],
  ['X-Forwarded-Host', 'shop.example.com'],
  ['X-Forwarded-Proto', 'https'],
];

function send(port: number, from: string, headers: Array<[string, string]>, tls = false) {
  return sendRaw({ from, headers, path: '/hello?x=1', tls } as Scenario, port);
}

for (const framework of ['fastify', 'koa'] as const) {
  describe(`examples/${framework}-app.mjs`, () => {
    it('reports the client and the public URL behind the proxy; refuses a direct client with 400', async () => {
      const port = await start(`examples/${framework}-app.mjs`);
      const got = await send(port, '127.0.0.1', FROM_PROXY);
      expect(JSON.parse(got.body)).toEqual({
        client: '203.0.113.7',
        url: 'https://shop.example.com/hello?x=1',
        framework,
      });
      // A direct client cannot claim anything: its Host app.internal is not an allowed host.
      expect((await send(port, '127.0.0.50', FROM_PROXY)).status).toBe(400);
    });
  });
}

describe('examples/http2-server.mjs', () => {
  it('over h2c: Envoy :scheme https and X-Forwarded-For believed from the proxy only', async () => {
    const port = await start('examples/http2-server.mjs');
    const headers: Array<[string, string]> = [
      ['Host', 'shop.example.com'],
      ['X-Forwarded-For', '203.0.113.7'],
    ];
    const got = await sendHttp2({ from: '127.0.0.1', headers, path: '/hello?x=1' }, port, {
      ':scheme': 'https',
    });
    expect(JSON.parse(got.body)).toEqual({
      client: '203.0.113.7',
      url: 'https://shop.example.com/hello?x=1',
      framework: 'http2',
    });
    const direct = await sendHttp2({ from: '127.0.0.50', headers, path: '/hello?x=1' }, port, {
      ':scheme': 'https',
    });
    expect(JSON.parse(direct.body)).toMatchObject({
      client: '127.0.0.50',
      url: 'http://shop.example.com/hello?x=1',
    });
  });

  it('over TLS with allowHTTP1: an HTTP/1.1 client is served too', async () => {
    const port = await start('examples/http2-server.mjs', {
      TLS_KEY: 'test/fixtures/tls-key.pem',
      TLS_CERT: 'test/fixtures/tls-cert.pem',
    });
    const got = await send(
      port,
      '127.0.0.1',
      [
        ['Host', 'shop.example.com'],
        ['X-Forwarded-For', '203.0.113.7'],
      ],
      true,
    );
    expect(JSON.parse(got.body)).toEqual({
      client: '203.0.113.7',
      url: 'https://shop.example.com/hello?x=1',
      framework: 'http2',
    });
  });
});
