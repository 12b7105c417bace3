/**
 * The scenario table through Hono on Node (@hono/node-server, real HTTP): the
 * `trusted-proxy/hono` middleware, and `wrapFetch` around `app.fetch`. The peer, TLS and
 * the raw header lines come from `c.env.incoming`, so `Forwarded` is read line by line.
 */
import https from 'node:https';
import { type ServerType, serve } from '@hono/node-server';
import { Hono } from 'hono';
import { clientAddress, type TrustedProxyEnv, trustedProxy, wrapFetch } from '../../src/adapters/hono.js';
import { proxyInfo, reconstructUrl } from '../../src/index.js';
import { describeEdge, type EdgeServer, type Listen, type Observation, TLS_CERT, TLS_KEY } from './runner.js';
import type { ScenarioOptions } from './scenarios.js';

/** The app every Hono edge serves: it reports what Hono's own accessors say. */
export function observingApp(options: ScenarioOptions | undefined): Hono<TrustedProxyEnv> {
  const app = new Hono<TrustedProxyEnv>();
  if (options !== undefined) app.use(trustedProxy(options));
  app.all('*', (c) => {
    const headers: Record<string, string> = {};
    c.req.raw.headers.forEach((value, key) => {
      headers[key] = value;
    });
    const observation: Observation = {
      info: c.var.proxyInfo,
      url: reconstructUrl(c.req.raw),
      headers,
      accessors: { url: c.req.url, ip: clientAddress(c), host: c.req.header('host') ?? '' },
    };
    if (proxyInfo(c.req.raw) !== c.var.proxyInfo)
      throw new Error('proxyInfo(c.req.raw) differs from c.var.proxyInfo');
    return c.json(observation);
  });
  return app;
}

export async function listenHono(
  fetch: Parameters<typeof serve>[0]['fetch'],
  listen: Listen,
): Promise<EdgeServer> {
  let server: ServerType | undefined;
  await new Promise<void>((done) => {
    server = serve(
      {
        fetch,
        port: 0,
        hostname: listen.host,
        ...(listen.tls
          ? { createServer: https.createServer, serverOptions: { key: TLS_KEY, cert: TLS_CERT } }
          : {}),
      },
      () => done(),
    );
  });
  const address = server!.address();
  return {
    port: typeof address === 'object' && address !== null ? address.port : 0,
    close: () => new Promise((done) => server!.close(() => done())),
  };
}

describeEdge({
  name: 'Hono on @hono/node-server (middleware)',
  rawLines: true,
  start: (options, listen) => listenHono(observingApp(options).fetch as never, listen),
});

describeEdge({
  name: 'Hono on @hono/node-server (wrapFetch + middleware)',
  rawLines: true,
  start: (options, listen) => listenHono(wrapFetch(observingApp(options).fetch, options) as never, listen),
});
