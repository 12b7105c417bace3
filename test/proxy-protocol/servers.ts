/**
 * Real servers with the receiver installed, and raw clients that write a PROXY header and
 * then speak HTTP/1.1, HTTPS or HTTP/2 over the same connection.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { Duplex } from 'node:stream';
import tls from 'node:tls';
import { type ProxyInfo, proxyInfo, trustedProxy } from '../../src/index.js';
import { acceptProxyProtocol, type ProxyProtocolOptions } from '../../src/proxy-protocol/index.js';

export const KEY = readFileSync(new URL('../fixtures/tls-key.pem', import.meta.url));
export const CERT = readFileSync(new URL('../fixtures/tls-cert.pem', import.meta.url));

export type Kind = 'http' | 'https' | 'h2' | 'h2c';

const OPTIONS = { trustedHeaders: ['X-Forwarded-For'], trustedProxies: ['loopback', '203.0.113.0/24'] };
const proxy = trustedProxy(OPTIONS);

/** Answers with what the request resolved to. */
function listener(
  req: http.IncomingMessage | http2.Http2ServerRequest,
  res: http.ServerResponse | http2.Http2ServerResponse,
) {
  // The middleware's own path on every kind, HTTP/2 included (R20).
  const info = proxy.process(req as http.IncomingMessage);
  const body = JSON.stringify({
    info: proxyInfo(req) === info ? info : null,
    socketRemoteAddress: req.socket.remoteAddress,
    url: req.url,
  });
  res.setHeader('content-type', 'application/json');
  res.end(body);
}

export interface Running {
  server: net.Server;
  port: number;
  close(): Promise<void>;
}

export async function startServer(kind: Kind, options: ProxyProtocolOptions | undefined): Promise<Running> {
  let server: net.Server;
  if (kind === 'http') server = http.createServer(listener);
  else if (kind === 'https') server = https.createServer({ key: KEY, cert: CERT }, listener);
  else if (kind === 'h2') server = http2.createSecureServer({ key: KEY, cert: CERT }, listener);
  else server = http2.createServer(listener);
  if (options !== undefined) acceptProxyProtocol(server, options);
  const sockets = new Set<net.Socket>();
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        (server as http.Server).closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

export interface Reply {
  status: number;
  body: { info: ProxyInfo; socketRemoteAddress: string; url: string };
}

/** Writes `header` then one request; `split` sends every byte in its own write. */
export async function request(
  kind: Kind,
  port: number,
  header: Buffer,
  options: { split?: boolean; together?: boolean; path?: string; requests?: number } = {},
): Promise<Reply[]> {
  const raw = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    raw.once('connect', resolve);
    raw.once('error', reject);
  });
  raw.setNoDelay(true);
  const path = options.path ?? '/';
  const count = options.requests ?? 1;
  if (kind === 'http') {
    let text = '';
    for (let i = 0; i < count; i++) {
      text += `GET ${path} HTTP/1.1\r\nHost: app.test\r\n${i === count - 1 ? 'Connection: close\r\n' : ''}\r\n`;
    }
    const payload = Buffer.concat([header, Buffer.from(text)]);
    const done = collect(raw);
    if (options.split) await writeBytes(raw, payload);
    else raw.write(payload);
    return parseResponses(await done);
  }
  // `together`: the header travels in one write with the first TLS / HTTP/2 bytes.
  let transport: Duplex = raw;
  if (options.together) transport = prefixed(raw, header);
  else if (options.split) await writeBytes(raw, header);
  else if (header.length > 0) raw.write(header);
  if (kind === 'https') {
    const secure = tls.connect({ socket: transport, rejectUnauthorized: false, servername: 'app.test' });
    const done = collect(secure);
    let text = '';
    for (let i = 0; i < count; i++) {
      text += `GET ${path} HTTP/1.1\r\nHost: app.test\r\n${i === count - 1 ? 'Connection: close\r\n' : ''}\r\n`;
    }
    secure.write(text);
    return parseResponses(await done);
  }
  const session =
    kind === 'h2'
      ? http2.connect(`https://app.test:${port}`, {
          createConnection: () =>
            tls.connect({
              socket: transport,
              rejectUnauthorized: false,
              servername: 'app.test',
              ALPNProtocols: ['h2'],
            }),
        })
      : http2.connect(`http://app.test:${port}`, { createConnection: () => transport });
  session.on('error', () => {});
  const replies: Reply[] = [];
  try {
    for (let i = 0; i < count; i++) {
      replies.push(
        await new Promise<Reply>((resolve, reject) => {
          const stream = session.request({ ':path': path });
          let status = 0;
          let data = '';
          stream.on('response', (h) => {
            status = Number(h[':status']);
          });
          stream.setEncoding('utf8');
          stream.on('data', (d: string) => {
            data += d;
          });
          stream.on('end', () => resolve({ status, body: data ? JSON.parse(data) : undefined }));
          stream.on('error', reject);
          session.once('close', () => reject(new Error('session closed')));
        }),
      );
    }
  } finally {
    session.close();
    raw.destroy();
  }
  return replies;
}

/** A stream over `raw` whose first write carries `header` in front, in one TCP write. */
function prefixed(raw: net.Socket, header: Buffer): Duplex {
  let first = true;
  const duplex = new Duplex({
    write(chunk: Buffer, _encoding, callback) {
      const out = first ? Buffer.concat([header, chunk]) : chunk;
      first = false;
      raw.write(out, callback);
    },
    read() {
      raw.resume();
    },
    final(callback) {
      raw.end();
      callback();
    },
    destroy(err, callback) {
      raw.destroy();
      callback(err);
    },
  });
  raw.on('data', (chunk: Buffer) => {
    if (!duplex.push(chunk)) raw.pause();
  });
  raw.on('end', () => duplex.push(null));
  raw.on('error', (err) => duplex.destroy(err));
  raw.on('close', () => duplex.destroy());
  return duplex;
}

async function writeBytes(socket: net.Socket, bytes: Buffer): Promise<void> {
  for (let i = 0; i < bytes.length; i++) {
    await new Promise<void>((resolve) => socket.write(bytes.subarray(i, i + 1), () => resolve()));
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

function collect(stream: net.Socket | tls.TLSSocket): Promise<string> {
  return new Promise((resolve) => {
    let data = '';
    stream.setEncoding('latin1');
    stream.on('data', (d: string) => {
      data += d;
    });
    stream.on('error', () => {});
    stream.on('close', () => resolve(data));
  });
}

function parseResponses(text: string): Reply[] {
  const replies: Reply[] = [];
  let rest = text;
  while (rest.length > 0) {
    const headEnd = rest.indexOf('\r\n\r\n');
    if (headEnd < 0) break;
    const head = rest.slice(0, headEnd);
    const status = Number(head.split(' ')[1]);
    const lengthMatch = /content-length: (\d+)/i.exec(head);
    const length = lengthMatch ? Number(lengthMatch[1]) : 0;
    const body = rest.slice(headEnd + 4, headEnd + 4 + length);
    replies.push({ status, body: body.startsWith('{') ? JSON.parse(body) : body });
    rest = rest.slice(headEnd + 4 + length);
  }
  return replies;
}
