/**
 * src/core/state.ts: where a request's ProxyInfo lives. The key is `Symbol.for('trusted-proxy')`
 * (R3: the ESM and CommonJS builds, and two copies of the package, see the same state), and
 * `stateOf` answers undefined for anything that is not an object, never throwing.
 */
import { describe, expect, it } from 'vitest';
import { STATE, stateOf } from '../../src/core/state.js';
import type { ProxyInfo } from '../../src/core/types.js';
import { proxyInfo, trustedProxy } from '../../src/index.js';
import { fakeRequest } from '../helpers/request.js';

describe('state › stateOf', () => {
  it('reads the ProxyInfo another copy of the package stored under Symbol.for("trusted-proxy")', () => {
    const info = { remoteAddress: '203.0.113.7' } as ProxyInfo;
    const request = { [Symbol.for('trusted-proxy')]: info };
    expect(stateOf(request)).toBe(info);
    expect(STATE).toBe(Symbol.for('trusted-proxy'));
  });

  it.each([
    ['null', null],
    ['undefined', undefined],
    ['a string', 'request'],
    ['a number', 7],
    ['a function', () => undefined],
    ['an object never processed', {}],
  ])('is undefined for %s', (_, value) => {
    expect(stateOf(value)).toBeUndefined();
  });

  it('a function carrying the symbol is no request: undefined', () => {
    const fn = Object.assign(() => undefined, { [Symbol.for('trusted-proxy')]: { trusted: true } });
    expect(stateOf(fn)).toBeUndefined();
  });

  it('the middleware stores its result where stateOf and proxyInfo() find it', () => {
    const req = fakeRequest({ peer: '127.0.0.1', headers: [['X-Forwarded-For', '203.0.113.7']] });
    trustedProxy({ trustedHeaders: ['X-Forwarded-For'], trustedProxies: 'loopback' })(
      req as never,
      {} as never,
      () => {},
    );
    const info = stateOf(req);
    expect(info?.remoteAddress).toBe('203.0.113.7');
    expect(proxyInfo(req)).toBe(info);
    expect((req as unknown as Record<symbol, unknown>)[Symbol.for('trusted-proxy')]).toBe(info);
  });
});
