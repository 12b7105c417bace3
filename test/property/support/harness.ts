/**
 * Builds requests the way Node's HTTP parser would, so `proxy.process(req)` can be driven
 * fast in-process, and sends the same header lines through a real `node:http` server.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';

export type HeaderLine = readonly [name: string, value: string];

export interface RawRequest {
  /** `req.socket.remoteAddress` as Node reports it (IPv4 peers often as `::ffff:a.b.c.d`). */
  peer: string | undefined;
  tls: boolean;
  localAddress: string;
  localPort: number;
  method: string;
  url: string;
  /** Header lines in wire order, names as sent. */
  lines: readonly HeaderLine[];
  /** The server listens on a UNIX domain socket path (the peer then has no address). */
  unix?: boolean;
}

/** Headers whose duplicates Node drops (keeps the first), as in `IncomingMessage#_addHeaderLine`. */
const FIRST_WINS = new Set([
  'age',
  'authorization',
  'content-length',
  'content-type',
  'etag',
  'expires',
  'from',
  'host',
  'if-modified-since',
  'if-unmodified-since',
  'last-modified',
  'location',
  'max-forwards',
  'proxy-authorization',
  'referer',
  'retry-after',
  'server',
  'user-agent',
]);

/** `req.headers` as Node builds it from header lines. */
export function headersFromLines(lines: readonly HeaderLine[]): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of lines) {
    const key = name.toLowerCase();
    const prev = headers[key];
    if (prev === undefined) headers[key] = key === 'set-cookie' ? [value] : value;
    else if (key === 'set-cookie') (prev as string[]).push(value);
    else if (FIRST_WINS.has(key)) continue;
    else if (key === 'cookie') headers[key] = `${prev as string}; ${value}`;
    else headers[key] = `${prev as string}, ${value}`;
  }
  return headers;
}

/** A request-like object for `proxy.process()`: what the package reads from an IncomingMessage. */
export function makeRequest(raw: RawRequest): IncomingMessage {
  const socket: Record<string, unknown> = {
    remoteAddress: raw.peer,
    localAddress: raw.localAddress,
    localPort: raw.localPort,
  };
  if (raw.tls) socket.encrypted = true;
  if (raw.unix) socket.server = { address: () => '/run/app.sock' };
  const req = {
    socket,
    headers: headersFromLines(raw.lines),
    rawHeaders: raw.lines.flat(),
    url: raw.url,
    method: raw.method,
    httpVersion: '1.1',
  };
  return req as unknown as IncomingMessage;
}

/** The request as bytes on the wire (header values as Latin-1, like Node reads them). */
export function serialize(raw: Pick<RawRequest, 'method' | 'url' | 'lines'>): Buffer {
  let text = `${raw.method} ${raw.url} HTTP/1.1\r\n`;
  for (const [name, value] of raw.lines) text += `${name}: ${value}\r\n`;
  text += '\r\n';
  return Buffer.from(text, 'latin1');
}

/** A value Node's HTTP parser accepts in a header field: HTAB, SP-~ and obs-text, not padded. */
export function wireSafe(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x09 || (c >= 0x20 && c <= 0x7e) || (c >= 0x80 && c <= 0xff)) out += value[i];
  }
  // Node trims leading and trailing whitespace of a field value: do it here so both sides agree.
  return out.replace(/^[ \t]+|[ \t]+$/g, '');
}

export interface Response {
  status: number;
  body: string;
}

/** A keep-alive client on a raw socket: it writes requests byte for byte. */
export class RawClient {
  private socket: Socket | undefined;
  private buffer = Buffer.alloc(0);
  private waiting: (() => void) | undefined;
  private closed = false;

  constructor(private readonly port: number) {}

  private async open(): Promise<Socket> {
    if (this.socket && !this.closed) return this.socket;
    this.socket?.destroy();
    this.socket = undefined;
    this.buffer = Buffer.alloc(0);
    this.closed = false;
    const socket = connect({ host: '127.0.0.1', port: this.port });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    // Events of a previous connection must not touch this one's state.
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

  private async readResponse(): Promise<Response> {
    for (;;) {
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end >= 0) {
        const head = this.buffer.subarray(0, end).toString('latin1');
        const status = Number(head.slice(9, 12));
        const length = /\r\ncontent-length: *(\d+)/i.exec(head);
        const size = length ? Number(length[1]) : 0;
        if (this.buffer.length >= end + 4 + size) {
          const body = this.buffer.subarray(end + 4, end + 4 + size).toString('utf8');
          this.buffer = this.buffer.subarray(end + 4 + size);
          if (/\r\nconnection: *close/i.test(head)) this.closed = true;
          return { status, body };
        }
      }
      if (this.closed) throw new Error('connection closed before a full response');
      await new Promise<void>((resolve) => {
        this.waiting = resolve;
      });
      this.waiting = undefined;
    }
  }

  async send(bytes: Buffer): Promise<Response> {
    const socket = await this.open();
    socket.write(bytes);
    return this.readResponse();
  }

  close(): void {
    this.socket?.destroy();
  }
}

/** Starts a server on 127.0.0.1 with an ephemeral port. */
export async function listen(
  listener: (req: IncomingMessage, res: import('node:http').ServerResponse) => void,
): Promise<{ server: Server; port: number }> {
  const server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return { server, port: address.port };
}

export function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
