/**
 * Reading what resolution needs from a Web-standard `Request` (R18) and the transport facts
 * the runtime hands in beside it: the request itself carries no socket.
 */
import type { RequestFacts } from '../core/resolve.js';

/**
 * What the runtime knows about the connection a `Request` came on.
 *
 * @example
 * // Bun
 * { peer: server.requestIP(request)?.address }
 * // Deno
 * { peer: info.remoteAddr.hostname }
 * // Node (a Request built from an IncomingMessage)
 * { peer: req.socket.remoteAddress, tls: req.socket.encrypted === true, rawHeaders: req.rawHeaders }
 */
export interface FetchTransport {
  /**
   * The socket peer's address (hop 0 of R7), as the runtime reports it. `undefined` (a UNIX
   * socket, a closed request) is never trusted.
   */
  peer: string | undefined;
  /**
   * The hop that reached this server was TLS.
   * @default the request URL's scheme is `https:`
   */
  tls?: boolean | undefined;
  /** The server's own address: the hostname of last resort when a request has no Host (R10). */
  localAddress?: string | undefined;
  /** The server's own port, with `localAddress`. */
  localPort?: number | undefined;
  /**
   * The request's header lines in wire order (`[name, value, name, value, …]`, Node's
   * `rawHeaders`). Optional: Web `Headers` join repeated lines with `", "`, so without the raw
   * lines `Forwarded` is parsed from the joined value, where a client's malformed line makes
   * the walk stop (fail closed) instead of being read line by line (R7). Never modified.
   */
  rawHeaders?: readonly string[] | undefined;
}

/** Where the path starts in an absolute URL string (`scheme://authority/path?query`). */
export function pathStart(url: string): number {
  const scheme = url.indexOf('://');
  const slash = url.indexOf('/', scheme < 0 ? 0 : scheme + 3);
  return slash < 0 ? url.length : slash;
}

/** The authority of an absolute URL string. */
function urlHost(url: string): string | undefined {
  const scheme = url.indexOf('://');
  if (scheme < 0) return undefined;
  const end = pathStart(url);
  const at = url.lastIndexOf('@', end);
  return url.slice(at > scheme ? at + 1 : scheme + 3, end);
}

/** Lower-case header names to values, as `req.headers` (repeated lines already joined by `Headers`). */
export type HeaderRecord = Record<string, string>;

/**
 * Reads a `Request` and its transport. The `Host` is the request's Host header, or the URL's
 * authority when the runtime keeps Host out of `Headers` (it built the URL from it).
 */
export function fetchFacts(request: Request, transport: FetchTransport | undefined): RequestFacts {
  const headers: HeaderRecord = {};
  request.headers.forEach((value, key) => {
    headers[key] = value;
  });
  const url = request.url;
  if (headers.host === undefined) {
    const host = urlHost(url);
    if (host !== undefined && host !== '') headers.host = host;
  }
  const tls = transport?.tls;
  const peer = transport?.peer;
  return {
    // A caller in plain JavaScript may pass null (no peer, like undefined): never a throw.
    peer: typeof peer === 'string' ? peer : undefined,
    unixSocket: false,
    encrypted: tls === undefined ? url.startsWith('https:') : tls === true,
    localAddress: transport?.localAddress,
    localPort: transport?.localPort,
    headers,
    rawHeaders: Array.isArray(transport?.rawHeaders) ? transport.rawHeaders : undefined,
  };
}
