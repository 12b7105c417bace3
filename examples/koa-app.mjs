// Koa behind a reverse proxy: ctx.ip, ctx.host, ctx.protocol, ctx.href … report the client and
// the public origin; app.proxy stays false (the middleware refuses it).
//
//   PORT=3000 node examples/koa-app.mjs
import Koa from 'koa';
import { trustedProxy } from 'trusted-proxy/koa';

const app = new Koa();
app.use(
  trustedProxy({
    trustedHeaders: ['X-Forwarded-For', 'X-Forwarded-Host', 'X-Forwarded-Proto'],
    trustedProxies: ['127.0.0.1'], // your proxy's address or range
    allowedHosts: ['example.com', '*.example.com'],
  }),
);
app.use((ctx) => {
  ctx.body = { client: ctx.ip, url: ctx.href, framework: 'koa' };
});

const server = app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () =>
  console.log(`listening on http://127.0.0.1:${server.address().port}`),
);
process.once('SIGTERM', () => server.close(() => process.exit(0)));
