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
  // repaired). Was (before the fix in src/values.ts): accepted as the hostname "1.2.3.0x4", and reconstructUrl() returns
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

  // Found while writing invariants.test.ts "ignores anything the client prepends to a list header or
  // adds as an alias header" (issue 5 invariant 2), with a proxy that writes `Forwarded: for=` only
  // (nginx `proxy_set_header Forwarded "for=$remote_addr"`) next to X-Forwarded-Proto/-Host.
  // Input: trustedHeaders [Forwarded, X-Forwarded-Proto, X-Forwarded-Host], peer 10.0.0.2 trusted;
  // the proxy sends `Forwarded: for=198.51.100.9`, `X-Forwarded-Proto: https`,
  // `X-Forwarded-Host: www.example.com`; the client adds its own line `Forwarded: proto=http;host=x`.
  // Expected (the invariant): the same result as without the client's line, https://www.example.com.
  // Actual: http://app.internal:8080, XFP and XFH reported as `conflict`. R6 makes Forwarded
  // "present" in a group when *any* element carries the parameter, so a client element that is
  // never used still switches the group away from the lower-priority header, and the hop-aligned
  // element (the proxy's) has no proto=/host=, so the group keeps its original value: a client can
  // downgrade the scheme to http and the host to the internal one. Suggested fix (SPEC R6): decide
  // presence from the element R8 selects (it carries the parameter or is malformed).
  it('a client-sent Forwarded element that is never used cannot switch off the trusted X-Forwarded-Proto/-Host', () => {
    const proxy = trustedProxy({
      trustedHeaders: ['Forwarded', 'X-Forwarded-Proto', 'X-Forwarded-Host'],
      trustedProxies: '10.0.0.0/8',
    });
    const resolve = (client: [string, string][]) =>
      proxy.process(
        makeRequest({
          peer: '10.0.0.2',
          tls: false,
          localAddress: '10.0.0.1',
          localPort: 8080,
          method: 'GET',
          url: '/',
          lines: [
            ['Host', 'app.internal:8080'],
            ...client,
            ['Forwarded', 'for=198.51.100.9'],
            ['X-Forwarded-Proto', 'https'],
            ['X-Forwarded-Host', 'www.example.com'],
          ],
        }),
      );
    const clean = resolve([]);
    expect(clean).toMatchObject({
      remoteAddress: '198.51.100.9',
      protocol: 'https',
      host: 'www.example.com',
    });
    const attacked = resolve([['Forwarded', 'proto=http;host=x']]);
    expect({ protocol: attacked.protocol, host: attacked.host }).toEqual({
      protocol: 'https',
      host: 'www.example.com',
    });
  });
});
