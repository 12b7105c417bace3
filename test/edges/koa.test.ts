/**
 * The scenario table through the Koa middleware (trusted-proxy/koa, R19): a real Koa server
 * over real sockets; the app answers with ProxyInfo and Koa's own accessors.
 */
import http from 'node:http';
import https from 'node:https';
import Koa, { type Context } from 'koa';
import { trustedProxy } from '../../src/adapters/koa.js';
import { proxyInfo, reconstructUrl } from '../../src/index.js';
import { describeEdge, type EdgeServer, type Listen, type Observation, TLS_CERT, TLS_KEY } from './runner.js';
import type { ScenarioOptions } from './scenarios.js';

export function observeKoa(ctx: Context): Observation {
  return {
    info: proxyInfo(ctx.req)!,
    url: reconstructUrl(ctx.req),
    headers: ctx.headers as Record<string, string>,
    accessors: {
      ip: ctx.ip,
      protocol: ctx.protocol,
      hostname: ctx.hostname,
      host: ctx.host,
      // Koa's href: the public origin and the path as routed (no prefix).
      url: ctx.href,
    },
  };
}

export async function startKoa(options: ScenarioOptions, listen: Listen): Promise<EdgeServer> {
  const app = new Koa();
  app.use(trustedProxy(options));
  app.use((ctx) => {
    ctx.body = observeKoa(ctx);
  });
  const server = listen.tls
    ? https.createServer({ key: TLS_KEY, cert: TLS_CERT }, app.callback())
    : http.createServer(app.callback());
  await new Promise<void>((done) => server.listen(0, listen.host, done));
  const address = server.address();
  return {
    port: typeof address === 'object' && address !== null ? address.port : 0,
    close: () => new Promise((done) => server.close(() => done())),
  };
}

describeEdge({ name: 'Koa 3 (trusted-proxy/koa)', rawLines: true, start: startKoa });
