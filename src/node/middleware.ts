/**
 * trustedProxy(): the middleware for Express 4/5 and Connect, `.wrap` for plain node:http
 * listeners, and `.process` for any other framework.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import { createHostNotAllowedError } from '../core/errors.js';
import { compileOptions } from '../core/options.js';
import type { NextFunction, ProxyInfo, TrustedProxyMiddleware, TrustedProxyOptions } from '../core/types.js';
import { prepareRequestPrototype, processRequest } from './apply.js';
import { installLocationRewrite } from './location.js';

/**
 * Creates the middleware. Validates and compiles every option now and throws
 * `TrustedProxyConfigError` (naming the bad value) for a mistake; nothing a client sends can
 * make it throw later.
 *
 * Security: trust only the headers your proxy *sets or appends* on every path — a header it
 * passes through is the client's (see docs/recipes). A hop count (`trustedProxies: 1`) trusts
 * whatever connects directly; prefer addresses or CIDR ranges.
 *
 * @example
 * import express from 'express';
 * import { trustedProxy } from 'trusted-proxy';
 *
 * const app = express();
 * app.use(trustedProxy({
 *   trustedHeaders: ['X-Forwarded-For', 'X-Forwarded-Host', 'X-Forwarded-Proto', 'X-Forwarded-Port'],
 *   trustedProxies: ['10.0.0.0/8'],
 * }));
 * app.get('/', (req, res) => res.send(req.ip)); // the client, as your proxy saw it
 */
export function trustedProxy(options: TrustedProxyOptions): TrustedProxyMiddleware {
  const compiled = compileOptions(options);
  const rewriteLocation = compiled.rewriteLocation;

  function process(req: IncomingMessage | Http2ServerRequest): ProxyInfo {
    return processRequest(compiled, req as IncomingMessage);
  }

  const middleware = function trustedProxyMiddleware(
    req: IncomingMessage,
    res: ServerResponse,
    next: NextFunction,
  ): void {
    const info = processRequest(compiled, req);
    if (!info.hostAllowed) {
      next(createHostNotAllowedError(info.hostname));
      return;
    }
    if (rewriteLocation) installLocationRewrite(res, info);
    next();
  } as TrustedProxyMiddleware;

  middleware.process = process;
  middleware.wrap = function wrap<
    Req extends IncomingMessage | Http2ServerRequest,
    Res extends ServerResponse | Http2ServerResponse,
  >(listener: (req: Req, res: Res) => void): (req: Req, res: Res) => void {
    if (typeof listener !== 'function') {
      throw new TypeError('trustedProxy(...).wrap(listener): listener must be a function');
    }
    // An Express app swaps its own request prototype in after we ran: wrap its getters now.
    prepareRequestPrototype((listener as { request?: unknown }).request);
    return function trustedProxyListener(req: Req, res: Res): void {
      const info = processRequest(compiled, req as IncomingMessage);
      if (!info.hostAllowed) {
        // The listener never runs for a host outside allowedHosts (R12).
        const body = 'Bad Request: host not allowed\n';
        (res as ServerResponse).writeHead(400, {
          'Content-Type': 'text/plain; charset=utf-8',
          'Content-Length': Buffer.byteLength(body),
          // HTTP/2 forbids connection-specific headers (RFC 9113 §8.2.2): only the stream ends.
          ...(req.httpVersionMajor === 2 ? undefined : { Connection: 'close' }),
        });
        res.end(body);
        return;
      }
      if (rewriteLocation) installLocationRewrite(res as ServerResponse, info);
      listener(req, res);
    };
  };
  return middleware;
}
