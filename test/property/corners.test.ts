/**
 * The corners issue 11 found by running whole requests against an independent model of SPEC
 * (test/model/): each is settled by SPEC (R2, R6, R7, R9) and fixed in src/core.
 */
import { describe, expect, it } from 'vitest';
import type { TrustedProxyOptions } from '../../src/core/types.js';
import { TrustedProxyConfigError, trustedProxy } from '../../src/index.js';
import { type HeaderLine, makeRequest } from './support/harness.js';

function run(options: TrustedProxyOptions, lines: HeaderLine[], peer = '10.0.0.1') {
  const req = makeRequest({
    peer,
    tls: false,
    localAddress: '10.0.0.9',
    localPort: 8080,
    method: 'GET',
    url: '/',
    lines,
  });
  const info = trustedProxy(options).process(req);
  return { info, req };
}

describe('R7: a Forwarded element of `;` alone is an element without for=', () => {
  const options: TrustedProxyOptions = {
    trustedHeaders: ['Forwarded', 'X-Forwarded-For'],
    trustedProxies: ['10.0.0.0/8'],
  };

  it('in the middle of the chain it stops the walk: the proxy that reported it is the client', () => {
    const { info } = run(options, [
      ['Host', 'app.example'],
      ['Forwarded', 'for=203.0.113.5, ;, for=10.0.0.2'],
    ]);
    // a1 = 10.0.0.2 (trusted), a2 = `;` (no for=): the walk stops, 10.0.0.2 is the client.
    expect(info.remoteAddress).toBe('10.0.0.2');
    expect(info.addresses).toEqual(['10.0.0.2', '10.0.0.1']);
    expect(info.rejected).toContainEqual({ header: 'forwarded', value: ';', reason: 'invalid-address' });
  });

  it('`;;` in the middle counts the same', () => {
    const { info } = run(options, [['Forwarded', 'for=203.0.113.5, ;;, for=10.0.0.2']]);
    expect(info.remoteAddress).toBe('10.0.0.2');
  });

  it("as the peer's own element it does not leave a client's for=, host= or proto= in charge", () => {
    const opts: TrustedProxyOptions = {
      trustedHeaders: ['Forwarded', 'X-Forwarded-For', 'X-Forwarded-Host', 'X-Forwarded-Proto'],
      trustedProxies: ['10.0.0.0/8'],
    };
    const { info, req } = run(opts, [
      ['Host', 'internal:8080'],
      ['Forwarded', 'for=6.6.6.6;host=evil.example;proto=https, ;'],
      ['X-Forwarded-For', '203.0.113.7'],
      ['X-Forwarded-Host', 'www.example'],
      ['X-Forwarded-Proto', 'http'],
    ]);
    // The peer's element carries no for=: Forwarded is not present in the client group (R6),
    // X-Forwarded-For names the client; host/proto come from the proxy's own headers.
    expect(info.remoteAddress).toBe('203.0.113.7');
    expect(info.hostname).toBe('www.example');
    expect(info.protocol).toBe('http');
    expect(info.applied).not.toContain('forwarded');
    expect(req.headers.forwarded).toBeUndefined();
  });

  it("as the peer's own element with Forwarded alone: the peer is the client", () => {
    const { info } = run(options, [['Forwarded', 'for=6.6.6.6, ;']]);
    expect(info.remoteAddress).toBe('10.0.0.1');
    expect(info.addresses).toEqual(['10.0.0.1']);
  });
});

describe('R6: equal values in a lower-priority header are never a conflict, valid or not', () => {
  const options: TrustedProxyOptions = {
    trustedHeaders: ['X-Forwarded-Proto', 'X-Forwarded-Scheme', 'X-Forwarded-Host', 'X-Host'],
    trustedProxies: ['10.0.0.0/8'],
  };

  it('X-Forwarded-Proto ftp and X-Forwarded-Scheme ftp: invalid but equal', () => {
    const { info, req } = run(options, [
      ['X-Forwarded-Proto', 'ftp'],
      ['X-Forwarded-Scheme', 'ftp'],
    ]);
    expect(info.rejected).toEqual([{ header: 'x-forwarded-proto', value: 'ftp', reason: 'invalid-scheme' }]);
    expect(req.headers['x-forwarded-scheme']).toBeUndefined();
  });

  it('an invalid first value and a different (valid or invalid) second value is a conflict', () => {
    for (const second of ['https', 'gopher']) {
      const { info } = run(options, [
        ['X-Forwarded-Proto', 'ftp'],
        ['X-Forwarded-Scheme', second],
      ]);
      expect(info.rejected).toEqual([
        { header: 'x-forwarded-proto', value: 'ftp', reason: 'invalid-scheme' },
        { header: 'x-forwarded-scheme', value: second, reason: 'conflict' },
      ]);
    }
  });

  it('the same for hosts, and for Forwarded as the lower-priority header', () => {
    const same = run(options, [
      ['X-Forwarded-Host', 'a..b'],
      ['X-Host', 'a..b'],
    ]);
    expect(same.info.rejected).toEqual([
      { header: 'x-forwarded-host', value: 'a..b', reason: 'invalid-host' },
    ]);
    const fwd = run({ trustedHeaders: ['X-Forwarded-Proto', 'Forwarded'], trustedProxies: ['10.0.0.0/8'] }, [
      ['X-Forwarded-Proto', 'ftp'],
      ['Forwarded', 'proto=ftp'],
    ]);
    expect(fwd.info.rejected).toEqual([
      { header: 'x-forwarded-proto', value: 'ftp', reason: 'invalid-scheme' },
    ]);
  });
});

describe('R2: config errors', () => {
  it.each(['fe80::1%eth0', 'fe80::1%25eth0/64', ['::1', 'fe80::%lo0']])(
    'trustedProxies %j with a zone id is refused, naming it',
    (value) => {
      const make = () => trustedProxy({ trustedHeaders: ['X-Forwarded-For'], trustedProxies: value });
      expect(make).toThrow(TrustedProxyConfigError);
      expect(make).toThrow(/zone/);
      expect(make).toThrow(/%/);
    },
  );

  it.each(['.', '..', 'a..b.example', '.example.com', '*..example.com', '*.', 'example..'])(
    'allowedHosts %j (empty label) is refused',
    (pattern) => {
      const make = () =>
        trustedProxy({
          trustedHeaders: ['X-Forwarded-For'],
          trustedProxies: 'loopback',
          allowedHosts: [pattern],
        });
      expect(make).toThrow(TrustedProxyConfigError);
      expect(make).toThrow(pattern);
    },
  );

  it('a trailing dot is still fine', () => {
    const proxy = trustedProxy({
      trustedHeaders: ['X-Forwarded-For'],
      trustedProxies: 'loopback',
      allowedHosts: ['example.com.', '*.example.com'],
    });
    expect(typeof proxy).toBe('function');
  });
});

describe('R9: hosts with empty labels are invalid', () => {
  it.each(['..', '.', 'a..b.example', '.pub.example', 'pub.example..'])('Host %j is invalid-host', (host) => {
    const { info } = run({ trustedHeaders: ['X-Forwarded-For'], trustedProxies: ['10.0.0.0/8'] }, [
      ['Host', host],
    ]);
    expect(info.rejected).toContainEqual({ header: 'host', value: host, reason: 'invalid-host' });
    expect(info.hostname).toBe('10.0.0.9');
  });

  it.each(['a..b.example', '.pub.example'])('X-Forwarded-Host %j is invalid-host', (host) => {
    const { info } = run({ trustedHeaders: ['X-Forwarded-Host'], trustedProxies: ['10.0.0.0/8'] }, [
      ['Host', 'internal'],
      ['X-Forwarded-Host', host],
    ]);
    expect(info.rejected).toEqual([{ header: 'x-forwarded-host', value: host, reason: 'invalid-host' }]);
    expect(info.hostname).toBe('internal');
  });

  it("allowedHosts ['example.com'] does not let `Host: ..` through", () => {
    const { info } = run(
      { trustedHeaders: ['X-Forwarded-For'], trustedProxies: ['10.0.0.0/8'], allowedHosts: ['example.com'] },
      [['Host', '..']],
    );
    expect(info.hostAllowed).toBe(false);
  });

  it('a one trailing dot host stays valid', () => {
    const { info } = run({ trustedHeaders: ['X-Forwarded-For'], trustedProxies: ['10.0.0.0/8'] }, [
      ['Host', 'Example.COM.'],
    ]);
    expect(info.hostname).toBe('example.com.');
    expect(info.rejected).toEqual([]);
  });
});

describe('R7/R9: a port has no leading zero', () => {
  it('X-Forwarded-For 1.2.3.4:080 is invalid-address; Host example.com:080 is invalid-host', () => {
    const { info } = run({ trustedHeaders: ['X-Forwarded-For'], trustedProxies: ['10.0.0.0/8'] }, [
      ['Host', 'example.com:080'],
      ['X-Forwarded-For', '1.2.3.4:080'],
    ]);
    expect(info.remoteAddress).toBe('10.0.0.1');
    expect(info.rejected).toEqual([
      { header: 'x-forwarded-for', value: '1.2.3.4:080', reason: 'invalid-address' },
      { header: 'host', value: 'example.com:080', reason: 'invalid-host' },
    ]);
  });
});
