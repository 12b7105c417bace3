/**
 * Trust compilation and option details the broad suites do not pin down: list separators,
 * IPv4-mapped detection word by word, mapped prefix arithmetic, the descriptions the CLI
 * prints, allowedHosts canonical matching, and option normalisation.
 */
import { describe, expect, it } from 'vitest';
import { parseIp } from '../../src/core/ip.js';
import { compileOptions } from '../../src/core/options.js';
import { GROUP_CLIENT } from '../../src/core/registry.js';
import { compileTrust } from '../../src/core/trust.js';
import { trustedProxy } from '../../src/index.js';
import { makeRequest } from '../property/support/harness.js';

function trusts(config: Parameters<typeof compileTrust>[0], address: string, hop = 0): boolean {
  return compileTrust(config)(parseIp(address), hop);
}

describe('compileTrust › details', () => {
  it('splits a string on commas, spaces, tabs, CR and LF', () => {
    const list = '10.0.0.1,10.0.0.2 10.0.0.3\t10.0.0.4\n10.0.0.5\r10.0.0.6';
    for (let i = 1; i <= 6; i++) expect(trusts(list, `10.0.0.${i}`), `10.0.0.${i}`).toBe(true);
    expect(trusts(list, '10.0.0.7')).toBe(false);
  });

  it.each([
    '1:0:0:0:0:ffff:a00:1',
    '0:1:0:0:0:ffff:a00:1',
    '0:0:1:0:0:ffff:a00:1',
    '0:0:0:1:0:ffff:a00:1',
    '0:0:0:0:1:ffff:a00:1',
    '::fffe:a00:1',
  ])('treats %s as IPv6, not as the IPv4-mapped 10.0.0.1', (address) => {
    expect(parseIp(address)!.family).toBe(6);
    expect(trusts(`${address}/104`, '10.0.0.1')).toBe(false);
    expect(trusts(`${address}/104`, address)).toBe(true);
    expect(trusts(address, '10.0.0.1')).toBe(false);
  });

  it('reads a mapped range as the IPv4 range of prefix - 96', () => {
    expect(trusts('::ffff:10.0.0.0/104', '10.255.0.1')).toBe(true);
    expect(trusts('::ffff:10.0.0.0/104', '11.0.0.1')).toBe(false);
    expect(trusts('::ffff:10.0.0.0/97', '100.0.0.1')).toBe(true);
    expect(trusts('::ffff:10.0.0.0/97', '200.0.0.1')).toBe(false);
    expect(trusts('::ffff:10.0.0.1', '10.0.0.1')).toBe(true);
    expect(trusts('::ffff:10.0.0.1', '10.0.0.2')).toBe(false);
  });

  it('masks host bits of a range and matches IPv6 prefixes that end inside a word', () => {
    expect(trusts('10.1.2.3/8', '10.200.0.1')).toBe(true);
    expect(trusts('2001:db8:ff00::/40', '2001:db8:ff12::1')).toBe(true);
    expect(trusts('2001:db8:ff00::/40', '2001:db8:fe12::1')).toBe(false);
    expect(trusts('2001:db8::/32', '2001:db8:ffff:ffff::1')).toBe(true);
    expect(trusts('2001:db8::/48', '2001:db8:0:1::1')).toBe(true);
    expect(trusts('2001:db8::/48', '2001:db8:1::1')).toBe(false);
  });

  it('describes itself in canonical CIDR form for the CLI', () => {
    expect(compileTrust(['unix', 'loopback', '10.1.2.3/8']).description).toBe(
      'unix, 127.0.0.0/8, ::1/128, 10.0.0.0/8',
    );
    expect(compileTrust('private').description).toBe(
      '10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, fc00::/7, 127.0.0.0/8, ::1/128, 169.254.0.0/16, fe80::/10',
    );
    expect(compileTrust('::ffff:10.0.0.0/104').description).toBe('10.0.0.0/8');
    expect(compileTrust(1).description).toBe('1 hop (any address)');
    expect(compileTrust(3).description).toBe('3 hops (any address)');
    expect(compileTrust(3).hopCount).toBe(3);
    expect(compileTrust('loopback').hopCount).toBe(0);
    function edgeOnly() {
      return true;
    }
    expect(compileTrust(edgeOnly).description).toBe('function edgeOnly');
    expect(compileTrust([() => true][0]!).description).toBe('function (anonymous)');
  });

  it('gives a hop count the hop, and a function the canonical address and hop', () => {
    expect(trusts(2, '203.0.113.1', 1)).toBe(true);
    expect(trusts(2, '203.0.113.1', 2)).toBe(false);
    const seen: unknown[] = [];
    compileTrust((address, hop) => {
      seen.push(address, hop);
      return true;
    })(parseIp('::FFFF:10.0.0.1'), 4);
    expect(seen).toEqual(['10.0.0.1', 4]);
  });

  it.each([
    ['zz', 'hostnames are not allowed'],
    ['proxy-1.internal', 'hostnames are not allowed'],
    ['my_proxy', 'hostnames are not allowed'],
    ['PROXY', 'hostnames are not allowed'],
    ['10.0.0.1a', 'hostnames are not allowed'],
    ['proxy!', 'invalid IP address'],
    ['10.0.0.0/.255.0.0', 'invalid netmask'],
    ['2001:db8::/255.0.0.0', 'invalid prefix length'],
    ['12345', 'invalid IP address'],
    ['-', 'invalid IP address'],
  ])('says why %j is refused: %s', (entry, message) => {
    expect(() => compileTrust(entry)).toThrow(message);
  });
});

describe('options › normalisation', () => {
  it('trims header names, ignores duplicates, and keeps rewriteLocation as given', () => {
    const compiled = compileOptions({
      trustedHeaders: [' X-Forwarded-For ', 'x-forwarded-for', 'X-Forwarded-Host'],
      trustedProxies: 'loopback',
      rewriteLocation: true,
    });
    expect(compiled.rewriteLocation).toBe(true);
    expect(
      compileOptions({ trustedHeaders: ['X-Forwarded-For'], trustedProxies: 'loopback' }).rewriteLocation,
    ).toBe(false);
    expect(
      compileOptions({
        trustedHeaders: ['X-Forwarded-For'],
        trustedProxies: 'loopback',
        rewriteLocation: false,
      }).rewriteLocation,
    ).toBe(false);
    expect(compiled.groups[GROUP_CLIENT]!.length > 0).toBe(true);
    expect(
      compileOptions({ trustedHeaders: ['X-Forwarded-Host'], trustedProxies: 'loopback' }).groups[
        GROUP_CLIENT
      ]!.length > 0,
    ).toBe(false);
  });

  it('accepts every option it documents, and undefined for the optional ones', () => {
    expect(() =>
      trustedProxy({
        trustedHeaders: ['X-Forwarded-For'],
        trustedProxies: 'loopback',
        allowedHosts: undefined,
        rewriteLocation: undefined,
        onReject: undefined,
      }),
    ).not.toThrow();
    expect(() =>
      trustedProxy({
        trustedHeaders: ['X-Forwarded-For'],
        trustedProxies: 'loopback',
        allowedHosts: ['a.example'],
        onReject: () => {},
      }),
    ).not.toThrow();
  });
});

describe('allowedHosts › canonical matching', () => {
  const allowedHosts = ['Example.COM.', '*.Svc.Example.org', '127.0.0.1', '::1', '[2001:DB8::1]', 'a'];

  function allowed(host: string): boolean {
    const req = makeRequest({
      peer: '10.0.0.2',
      tls: false,
      localAddress: '10.0.0.100',
      localPort: 80,
      method: 'GET',
      url: '/',
      lines: [
        ['Host', 'app.internal'],
        ['X-Forwarded-Host', host],
      ],
    });
    const info = trustedProxy({
      trustedHeaders: ['X-Forwarded-Host'],
      trustedProxies: '10.0.0.0/8',
      allowedHosts,
    }).process(req);
    expect(info.hostname).not.toBe('app.internal');
    return info.hostAllowed;
  }

  it.each([
    ['example.com', true],
    ['EXAMPLE.com.', true],
    ['example.com:8443', true],
    ['www.example.com', false],
    ['x.svc.example.org', true],
    ['x.y.svc.example.org.', true],
    ['svc.example.org', false],
    ['xsvc.example.org', false],
    ['127.0.0.1', true],
    ['127.0.0.2', false],
    ['[::1]', true],
    ['[0:0::1]:80', true],
    ['[2001:db8::1]', true],
    ['[2001:db8::2]', false],
    ['a', true],
    ['a.', true],
    ['b', false],
  ])('%s → %s', (host, expected) => {
    expect(allowed(host)).toBe(expected);
  });

  it.each(['example.com:0', '[::1]:443', 'exa mple.com', '*.', '*', '*.[::1]', '1.2.3.4:80'])(
    'refuses the pattern %j',
    (pattern) => {
      expect(() =>
        trustedProxy({
          trustedHeaders: ['X-Forwarded-For'],
          trustedProxies: 'loopback',
          allowedHosts: [pattern],
        }),
      ).toThrow('invalid allowedHosts pattern');
    },
  );
});
