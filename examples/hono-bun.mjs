// Hono on Bun behind a reverse proxy: Bun.serve hands `server` to app.fetch as c.env, and the
// middleware asks server.requestIP(request) for the peer.
//
//   PORT=3000 bun examples/hono-bun.mjs
import { Hono } from 'hono';
import { ipRestriction } from 'hono/ip-restriction';
import { clientAddress, trustedProxy } from 'trusted-proxy/hono';

const app = new Hono();
app.use(
  trustedProxy({
    trustedHeaders: ['X-Forwarded-For', 'X-Forwarded-Host', 'X-Forwarded-Proto'],
    trustedProxies: ['127.0.0.1'], // your proxy's address or range
    allowedHosts: ['example.com', '*.example.com'],
  }),
);
// Not getConnInfo from hono/bun: requestIP() only knows the request Bun created, not the resolved one.
app.use('/admin/*', ipRestriction(clientAddress, { allowList: ['203.0.113.0/24'] }));
app.get('*', (c) => c.json({ client: c.var.proxyInfo.remoteAddress, url: c.req.url, runtime: 'bun' }));

const server = Bun.serve({ port: Number(process.env.PORT ?? 3000), hostname: '127.0.0.1', fetch: app.fetch });
console.log(`listening on http://127.0.0.1:${server.port}`);
