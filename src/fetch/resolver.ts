/**
 * The fetch edge (R18): the same resolution for a Web-standard `Request` (Bun, Deno,
 * Workers, Hono, srvx, Node's own `Request`). A `Request` is immutable, so the result is a
 * new one carrying the public origin, R11's header edits and `Host`; nothing is mutated.
 */

import { editHeaderRecord } from '../core/edit.js';
import { compileOptions } from '../core/options.js';
import { resolveRequest } from '../core/resolve.js';
import { STATE, stateOf, type WithState } from '../core/state.js';
import type { ProxyInfo, TrustedProxyOptions } from '../core/types.js';
import { type FetchTransport, fetchFacts, type HeaderRecord, pathStart } from './facts.js';

/** What {@link Resolver} returns. */
export interface Resolved {
  /**
   * The request to hand on: a new `Request` when anything changed (URL, a forwarding header,
   * Host), else the same one. `proxyInfo()` and `reconstructUrl()` work on it.
   */
  request: Request;
  info: ProxyInfo;
}

/**
 * Resolves one request (R18). Never throws on request data. A request already resolved
 * returns its first ProxyInfo unchanged (R13).
 */
export type Resolver = (request: Request, transport: FetchTransport) => Resolved;

type Resolvable = Request & WithState & { clone(): Request };

/**
 * `clone()` of a resolved request: the copy keeps the ProxyInfo. Installed as an own method
 * on the requests this edge builds (one shared function, no closure per request).
 */
function cloneResolved(this: Resolvable): Request {
  const copy = (Object.getPrototypeOf(this) as { clone(): Resolvable }).clone.call(this);
  // Always set: the method is installed only on a request just built here, which then gets
  // its ProxyInfo (a fresh Request is never frozen).
  copy[STATE] = this[STATE]!;
  copy.clone = cloneResolved;
  return copy;
}

function rebuild(
  request: Request,
  url: string,
  headers: Record<string, string>,
  withBody: boolean,
): Resolvable {
  const method = request.method;
  // Not `redirect` and friends: meaningless on a server's request, and reading them makes
  // @hono/node-server build the full Request it otherwise avoids.
  const init: RequestInit & { duplex?: 'half' } = { method, headers, signal: request.signal };
  if (withBody && method !== 'GET' && method !== 'HEAD') {
    // A streamed body needs duplex 'half' (fetch spec); the stream moves to the new request.
    init.body = request.body;
    init.duplex = 'half';
  }
  return new Request(url, init) as Resolvable;
}

/**
 * Creates the resolver for Web-standard `Request`s (R18): same options, same validation and
 * `TrustedProxyConfigError`s as `trustedProxy()`. `onReject` receives the incoming `Request`.
 *
 * The returned request's URL is the public origin (`protocol://host`) plus the original path
 * and query — no prefix, so routers still match it; `reconstructUrl(request)` adds the prefix.
 * Check `info.hostAllowed` yourself when you set `allowedHosts` (answer 400).
 *
 * Security: `transport.peer` must come from the runtime's socket (Bun `server.requestIP`,
 * Deno `info.remoteAddr`, Node `socket.remoteAddress`), never from a header.
 *
 * @example
 * import { createResolver } from 'trusted-proxy';
 *
 * const resolve = createResolver({
 *   trustedHeaders: ['X-Forwarded-For', 'X-Forwarded-Proto', 'X-Forwarded-Host'],
 *   trustedProxies: ['10.0.0.0/8'],
 * });
 * Bun.serve({
 *   fetch(req, server) {
 *     const { request, info } = resolve(req, { peer: server.requestIP(req)?.address });
 *     if (!info.hostAllowed) return new Response('Bad Request', { status: 400 });
 *     return new Response(`${info.remoteAddress} asked for ${request.url}`);
 *   },
 * });
 */
export function createResolver(options: TrustedProxyOptions<Request>): Resolver {
  const compiled = compileOptions(options as unknown as TrustedProxyOptions);
  const onReject = options.onReject;

  return function resolve(request: Request, transport: FetchTransport): Resolved {
    const existing = stateOf(request);
    if (existing !== undefined) return { request, info: existing };

    const facts = fetchFacts(request, transport);
    const { info, edits, hostChanged, proofHeader } = resolveRequest(compiled, facts);
    const url = request.url;
    const path = pathStart(url);
    const origin = `${info.protocol}://${info.host}`;
    let result = request as Resolvable;
    if (edits !== undefined || hostChanged || path !== origin.length || !url.startsWith(origin)) {
      const target = origin + url.slice(path);
      // A plain record, not a Headers copy: Deno builds a Request from one five times faster.
      const headers = editHeaderRecord(facts.headers as HeaderRecord, edits, info.host, proofHeader);
      try {
        result = rebuild(request, target, headers, true);
      } catch {
        // A body already read (or locked) cannot move; there is nothing left to carry.
        result = rebuild(request, target, headers, false);
      }
      result.clone = cloneResolved;
    }
    try {
      result[STATE] = info;
    } catch {
      /* a frozen request: proxyInfo() cannot find it, the returned info is the answer */
    }
    if (onReject !== undefined) {
      for (const event of info.rejected) {
        try {
          onReject(event, request);
        } catch {
          /* a logging hook must not break the request */
        }
      }
    }
    return { request: result, info };
  };
}
