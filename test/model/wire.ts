/**
 * Real `node:http` / `node:https` servers for the differential run: the request as Node's
 * parser built it is captured (copies of headers, rawHeaders and the socket facts), processed
 * by the package, and held against the model inside the listener; the response carries the
 * differences. Servers listen on 127.0.0.1, ::1, ::ffff:127.0.0.1 (a mapped peer), a UNIX
 * socket path, and TLS on 127.0.0.1.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect as netConnect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import type { TrustedProxyMiddleware, TrustedProxyOptions } from '../../src/core/types.js';
import { proxyInfo } from '../../src/index.js';
import { acceptProxyProtocol } from '../../src/proxy-protocol/index.js';
import { compareOutcome, factsOfRequest } from './compare.js';
import { modelCanonicalIp, modelResolve } from './index.js';

export type ServerKind = 'tcp4' | 'tcp6' | 'mapped' | 'unix' | 'tls' | 'proxy-protocol';

export interface ModelServer {
  kind: ServerKind;
  server: Server;
  /** The TCP port (0 on a UNIX socket). */
  port: number;
  connect(): Socket;
  close(): Promise<void>;
}

const FIXTURES = new URL('../fixtures/', import.meta.url);

/** Differences found on requests `.wrap` refused with its own 400 (no body to carry them). */
export const refusedDiffs: string[] = [];

/**
 * The listener: `X-Model-Config: <i>` picks configuration i; `X-Model-Mount` picks how the
 * package is mounted (middleware, wrap, process).
 */
function listener(
  configs: readonly TrustedProxyOptions[],
  proxies: readonly TrustedProxyMiddleware[],
  unix: boolean,
) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const diffs: string[] = [];
    const answer = (status: number) => {
      const body = JSON.stringify({ diffs });
      res.writeHead(status, {
        'Content-Type': 'application/json',
        'Content-Length': Buffer.byteLength(body),
      });
      res.end(body);
    };
    try {
      const which = Number(req.headers['x-model-config']);
      const mount = String(req.headers['x-model-mount'] ?? 'middleware');
      const facts = factsOfRequest(req, unix);
      // R21: behind a PROXY protocol receiver the header's source is the peer (hop 0); the
      // client says which source it sent (X-Model-Source, `addr port` of the header).
      const sent = req.headers['x-model-source'];
      let expectedTransport: Record<string, unknown> | undefined;
      if (typeof sent === 'string') {
        const [source, sourcePort, destination, destinationPort] = sent.split(' ');
        expectedTransport = {
          version: 1,
          sourceAddress: modelCanonicalIp(source!),
          sourcePort: Number(sourcePort),
          destinationAddress: modelCanonicalIp(destination!),
          destinationPort: Number(destinationPort),
          proxyAddress: modelCanonicalIp(String(facts.peer)),
        };
        facts.peer = source;
      }
      const expected = modelResolve(configs[which]!, facts);
      if (expectedTransport !== undefined) {
        // ProxyInfo.original.remoteAddress stays the socket's (the load balancer).
        expected.info.original.remoteAddress = req.socket.remoteAddress;
        (expected.info as { transport?: unknown }).transport = expectedTransport;
      }
      const proxy = proxies[which]!;
      const check = () => {
        const info = proxyInfo(req);
        if (info === undefined) diffs.push('no ProxyInfo on the request');
        else diffs.push(...compareOutcome(expected, req, info));
      };
      if (mount === 'wrap') {
        let ran = false;
        proxy.wrap((r: IncomingMessage) => {
          ran = true;
          if (r !== req) diffs.push('wrap passed another request');
        })(req, res);
        if (ran !== expected.info.hostAllowed)
          diffs.push(`wrap ran the listener: ${ran}, host allowed: ${expected.info.hostAllowed}`);
        if (!ran) {
          // .wrap answered 400 itself (R12); the differences are checked but cannot be sent.
          check();
          for (const d of diffs) refusedDiffs.push(`${req.url} config ${which}: ${d}`);
          return;
        }
        check();
      } else if (mount === 'process') {
        proxy.process(req);
        check();
      } else {
        let error: unknown;
        proxy(req, res, (err?: unknown) => {
          error = err;
        });
        const e = error as { status?: number; code?: string } | undefined;
        if (
          expected.info.hostAllowed ? e !== undefined : e?.status !== 400 || e.code !== 'ERR_HOST_NOT_ALLOWED'
        ) {
          diffs.push(`next(${JSON.stringify(e)}) with host allowed ${expected.info.hostAllowed}`);
        }
        check();
      }
    } catch (err) {
      diffs.push(`threw ${(err as Error).stack}`);
    }
    answer(200);
  };
}

let unixCounter = 0;

export async function startServer(
  kind: ServerKind,
  configs: readonly TrustedProxyOptions[],
  proxies: readonly TrustedProxyMiddleware[],
): Promise<ModelServer> {
  const handle = listener(configs, proxies, kind === 'unix');
  const server =
    kind === 'tls'
      ? (createHttpsServer(
          {
            cert: readFileSync(new URL('tls-cert.pem', FIXTURES)),
            key: readFileSync(new URL('tls-key.pem', FIXTURES)),
            requireHostHeader: false,
          },
          handle,
        ) as unknown as Server)
      : createServer({ requireHostHeader: false }, handle); /* requests without Host are R10 cases */
  if (kind === 'proxy-protocol') acceptProxyProtocol(server as never, { from: 'loopback' });
  server.on('clientError', (err, socket) => {
    if (process.env.MODEL_DEBUG)
      console.log(
        'clientError',
        (err as Error & { code?: string }).code,
        (err as Error & { rawPacket?: Buffer }).rawPacket?.toString('latin1').slice(0, 300),
      );
    socket.destroy();
  });
  let connect: () => Socket;
  let port = 0;
  if (kind === 'unix') {
    const path = join(tmpdir(), `trusted-proxy-model-${process.pid}-${unixCounter++}.sock`);
    await new Promise<void>((resolve) => server.listen(path, resolve));
    connect = () => netConnect({ path });
  } else {
    const host = kind === 'tcp6' ? '::1' : kind === 'mapped' ? '::ffff:127.0.0.1' : '127.0.0.1';
    await new Promise<void>((resolve) => server.listen(0, host, resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no TCP address');
    port = address.port;
    const to = kind === 'tcp6' ? '::1' : '127.0.0.1';
    connect =
      kind === 'tls'
        ? () => tlsConnect({ host: to, port, rejectUnauthorized: false })
        : () => netConnect({ host: to, port });
  }
  return {
    kind,
    server,
    port,
    connect,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** A keep-alive client writing requests byte for byte. */
export class WireClient {
  private socket: Socket | undefined;
  private buffer = Buffer.alloc(0);
  private waiting: (() => void) | undefined;
  private closed = false;

  constructor(private readonly open: () => Socket) {}

  private async ensure(): Promise<Socket> {
    if (this.socket && !this.closed) return this.socket;
    this.socket?.destroy();
    this.socket = undefined; /* the old socket's late events must not touch the new one */
    this.buffer = Buffer.alloc(0);
    this.closed = false;
    const socket = this.open();
    await new Promise<void>((resolve, reject) => {
      socket.once(socket.constructor.name === 'TLSSocket' ? 'secureConnect' : 'connect', resolve);
      socket.once('error', reject);
    });
    socket.on('data', (chunk: Buffer) => {
      if (this.socket !== socket) return;
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.waiting?.();
    });
    socket.on('close', () => {
      if (this.socket !== socket) return;
      this.closed = true;
      this.waiting?.();
    });
    socket.on('error', () => {});
    this.socket = socket;
    return socket;
  }

  async send(bytes: Buffer): Promise<{ status: number; body: string }> {
    const socket = await this.ensure();
    socket.write(bytes);
    for (;;) {
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end >= 0) {
        const head = this.buffer.subarray(0, end).toString('latin1');
        const length = /\r\ncontent-length: *(\d+)/i.exec(head);
        const size = length ? Number(length[1]) : 0;
        if (this.buffer.length >= end + 4 + size) {
          const body = this.buffer.subarray(end + 4, end + 4 + size).toString('utf8');
          this.buffer = this.buffer.subarray(end + 4 + size);
          if (/\r\nconnection: *close/i.test(head)) this.closed = true;
          return { status: Number(head.slice(9, 12)), body };
        }
      }
      if (this.closed) throw new Error('connection closed before a full response');
      await new Promise<void>((resolve) => {
        this.waiting = resolve;
      });
      this.waiting = undefined;
    }
  }

  close(): void {
    this.socket?.destroy();
  }
}
