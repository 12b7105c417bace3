// Without the command line: your own node:http server, configured from the environment with
// optionsFromEnv(), and the same graceful shutdown the command line does.
//
//   TRUSTED_PROXY_HEADERS='X-Forwarded-For X-Forwarded-Host X-Forwarded-Proto' \
//   TRUSTED_PROXIES=loopback PORT=8000 node examples/own-server.mjs
import http from 'node:http';
import { optionsFromEnv, reconstructUrl, trustedProxy } from 'trusted-proxy';

// Throws TrustedProxyConfigError naming the variable if one is missing or invalid: the process
// stops before it serves anything with a guessed configuration.
const proxy = trustedProxy({ ...optionsFromEnv(), rewriteLocation: true });

const server = http.createServer(
  proxy.wrap((req, res) => {
    res.setHeader('Content-Type', 'text/plain');
    res.end(`${reconstructUrl(req)}\n`);
  }),
);

server.listen(Number(process.env.PORT ?? 8000), process.env.HOST ?? '127.0.0.1', () => {
  const { address, port } = server.address();
  console.log(`listening on http://${address}:${port}`);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, () => {
    server.close(() => process.exit(0));
    server.closeIdleConnections();
    setTimeout(() => process.exit(1), 10_000).unref();
  });
}
