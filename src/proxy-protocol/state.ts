/**
 * Where a connection's PROXY protocol facts live: on the accepted socket, under a global
 * symbol, so the ESM and CommonJS builds (and two copies of the package) agree. Kept apart
 * from the receiver so the node:http edge can read it without loading `node:net` code.
 */
import type { ProxyTransport } from '../core/types.js';

export const TRANSPORT: unique symbol = Symbol.for('trusted-proxy.transport') as never;

type Carrier = { [TRANSPORT]?: ProxyTransport; _parent?: unknown; socket?: unknown } | null | undefined;

/**
 * The PROXY protocol facts of the connection a request arrived on, or `undefined`. The
 * receiver marks the raw TCP socket; a TLS socket wraps it (`_parent`), and an HTTP/2
 * request's `socket` forwards property reads to the session's socket.
 */
export function transportOf(socket: unknown): ProxyTransport | undefined {
  const carrier = socket as Carrier;
  if (carrier === null || carrier === undefined) return undefined;
  const own = carrier[TRANSPORT];
  if (own !== undefined) return own;
  const parent = carrier._parent as Carrier;
  return parent === null || parent === undefined ? undefined : parent[TRANSPORT];
}
