import { createRequire } from 'node:module';
import { describe, expect, expectTypeOf, it } from 'vitest';
import * as api from '../../src/index.js';
import {
  type ProxyInfo,
  proxyInfo,
  type RejectEvent,
  reconstructUrl,
  TrustedProxyConfigError,
  type TrustedProxyMiddleware,
  type TrustedProxyOptions,
  trustedProxy,
} from '../../src/index.js';

describe('public surface', () => {
  it('exports exactly these names (snapshot)', () => {
    expect(Object.keys(api).sort()).toEqual([
      'ERROR_CODES',
      'TrustedProxyConfigError',
      'cloudRanges',
      'createResolver',
      'optionsFromEnv',
      'proxyInfo',
      'reconstructUrl',
      'trustedProxy',
    ]);
  });

  it('the CommonJS build exports the same names and shares state with the ESM build', async () => {
    const require = createRequire(import.meta.url);
    const cjs = require('../../dist/cjs/index.js') as typeof api;
    const esm = (await import('../../dist/esm/index.js')) as typeof api;
    expect(Object.keys(cjs).sort()).toEqual(Object.keys(esm).sort());
    const req = { socket: { remoteAddress: '127.0.0.1' }, headers: { host: 'a.example' }, rawHeaders: [] };
    const info = esm
      .trustedProxy({ trustedHeaders: ['X-Forwarded-For'], trustedProxies: 'loopback' })
      .process(req as never);
    expect(cjs.proxyInfo(req)).toBe(info);
  });

  it('TrustedProxyConfigError is a TypeError with a stable code and name', () => {
    const err = new TrustedProxyConfigError('x');
    expect(err).toBeInstanceOf(TypeError);
    expect(err.code).toBe('ERR_TRUSTED_PROXY_CONFIG');
    expect(err.name).toBe('TrustedProxyConfigError');
  });
});

describe('types', () => {
  it('trustedProxy() returns a middleware with wrap and process', () => {
    const proxy = trustedProxy({ trustedHeaders: ['X-Forwarded-For'], trustedProxies: 'loopback' });
    expectTypeOf(proxy).toEqualTypeOf<TrustedProxyMiddleware>();
    expectTypeOf(proxy.process).returns.toEqualTypeOf<ProxyInfo>();
    expectTypeOf(proxyInfo).returns.toEqualTypeOf<ProxyInfo | undefined>();
    expectTypeOf(reconstructUrl).returns.toBeString();
  });

  it('options accept every documented trustedProxies form', () => {
    expectTypeOf<string>().toMatchTypeOf<TrustedProxyOptions['trustedProxies']>();
    expectTypeOf<string[]>().toMatchTypeOf<TrustedProxyOptions['trustedProxies']>();
    expectTypeOf<number>().toMatchTypeOf<TrustedProxyOptions['trustedProxies']>();
    expectTypeOf<(a: string | undefined, hop: number) => boolean>().toMatchTypeOf<
      TrustedProxyOptions['trustedProxies']
    >();
    expectTypeOf<RejectEvent['reason']>().toEqualTypeOf<
      | 'untrusted-peer'
      | 'not-trusted-header'
      | 'invalid-address'
      | 'invalid-host'
      | 'invalid-port'
      | 'invalid-scheme'
      | 'invalid-prefix'
      | 'malformed-forwarded'
      | 'host-not-allowed'
      | 'conflict'
      | 'proof-failed'
    >();
  });

  it('wrap keeps the listener types', () => {
    const proxy = trustedProxy({ trustedHeaders: ['X-Forwarded-For'], trustedProxies: 'loopback' });
    const wrapped = proxy.wrap((_req, _res) => {});
    expectTypeOf(wrapped).parameters.toMatchTypeOf<
      [import('node:http').IncomingMessage, import('node:http').ServerResponse]
    >();
  });
});
