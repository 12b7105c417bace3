/**
 * Where a request's ProxyInfo lives, whatever the request is (a Node `IncomingMessage`, a Web
 * `Request`): under `Symbol.for('trusted-proxy')`, so the ESM and CommonJS builds and two
 * copies of the package see the same state (R3).
 */
import type { ProxyInfo } from './types.js';

export const STATE: unique symbol = Symbol.for('trusted-proxy') as never;

export type WithState = { [STATE]?: ProxyInfo };

/** The request's ProxyInfo, or undefined if it was never processed. */
export function stateOf(request: unknown): ProxyInfo | undefined {
  if (request === null || typeof request !== 'object') return undefined;
  return (request as WithState)[STATE];
}
