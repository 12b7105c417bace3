/**
 * trusted-proxy/fastify on real Fastify 5 instances: what test/adapters/fastify.test.ts does not
 * reach. The plugin's name as Fastify records it (another plugin can declare a dependency on
 * `trusted-proxy`, the plugin chain names it), redirects left alone without
 * `rewriteLocation`, a UNIX-socket server (no peer address), and the error a refused host
 * reaches Fastify's error handler with.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import trustedProxy from '../../../src/adapters/fastify.js';
import { ERROR_CODES, type TrustedProxyOptions } from '../../../src/index.js';

const OPTIONS: TrustedProxyOptions = {
  trustedHeaders: ['X-Forwarded-For', 'X-Forwarded-Host', 'X-Forwarded-Proto'],
  trustedProxies: 'loopback',
};

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0)) await fn();
});

function app(): FastifyInstance {
  const instance = Fastify();
  cleanup.push(() => instance.close());
  return instance;
}

/** One request over a raw socket (TCP from 127.0.0.1, or a UNIX path); the answer as text. */
async function request(where: number | string, lines: string[], path = '/'): Promise<string> {
  const socket =
    typeof where === 'string'
      ? net.connect({ path: where })
      : net.connect({ host: '127.0.0.1', port: where });
  socket.end(`GET ${path} HTTP/1.1\r\n${lines.map((l) => `${l}\r\n`).join('')}Connection: close\r\n\r\n`);
  let text = '';
  for await (const chunk of socket) text += String(chunk);
  return text;
}

const bodyOf = (answer: string) => answer.slice(answer.indexOf('\r\n\r\n') + 4);

/** A plugin that declares a dependency the way fastify-plugin's `dependencies` does. */
function dependent(): (instance: FastifyInstance, _opts: unknown, done: () => void) => void {
  return Object.assign((_instance: FastifyInstance, _opts: unknown, done: () => void) => done(), {
    [Symbol.for('skip-override')]: true,
    [Symbol.for('plugin-meta')]: { name: 'needs-trusted-proxy', dependencies: ['trusted-proxy'] },
  });
}

describe('trusted-proxy/fastify › its name in Fastify', () => {
  it('a plugin depending on "trusted-proxy" registers after it, and hasPlugin finds it', async () => {
    const fastify = app();
    await fastify.register(trustedProxy, OPTIONS);
    await fastify.register(dependent());
    await fastify.ready();
    expect(fastify.hasPlugin('trusted-proxy')).toBe(true);
  });

  it('without it, the dependent plugin is refused (FST_ERR_PLUGIN_DEPENDENCY_NOT_REGISTERED)', async () => {
    const fastify = app();
    fastify.register(dependent());
    await expect(fastify.ready()).rejects.toMatchObject({ code: 'FST_ERR_PLUGIN_DEPENDENCY_NOT_REGISTERED' });
  });

  it('the plugin chain names it "trusted-proxy" (what Fastify prints for it)', async () => {
    const fastify = app();
    await fastify.register(trustedProxy, OPTIONS);
    expect(fastify.pluginName).toBe('fastify -> trusted-proxy');
  });
});

describe("trusted-proxy/fastify › beside Fastify's own trustProxy", () => {
  it('registration fails with a message that says what to do and names trustProxy', async () => {
    const fastify = Fastify({ trustProxy: true });
    cleanup.push(() => fastify.close());
    const error = await fastify.register(trustedProxy, OPTIONS).then(
      () => undefined,
      (err: unknown) => err as Error,
    );
    expect([error?.name, error?.message]).toEqual([
      'TrustedProxyConfigError',
      'Fastify\'s own trustProxy is on: create the instance without trustProxy, this plugin replaces it (request.ips is already defined): "trustProxy"',
    ]);
  });
});

describe('trusted-proxy/fastify › redirects and refusals', () => {
  /** A route that redirects to the internal origin, asked through a proxy for shop.example. */
  async function redirect(options: TrustedProxyOptions): Promise<{ answer: string; port: number }> {
    const fastify = app();
    await fastify.register(trustedProxy, options);
    let port = 0;
    fastify.get('/', (_request, reply) => reply.redirect(`http://127.0.0.1:${port}/landed`));
    await fastify.listen({ port: 0, host: '127.0.0.1' });
    port = (fastify.server.address() as net.AddressInfo).port;
    const answer = await request(port, [
      `Host: 127.0.0.1:${port}`,
      'X-Forwarded-Proto: https',
      'X-Forwarded-Host: shop.example',
    ]);
    return { answer, port };
  }

  it('without rewriteLocation a redirect to the internal origin is left as the route wrote it', async () => {
    const { answer, port } = await redirect(OPTIONS);
    expect(answer).toMatch(/^HTTP\/1\.1 302 /);
    expect(answer).toContain(`\r\nlocation: http://127.0.0.1:${port}/landed\r\n`);
  });

  it('with rewriteLocation the same redirect gets the public origin (R14)', async () => {
    const { answer } = await redirect({ ...OPTIONS, rewriteLocation: true });
    expect(answer).toContain('\r\nlocation: https://shop.example/landed\r\n');
  });

  it("a refused host reaches Fastify's error handler as a 400 with its code and hostname; the route never runs", async () => {
    const fastify = app();
    const seen: Array<Error & { statusCode?: number; code?: string; hostname?: string }> = [];
    let ran = 0;
    fastify.setErrorHandler((err, _request, reply) => {
      seen.push(err as never);
      reply.code(400).send('refused');
    });
    await fastify.register(trustedProxy, { ...OPTIONS, allowedHosts: ['shop.example'] });
    fastify.get('/', () => {
      ran++;
      return 'ran';
    });
    await fastify.listen({ port: 0, host: '127.0.0.1' });
    const port = (fastify.server.address() as net.AddressInfo).port;
    const answer = await request(port, ['Host: internal', 'X-Forwarded-Host: evil.example']);
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(bodyOf(answer)).toBe('refused');
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      statusCode: 400,
      code: ERROR_CODES.HOST_NOT_ALLOWED,
      hostname: 'evil.example',
    });
    expect(ran).toBe(0);
    expect(bodyOf(await request(port, ['Host: internal', 'X-Forwarded-Host: shop.example']))).toBe('ran');
    expect(seen).toHaveLength(1);
  });
});

describe('trusted-proxy/fastify › on a UNIX socket (no peer address)', () => {
  it("trusted 'unix': request.ip is the client, request.ips ends with it", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tp-fastify-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const fastify = app();
    await fastify.register(trustedProxy, { trustedHeaders: ['X-Forwarded-For'], trustedProxies: 'unix' });
    fastify.get('/', (request) => ({
      ip: request.ip ?? null,
      ips: request.ips,
      peer: request.proxyInfo.peerAddress ?? null,
    }));
    const path = join(dir, 's.sock');
    await fastify.listen({ path });
    const answer = await request(path, ['Host: app.internal', 'X-Forwarded-For: 198.51.100.4, 203.0.113.7']);
    expect(JSON.parse(bodyOf(answer))).toEqual({ ip: '203.0.113.7', ips: ['203.0.113.7'], peer: null });
  });
});
