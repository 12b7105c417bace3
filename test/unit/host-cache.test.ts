// The resolution remembers the last whole X-Forwarded-Host value it validated (a one-entry
// cache, src/core/resolve.ts): a sequence of requests must answer exactly as each request alone.
import { describe, expect, it } from 'vitest';
import { type TrustedProxyOptions, trustedProxy } from '../../src/index.js';
import { fakeRequest } from '../helpers/request.js';

const OPTIONS: TrustedProxyOptions = {
  trustedHeaders: ['X-Forwarded-For', 'X-Forwarded-Host', 'Forwarded'],
  trustedProxies: ['127.0.0.1'],
};

function resolve(xfh: string | undefined, forwarded?: string) {
  const headers: Array<[string, string]> = [['Host', 'app.internal:3000']];
  if (xfh !== undefined) headers.push(['X-Forwarded-Host', xfh]);
  if (forwarded !== undefined) headers.push(['Forwarded', forwarded]);
  const req = fakeRequest({ peer: '127.0.0.1', headers });
  const info = trustedProxy(OPTIONS).process(req);
  return {
    host: info.host,
    rejected: info.rejected.map((e) => e.reason),
    xfh: req.headers['x-forwarded-host'],
  };
}

describe('validated host values in sequence', () => {
  const SEQUENCE: Array<[string | undefined, string | undefined]> = [
    ['Shop.Example:8443', undefined],
    ['Shop.Example:8443', undefined],
    ['bad host', undefined],
    ['bad host', undefined],
    ['a.example, Shop.Example:8443', undefined],
    ['Shop.Example:8443', undefined],
    ['shop.example:8443', undefined],
    [undefined, 'host="Shop.Example:8443"'],
    [undefined, 'host="bad host"'],
    ['xn--a.example', undefined],
    ['xn--a.example', undefined],
    ['Shop.Example:8443', undefined],
  ];

  it('answers each request as if it were the only one', () => {
    const alone = SEQUENCE.map(([xfh, fwd]) => {
      // A fresh module state is not available here; instead each request is preceded by a
      // different, valid value, so that nothing cached can be the request's own.
      resolve('other.example');
      return resolve(xfh, fwd);
    });
    const inSequence = SEQUENCE.map(([xfh, fwd]) => resolve(xfh, fwd));
    expect(inSequence).toEqual(alone);
    expect(inSequence[0]).toEqual({ host: 'shop.example:8443', rejected: [], xfh: 'Shop.Example:8443' });
    expect(inSequence[3]!.rejected).toEqual(['invalid-host']);
    expect(inSequence[3]!.host).toBe('app.internal:3000');
    expect(inSequence[4]!.host).toBe('shop.example:8443');
    expect(inSequence[7]!.host).toBe('shop.example:8443');
    expect(inSequence[8]!.rejected).toEqual(['invalid-host']);
    expect(inSequence[10]!.rejected).toEqual(['invalid-host']);
  });
});
