// One server configuration of bench/edges.mjs, in its own process so that its CPU time can be
// read alone: `node bench/edges-server.mjs <config> <dist url>`. It reports its port over IPC
// and answers { cpu } with process.cpuUsage() (user + system, µs) when asked.
//
// Every configuration answers "hello world" on real framework request objects and, on
// `/who`, what it believes about the client. To add an edge, add configurations here and a
// case in bench/edges.mjs.
import { createServer } from 'node:http';
import { serve } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import Fastify from 'fastify';
import { Hono } from 'hono';
import Koa from 'koa';
import { TRUSTED_HEADERS } from './scenarios.mjs';

const [config, dist] = process.argv.slice(2);
const { createResolver } = await import(`${dist}/index.js`);
const hono = await import(`${dist}/adapters/hono.js`);
const fastifyPlugin = (await import(`${dist}/adapters/fastify.js`)).default;
const koa = await import(`${dist}/adapters/koa.js`);
const OPTIONS = { trustedHeaders: TRUSTED_HEADERS, trustedProxies: 'loopback' };

/** A Web Request from a Node request, as fetch frameworks on Node build one (GET only here). */
function toRequest(req) {
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) headers.append(raw[i], raw[i + 1]);
  return new Request(`http://${req.headers.host}${req.url}`, { method: req.method, headers });
}

/** The fetch app: what a handler typically reads from its request. */
function app(request, ip) {
  const url = request.url;
  if (url.endsWith('/who')) return new Response(`${ip} ${url}`);
  return new Response('hello world', { headers: { 'content-type': 'text/plain' } });
}

async function answer(res, response) {
  res.writeHead(response.status, Object.fromEntries(response.headers));
  res.end(await response.text());
}

/** A Hono app; `accessors` reads what a Hono app reads about the client without this package. */
function honoApp(middleware, who) {
  const h = new Hono();
  h.use(middleware);
  h.get('/', (c) => c.text('hello world'));
  h.get('/who', (c) => c.text(who(c)));
  return h;
}
const noop = async (_c, next) => {
  await next();
};
/** Hono's own accessors: getConnInfo for the peer, c.req.header for the forwarding headers. */
const ownAccessors = async (c, next) => {
  c.set('ip', c.req.header('x-forwarded-for')?.split(',')[0] ?? getConnInfo(c).remote.address);
  c.set('proto', c.req.header('x-forwarded-proto') ?? new URL(c.req.url).protocol);
  c.set('host', c.req.header('x-forwarded-host') ?? c.req.header('host'));
  await next();
};

/** A Fastify app whose handler reads what an app reads about the client (both sides alike). */
function fastifyApp(server, setup) {
  return {
    start: async () => {
      const f = Fastify(server);
      await setup(f);
      f.get('/', (request) => {
        const seen = [request.ip, request.protocol, request.host, request.hostname];
        return seen.length === 4 ? 'hello world' : '';
      });
      f.get('/who', (request) => `${request.ip} ${request.protocol}://${request.host}`);
      await f.listen({ port: 0, host: '127.0.0.1' });
      return f.server;
    },
  };
}

/** A Koa app reading the same, after `first` (the middleware under test). */
function koaApp(proxy, first) {
  const k = new Koa({ proxy });
  k.use(first);
  k.use((ctx) => {
    const seen = [ctx.ip, ctx.protocol, ctx.host, ctx.hostname];
    ctx.body = ctx.path === '/who' ? `${ctx.ip} ${ctx.href}` : seen.length === 4 ? 'hello world' : '';
  });
  return { listener: k.callback() };
}

export const CONFIGS = {
  // The fetch edge on node:http: a Request per IncomingMessage, then the app.
  'fetch: Request': () => ({
    listener: (req, res) => answer(res, app(toRequest(req), req.socket.remoteAddress)),
  }),
  'fetch: Request + createResolver': () => {
    const resolve = createResolver(OPTIONS);
    return {
      listener: (req, res) => {
        const { request, info } = resolve(toRequest(req), {
          peer: req.socket.remoteAddress,
          rawHeaders: req.rawHeaders,
        });
        return answer(res, app(request, info.remoteAddress));
      },
    };
  },
  // Hono on @hono/node-server.
  'hono: own accessors (getConnInfo + c.req.header)': () => ({
    fetch: honoApp(ownAccessors, (c) => `${c.get('ip')} ${c.get('proto')}//${c.get('host')}`).fetch,
  }),
  'hono: no-op middleware': () => ({ fetch: honoApp(noop, (c) => c.req.url).fetch }),
  'hono: trustedProxy()': () => ({
    fetch: honoApp(hono.trustedProxy(OPTIONS), (c) => `${c.var.proxyInfo.remoteAddress} ${c.req.url}`).fetch,
  }),
  'hono: wrapFetch + no-op middleware': () => ({
    fetch: hono.wrapFetch(honoApp(noop, (c) => c.req.url).fetch, OPTIONS),
  }),
  // Fastify 5: its own trustProxy getters, a no-op onRequest hook, and trusted-proxy/fastify.
  'fastify: trustProxy': () => fastifyApp({ trustProxy: 'loopback' }, async () => {}),
  'fastify: no-op onRequest hook': () =>
    fastifyApp({}, async (f) => {
      f.addHook('onRequest', (_request, _reply, done) => done());
    }),
  'fastify: trustedProxy plugin': () =>
    fastifyApp({}, async (f) => {
      await f.register(fastifyPlugin, OPTIONS);
    }),
  // Koa: app.proxy, a no-op middleware, and trusted-proxy/koa.
  'koa: app.proxy': () => koaApp(true, (_ctx, next) => next()),
  'koa: no-op middleware': () => koaApp(false, (_ctx, next) => next()),
  'koa: trustedProxy()': () => koaApp(false, koa.trustedProxy(OPTIONS)),
};

const build = CONFIGS[config];
if (build === undefined) {
  console.error(`unknown configuration ${config}; one of: ${Object.keys(CONFIGS).join(', ')}`);
  process.exit(2);
}
const built = build();
let server;
if (built.start) {
  server = await built.start();
  server.keepAliveTimeout = 60_000;
  process.send({ port: server.address().port });
} else if (built.listener) {
  server = createServer(built.listener);
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
} else {
  server = serve({ fetch: built.fetch, port: 0, hostname: '127.0.0.1' }, (info) =>
    process.send({ port: info.port }),
  );
  server.keepAliveTimeout = 60_000;
}
process.on('message', (message) => {
  if (message === 'cpu') {
    const { user, system } = process.cpuUsage();
    process.send({ cpu: user + system });
  } else if (message === 'exit') {
    server.closeAllConnections?.();
    server.close();
    process.disconnect();
  }
});
