/**
 * Differential tests against independent implementations, on the inputs where the contract
 * agrees with them: proxy-addr 2.0.8 (what Express uses) for the client address of valid-IP
 * chains, proxy-addr's compiled trust and Node's net.BlockList for trust matching. Every
 * disagreement is either a bug here or an intended difference, tested by name below.
 */
import { BlockList } from 'node:net';
import * as fc from 'fast-check';
import proxyaddr from 'proxy-addr';
import { describe, expect, it } from 'vitest';
import { parseIp } from '../../src/core/ip.js';
import { compileTrust } from '../../src/core/trust.js';
import { TrustedProxyConfigError, trustedProxy } from '../../src/index.js';
import { ipv4, ipv6Sparse } from './support/arbitraries.js';
import { params } from './support/config.js';
import { makeRequest } from './support/harness.js';
import { addressToBig, canonicalIp, compileTrustOracle } from './support/oracle.js';

// ---------------------------------------------------------------------------------------------
// Ranges and addresses near them

interface Cidr {
  /** As written in trustedProxies. */
  text: string;
  family: 4 | 6;
  network: bigint;
  prefix: number;
  /** Written as an IPv4-mapped IPv6 range (prefix >= 97). */
  mapped: boolean;
  named: boolean;
}

function bigToV4(v: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => Number((v >> s) & 255n)).join('.');
}
function bigToV6(v: bigint): string {
  const words = [];
  for (let i = 7; i >= 0; i--) words.push(Number((v >> BigInt(i * 16)) & 0xffffn).toString(16));
  return canonicalIp(words.join(':')) ?? words.join(':');
}
function maskBits(bits: number, prefix: number): bigint {
  return ((1n << BigInt(bits)) - 1n) ^ ((1n << BigInt(bits - prefix)) - 1n);
}

const v4Cidr: fc.Arbitrary<Cidr> = fc
  .tuple(ipv4, fc.integer({ min: 1, max: 32 }), fc.constantFrom('len', 'mask', 'bare'))
  .map(([base, prefix, form]) => {
    const p = form === 'bare' ? 32 : prefix;
    const network = addressToBig(base).value & maskBits(32, p);
    const text =
      form === 'bare' ? base : form === 'mask' ? `${base}/${bigToV4(maskBits(32, p))}` : `${base}/${p}`;
    return { text, family: 4, network, prefix: p, mapped: false, named: false };
  });

const v6Cidr: fc.Arbitrary<Cidr> = fc
  .tuple(
    fc.oneof(ipv6Sparse, fc.constantFrom('fe80::1', 'fd12:3456::1', '::1', '2001:db8::1')),
    fc.integer({ min: 1, max: 128 }),
    fc.boolean(),
  )
  .map(([base, prefix, bare]) => {
    const c = canonicalIp(base)!;
    const p = bare ? 128 : prefix;
    const network = addressToBig(c).value & maskBits(128, p);
    return { text: bare ? base : `${base}/${p}`, family: 6, network, prefix: p, mapped: false, named: false };
  });

const mappedCidr: fc.Arbitrary<Cidr> = fc
  .tuple(ipv4, fc.integer({ min: 97, max: 128 }), fc.boolean())
  .map(([base, prefix, bare]) => {
    const p4 = bare ? 32 : prefix - 96;
    return {
      text: bare ? `::ffff:${base}` : `::ffff:${base}/${prefix}`,
      family: 4,
      network: addressToBig(base).value & maskBits(32, p4),
      prefix: p4,
      mapped: true,
      named: false,
    };
  });

const namedRange: fc.Arbitrary<Cidr> = fc
  .constantFrom('loopback', 'linklocal', 'uniquelocal')
  .map((text) => ({ text, family: 4, network: 0n, prefix: 0, mapped: false, named: true }));

const cidrSet = fc.array(
  fc.oneof(
    { weight: 4, arbitrary: v4Cidr },
    { weight: 3, arbitrary: v6Cidr },
    { weight: 1, arbitrary: mappedCidr },
    { weight: 1, arbitrary: namedRange },
  ),
  {
    minLength: 1,
    maxLength: 5,
  },
);

/** A canonical address: random, or inside one of the ranges (so matches are common). */
function addressNear(set: Cidr[]): fc.Arbitrary<string> {
  const concrete = set.filter((c) => !c.named);
  const inside =
    concrete.length === 0
      ? fc.constantFrom('127.0.0.1', '10.1.2.3', 'fe80::1')
      : fc
          .tuple(fc.constantFrom(...concrete), fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }))
          .map(([c, r]) => {
            const bits = c.family === 4 ? 32 : 128;
            const host = r & ((1n << BigInt(bits - c.prefix)) - 1n);
            return c.family === 4 ? bigToV4(c.network | host) : bigToV6(c.network | host);
          });
  return fc
    .oneof(
      inside,
      ipv4,
      ipv6Sparse.map((a) => canonicalIp(a)!),
    )
    .filter((a) => canonicalIp(a) === a);
}

// ---------------------------------------------------------------------------------------------

describe('differential › trust matching', () => {
  it('agrees with proxy-addr compile() and a BigInt reference on random ranges', () => {
    fc.assert(
      fc.property(
        cidrSet.chain((set) =>
          fc.tuple(fc.constant(set), fc.array(addressNear(set), { minLength: 1, maxLength: 8 })),
        ),
        ([set, addresses]) => {
          const texts = set.map((c) => c.text);
          const ours = compileTrust(texts);
          const theirs = proxyaddr.compile(texts);
          const reference = compileTrustOracle(texts);
          for (const a of addresses) {
            const mine = ours(parseIp(a), 0);
            expect(mine, a).toBe(reference(a));
            expect(mine, a).toBe(theirs(a, 0));
            // The same address as Node reports an IPv4 peer on a dual-stack socket.
            if (!a.includes(':')) expect(theirs(`::ffff:${a}`, 0), a).toBe(mine);
          }
        },
      ),
      params(500),
    );
  });

  it("agrees with node:net BlockList where BlockList's family rules are the contract's", () => {
    // BlockList also matches an IPv4 address against IPv6 rules covering ::ffff:0:0/96 (and
    // has no named ranges or mapped-range rewriting); those cases follow proxy-addr 2.0.8 here.
    const plainSet = cidrSet.map((set) =>
      set.filter((c) => {
        if (c.named || c.mapped) return false;
        if (
          c.family === 6 &&
          c.prefix <= 96 &&
          ((0xffff00000000n & maskBits(128, c.prefix)) === c.network || c.network === 0n)
        ) {
          return false;
        }
        return true;
      }),
    );
    fc.assert(
      fc.property(
        plainSet
          .filter((s) => s.length > 0)
          .chain((set) =>
            fc.tuple(fc.constant(set), fc.array(addressNear(set), { minLength: 1, maxLength: 8 })),
          ),
        ([set, addresses]) => {
          const ours = compileTrust(set.map((c) => c.text));
          const list = new BlockList();
          for (const c of set) {
            const base = c.family === 4 ? bigToV4(c.network) : bigToV6(c.network);
            list.addSubnet(base, c.prefix, c.family === 4 ? 'ipv4' : 'ipv6');
          }
          for (const a of addresses) {
            expect(ours(parseIp(a), 0), a).toBe(list.check(a, a.includes(':') ? 'ipv6' : 'ipv4'));
          }
        },
      ),
      params(500),
    );
  });

  describe('intended differences from proxy-addr 2.0.8', () => {
    it.each([
      {
        entry: '010.0.0.1',
        why: 'proxy-addr reads a leading zero as octal (8.0.0.1); strict dotted quads only here',
      },
      { entry: '0x7f.0.0.1', why: 'proxy-addr accepts hex parts; strict dotted quads only here' },
      { entry: '0.0.0.0', why: 'the unspecified address never identifies a proxy' },
      { entry: '::', why: 'the unspecified address never identifies a proxy' },
      {
        entry: '::ffff:10.0.0.0/8',
        why: 'proxy-addr silently matches nothing; a config error here (prefix < 97)',
      },
      {
        entry: '::ffff:0.0.0.0/96',
        why: 'proxy-addr trusts every IPv4 address; a config error here (an IPv4 /0)',
      },
      { entry: '10.0.0.0/0', why: 'both refuse /0; here the message points to a hop count' },
    ])('refuses $entry in trustedProxies ($why)', ({ entry }) => {
      expect(() => compileTrust([entry])).toThrow(TrustedProxyConfigError);
    });

    it('knows `private` (uniquelocal + loopback + linklocal), which proxy-addr does not', () => {
      const ours = compileTrust('private');
      const theirs = proxyaddr.compile(['uniquelocal', 'loopback', 'linklocal']);
      for (const a of [
        '10.1.1.1',
        '172.31.0.1',
        '192.168.1.1',
        '127.0.0.9',
        '::1',
        'fd00::1',
        'fe80::1',
        '169.254.1.1',
        '8.8.8.8',
        '2001:db8::1',
      ]) {
        expect(ours(parseIp(a), 0), a).toBe(theirs(a, 0));
      }
      expect(() => proxyaddr.compile('private')).toThrow(TypeError);
    });

    it.each(['0x7f.0.0.1', '2130706433', '010.0.0.1', '127.000.0.1'])(
      'never trusts or reports the legacy IPv4 form %s, which proxy-addr trusts as loopback or returns verbatim',
      (node) => {
        const proxy = trustedProxy({ trustedHeaders: ['X-Forwarded-For'], trustedProxies: 'loopback' });
        const req = makeRequest({
          peer: '127.0.0.1',
          tls: false,
          localAddress: '127.0.0.1',
          localPort: 80,
          method: 'GET',
          url: '/',
          lines: [['X-Forwarded-For', `6.6.6.6, ${node}`]],
        });
        const viaProxyAddr = proxyaddr(
          makeRequest({ ...reqShape(), lines: [['X-Forwarded-For', `6.6.6.6, ${node}`]] }),
          'loopback',
        );
        expect(['6.6.6.6', node]).toContain(viaProxyAddr);
        const info = proxy.process(req);
        expect(info.remoteAddress).toBe('127.0.0.1');
        expect(info.rejected).toContainEqual(expect.objectContaining({ reason: 'invalid-address' }));
      },
    );
  });
});

function reqShape() {
  return { peer: '127.0.0.1', tls: false, localAddress: '127.0.0.1', localPort: 80, method: 'GET', url: '/' };
}

describe('differential › client address against proxy-addr', () => {
  /** The spellings Node or a proxy may use for an address. */
  function spelled(a: string): fc.Arbitrary<string> {
    return a.includes(':') ? fc.constantFrom(a, a.toUpperCase()) : fc.constantFrom(a, `::ffff:${a}`);
  }

  const scenario = cidrSet.chain((set) =>
    fc.record({
      set: fc.constant(set),
      hops: fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined, freq: 4 }),
      peer: addressNear(set).chain(spelled),
      chain: fc.array(addressNear(set).chain(spelled), { minLength: 0, maxLength: 6 }),
      lines: fc.integer({ min: 1, max: 3 }),
    }),
  );

  it('finds the same client and the same walked addresses on valid-IP chains', () => {
    fc.assert(
      fc.property(scenario, ({ set, hops, peer, chain, lines }) => {
        const texts = set.map((c) => c.text);
        const trustFn = hops === undefined ? proxyaddr.compile(texts) : (_a: string, i: number) => i < hops;
        // Split the chain over several header lines; Node joins them with ", ".
        const per = Math.ceil(chain.length / lines) || 1;
        const xff: [string, string][] = [];
        for (let i = 0; i < chain.length; i += per)
          xff.push(['X-Forwarded-For', chain.slice(i, i + per).join(', ')]);
        const raw = { ...reqShape(), peer, lines: xff };
        const expectedClient = proxyaddr(makeRequest(raw), trustFn);
        const expectedAll = proxyaddr.all(makeRequest(raw), trustFn).reverse();
        const info = trustedProxy({
          trustedHeaders: ['X-Forwarded-For'],
          trustedProxies: hops ?? texts,
        }).process(makeRequest(raw));
        expect(info.remoteAddress).toBe(canonicalIp(expectedClient));
        expect(info.addresses).toEqual(expectedAll.map((a) => canonicalIp(a)));
      }),
      params(600),
    );
  });
});
