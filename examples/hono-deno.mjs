// Hono on Deno behind a reverse proxy: Deno.serve hands its ServeHandlerInfo to app.fetch as
// c.env, and the middleware reads info.remoteAddr for the peer.
//
//   PORT=3000 deno run --allow-net --allow-read --allow-env examples/hono-deno.mjs
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
app.use('/admin/*', ipRestriction(clientAddress, { allowList: ['203.0.113.0/24'] }));
app.get('*', (c) => c.json({ client: c.var.proxyInfo.remoteAddress, url: c.req.url, runtime: 'deno' }));

Deno.serve(
  {
    port: Number(Deno.env.get('PORT') ?? 3000),
    hostname: '127.0.0.1',
    onListen: ({ port }) => console.log(`listening on http://127.0.0.1:${port}`),
  },
  app.fetch,
);
