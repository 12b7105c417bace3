/**
 * Servers for the scenario table through the framework adapters (R19): Fastify 5 with
 * trusted-proxy/fastify and Koa with trusted-proxy/koa, each answering with ProxyInfo and the
 * framework's own accessors, over HTTP/1.1 (TLS rows over HTTPS) or HTTP/2 (h2c; TLS rows over
 * h2 with allowHTTP1).
 */
import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import Koa, { type Context } from 'koa';
import trustedProxyPlugin from '../../src/adapters/fastify.js';
import { trustedProxy as koaTrustedProxy } from '../../src/adapters/koa.js';
import { proxyInfo, reconstructUrl } from '../../src/index.js';
import { type EdgeServer, type Listen, type Observation, TLS_CERT, TLS_KEY } from './runner.js';
import type { ScenarioOptions } from './scenarios.js';

/** Request headers an app reads: pseudo-headers other than `:authority` are transport. */
function appHeaders(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if ((name === ':authority' || !name.startsWith(':')) && value !== undefined) out[name] = value;
  }
  return out;
}

function observeFastify(request: FastifyRequest): Observation {
  const info = proxyInfo(request.raw)!;
  if (request.proxyInfo !== info) throw new Error('request.proxyInfo is not proxyInfo(request.raw)');
  return {
    info,
    url: reconstructUrl(request.raw as never),
    headers: appHeaders(request.headers),
    accessors: { ip: request.ip, protocol: request.protocol, hostname: request.hostname, host: request.host },
  };
}

export async function startFastify(
  options: ScenarioOptions,
  listen: Listen,
  transport: 'http1' | 'http2' = 'http1',
): Promise<EdgeServer> {
  const tls = { key: TLS_KEY, cert: TLS_CERT };
  const app = (transport === 'http2'
    ? listen.tls
      ? Fastify({ http2: true, https: { ...tls, allowHTTP1: true } })
      : Fastify({ http2: true })
    : listen.tls
      ? Fastify({ https: tls })
      : Fastify()) as unknown as FastifyInstance;
  await app.register(trustedProxyPlugin, options);
  app.get('/*', async (request) => observeFastify(request));
  await app.listen({ port: 0, host: listen.host });
  const address = app.server.address();
  return {
    port: typeof address === 'object' && address !== null ? address.port : 0,
    close: () => app.close(),
  };
}

function observeKoa(ctx: Context): Observation {
  return {
    info: proxyInfo(ctx.req)!,
    url: reconstructUrl(ctx.req),
    headers: appHeaders(ctx.headers),
    // Koa's href: the public origin and the path as routed (no prefix).
    accessors: { ip: ctx.ip, protocol: ctx.protocol, hostname: ctx.hostname, host: ctx.host, url: ctx.href },
  };
}

export async function startKoa(
  options: ScenarioOptions,
  listen: Listen,
  transport: 'http1' | 'http2' = 'http1',
): Promise<EdgeServer> {
  const app = new Koa();
  app.use(koaTrustedProxy(options));
  app.use((ctx) => {
    ctx.body = observeKoa(ctx);
  });
  const tls = { key: TLS_KEY, cert: TLS_CERT };
  const callback = app.callback() as never;
  const server =
    transport === 'http2'
      ? listen.tls
        ? http2.createSecureServer({ ...tls, allowHTTP1: true }, callback)
        : http2.createServer(callback)
      : listen.tls
        ? https.createServer(tls, callback)
        : http.createServer(callback);
  await new Promise<void>((done) => server.listen(0, listen.host, done));
  const address = server.address();
  return {
    port: typeof address === 'object' && address !== null ? address.port : 0,
    close: () => new Promise((done) => server.close(() => done())),
  };
}
