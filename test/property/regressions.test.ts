/**
 * Failures the property and fuzz runs found, kept as plain tests so they stay fixed. Each
 * names the property that found it, the input, the rule, what was expected and what happened.
 */
import { describe, expect, it } from 'vitest';
import { reconstructUrl, trustedProxy } from '../../src/index.js';
import { makeRequest } from './support/harness.js';

function processHost(host: string, via: 'Host' | 'X-Forwarded-Host') {
  const req = makeRequest({
    peer: '10.0.0.2',
    tls: false,
    localAddress: '10.0.0.100',
    localPort: 8080,
    method: 'GET',
    url: '/',
    lines:
      via === 'Host'
        ? [['Host', host]]
        : [
            ['Host', 'app.internal'],
            ['X-Forwarded-Host', host],
          ],
  });
  const info = trustedProxy({ trustedHeaders: ['X-Forwarded-Host'], trustedProxies: '10.0.0.0/8' }).process(
    req,
  );
  return { info, url: reconstructUrl(req) };
}

describe('regressions found by the property runs', () => {
  // Found by invariants.test.ts "never lets reconstructUrl produce … a foreign origin" (FUZZ_LONG,
  // seed 2044315147, shrunk to Host "0a.0x"). R9 accepts a last label that is not all digits, but
  // browsers (WHATWG URL "ends in a number") also read a last label of "0x" plus hex digits as an
  // IPv4 number: "1.2.3.0x4" is the address 1.2.3.4, and "a.0x" is no valid URL host at all.
  // src/values.ts says a numeric last label must be a valid dotted quad "as browsers read it";
  // the 0x form is numeric to browsers too. Expected: invalid-host (the value is rejected, never
  // repaired). Actual: accepted as the hostname "1.2.3.0x4", and reconstructUrl() returns
  // "http://1.2.3.0x4/", which a browser sends to 1.2.3.4.
  it.each([
    ['1.2.3.0x4', 'Host'],
    ['1.2.3.0x4', 'X-Forwarded-Host'],
    ['a.0x', 'Host'],
    ['example.0X1f', 'X-Forwarded-Host'],
    ['foo.0x10.', 'X-Forwarded-Host'],
  ] as const)('rejects %j in %s: a last label browsers read as a hex number', (host, via) => {
    const { info, url } = processHost(host, via);
    expect(info.hostname).not.toBe(host.toLowerCase());
    expect(info.rejected).toContainEqual(
      expect.objectContaining({ header: via.toLowerCase(), reason: 'invalid-host' }),
    );
    expect(() => new URL(url)).not.toThrow();
  });

  it.each(['0x.example.com', 'a0x.com', 'x.0xg', 'x.0x-1'])(
    'still accepts %j, whose last label is not a number',
    (host) => {
      const { info } = processHost(host, 'X-Forwarded-Host');
      expect(info.hostname).toBe(host);
    },
  );
});
