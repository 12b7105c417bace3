/**
 * trusted-proxy/proxy-protocol: the client address from TCP load balancers (AWS NLB,
 * HAProxy `mode tcp`, nginx `stream`) through HAProxy's PROXY protocol v1 and v2 (R21).
 */
export type { ProxySsl, ProxyTransport } from '../core/types.js';
export { crc32c } from './crc32c.js';
export {
  type HeaderProblem,
  type ParseOptions,
  type ParseResult,
  type ProxyHeader,
  parseProxyHeader,
} from './parse.js';
export {
  acceptProxyProtocol,
  type ProxyProtocolOptions,
  type ProxyProtocolReceiver,
  type ProxyProtocolRejectEvent,
  type ProxyProtocolRejectReason,
} from './receiver.js';
export { transportOf } from './state.js';
