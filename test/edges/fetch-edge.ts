/**
 * The fetch edge on Node for tests: a Web `Request` built from each IncomingMessage (as
 * @hono/node-server, srvx and Next.js do), resolved with the socket address as `peer`.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import { createResolver, type FetchTransport, proxyInfo, reconstructUrl } from '../../src/index.js';
import { type EdgeServer, type Listen, type Observation, TLS_CERT, TLS_KEY } from './runner.js';
import type { ScenarioOptions } from './scenarios.js';

/** A Web Request from a Node request, the way fetch-API servers on Node build one. */
export function toRequest(req: IncomingMessage): Request {
  const scheme = (req.socket as TLSSocket).encrypted ? 'https' : 'http';
  const headers = new Headers();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2)
    headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
  const method = req.method ?? 'GET';
  const body = method === 'GET' || method === 'HEAD' ? null : (streamFrom(req) as ReadableStream);
  return new Request(`${scheme}://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`, {
    method,
    headers,
    body,
    duplex: 'half',
  } as RequestInit);
}

function streamFrom(req: IncomingMessage): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      req.on('data', (chunk: Buffer) => controller.enqueue(new Uint8Array(chunk)));
      req.on('end', () => controller.close());
      req.on('error', (err) => controller.error(err));
    },
  });
}

export function observeRequest(request: Request): Observation {
  const headers: Record<string, string> = {};
  request.headers.forEach((value, key) => {
    headers[key] = value;
  });
  return {
    info: proxyInfo(request)!,
    url: reconstructUrl(request),
    headers,
    accessors: { url: request.url },
  };
}

/** A node:http(s) server whose listener goes through `createResolver`. */
export async function listenFetch(
  options: ScenarioOptions,
  listen: Listen,
  withRawHeaders: boolean,
): Promise<EdgeServer> {
  const resolve = createResolver(options);
  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    const transport: FetchTransport = { peer: req.socket.remoteAddress };
    if (withRawHeaders) transport.rawHeaders = req.rawHeaders;
    const { request, info } = resolve(toRequest(req), transport);
    if (!info.hostAllowed) {
      res.writeHead(400, { 'Content-Type': 'text/plain' }).end('Bad Request: host not allowed\n');
      return;
    }
    const body = JSON.stringify(observeRequest(request));
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  };
  const server = listen.tls
    ? https.createServer({ key: TLS_KEY, cert: TLS_CERT }, listener)
    : http.createServer(listener);
  await new Promise<void>((done) => server.listen(0, listen.host, done));
  const address = server.address();
  return {
    port: typeof address === 'object' && address !== null ? address.port : 0,
    close: () => new Promise((done) => server.close(() => done())),
  };
}
