/**
 * trusted-proxy/hono (R19): the fetch edge (R18) for Hono on any runtime.
 *
 * Facts come from the runtime's binding in `c.env` (@hono/node-server's `incoming`, Bun's
 * `server.requestIP`, Deno's `info.remoteAddr`) or a `getPeer` option. Results go out as a
 * new `c.req.raw` (public URL, R11's headers, Host) and `c.var.proxyInfo`. Hono has no proxy
 * trust of its own (no `trust proxy` setting, `getConnInfo` reports the socket), so there is
 * nothing to refuse.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { configError } from '../core/errors.js';
import { stateOf } from '../core/state.js';
import type { ProxyInfo, TrustedProxyOptions } from '../core/types.js';
import type { FetchTransport } from '../fetch/facts.js';
import { createResolver } from '../fetch/resolver.js';
import { compileLocationTarget, rewriteLocationValue } from '../node/location.js';

/** `c.var` after the middleware: `c.var.proxyInfo` (or `c.get('proxyInfo')`). */
export interface TrustedProxyVariables {
  proxyInfo: ProxyInfo;
}

/** The Hono `Env` the middleware adds to: use it as `new Hono<TrustedProxyEnv>()`. */
export interface TrustedProxyEnv {
  Variables: TrustedProxyVariables;
}

/** A peer address, or the whole transport (to add `tls`, `rawHeaders` …). */
export type PeerResult = string | undefined | FetchTransport;

/** Options of the Hono {@link trustedProxy} middleware. */
export interface HonoTrustedProxyOptions extends TrustedProxyOptions<Request> {
  /**
   * Where the socket peer comes from. By default: `c.env.incoming` on @hono/node-server
   * (with TLS, local address and raw header lines), `c.env.requestIP(c.req.raw)` on Bun,
   * `c.env.remoteAddr` on Deno; anything else has no peer and is never trusted.
   *
   * Security: return the runtime's socket address, never a header value.
   * @default the runtime's binding in c.env
   * @example
   * getPeer: (c) => c.env.requestIP(c.req.raw)?.address // Bun with a custom binding
   */
  // biome-ignore lint/suspicious/noExplicitAny: any app's Env
  getPeer?: ((c: Context<any>) => PeerResult) | undefined;
}

type Bindings = {
  incoming?: {
    socket?: { remoteAddress?: string; encrypted?: boolean; localAddress?: string; localPort?: number };
    rawHeaders?: string[];
  };
  server?: Bindings;
  requestIP?: (request: Request) => { address: string } | null | undefined;
  remoteAddr?: { transport?: string; hostname?: string };
};

/**
 * The transport of a request from the runtime's binding (`env` of `app.fetch(request, env)`).
 * Never throws.
 */
export function transportFromEnv(env: unknown, request: Request): FetchTransport {
  try {
    const e = env as Bindings | null | undefined;
    // @hono/node-server: the real IncomingMessage (also under env.server with custom bindings).
    const incoming = e?.incoming ?? e?.server?.incoming;
    const socket = incoming?.socket;
    if (socket !== undefined && socket !== null) {
      return {
        peer: socket.remoteAddress,
        // The socket, not the URL: over h2c the URL's scheme is whatever the client claimed.
        tls: socket.encrypted === true,
        localAddress: socket.localAddress,
        localPort: socket.localPort,
        rawHeaders: incoming!.rawHeaders,
      };
    }
    // Bun: server.requestIP() knows only the request object Bun itself created.
    if (typeof e?.requestIP === 'function') return { peer: e.requestIP(request)?.address ?? undefined };
    // Deno: ServeHandlerInfo.remoteAddr (a UnixAddr has no hostname).
    if (e?.remoteAddr?.transport === 'tcp') return { peer: e.remoteAddr.hostname };
  } catch {
    /* a binding that throws is no peer */
  }
  return { peer: undefined };
}

function asTransport(result: PeerResult): FetchTransport {
  if (typeof result === 'object' && result !== null) return result;
  // A string is the peer; anything else (undefined, a JavaScript getPeer's null) is no peer.
  return { peer: typeof result === 'string' ? result : undefined };
}

const NOT_ALLOWED = 'Bad Request: host not allowed\n';

function notAllowed(): Response {
  return new Response(NOT_ALLOWED, { status: 400, headers: { 'content-type': 'text/plain; charset=utf-8' } });
}

/**
 * The middleware: resolves `c.req.raw` (R18), replaces it with the resolved request, sets
 * `c.var.proxyInfo`, and answers 400 itself for a host outside `allowedHosts`. Mount it
 * first (`app.use(trustedProxy(…))`). Routing already happened: for host-based routing use
 * {@link wrapFetch}. On Bun, `getConnInfo(c)` no longer finds the replaced request: use
 * {@link clientAddress}.
 *
 * @example
 * import { Hono } from 'hono';
 * import { serve } from '@hono/node-server';
 * import { trustedProxy, type TrustedProxyEnv } from 'trusted-proxy/hono';
 *
 * const app = new Hono<TrustedProxyEnv>();
 * app.use(trustedProxy({ trustedHeaders: ['X-Forwarded-For', 'X-Forwarded-Proto'], trustedProxies: ['10.0.0.0/8'] }));
 * app.get('/', (c) => c.text(`${c.var.proxyInfo.remoteAddress} via ${c.req.url}`));
 * serve(app);
 */
export function trustedProxy(options: HonoTrustedProxyOptions): MiddlewareHandler<TrustedProxyEnv> {
  const { getPeer, ...rest } = (options ?? {}) as HonoTrustedProxyOptions;
  const resolve = createResolver(rest);
  if (getPeer !== undefined && typeof getPeer !== 'function')
    throw configError('getPeer must be a function', getPeer);
  const rewriteLocation = rest.rewriteLocation === true;

  return async function trustedProxyMiddleware(c, next) {
    const raw = c.req.raw;
    let info = stateOf(raw);
    if (info === undefined) {
      const transport =
        getPeer === undefined ? transportFromEnv(c.env, raw) : asTransport(safePeer(() => getPeer(c)));
      const resolved = resolve(raw, transport);
      info = resolved.info;
      c.req.raw = resolved.request;
    }
    c.set('proxyInfo', info);
    if (!info.hostAllowed) return notAllowed();
    await next();
    if (rewriteLocation) rewriteResponseLocation(c, info);
    return undefined;
  } as MiddlewareHandler<TrustedProxyEnv>;
}

/** A `getPeer` call; one that throws names no peer (nothing is trusted). */
function safePeer(read: () => PeerResult): PeerResult {
  try {
    return read();
  } catch {
    /* no peer: nothing trusted */
  }
  return undefined;
}

/** R14 on the response the app produced. */
function rewriteResponseLocation(c: Context, info: ProxyInfo): void {
  const response = c.res;
  const location = response.headers.get('location');
  if (location === null) return;
  const rewritten = rewriteLocationValue(location, compileLocationTarget(info));
  if (rewritten === location) return;
  try {
    response.headers.set('location', rewritten);
  } catch {
    // Immutable headers (a Response from fetch()): copy it.
    const copy = new Response(response.body, response);
    copy.headers.set('location', rewritten);
    // Hono's `c.res` setter copies the old response's headers over the new one (the old
    // Location would win); clearing it first replaces the response whole.
    c.res = undefined;
    c.res = copy;
  }
}

/**
 * The client address of a resolved request, for `ipRestriction(clientAddress, …)`; `''`
 * (which ipRestriction refuses) when the request was not resolved or has no address.
 *
 * @example
 * import { ipRestriction } from 'hono/ip-restriction';
 * app.use(trustedProxy(options), ipRestriction(clientAddress, { allowList: ['203.0.113.0/24'] }));
 */
export function clientAddress(c: Context): string {
  const info = (c.get('proxyInfo') as ProxyInfo | undefined) ?? stateOf(c.req.raw);
  return info?.remoteAddress ?? '';
}

/** A fetch handler: `app.fetch`, or any `(request, env, ctx) => Response`. */
export type FetchHandler<A extends unknown[]> = (
  request: Request,
  ...rest: A
) => Response | Promise<Response>;

/**
 * Resolves each request before `fetch` (the app's router) sees it, so host-based routing
 * (`hono/host`-style sub-apps, `c.req.url` in route matching) uses the public host.
 * Answers 400 itself for a host outside `allowedHosts`. The middleware, if also mounted,
 * finds the request resolved and only sets `c.var.proxyInfo`.
 *
 * @param getPeer where the peer comes from, given the request and the runtime's arguments
 *   after it (`env` …); default: the runtime's binding, as the middleware.
 * @example
 * Bun.serve({ fetch: wrapFetch(app.fetch, options) });
 * Deno.serve(wrapFetch(app.fetch, options));
 * serve({ fetch: wrapFetch(app.fetch, options) }); // @hono/node-server
 */
export function wrapFetch<A extends unknown[]>(
  fetch: FetchHandler<A>,
  options: TrustedProxyOptions<Request>,
  getPeer?: (request: Request, ...rest: A) => PeerResult,
): FetchHandler<A> {
  if (typeof fetch !== 'function') {
    throw new TypeError('wrapFetch(fetch, options, getPeer): fetch must be a function');
  }
  const resolve = createResolver(options);
  if (getPeer !== undefined && typeof getPeer !== 'function')
    throw configError('getPeer must be a function', getPeer);
  return function trustedProxyFetch(request: Request, ...rest: A) {
    const transport =
      getPeer === undefined
        ? transportFromEnv(rest[0], request)
        : asTransport(safePeer(() => getPeer(request, ...rest)));
    const resolved = resolve(request, transport);
    if (!resolved.info.hostAllowed) return notAllowed();
    return fetch(resolved.request, ...rest);
  };
}
