// One Bun or Deno configuration of bench/edges.mjs, run inside the runtime:
//   bun bench/edges-runtime-server.mjs <config> <dist url>
//   deno run --allow-net --allow-read --allow-env bench/edges-runtime-server.mjs <config> <dist url>
// Prints {"port"} on stdout, then answers each "cpu" line on stdin with {"cpu"}
// (process.cpuUsage(): user + system, µs) and exits on "exit".
import process from 'node:process';
import { Hono } from 'hono';

const [config, dist] = process.argv.slice(-2);
const isDeno = typeof globalThis.Deno !== 'undefined';
const { createResolver } = await import(`${dist}/index.js`);
const hono = await import(`${dist}/adapters/hono.js`);
const { getConnInfo } = await import(isDeno ? 'hono/deno' : 'hono/bun');
const OPTIONS = {
  trustedHeaders: ['X-Forwarded-For', 'X-Forwarded-Host', 'X-Forwarded-Proto', 'X-Forwarded-Port'],
  trustedProxies: 'loopback',
};

const peerOf = (req, extra) => (isDeno ? extra.remoteAddr.hostname : extra.requestIP(req)?.address);
const hello = (request, ip) =>
  request.url.endsWith('/who')
    ? new Response(`${ip} ${request.url}`)
    : new Response('hello world', { headers: { 'content-type': 'text/plain' } });

function honoApp(middleware, who) {
  const app = new Hono();
  app.use(middleware);
  app.get('/', (c) => c.text('hello world'));
  app.get('/who', (c) => c.text(who(c)));
  return app;
}
const noop = async (_c, next) => {
  await next();
};
const ownAccessors = async (c, next) => {
  c.set('ip', c.req.header('x-forwarded-for')?.split(',')[0] ?? getConnInfo(c).remote.address);
  c.set('proto', c.req.header('x-forwarded-proto') ?? new URL(c.req.url).protocol);
  c.set('host', c.req.header('x-forwarded-host') ?? c.req.header('host'));
  await next();
};

const resolve = createResolver(OPTIONS);
const CONFIGS = {
  Request: () => (req, extra) => hello(req, peerOf(req, extra)),
  'Request + createResolver': () => (req, extra) => {
    const { request, info } = resolve(req, { peer: peerOf(req, extra) });
    return hello(request, info.remoteAddress);
  },
  'hono: own accessors (getConnInfo + c.req.header)': () =>
    honoApp(ownAccessors, (c) => `${c.get('ip')} ${c.get('proto')}//${c.get('host')}`).fetch,
  'hono: no-op middleware': () => honoApp(noop, (c) => c.req.url).fetch,
  'hono: trustedProxy()': () =>
    honoApp(hono.trustedProxy(OPTIONS), (c) => `${c.var.proxyInfo.remoteAddress} ${c.req.url}`).fetch,
};

const name = config.replace(/^(bun|deno): /, '');
const build = CONFIGS[name];
if (build === undefined) {
  console.error(`unknown configuration ${config}`);
  process.exit(2);
}
const handler = build();
let port;
if (isDeno) {
  const server = Deno.serve({ port: 0, hostname: '127.0.0.1', onListen() {} }, (req, info) =>
    handler(req, info),
  );
  port = server.addr.port;
} else {
  port = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: (req, server) => handler(req, server) }).port;
}
const write = (value) => process.stdout.write(`${JSON.stringify(value)}\n`);
write({ port });
let buffered = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  buffered += chunk;
  for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
    const line = buffered.slice(0, nl).trim();
    buffered = buffered.slice(nl + 1);
    if (line === 'cpu') {
      const { user, system } = process.cpuUsage();
      write({ cpu: user + system });
    } else if (line === 'exit') process.exit(0);
  }
});
