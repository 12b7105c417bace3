/**
 * Request-shaped objects for unit tests, built the way Node's HTTP parser builds them:
 * lower-case keys, repeated lines joined with ", " (Host keeps the first), rawHeaders in wire
 * order. The integration suite covers the same rules through real sockets.
 */
import type { IncomingMessage } from 'node:http';

export interface FakeRequestInit {
  peer?: string | undefined;
  /** Wire-order header lines. */
  headers?: ReadonlyArray<readonly [string, string]>;
  encrypted?: boolean;
  url?: string;
  localAddress?: string;
  localPort?: number;
  /** The server listens on a UNIX socket path. */
  unix?: boolean;
}

export function fakeRequest(init: FakeRequestInit = {}): IncomingMessage {
  const headers: Record<string, string> = {};
  const rawHeaders: string[] = [];
  for (const [name, value] of init.headers ?? []) {
    rawHeaders.push(name, value);
    const key = name.toLowerCase();
    if (key in headers) {
      if (key !== 'host') headers[key] = `${headers[key]}, ${value}`;
    } else {
      headers[key] = value;
    }
  }
  const server = init.unix ? { address: () => '/tmp/app.sock' } : { address: () => ({ port: 8000 }) };
  const socket = {
    remoteAddress: 'peer' in init ? init.peer : '10.0.0.1',
    encrypted: init.encrypted === true ? true : undefined,
    localAddress: init.unix ? undefined : (init.localAddress ?? '10.0.0.100'),
    localPort: init.unix ? undefined : (init.localPort ?? 8000),
    server,
  };
  return {
    socket,
    headers,
    rawHeaders,
    url: init.url ?? '/app/x',
    method: 'GET',
  } as unknown as IncomingMessage;
}

/** Header lines from an object, in insertion order. */
export function lines(headers: Record<string, string>): Array<[string, string]> {
  return Object.entries(headers);
}
