// R22: the named cloud sets — what the snapshots hold, and that the compiled matcher trusts
// exactly their prefixes (checked against a BigInt reference on random addresses).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CLOUD_RANGE_NAMES } from '../../src/core/cloud-ranges.js';
import { parseIp } from '../../src/core/ip.js';
import { compileTrust } from '../../src/core/trust.js';
import { cloudRanges, TrustedProxyConfigError, trustedProxy } from '../../src/index.js';

function trusts(proxies: string | string[], address: string): boolean {
  const ip = parseIp(address);
  if (ip === undefined) throw new Error(`bad test address ${address}`);
  return compileTrust(proxies)(ip, 0);
}

/** 128-bit value of an address (IPv4 as ::ffff:a.b.c.d is not needed: families are kept apart). */
function toBig(address: string): { family: 4 | 6; value: bigint } {
  const ip = parseIp(address)!;
  if (ip.family === 4) return { family: 4, value: BigInt(ip.v4) };
  return { family: 6, value: ip.v6.reduce((acc, w) => (acc << 16n) | BigInt(w), 0n) };
}

function inCidr(address: string, cidr: string): boolean {
  const [net, len] = cidr.split('/') as [string, string];
  const a = toBig(address);
  const n = toBig(net);
  if (a.family !== n.family) return false;
  const bits = a.family === 4 ? 32 : 128;
  const shift = BigInt(bits - Number(len));
  return a.value >> shift === n.value >> shift;
}

describe('cloudRanges()', () => {
  const sets = cloudRanges();

  it('names exactly the four sets', () => {
    expect(Object.keys(sets)).toEqual(['cloudflare', 'fastly', 'cloudfront', 'gcp-lb']);
    expect([...CLOUD_RANGE_NAMES]).toEqual(Object.keys(sets));
  });

  it.each(Object.entries(cloudRanges()))(
    '%s: has a source URL, a date and valid, non-empty prefixes',
    (_name, set) => {
      expect(set.source).toMatch(/^https:\/\/\S+( https:\/\/\S+)?$/);
      expect(set.fetchedAt).toMatch(/^20\d\d-[01]\d-[0-3]\d$/);
      expect(Number.isNaN(Date.parse(set.fetchedAt))).toBe(false);
      expect(set.v4.length + set.v6.length).toBeGreaterThan(0);
      for (const cidr of set.v4) {
        expect(cidr).toMatch(/^\d+\.\d+\.\d+\.\d+\/\d+$/);
        expect(parseIp(cidr.split('/')[0]!)?.family).toBe(4);
      }
      for (const cidr of set.v6) {
        expect(cidr).toContain(':');
        expect(parseIp(cidr.split('/')[0]!)?.family).toBe(6);
      }
      // Every prefix is accepted by trustedProxies on its own (no /0, no host bits that matter).
      expect(() => compileTrust([...set.v4, ...set.v6])).not.toThrow();
    },
  );

  it('returns a fresh copy: changing it changes nothing', () => {
    const first = cloudRanges();
    first.cloudflare.v4.push('1.0.0.0/8');
    first.cloudflare.v4.length = 0;
    expect(cloudRanges().cloudflare.v4.length).toBeGreaterThan(10);
    expect(trusts('cloudflare', '1.0.0.1')).toBe(false);
    expect(trusts('cloudflare', '173.245.48.1')).toBe(true);
  });

  it("cloudflare is Cloudflare's published split, not npm cloudflare-ips' stale 104.16.0.0/12", () => {
    const { cloudflare } = sets;
    expect(cloudflare.v4).toContain('104.16.0.0/13');
    expect(cloudflare.v4).toContain('104.24.0.0/14');
    expect(cloudflare.v4).not.toContain('104.16.0.0/12');
    expect(cloudflare.v4).toHaveLength(15);
    expect(cloudflare.v6).toHaveLength(7);
  });

  it('cloudfront holds the origin-facing ranges, not the edge-facing CLOUDFRONT service', () => {
    const { cloudfront } = sets;
    expect(cloudfront.source).toBe('https://ip-ranges.amazonaws.com/ip-ranges.json');
    expect(cloudfront.v4).toContain('130.176.0.0/18');
    expect(cloudfront.v4).toContain('15.158.0.0/16');
    // 13.32.0.0/15 is CloudFront's edge (what viewers connect to), never an origin's peer.
    expect(cloudfront.v4).not.toContain('13.32.0.0/15');
    expect(cloudfront.v4.length).toBeGreaterThan(40);
  });

  it('gcp-lb holds the health-check and GFE ranges Google documents', () => {
    expect(sets['gcp-lb'].v4).toEqual(['35.191.0.0/16', '130.211.0.0/22']);
    expect(sets['gcp-lb'].v6).toEqual(['2600:2d00:1:b029::/64', '2600:2d00:1:1::/64']);
  });
});

describe('trustedProxies › named cloud sets', () => {
  const cases: Array<{ proxies: string; address: string; trusted: boolean; why: string }> = [
    { proxies: 'cloudflare', address: '104.16.0.1', trusted: true, why: 'in 104.16.0.0/13' },
    { proxies: 'cloudflare', address: '104.27.255.254', trusted: true, why: 'in 104.24.0.0/14' },
    {
      proxies: 'cloudflare',
      address: '104.28.0.1',
      trusted: false,
      why: 'stale: in the old /12, not published any more',
    },
    { proxies: 'cloudflare', address: '104.31.255.255', trusted: false, why: 'stale /12 tail' },
    { proxies: 'cloudflare', address: '2606:4700:10::6816:1', trusted: true, why: 'in 2606:4700::/32' },
    { proxies: 'cloudflare', address: '::ffff:173.245.48.9', trusted: true, why: 'IPv4-mapped peer' },
    { proxies: 'cloudflare', address: '127.0.0.1', trusted: false, why: 'loopback is not Cloudflare' },
    { proxies: 'cloudflare', address: '203.0.113.7', trusted: false, why: 'a client on the internet' },
    { proxies: 'fastly', address: '151.101.1.1', trusted: true, why: 'in 151.101.0.0/16' },
    { proxies: 'fastly', address: '2a04:4e42::1', trusted: true, why: 'in 2a04:4e42::/32' },
    { proxies: 'fastly', address: '104.16.0.1', trusted: false, why: 'Cloudflare, not Fastly' },
    { proxies: 'cloudfront', address: '130.176.1.1', trusted: true, why: 'origin-facing' },
    { proxies: 'cloudfront', address: '2600:9000:1000::1', trusted: true, why: 'origin-facing v6' },
    { proxies: 'cloudfront', address: '13.32.0.1', trusted: false, why: 'edge-facing only' },
    { proxies: 'gcp-lb', address: '35.191.7.8', trusted: true, why: 'GFE / health checks' },
    { proxies: 'gcp-lb', address: '130.211.3.255', trusted: true, why: 'last of 130.211.0.0/22' },
    { proxies: 'gcp-lb', address: '130.211.4.0', trusted: false, why: 'first after /22' },
    { proxies: 'CloudFlare', address: '104.16.0.1', trusted: true, why: 'names are case-insensitive' },
    { proxies: 'cloudflare, 10.0.0.0/8', address: '10.1.2.3', trusted: true, why: 'mixed with a CIDR' },
    { proxies: 'cloudflare fastly', address: '151.101.1.1', trusted: true, why: 'two sets' },
  ];
  it.each(cases)('$proxies › $address → $trusted ($why)', ({ proxies, address, trusted }) => {
    expect(trusts(proxies, address)).toBe(trusted);
  });

  it('the matcher agrees with a BigInt reference over every set at once (random addresses)', () => {
    const all = cloudRanges();
    const prefixes = Object.values(all).flatMap((s) => [...s.v4, ...s.v6]);
    const trust = compileTrust(['cloudflare', 'fastly', 'cloudfront', 'gcp-lb', '192.168.0.0/16']);
    const reference = (address: string) =>
      [...prefixes, '192.168.0.0/16'].some((cidr) => inCidr(address, cidr));
    // Addresses near every range boundary, plus random ones.
    const edges: string[] = [];
    for (const cidr of prefixes.filter((p) => !p.includes(':'))) {
      const [net, len] = cidr.split('/') as [string, string];
      const start = parseIp(net)!.v4;
      const end = start + 2 ** (32 - Number(len)) - 1;
      for (const v of [start - 1, start, end, end + 1]) {
        if (v >= 1 && v < 2 ** 32)
          edges.push([v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join('.'));
      }
    }
    for (const address of edges) expect(trust(parseIp(address)!, 0), address).toBe(reference(address));
    fc.assert(
      fc.property(fc.oneof(fc.ipV4(), fc.ipV6()), (address) => {
        const ip = parseIp(address);
        if (ip === undefined || (ip.family === 4 && ip.v4 === 0)) return;
        expect(trust(ip, 0)).toBe(reference(ip.text));
      }),
      { numRuns: 1000 },
    );
  });

  it('describes a set by name, size and date, not by its prefixes', () => {
    const trust = compileTrust(['10.0.0.0/8', 'cloudflare']);
    expect(trust.description).toBe(
      `10.0.0.0/8, cloudflare (22 ranges, snapshot ${cloudRanges().cloudflare.fetchedAt})`,
    );
  });

  it('an unknown name is still a config error naming it', () => {
    expect(() => trustedProxy({ trustedHeaders: ['X-Forwarded-For'], trustedProxies: 'cloudflair' })).toThrow(
      TrustedProxyConfigError,
    );
    expect(() => trustedProxy({ trustedHeaders: ['X-Forwarded-For'], trustedProxies: 'cloudflair' })).toThrow(
      /cloudflair/,
    );
    // Object.prototype names are not ranges.
    expect(() => compileTrust('constructor')).toThrow(TrustedProxyConfigError);
  });
});

describe('trustedProxies › a set named twice', () => {
  it('is described once', () => {
    expect(compileTrust('cloudflare, CloudFlare').description.match(/cloudflare/g)).toHaveLength(1);
  });
});
