/**
 * The scenario table through the node:http edge: `.wrap` on plain node:http, Connect, and
 * Express 4 and 5 (each also with Express's own `trust proxy` on), over real sockets.
 */
import http, { type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import https from 'node:https';
import connect from 'connect';
import express4 from 'express4';
import express5 from 'express5';
import { proxyInfo, reconstructUrl, type TrustedProxyOptions, trustedProxy } from '../../src/index.js';
import {
  describeEdge,
  type Edge,
  type EdgeServer,
  type Listen,
  type Observation,
  TLS_CERT,
  TLS_KEY,
} from './runner.js';

type AnyRequest = IncomingMessage & Record<string, unknown>;

function observe(req: IncomingMessage, express: 4 | 5 | undefined): Observation {
  const r = req as AnyRequest;
  const accessors: NonNullable<Observation['accessors']> = {
    ip: r.ip as string | undefined,
    protocol: r.protocol as string,
    hostname: r.hostname as string,
  };
  // Express 5's req.host has the port; Express 4's is the hostname (checked above).
  if (express === 5) accessors.host = r.host as string;
  return {
    info: proxyInfo(req)!,
    url: reconstructUrl(req),
    headers: req.headers as Record<string, string>,
    accessors,
  };
}

function answer(express: 4 | 5 | undefined) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const body = JSON.stringify(observe(req, express));
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  };
}

/** Starts a node:http(s) server for a listener; the listener is the only thing edges differ in. */
export async function listenNode(listener: RequestListener, listen: Listen): Promise<EdgeServer> {
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

function nodeEdge(name: string, build: (options: TrustedProxyOptions) => RequestListener): Edge {
  return { name, rawLines: true, start: (options, listen) => listenNode(build(options), listen) };
}

function expressEdge(version: 4 | 5, trustProxy: boolean): Edge {
  const factory = (version === 4 ? express4 : express5) as unknown as () => {
    use(fn: unknown): void;
    set(key: string, value: unknown): void;
  } & RequestListener;
  return nodeEdge(`Express ${version}${trustProxy ? " with 'trust proxy'" : ''}`, (options) => {
    const app = factory();
    if (trustProxy) app.set('trust proxy', true);
    app.use(trustedProxy(options));
    app.use(answer(version));
    return app;
  });
}

describeEdge(nodeEdge('node:http (.wrap)', (options) => trustedProxy(options).wrap(answer(undefined))));
describeEdge(
  nodeEdge('Connect', (options) => {
    const app = connect();
    app.use(trustedProxy(options) as never);
    app.use(answer(undefined) as never);
    return app as unknown as RequestListener;
  }),
);
describeEdge(expressEdge(4, false));
describeEdge(expressEdge(5, false));
describeEdge(expressEdge(5, true));
