/**
 * trusted-proxy/koa (R19): a middleware, mounted first, after which `ctx.ip`, `ips`, `host`,
 * `hostname`, `protocol`, `secure`, `href` and `URL` report ProxyInfo.
 *
 * Facts come from `ctx.req` through the node edge (R11–R13 applied there). Results go out
 * through accessors installed once per app on `app.request`, the prototype of every
 * `ctx.request`; Koa's `href`, `URL`, `origin` (Koa 2) and `subdomains` derive from `protocol`
 * and `host`, so they follow.
 */
import type { IncomingMessage } from 'node:http';
import type { Context, Middleware, Next } from 'koa';
import { configError, createHostNotAllowedError } from '../core/errors.js';
import { type CompiledOptions, compileOptions } from '../core/options.js';
import type { ProxyInfo, TrustedProxyOptions } from '../core/types.js';
import { getProxyInfo, processRequest } from '../node/apply.js';
import { installLocationRewrite } from '../node/location.js';

/** Marks an `app.request` whose accessors are installed; the value is the installing options. */
const INSTALLED = Symbol.for('trusted-proxy.koa');
/** `ctx.request.ip = …` still works (Koa has a setter); the assigned value wins. */
const IP_OVERRIDE = Symbol('trusted-proxy.koa.ip');

interface KoaRequestLike {
  req: IncomingMessage;
  [IP_OVERRIDE]?: string;
}

function infoOf(compiled: CompiledOptions, request: KoaRequestLike): ProxyInfo {
  // Processed by the middleware already, except when something mounted before it reads first.
  return getProxyInfo(request.req) ?? processRequest(compiled, request.req);
}

/** Accessors on the app's request prototype, once per app (no per-request defineProperty). */
function install(proto: object, compiled: CompiledOptions): void {
  const accessors: Record<string, PropertyDescriptor> = {
    ip: {
      get(this: KoaRequestLike) {
        const assigned = this[IP_OVERRIDE];
        // '' when there is no address (a UNIX socket), as Koa's own getter.
        return assigned !== undefined ? assigned : (infoOf(compiled, this).remoteAddress ?? '');
      },
      set(this: KoaRequestLike, value: string) {
        this[IP_OVERRIDE] = value;
      },
    },
    ips: {
      get(this: KoaRequestLike) {
        // Koa's order: the client first, the socket peer excluded ([] when nothing was forwarded).
        const info = infoOf(compiled, this);
        return info.peerAddress === undefined ? info.addresses.slice() : info.addresses.slice(0, -1);
      },
    },
    host: {
      get(this: KoaRequestLike) {
        return infoOf(compiled, this).host;
      },
    },
    hostname: {
      get(this: KoaRequestLike) {
        return infoOf(compiled, this).hostname;
      },
    },
    protocol: {
      get(this: KoaRequestLike) {
        return infoOf(compiled, this).protocol;
      },
    },
    secure: {
      get(this: KoaRequestLike) {
        return infoOf(compiled, this).secure;
      },
    },
  };
  for (const name of Object.keys(accessors)) {
    Object.defineProperty(proto, name, { ...accessors[name], enumerable: false, configurable: true });
  }
  Object.defineProperty(proto, INSTALLED, { value: compiled, enumerable: false, configurable: true });
}

/**
 * Creates the Koa middleware. Mount it first: `app.use(trustedProxy(options))`. Validates and
 * compiles every option now and throws `TrustedProxyConfigError` for a mistake. Koa's own
 * proxy trust must stay off: a request on an app with `app.proxy === true` fails with a
 * `TrustedProxyConfigError` naming `app.proxy` (Koa hands a middleware its app only then).
 * A host outside `allowedHosts` is answered 400 (`ERR_HOST_NOT_ALLOWED`); later middleware
 * never runs.
 *
 * Security: Koa's `app.proxy` trusts X-Forwarded-* from any peer; this middleware replaces it.
 *
 * @example
 * import Koa from 'koa';
 * import { trustedProxy } from 'trusted-proxy/koa';
 *
 * const app = new Koa();
 * app.use(trustedProxy({
 *   trustedHeaders: ['X-Forwarded-For', 'X-Forwarded-Host', 'X-Forwarded-Proto'],
 *   trustedProxies: ['10.0.0.0/8'],
 * }));
 * app.use((ctx) => { ctx.body = { ip: ctx.ip, url: ctx.href }; });
 */
export function trustedProxy(options: TrustedProxyOptions): Middleware {
  const compiled = compileOptions(options);
  const rewriteLocation = compiled.rewriteLocation;
  return function trustedProxyMiddleware(ctx: Context, next: Next) {
    if (ctx.app.proxy === true) {
      throw configError(
        "Koa's own proxy trust is on: set app.proxy = false, this middleware replaces it",
        'app.proxy',
      );
    }
    const proto = ctx.app.request as unknown as Record<symbol, unknown>;
    if (proto[INSTALLED] === undefined) install(proto, compiled);
    const req = ctx.req as IncomingMessage;
    const info = getProxyInfo(req) ?? processRequest(compiled, req);
    if (!info.hostAllowed) throw createHostNotAllowedError(info.hostname);
    if (rewriteLocation) installLocationRewrite(ctx.res as never, info);
    return next();
  };
}
