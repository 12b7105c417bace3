// Hono on Node (@hono/node-server) behind a reverse proxy. The peer, TLS and the raw header
// lines come from c.env.incoming; nothing to configure beyond the proxy's address.
//
//   PORT=3000 node examples/hono-node.mjs
import { serve } from '@hono/node-server';
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
// Hono's IP filter on the real client, not on the proxy's address.
app.use('/admin/*', ipRestriction(clientAddress, { allowList: ['203.0.113.0/24'] }));
app.get('*', (c) => c.json({ client: c.var.proxyInfo.remoteAddress, url: c.req.url, runtime: 'node' }));

const server = serve(
  { fetch: app.fetch, port: Number(process.env.PORT ?? 3000), hostname: '127.0.0.1' },
  (info) => console.log(`listening on http://127.0.0.1:${info.port}`),
);
process.once('SIGTERM', () => server.close(() => process.exit(0)));
