import { describe, expect, it } from 'vitest';
import { parseIp } from '../../src/core/ip.js';
import { compileOptions } from '../../src/core/options.js';
import { compileTrust } from '../../src/core/trust.js';
import type { TrustedProxyOptions } from '../../src/core/types.js';
import { TrustedProxyConfigError, trustedProxy } from '../../src/index.js';

const XFF = ['X-Forwarded-For'];

function configErrorOf(options: unknown): TrustedProxyConfigError {
  try {
    trustedProxy(options as TrustedProxyOptions);
  } catch (err) {
    expect(err).toBeInstanceOf(TrustedProxyConfigError);
    expect(err).toBeInstanceOf(TypeError);
    return err as TrustedProxyConfigError;
  }
  throw new Error('expected a TrustedProxyConfigError');
}

describe('R1 options › accepted forms', () => {
  const proxies: Array<{
    name: string;
    value: TrustedProxyOptions['trustedProxies'];
    trusts: string;
    not: string;
  }> = [
    { name: 'an IPv4 address', value: '10.0.0.1', trusts: '10.0.0.1', not: '10.0.0.2' },
    {
      name: 'an IPv6 address in upper case',
      value: '2001:DB8::1',
      trusts: '2001:db8::1',
      not: '2001:db8::2',
    },
    { name: 'an IPv4 CIDR', value: '10.0.0.0/8', trusts: '10.255.0.1', not: '11.0.0.1' },
    { name: 'an IPv4 CIDR with host bits', value: '10.0.0.5/24', trusts: '10.0.0.200', not: '10.0.1.1' },
    { name: 'an IPv6 CIDR', value: '2001:db8::/32', trusts: '2001:db8:ffff::1', not: '2001:db9::1' },
    { name: 'an IPv4 netmask', value: '10.0.0.0/255.0.0.0', trusts: '10.1.2.3', not: '11.1.2.3' },
    {
      name: 'an IPv4-mapped CIDR (/104 = IPv4 /8)',
      value: '::ffff:10.0.0.0/104',
      trusts: '10.9.9.9',
      not: '11.0.0.1',
    },
    { name: 'an IPv4-mapped address', value: '::ffff:10.0.0.1', trusts: '10.0.0.1', not: '10.0.0.2' },
    { name: 'loopback', value: 'loopback', trusts: '127.5.5.5', not: '10.0.0.1' },
    { name: 'loopback (IPv6)', value: 'loopback', trusts: '::1', not: '::2' },
    { name: 'linklocal', value: 'linklocal', trusts: 'fe80::abcd', not: 'fe00::1' },
    { name: 'uniquelocal', value: 'uniquelocal', trusts: '172.31.255.255', not: '172.32.0.0' },
    { name: 'uniquelocal (IPv6)', value: 'uniquelocal', trusts: 'fd00::1', not: 'fe00::1' },
    { name: 'private', value: 'private', trusts: '192.168.1.1', not: '8.8.8.8' },
    { name: 'private (link-local)', value: 'private', trusts: '169.254.1.1', not: '169.255.0.1' },
    {
      name: 'a comma/space separated string',
      value: '10.0.0.1, 10.0.0.2 10.0.0.3',
      trusts: '10.0.0.3',
      not: '10.0.0.4',
    },
    { name: 'an array', value: ['10.0.0.1', '192.168.0.0/16'], trusts: '192.168.7.7', not: '10.0.0.2' },
    { name: 'a function', value: (a) => a === '10.0.0.9', trusts: '10.0.0.9', not: '10.0.0.1' },
  ];
  for (const { name, value, trusts, not } of proxies) {
    it(`trustedProxies: ${name}`, () => {
      const trust = compileTrust(value);
      expect(trust(parseIp(trusts), 0)).toBe(true);
      expect(trust(parseIp(not), 0)).toBe(false);
    });
  }

  it('a number n trusts the nearest n hops whatever their address', () => {
    const trust = compileTrust(2);
    expect(trust(parseIp('8.8.8.8'), 0)).toBe(true);
    expect(trust(parseIp('8.8.8.8'), 1)).toBe(true);
    expect(trust(parseIp('8.8.8.8'), 2)).toBe(false);
    expect(trust(undefined, 0)).toBe(true);
  });

  it('a native IPv6 address never matches an IPv4-mapped range (proxy-addr 2.0.8)', () => {
    const trust = compileTrust('::ffff:10.0.0.0/104');
    expect(trust(parseIp('::a00:1', 0, 7, false), 0)).toBe(false);
    expect(trust(parseIp('::ffff:10.0.0.1'), 0)).toBe(true);
  });

  it('an IPv6 range never spans IPv4 addresses', () => {
    const trust = compileTrust('::/8');
    expect(trust(parseIp('10.0.0.1'), 0)).toBe(false);
  });

  it('unix trusts only a UNIX-socket peer', () => {
    const trust = compileTrust('unix');
    expect(trust(undefined, 0)).toBe(true);
    expect(trust(parseIp('127.0.0.1'), 0)).toBe(false);
  });

  it('a function receives the normalised address and the hop index', () => {
    const seen: Array<[string | undefined, number]> = [];
    const trust = compileTrust((address, hop) => {
      seen.push([address, hop]);
      return true;
    });
    trust(parseIp('::FFFF:10.0.0.1'), 3);
    trust(undefined, 0);
    expect(seen).toEqual([
      ['10.0.0.1', 3],
      [undefined, 0],
    ]);
  });

  it('a function that throws fails closed', () => {
    const trust = compileTrust(() => {
      throw new Error('boom');
    });
    expect(trust(parseIp('10.0.0.1'), 0)).toBe(false);
  });

  it('trustedHeaders are case-insensitive and duplicates are ignored', () => {
    const compiled = compileOptions({
      trustedHeaders: ['x-forwarded-for', 'X-FORWARDED-FOR', 'x-forwarded-proto'],
      trustedProxies: 'loopback',
    });
    expect(compiled.trustedHeaders).toEqual(['X-Forwarded-For', 'X-Forwarded-Proto']);
  });

  it('describes the compiled ranges canonically', () => {
    expect(compileTrust(['10.0.0.5/24', 'loopback', '2001:DB8::/32']).description).toBe(
      '10.0.0.0/24, 127.0.0.0/8, ::1/128, 2001:db8::/32',
    );
  });
});

describe('R2 config errors › TrustedProxyConfigError naming the value', () => {
  const cases: Array<{ name: string; options: unknown; message: RegExp }> = [
    { name: 'no options', options: undefined, message: /options object/ },
    {
      name: 'missing trustedHeaders',
      options: { trustedProxies: 'loopback' },
      message: /trustedHeaders is required/,
    },
    {
      name: 'empty trustedHeaders',
      options: { trustedHeaders: [], trustedProxies: 'loopback' },
      message: /empty/,
    },
    {
      name: 'a string for trustedHeaders',
      options: { trustedHeaders: 'X-Forwarded-For', trustedProxies: 'loopback' },
      message: /array/,
    },
    {
      name: 'an unknown header (lists the known names)',
      options: { trustedHeaders: ['X-Forwarded-Fro'], trustedProxies: 'loopback' },
      message: /"X-Forwarded-Fro".*|known: X-Forwarded-For/,
    },
    {
      name: 'X-Original-URL',
      options: { trustedHeaders: ['X-Original-URL'], trustedProxies: 'loopback' },
      message: /never be trusted.*"X-Original-URL"/,
    },
    {
      name: 'X-Rewrite-URL',
      options: { trustedHeaders: ['x-rewrite-url'], trustedProxies: 'loopback' },
      message: /never be trusted/,
    },
    {
      name: 'missing trustedProxies',
      options: { trustedHeaders: XFF },
      message: /trustedProxies is required/,
    },
    {
      name: 'empty trustedProxies string',
      options: { trustedHeaders: XFF, trustedProxies: '' },
      message: /empty/,
    },
    {
      name: 'empty trustedProxies array',
      options: { trustedHeaders: XFF, trustedProxies: [] },
      message: /empty/,
    },
    {
      name: 'a hostname',
      options: { trustedHeaders: XFF, trustedProxies: 'proxy.internal' },
      message: /hostnames are not allowed.*"proxy\.internal"/,
    },
    {
      name: 'a malformed IP',
      options: { trustedHeaders: XFF, trustedProxies: '10.0.0.256' },
      message: /invalid IP address.*"10\.0\.0\.256"/,
    },
    {
      name: 'a legacy octal IPv4',
      options: { trustedHeaders: XFF, trustedProxies: '010.0.0.1' },
      message: /invalid IP/,
    },
    {
      name: 'a partial network (mod_wsgi 192.168.1)',
      options: { trustedHeaders: XFF, trustedProxies: '192.168.1' },
      message: /invalid IP/,
    },
    {
      name: 'an IPv4 prefix out of range',
      options: { trustedHeaders: XFF, trustedProxies: '10.0.0.0/33' },
      message: /out of range.*"10\.0\.0\.0\/33"/,
    },
    {
      name: 'an IPv6 prefix out of range',
      options: { trustedHeaders: XFF, trustedProxies: '2001:db8::/129' },
      message: /out of range/,
    },
    {
      name: 'a non-numeric prefix',
      options: { trustedHeaders: XFF, trustedProxies: '10.0.0.0/x' },
      message: /prefix/,
    },
    {
      name: 'a non-contiguous netmask',
      options: { trustedHeaders: XFF, trustedProxies: '10.0.0.0/255.0.255.0' },
      message: /netmask/,
    },
    {
      name: 'IPv4 /0 (suggests a number or an explicit CIDR)',
      options: { trustedHeaders: XFF, trustedProxies: '0.0.0.0/0' },
      message: /\/0 range.*hop count.*"0\.0\.0\.0\/0"/,
    },
    { name: 'IPv6 /0', options: { trustedHeaders: XFF, trustedProxies: '::/0' }, message: /\/0 range/ },
    {
      name: 'an IPv4-mapped CIDR with prefix < 97',
      options: { trustedHeaders: XFF, trustedProxies: '::ffff:10.0.0.0/8' },
      message: /97-128.*"::ffff:10\.0\.0\.0\/8"/,
    },
    {
      name: 'an IPv4-mapped /96 (an IPv4 /0)',
      options: { trustedHeaders: XFF, trustedProxies: '::ffff:0.0.0.0/96' },
      message: /97-128/,
    },
    { name: "'*'", options: { trustedHeaders: XFF, trustedProxies: '*' }, message: /there is no '\*'/ },
    {
      name: 'a hop count of 0',
      options: { trustedHeaders: XFF, trustedProxies: 0 },
      message: /integer >= 1/,
    },
    {
      name: 'a fractional hop count',
      options: { trustedHeaders: XFF, trustedProxies: 1.5 },
      message: /integer/,
    },
    { name: 'true', options: { trustedHeaders: XFF, trustedProxies: true }, message: /must be a string/ },
    {
      name: 'a malformed allowedHosts pattern',
      options: { trustedHeaders: XFF, trustedProxies: 'loopback', allowedHosts: ['example.com:443'] },
      message: /allowedHosts pattern.*"example\.com:443"/,
    },
    {
      name: 'an inner wildcard in allowedHosts',
      options: { trustedHeaders: XFF, trustedProxies: 'loopback', allowedHosts: ['a.*.example.com'] },
      message: /allowedHosts pattern/,
    },
    {
      name: 'an empty allowedHosts',
      options: { trustedHeaders: XFF, trustedProxies: 'loopback', allowedHosts: [] },
      message: /allowedHosts/,
    },
    {
      name: 'an unknown option',
      options: { trustedHeaders: XFF, trustedProxies: 'loopback', trustProxy: true },
      message: /unknown option.*"trustProxy"/,
    },
    {
      name: 'a non-boolean rewriteLocation',
      options: { trustedHeaders: XFF, trustedProxies: 'loopback', rewriteLocation: 'yes' },
      message: /rewriteLocation/,
    },
    {
      name: 'a non-function onReject',
      options: { trustedHeaders: XFF, trustedProxies: 'loopback', onReject: 'log' },
      message: /onReject/,
    },
  ];
  for (const { name, options, message } of cases) {
    it(`throws for ${name}`, () => {
      const err = configErrorOf(options);
      expect(err.code).toBe('ERR_TRUSTED_PROXY_CONFIG');
      expect(err.name).toBe('TrustedProxyConfigError');
      expect(err.message).toMatch(message);
    });
  }

  it('lists the known header names for an unknown header', () => {
    const err = configErrorOf({ trustedHeaders: ['X-Nope'], trustedProxies: 'loopback' });
    expect(err.message).toContain('X-Forwarded-For');
    expect(err.message).toContain('Forwarded');
    expect(err.message).toContain('"X-Nope"');
  });

  it('escapes and truncates hostile values in messages', () => {
    const err = configErrorOf({
      trustedHeaders: [`X-${'a'.repeat(500)}\r\nInjected: 1`],
      trustedProxies: 'loopback',
    });
    expect(err.message).not.toMatch(/[\r\n]/);
    expect(err.message.length).toBeLessThan(600);
  });
});
