/**
 * Trust compilation through the core modules only (no src/index.js: src/url.ts compiles a trust
 * function when it loads, so a broken function branch would only fail to load there): which
 * message a refused entry gets, zone ids, the cloud sets against proxy-addr, UNIX peers, and a
 * trust function consulted on every request (never cached).
 */
import proxyaddr from 'proxy-addr';
import { describe, expect, it } from 'vitest';
import { cloudRanges } from '../../src/core/cloud-ranges.js';
import { TrustedProxyConfigError } from '../../src/core/errors.js';
import { parseIp } from '../../src/core/ip.js';
import { compileOptions } from '../../src/core/options.js';
import { resolveRequest } from '../../src/core/resolve.js';
import { compileTrust } from '../../src/core/trust.js';

function trusts(config: Parameters<typeof compileTrust>[0], address: string | undefined, hop = 0): boolean {
  return compileTrust(config)(address === undefined ? undefined : parseIp(address), hop);
}

function refusal(entry: string): string {
  try {
    compileTrust(entry);
  } catch (error) {
    expect(error).toBeInstanceOf(TrustedProxyConfigError);
    return (error as Error).message;
  }
  throw new Error(`${entry} was accepted`);
}

describe('compileTrust › the message a refused entry gets', () => {
  it.each([
    // A name of letters, digits, '-', '.', '_' with at least one letter reads as a hostname.
    ['proxy9', 'hostnames are not allowed in trustedProxies (no DNS lookups; use an IP or CIDR): "proxy9"'],
    [
      '9-proxy_a',
      'hostnames are not allowed in trustedProxies (no DNS lookups; use an IP or CIDR): "9-proxy_a"',
    ],
    // Without a letter, or with any other character, it is just not an IP address.
    ['10_0_0_1', 'invalid IP address in trustedProxies: "10_0_0_1"'],
    ['proxy=1', 'invalid IP address in trustedProxies: "proxy=1"'],
    ['proxy@example', 'invalid IP address in trustedProxies: "proxy@example"'],
    ['proxy~1', 'invalid IP address in trustedProxies: "proxy~1"'],
    ['proxy{1}', 'invalid IP address in trustedProxies: "proxy{1}"'],
    ['/8', 'invalid IP address in trustedProxies: "/8"'],
    // Prefix lengths: one to three digits, nothing else.
    ['10.0.0.0/+8', 'invalid prefix length in trustedProxies: "10.0.0.0/+8"'],
    ['2001:db8::/1000', 'invalid prefix length in trustedProxies: "2001:db8::/1000"'],
    ['2001:db8::/-1', 'invalid prefix length in trustedProxies: "2001:db8::/-1"'],
    // R2: a zone would trust the address on every interface.
    [
      'fe80::1%eth0',
      'zone ids are not allowed in trustedProxies (they would match every interface): "fe80::1%eth0"',
    ],
    [
      'fe80::%1/64',
      'zone ids are not allowed in trustedProxies (they would match every interface): "fe80::%1/64"',
    ],
    ['%eth0', 'zone ids are not allowed in trustedProxies (they would match every interface): "%eth0"'],
  ])('%j', (entry, message) => {
    expect(refusal(entry)).toBe(message);
  });
});

describe('compileTrust › a function', () => {
  it('is called with the canonical address (undefined for a UNIX peer) and the hop', () => {
    const seen: unknown[] = [];
    const trust = compileTrust(function edge(address, hop) {
      seen.push(address, hop);
      return address === '10.0.0.1';
    });
    expect(trust(parseIp('::ffff:10.0.0.1'), 2)).toBe(true);
    expect(trust(parseIp('10.0.0.2'), 0)).toBe(false);
    expect(trust(undefined, 1)).toBe(false);
    expect(seen).toEqual(['10.0.0.1', 2, '10.0.0.2', 0, undefined, 1]);
    expect(trust.description).toBe('function edge');
    expect(trust.hopCount).toBe(0);
  });

  it('fails closed when it throws or answers anything but true', () => {
    expect(
      trusts(() => {
        throw new Error('boom');
      }, '10.0.0.1'),
    ).toBe(false);
    expect(trusts((() => 1) as unknown as () => boolean, '10.0.0.1')).toBe(false);
  });

  it('is asked again on every request from the same peer (its answer is never cached)', () => {
    let allow = true;
    const options = compileOptions({
      trustedHeaders: ['X-Forwarded-For'],
      trustedProxies: (address) => allow && address === '10.0.0.1',
    });
    const facts = {
      peer: '10.0.0.1',
      unixSocket: false,
      encrypted: false,
      localAddress: '10.0.0.100',
      localPort: 8080,
      headers: { host: 'app.internal', 'x-forwarded-for': '203.0.113.7' },
      rawHeaders: ['Host', 'app.internal', 'X-Forwarded-For', '203.0.113.7'],
    };
    expect(resolveRequest(options, facts).info.remoteAddress).toBe('203.0.113.7');
    allow = false;
    const second = resolveRequest(options, facts).info;
    expect(second.trusted).toBe(false);
    expect(second.remoteAddress).toBe('10.0.0.1');
    allow = true;
    expect(resolveRequest(options, facts).info.trusted).toBe(true);
  });
});

describe('compileTrust › UNIX peers and addresses no range names', () => {
  it('trusts a UNIX-socket peer only when unix is listed', () => {
    expect(trusts('unix', undefined)).toBe(true);
    expect(trusts('UNIX, 10.0.0.1', undefined)).toBe(true);
    expect(trusts('loopback', undefined)).toBe(false);
    expect(trusts('10.0.0.0/8', undefined)).toBe(false);
    expect(trusts('::1', undefined)).toBe(false);
  });

  it('trusts no IPv4 address when only IPv6 ranges (or only unix) are listed', () => {
    for (const config of ['::1', 'fe80::/10', 'unix']) {
      for (const address of ['0.0.0.0', '0.0.0.1', '127.0.0.1', '255.255.255.255']) {
        expect(trusts(config, address), `${config} ${address}`).toBe(false);
      }
    }
    expect(trusts('10.0.0.0/8', '0.0.0.0')).toBe(false);
  });
});

describe('compileTrust › named cloud sets', () => {
  const sets = cloudRanges();

  /** Network and broadcast address of each prefix, and the addresses just outside it. */
  function probes(cidrs: readonly string[]): string[] {
    const out: string[] = [];
    for (const cidr of cidrs) {
      const [text, bits] = cidr.split('/') as [string, string];
      const base = parseIp(text)!.v4;
      const size = 2 ** (32 - Number(bits));
      for (const v of [base - 1, base, base + 1, base + size - 1, base + size]) {
        if (v >= 0 && v <= 0xffffffff)
          out.push([24, 16, 8, 0].map((s) => Math.floor(v / 2 ** s) % 256).join('.'));
      }
    }
    return out;
  }

  it.each(Object.keys(sets))(
    '%s matches its IPv4 prefixes as proxy-addr does, and is described by name',
    (name) => {
      const set = sets[name as keyof typeof sets];
      const trust = compileTrust(name);
      const reference = proxyaddr.compile([...set.v4]);
      for (const address of probes(set.v4)) {
        expect(trust(parseIp(address), 0), address).toBe(reference(address, 0));
      }
      if (set.v6.length > 0) {
        const [text] = set.v6[0]!.split('/') as [string];
        expect(trust(parseIp(text), 0)).toBe(true);
      }
      expect(trust.description).toBe(
        `${name} (${set.v4.length + set.v6.length} ranges, snapshot ${set.fetchedAt})`,
      );
      expect(compileTrust(['loopback', name.toUpperCase()]).description).toBe(
        `127.0.0.0/8, ::1/128, ${trust.description}`,
      );
    },
  );
});
