/**
 * Types of the adapter subpaths: the Fastify plugin registers on HTTP/1, HTTPS and HTTP/2
 * instances and types `request.proxyInfo`; the Koa middleware is a Koa middleware; `.wrap`
 * takes node:http2 listeners. Checked by `tsc` (npm run typecheck); the runtime asserts are
 * the exports each subpath promises.
 */
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import Fastify from 'fastify';
import Koa from 'koa';
import { describe, expect, expectTypeOf, it } from 'vitest';
import * as fastifySubpath from '../../src/adapters/fastify.js';
import fastifyPlugin, {
  type FastifyTrustedProxyOptions,
  fastifyTrustedProxy,
} from '../../src/adapters/fastify.js';
import * as koaSubpath from '../../src/adapters/koa.js';
import { type ProxyInfo, type TrustedProxyOptions, trustedProxy } from '../../src/index.js';

const OPTIONS: TrustedProxyOptions = { trustedHeaders: ['X-Forwarded-For'], trustedProxies: 'loopback' };

describe('trusted-proxy/fastify types', () => {
  it('registers on HTTP/1 and HTTP/2 instances; request.proxyInfo is a ProxyInfo', async () => {
    const h1 = Fastify();
    const h2 = Fastify({ http2: true });
    h1.register(fastifyPlugin, OPTIONS);
    h2.register(fastifyPlugin, OPTIONS);
    h1.get('/', (request) => {
      expectTypeOf(request.proxyInfo).toEqualTypeOf<ProxyInfo>();
      return request.proxyInfo.remoteAddress;
    });
    expectTypeOf<FastifyTrustedProxyOptions>().toEqualTypeOf<TrustedProxyOptions>();
    await Promise.all([h1.close(), h2.close()]);
    expect(fastifyTrustedProxy).toBe(fastifyPlugin);
    expect(Object.keys(fastifySubpath).sort()).toEqual(['default', 'fastifyTrustedProxy']);
  });
});

describe('trusted-proxy/koa types', () => {
  it('exports trustedProxy(options) only, and its result is a Koa middleware', () => {
    expect(Object.keys(koaSubpath)).toEqual(['trustedProxy']);
    const app = new Koa();
    app.use(koaSubpath.trustedProxy(OPTIONS));
    expectTypeOf(koaSubpath.trustedProxy).parameter(0).toEqualTypeOf<TrustedProxyOptions>();
  });
});

describe('.wrap types on node:http2', () => {
  it('keeps an HTTP/2 listener its request and response types', () => {
    const wrapped = trustedProxy(OPTIONS).wrap((_req: Http2ServerRequest, _res: Http2ServerResponse) => {});
    expectTypeOf(wrapped).parameters.toEqualTypeOf<[Http2ServerRequest, Http2ServerResponse]>();
    expect(typeof wrapped).toBe('function');
  });
});
