// node:http2 behind Envoy (or Caddy) speaking h2c, with HTTP/1.1 accepted too: a cleartext
// HTTP/2 server cannot also take HTTP/1.1, so this one listens with allowHTTP1 over TLS when
// TLS_KEY/TLS_CERT are set, and h2c otherwise.
//
//   PORT=3000 node examples/http2-server.mjs
import { readFileSync } from 'node:fs';
import http2 from 'node:http2';
import { proxyInfo, reconstructUrl, trustedProxy } from 'trusted-proxy';

const proxy = trustedProxy({
  // Envoy appends the client to X-Forwarded-For and passes the client's scheme as :scheme.
  trustedHeaders: ['X-Forwarded-For', 'X-Forwarded-Proto', ':scheme'],
  trustedProxies: ['127.0.0.1'], // Envoy's address; never a hop count with :scheme
  allowedHosts: ['example.com', '*.example.com'],
});
const listener = proxy.wrap((req, res) => {
  res.setHeader('content-type', 'application/json');
  res.end(
    JSON.stringify({ client: proxyInfo(req).remoteAddress, url: reconstructUrl(req), framework: 'http2' }),
  );
});

const tls = process.env.TLS_KEY && process.env.TLS_CERT;
const server = tls
  ? http2.createSecureServer(
      { key: readFileSync(process.env.TLS_KEY), cert: readFileSync(process.env.TLS_CERT), allowHTTP1: true },
      listener,
    )
  : http2.createServer(listener);
server.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () =>
  console.log(`listening on http${tls ? 's' : ''}://127.0.0.1:${server.address().port}`),
);
process.once('SIGTERM', () => server.close(() => process.exit(0)));
