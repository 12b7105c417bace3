/**
 * trusted-proxy: believe X-Forwarded-* and RFC 7239 Forwarded headers only from the proxies
 * you name, only for the hop they vouch for, and strip every look-alike they did not apply.
 */

import type { ProxyInfo } from './core/types.js';
import { getProxyInfo } from './node/apply.js';

export { type CloudRangeName, type CloudRangeSet, cloudRanges } from './core/cloud-ranges.js';
export { ERROR_CODES, type HostNotAllowedError, TrustedProxyConfigError } from './core/errors.js';
export type {
  NextFunction,
  ProxyInfo,
  RejectEvent,
  RejectReason,
  RequireProof,
  TrustedProxies,
  TrustedProxyMiddleware,
  TrustedProxyOptions,
  TrustFunction,
  WsgiEnviron,
} from './core/types.js';
export { optionsFromEnv } from './env.js';
export type { FetchTransport } from './fetch/facts.js';
export { createResolver, type Resolved, type Resolver } from './fetch/resolver.js';
export { trustedProxy } from './node/middleware.js';
export { reconstructUrl } from './url.js';

/**
 * The ProxyInfo of a processed request, or `undefined` if no trustedProxy() middleware has
 * processed it. Works across the ESM and CommonJS builds (the state is keyed by
 * `Symbol.for('trusted-proxy')`).
 *
 * Security: `original.*` and every `rejected[].value` hold what the client sent; escape them
 * before showing or logging them.
 *
 * @example
 * app.get('/whoami', (req, res) => res.json(proxyInfo(req)));
 */
export function proxyInfo(req: unknown): ProxyInfo | undefined {
  return getProxyInfo(req);
}
