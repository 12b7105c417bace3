/**
 * The scenario table over HTTP/2 (R20): node:http2's compatibility API with `.wrap`, h2c for
 * plain rows and h2 over TLS (with allowHTTP1) for TLS rows, sent by a real `http2.connect`
 * client bound to the row's own loopback address. The row's Host travels as `:authority`.
 */
import http2 from 'node:http2';
import { proxyInfo, reconstructUrl, type TrustedProxyOptions, trustedProxy } from '../../src/index.js';
import { sendHttp2 } from '../http2/client.js';
import { startFastify, startKoa } from './adapters.js';
import { describeEdge, type EdgeServer, type Listen, type Observation, TLS_CERT, TLS_KEY } from './runner.js';
import type { Scenario } from './scenarios.js';

type H2Request = http2.Http2ServerRequest & Record<string, unknown>;

function observe(req: http2.Http2ServerRequest): Observation {
  const r = req as H2Request;
  // Pseudo-headers other than :authority are transport, not headers an app reads.
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if ((name === ':authority' || !name.startsWith(':')) && value !== undefined) headers[name] = value;
  }
  return {
    info: proxyInfo(req)!,
    url: reconstructUrl(req as never),
    headers,
    accessors: {
      ip: r.ip as string | undefined,
      hostname: r.hostname as string,
      // node:http2's own accessors read the rewritten pseudo-headers.
      protocol: req.scheme,
      host: req.authority,
    },
  };
}

export function h2Listener(options: TrustedProxyOptions) {
  return trustedProxy(options).wrap((req: never, res: http2.Http2ServerResponse) => {
    const body = JSON.stringify(observe(req));
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
}

export async function startHttp2(options: TrustedProxyOptions, listen: Listen): Promise<EdgeServer> {
  const listener = h2Listener(options) as never;
  const server = listen.tls
    ? http2.createSecureServer({ key: TLS_KEY, cert: TLS_CERT, allowHTTP1: true }, listener)
    : http2.createServer(listener);
  await new Promise<void>((done) => server.listen(0, listen.host, done));
  const address = server.address();
  return {
    port: typeof address === 'object' && address !== null ? address.port : 0,
    close: () => new Promise((done) => server.close(() => done())),
  };
}

/** Rows with exactly one Host line: HTTP/2 has one `:authority` (a client fills in its own otherwise). */
function oneHost(scenario: Scenario): boolean {
  return scenario.headers.filter(([name]) => name.toLowerCase() === 'host').length === 1;
}

describeEdge({
  name: 'HTTP/2 (node:http2 compatibility API, .wrap; h2c, and h2 over TLS with allowHTTP1)',
  rawLines: true,
  start: startHttp2,
  send: sendHttp2,
  filter: oneHost,
});

describeEdge({
  name: 'Fastify 5 over HTTP/2 (trusted-proxy/fastify; h2c, and h2 over TLS with allowHTTP1)',
  rawLines: true,
  start: (options, listen) => startFastify(options, listen, 'http2'),
  send: sendHttp2,
  filter: oneHost,
});

describeEdge({
  name: 'Koa 3 over HTTP/2 (trusted-proxy/koa; h2c, and h2 over TLS with allowHTTP1)',
  rawLines: true,
  start: (options, listen) => startKoa(options, listen, 'http2'),
  send: sendHttp2,
  filter: oneHost,
});
