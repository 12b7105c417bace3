/**
 * Minimised reproductions of every divergence the model found, and SPEC's own examples held
 * against the model (so the model is checked against the contract's text, not only against
 * the package). Each case runs through both and asserts the values SPEC gives.
 */
import { describe, expect, it } from 'vitest';
import type { TrustedProxyOptions } from '../../src/core/types.js';
import { reconstructUrl, trustedProxy } from '../../src/index.js';
import { type HeaderLine, makeRequest, type RawRequest } from '../property/support/harness.js';
import { diffProcess, factsOfRaw } from './compare.js';
import {
  modelCanonicalIp,
  modelConfigError,
  modelParseHost,
  modelReconstructUrl,
  modelResolve,
} from './index.js';

/** `peer` null: a UNIX socket. */
function request(lines: HeaderLine[], peer: string | null = '10.0.0.1', tls = false): RawRequest {
  return {
    peer: peer ?? undefined,
    unix: peer === null,
    tls,
    localAddress: '10.0.0.9',
    localPort: 8080,
    method: 'GET',
    url: '/p?q=1',
    lines,
  };
}

/** Runs a case through the model and the package; they must agree. Returns the model's info. */
function both(options: TrustedProxyOptions, raw: RawRequest) {
  expect(diffProcess(options, trustedProxy(options), raw)).toEqual([]);
  return modelResolve(options, factsOfRaw(raw));
}

const XFF = {
  trustedHeaders: ['X-Forwarded-For', 'X-Forwarded-Host', 'X-Forwarded-Proto'],
  trustedProxies: ['10.0.0.0/8'],
};

describe('divergences found by the whole-request run (issue 11), minimised', () => {
  it('Forwarded `;` in the middle is an element without for= (R7)', () => {
    const { info } = both(
      { trustedHeaders: ['Forwarded'], trustedProxies: '10.0.0.0/8' },
      request([['Forwarded', 'for=203.0.113.5, ;, for=10.0.0.2']]),
    );
    expect(info.remoteAddress).toBe('10.0.0.2');
  });

  it("Forwarded `;` as the peer's own element leaves no client value in charge (R6, R7)", () => {
    const { info, headers } = both(
      { trustedHeaders: ['Forwarded', 'X-Forwarded-Proto'], trustedProxies: '10.0.0.0/8' },
      request([
        ['Forwarded', 'for=6.6.6.6;proto=https'],
        ['Forwarded', ';'],
        ['X-Forwarded-Proto', 'http'],
      ]),
    );
    expect(info.remoteAddress).toBe('10.0.0.1');
    expect(info.protocol).toBe('http');
    expect(headers.forwarded).toBeUndefined();
  });

  it('X-Forwarded-Proto ftp with X-Forwarded-Scheme ftp: no conflict (R6)', () => {
    const { info } = both(
      { trustedHeaders: ['X-Forwarded-Proto', 'X-Forwarded-Scheme'], trustedProxies: '10.0.0.0/8' },
      request([
        ['X-Forwarded-Proto', 'ftp'],
        ['X-Forwarded-Scheme', 'ftp'],
      ]),
    );
    expect(info.rejected.map((e) => e.reason)).toEqual(['invalid-scheme']);
  });

  it('a malformed lower-priority Forwarded element is quoted whole in its conflict', () => {
    const { info } = both(
      { trustedHeaders: ['X-Forwarded-Proto', 'Forwarded'], trustedProxies: '10.0.0.0/8' },
      request([
        ['X-Forwarded-Proto', 'https'],
        ['Forwarded', 'proto=http;proto=https'],
      ]),
    );
    // Forwarded is also the (only) client header here: its malformed element is reported once.
    expect(info.rejected).toEqual([
      { header: 'forwarded', value: 'proto=http;proto=https', reason: 'malformed-forwarded' },
      { header: 'forwarded', value: 'proto=http;proto=https', reason: 'conflict' },
    ]);
  });

  it('R15: a high surrogate without its low half is encoded as U+FFFD (found by the url run)', () => {
    const r = request([['Host', 'a.example']]);
    const req = makeRequest({ ...r, url: '/\ud800\ud800x' });
    trustedProxy(XFF).process(req);
    expect(reconstructUrl(req)).toBe('http://a.example/%EF%BF%BD%EF%BF%BDx');
    expect(modelReconstructUrl(modelResolve(XFF, factsOfRaw(r)).info, '/\ud800\ud800x')).toBe(
      'http://a.example/%EF%BF%BD%EF%BF%BDx',
    );
  });

  it('R9/R18: a host with an invalid punycode label is invalid-host, and createResolver never throws on it (found by the long fetch run)', async () => {
    for (const host of ['xn--bcher-va.example', 'a.XN--ZZ', 'xn--']) {
      const { info } = both(
        { trustedHeaders: ['X-Host'], trustedProxies: '10.0.0.0/8' },
        request([
          ['Host', 'internal'],
          ['X-Host', host],
        ]),
      );
      expect(info.rejected, host).toEqual([{ header: 'x-host', value: host, reason: 'invalid-host' }]);
      expect(info.hostname).toBe('internal');
    }
    expect(both(XFF, request([['Host', 'xn--bcher-kva.example']])).info.hostname).toBe(
      'xn--bcher-kva.example',
    );
    const { createResolver } = await import('../../src/index.js');
    const resolve = createResolver({ trustedHeaders: ['X-Host'], trustedProxies: 'loopback' } as never);
    const result = resolve(
      new Request('http://internal/x', { headers: { 'x-host': 'xn--bcher-va.example' } }),
      {
        peer: '127.0.0.1',
      },
    );
    expect(result.info.hostname).toBe('internal');
    expect(result.info.rejected).toEqual([
      { header: 'x-host', value: 'xn--bcher-va.example', reason: 'invalid-host' },
    ]);
  });

  it('zoned trustedProxies and allowedHosts, empty-label allowedHosts are config errors (R2)', () => {
    for (const bad of [
      { trustedProxies: 'fe80::1%eth0' },
      { allowedHosts: ['fe80::1%eth0'] },
      { allowedHosts: ['.'] },
      { allowedHosts: ['a..b.example'] },
    ]) {
      const options = {
        trustedHeaders: ['X-Forwarded-For'],
        trustedProxies: 'loopback',
        ...bad,
      } as TrustedProxyOptions;
      expect(modelConfigError(options), JSON.stringify(bad)).toBeDefined();
      expect(() => trustedProxy(options)).toThrow(TypeError);
    }
  });

  it('hosts with empty labels are invalid-host, also against allowedHosts (R9)', () => {
    for (const host of ['..', 'a..b.example', '.pub.example']) {
      const { info } = both({ ...XFF, allowedHosts: ['example.com'] }, request([['Host', host]]));
      expect(info.rejected[0]).toEqual({ header: 'host', value: host, reason: 'invalid-host' });
      expect(info.hostAllowed).toBe(false);
    }
  });
});

describe("SPEC's examples, held against the model and the package", () => {
  it('R5: canonical addresses; an IPv6 host literal stays IPv6', () => {
    expect(modelCanonicalIp('::ffff:10.0.0.1')).toBe('10.0.0.1');
    expect(modelCanonicalIp('fe80::1%eth0')).toBe('fe80::1');
    expect(modelCanonicalIp('2001:DB8:0:0:0:0:0:1')).toBe('2001:db8::1');
    expect(modelParseHost('[::FFFF:a00:64]')).toEqual({ hostname: '[::ffff:10.0.0.100]', port: 0 });
    const { info } = both(XFF, request([['Host', '[::FFFF:a00:64]:8443']]));
    expect(info.hostname).toBe('[::ffff:10.0.0.100]');
    expect(info.host).toBe('[::ffff:10.0.0.100]:8443');
  });

  it('R7: node shapes and what is refused', () => {
    const good = ['1.2.3.4', '1.2.3.4:5678', '2001:db8::1', '[2001:db8::1]', '[2001:db8::1]:443'];
    for (const node of good) {
      const { info } = both(XFF, request([['X-Forwarded-For', node]]));
      expect(info.remoteAddress, node).toBe(node.includes('1.2.3.4') ? '1.2.3.4' : '2001:db8::1');
    }
    for (const node of [
      '127.1',
      '0x7f.1',
      '2130706433',
      '010.0.0.1',
      '0.0.0.0',
      '::',
      'unknown',
      '1.2.3.4:080',
    ]) {
      const { info } = both(XFF, request([['X-Forwarded-For', node]]));
      expect(info.remoteAddress, node).toBe('10.0.0.1');
      expect(info.rejected, node).toEqual([
        { header: 'x-forwarded-for', value: node, reason: 'invalid-address' },
      ]);
    }
  });

  it('R7: a non-IP node stops the walk; the proxy that reported it is the client', () => {
    const { info } = both(XFF, request([['X-Forwarded-For', '1.1.1.1, unknown, 10.0.0.2']]));
    expect(info.remoteAddress).toBe('10.0.0.2');
    expect(info.addresses).toEqual(['10.0.0.2', '10.0.0.1']);
  });

  it('R7: a single-value header holding a list is invalid-address; `, 1.2.3.4` is one node', () => {
    const options = { trustedHeaders: ['X-Real-IP'], trustedProxies: '10.0.0.0/8' };
    expect(both(options, request([['X-Real-IP', '1.1.1.1, 2.2.2.2']])).info.remoteAddress).toBe('10.0.0.1');
    expect(both(options, request([['X-Real-IP', ', 1.2.3.4']])).info.remoteAddress).toBe('1.2.3.4');
  });

  it('R8: the entry added by the outermost trusted proxy, appending or overwriting', () => {
    // Two trusted hops (10.0.0.1 peer, 10.0.0.2), client 203.0.113.9: index L − 2.
    const { info, headers } = both(
      XFF,
      request([
        ['X-Forwarded-For', '6.6.6.6, 203.0.113.9, 10.0.0.2'],
        ['X-Forwarded-Host', 'evil.example, www.example.com, inner.example'],
      ]),
    );
    expect(info.remoteAddress).toBe('203.0.113.9');
    expect(info.hostname).toBe('www.example.com');
    expect(headers['x-forwarded-host']).toBe('www.example.com, inner.example');
    expect(headers['x-forwarded-for']).toBe('203.0.113.9, 10.0.0.2');
    const nginx = both(
      XFF,
      request([
        ['X-Forwarded-For', '203.0.113.9, 10.0.0.2'],
        ['X-Forwarded-Host', 'www.example.com'],
      ]),
    );
    expect(nginx.info.hostname).toBe('www.example.com');
  });

  it('R10: port from the Host header, the trusted scheme, or the socket', () => {
    expect(both(XFF, request([['Host', 'a.example:8080']])).info.host).toBe('a.example:8080');
    expect(both(XFF, request([['X-Forwarded-Proto', 'https']])).info).toMatchObject({
      host: '10.0.0.9',
      port: 443,
    });
    expect(both(XFF, request([])).info).toMatchObject({ host: '10.0.0.9:8080', port: 8080 });
    expect(both(XFF, request([['X-Forwarded-Proto', 'http']], '10.0.0.1', true)).info.protocol).toBe('http');
  });

  it('R11/R12: an untrusted peer loses every forwarding header; Host becomes info.host', () => {
    const { info, headers, rawHeaders } = both(
      XFF,
      request(
        [
          ['Host', 'A.Example'],
          ['X-Forwarded-For', '1.2.3.4'],
          ['X-Real-IP', '5.6.7.8'],
        ],
        '203.0.113.1',
      ),
    );
    expect(info.trusted).toBe(false);
    expect(headers).toEqual({ host: 'a.example' });
    expect(rawHeaders).toEqual(['Host', 'a.example']);
  });

  it('R5: a UNIX socket peer is trusted only by unix, a number or a function', () => {
    const lines: HeaderLine[] = [['X-Forwarded-For', '1.2.3.4']];
    expect(
      both({ trustedHeaders: ['X-Forwarded-For'], trustedProxies: 'unix' }, request(lines, null)).info
        .remoteAddress,
    ).toBe('1.2.3.4');
    expect(
      both({ trustedHeaders: ['X-Forwarded-For'], trustedProxies: 'loopback' }, request(lines, null)).info
        .trusted,
    ).toBe(false);
    expect(
      both({ trustedHeaders: ['X-Forwarded-For'], trustedProxies: 1 }, request(lines, null)).info.hostname,
    ).toBe('localhost');
  });
});
