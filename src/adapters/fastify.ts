/**
 * trusted-proxy/fastify (R19): a Fastify plugin whose `request.ip`, `ips`, `host`, `hostname`,
 * `port` and `protocol` report ProxyInfo, and whose `request.raw` has R11–R13 applied.
 *
 * Facts come from `request.raw` (the Node request) through the node edge; results go out through
 * getters installed once on the instance's request prototype (`decorateRequest` with a getter),
 * so no request gets a per-request `defineProperty`.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyPluginCallback, FastifyRequest, RawServerBase } from 'fastify';
import { configError, createHostNotAllowedError } from '../core/errors.js';
import { type CompiledOptions, compileOptions } from '../core/options.js';
import type { ProxyInfo, TrustedProxyOptions } from '../core/types.js';
import { getProxyInfo, processRequest } from '../node/apply.js';
import { installLocationRewrite } from '../node/location.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** What the request resolved to (SPEC R3), set by the trusted-proxy plugin. */
    readonly proxyInfo: ProxyInfo;
  }
}

/** Options of the plugin: the same as {@link TrustedProxyOptions} of `trustedProxy()`. */
export type FastifyTrustedProxyOptions = TrustedProxyOptions;

type Done = (err?: Error) => void;

/** An instance on any server type: HTTP/1, HTTPS or HTTP/2. */
type AnyFastify = FastifyInstance<RawServerBase>;

/**
 * The request's ProxyInfo, processing `request.raw` first if no hook has yet. Fastify writes its
 * "incoming request" log line (which reads `request.ip` and `request.host`) before `onRequest`
 * hooks run; processing on first read makes that line report the resolved client too.
 */
function infoOf(compiled: CompiledOptions, request: FastifyRequest): ProxyInfo {
  const raw = request.raw as IncomingMessage;
  return getProxyInfo(raw) ?? processRequest(compiled, raw);
}

/**
 * Registers the getters and the `onRequest` hook. Encapsulation is skipped
 * (`Symbol.for('skip-override')`), so registering it on the root instance covers every route.
 * Options and Fastify's own `trustProxy` are checked at registration: a mistake rejects
 * `fastify.ready()` / `listen()` with a `TrustedProxyConfigError`.
 *
 * Security: keep Fastify's `trustProxy` off; this plugin replaces it (and refuses to run beside it).
 *
 * @example
 * import Fastify from 'fastify';
 * import trustedProxy from 'trusted-proxy/fastify';
 *
 * const app = Fastify();
 * await app.register(trustedProxy, {
 *   trustedHeaders: ['X-Forwarded-For', 'X-Forwarded-Host', 'X-Forwarded-Proto'],
 *   trustedProxies: ['10.0.0.0/8'],
 * });
 * app.get('/', (request) => ({ ip: request.ip, url: `${request.protocol}://${request.host}${request.url}` }));
 */
function fastifyTrustedProxy(fastify: AnyFastify, options: FastifyTrustedProxyOptions, done: Done): void {
  let compiled: CompiledOptions;
  try {
    compiled = compileOptions(options);
    // A second registration (two mounts, R13) adds its hook; the getters are already there.
    if (!fastify.hasRequestDecorator('proxyInfo')) {
      if (fastify.hasRequestDecorator('ips')) {
        // Fastify defines request.ips only when its own trustProxy is on.
        throw configError(
          "Fastify's own trustProxy is on: create the instance without trustProxy, this plugin replaces it (request.ips is already defined)",
          'trustProxy',
        );
      }
      decorate(fastify, compiled);
    }
  } catch (err) {
    done(err as Error);
    return;
  }
  fastify.addHook('onRequest', onRequestHook(compiled) as never);
  done();
}

/** The `onRequest` hook: R11–R13 on `request.raw`, allowedHosts, Location rewriting. */
function onRequestHook(compiled: CompiledOptions) {
  const rewriteLocation = compiled.rewriteLocation;
  return function trustedProxyOnRequest(
    request: { raw: unknown },
    reply: { raw: unknown },
    next: Done,
  ): void {
    const raw = request.raw as IncomingMessage;
    const info = getProxyInfo(raw) ?? processRequest(compiled, raw);
    if (!info.hostAllowed) {
      // Fastify's error handler answers 400 (statusCode on the error); the route never runs.
      next(createHostNotAllowedError(info.hostname));
      return;
    }
    if (rewriteLocation) installLocationRewrite(reply.raw as ServerResponse, info);
    next();
  };
}

/** Getters on the request prototype, installed once per registration. */
function decorate(fastify: AnyFastify, compiled: CompiledOptions): void {
  fastify.decorateRequest('proxyInfo', {
    getter(this: FastifyRequest) {
      return infoOf(compiled, this);
    },
  });
  fastify.decorateRequest('ip', {
    getter(this: FastifyRequest) {
      // undefined on a UNIX socket, as Fastify's own getter.
      return infoOf(compiled, this).remoteAddress as string;
    },
  });
  fastify.decorateRequest('ips', {
    getter(this: FastifyRequest) {
      // Fastify's order: the socket peer first, the client last (proxy-addr's `all`).
      return infoOf(compiled, this).addresses.slice().reverse();
    },
  });
  fastify.decorateRequest('host', {
    getter(this: FastifyRequest) {
      return infoOf(compiled, this).host;
    },
  });
  fastify.decorateRequest('hostname', {
    getter(this: FastifyRequest) {
      return infoOf(compiled, this).hostname;
    },
  });
  fastify.decorateRequest('port', {
    getter(this: FastifyRequest) {
      return infoOf(compiled, this).port;
    },
  });
  fastify.decorateRequest('protocol', {
    getter(this: FastifyRequest) {
      return infoOf(compiled, this).protocol;
    },
  });
}

const plugin: FastifyPluginCallback<FastifyTrustedProxyOptions, RawServerBase> = Object.assign(
  fastifyTrustedProxy,
  {
    /** What fastify-plugin sets: the hook and getters apply outside the registering context. */
    [Symbol.for('skip-override')]: true,
    [Symbol.for('fastify.display-name')]: 'trusted-proxy',
    [Symbol.for('plugin-meta')]: { name: 'trusted-proxy', fastify: '>=5' },
  },
);

export default plugin;
export { plugin as fastifyTrustedProxy };
