/**
 * Property-based invariants of the contract (SPEC R5–R15), over generated peers, trust
 * configurations, proxy chains and header sets. Seeded: a failure prints the seed and the
 * shrunk counterexample; replay it with FC_SEED=<seed>.
 */
import * as fc from 'fast-check';
import forwardedParse from 'forwarded-parse';
import { describe, expect, it } from 'vitest';
import type { ProxyInfo, TrustedProxies } from '../../src/core/types.js';
import { proxyInfo, reconstructUrl, trustedProxy } from '../../src/index.js';
import {
  anyNode,
  asSocketAddress,
  genericRequest,
  joinList,
  privateAddress,
  publicAddress,
  trustPrivate,
} from './support/arbitraries.js';
import {
  type ChainScenario,
  chainScenario,
  chosenClientHeader,
  clientLines,
  defaultPort,
  forwardThrough,
  hopView,
  splitHost,
  toRaw,
} from './support/chain.js';
import { params } from './support/config.js';
import { type HeaderLine, makeRequest, type RawRequest } from './support/harness.js';
import { canonicalIp, compileTrustOracle, listEntries, parseNodeOracle } from './support/oracle.js';
import { groupsOf, isRegistryHeader, LIST_HEADERS } from './support/registry.js';

/** The resolved values of a ProxyInfo (what the application sees), without the diagnostics. */
function resolved(info: ProxyInfo) {
  return {
    trusted: info.trusted,
    peerAddress: info.peerAddress,
    remoteAddress: info.remoteAddress,
    addresses: info.addresses,
    protocol: info.protocol,
    secure: info.secure,
    hostname: info.hostname,
    port: info.port,
    host: info.host,
    serverName: info.serverName,
    prefix: info.prefix,
    hostAllowed: info.hostAllowed,
  };
}

function withoutRegistryHeaders(raw: RawRequest): RawRequest {
  return { ...raw, lines: raw.lines.filter(([name]) => !isRegistryHeader(name)) };
}

const CTL = /[\r\n\0]/;

describe('property › an untrusted peer', () => {
  const untrustedRequest = genericRequest.chain((g) =>
    publicAddress.chain(asSocketAddress).map((peer) => ({ ...g, raw: { ...g.raw, peer } })),
  );

  it('resolves to the raw transport values, whatever the headers', () => {
    fc.assert(
      fc.property(untrustedRequest, (g) => {
        const proxy = trustedProxy({ trustedHeaders: g.headers, trustedProxies: g.trust });
        const req = makeRequest(g.raw);
        const info = proxy.process(req);
        const bare = proxy.process(makeRequest(withoutRegistryHeaders(g.raw)));
        expect(resolved(info)).toEqual(resolved(bare));
        expect(info.trusted).toBe(false);
        expect(info.applied).toEqual([]);
        expect(info.remoteAddress).toBe(canonicalIp(g.raw.peer!));
        expect(info.addresses).toEqual([canonicalIp(g.raw.peer!)]);
        expect(info.protocol).toBe(g.raw.tls ? 'https' : 'http');
        expect(info.prefix).toBe('');
      }),
      params(300),
    );
  });

  it('leaves no registry header in req.headers or req.rawHeaders', () => {
    fc.assert(
      fc.property(untrustedRequest, (g) => {
        const proxy = trustedProxy({ trustedHeaders: g.headers, trustedProxies: g.trust });
        const req = makeRequest(g.raw);
        proxy.process(req);
        expect(Object.keys(req.headers).filter(isRegistryHeader)).toEqual([]);
        expect(req.rawHeaders.filter((_v, i) => i % 2 === 0 && isRegistryHeader(req.rawHeaders[i]!))).toEqual(
          [],
        );
      }),
      params(200),
    );
  });
});

describe('property › behind appending or overwriting trusted proxies', () => {
  function run(s: ChainScenario, lines: readonly HeaderLine[]): ProxyInfo {
    const proxy = trustedProxy({ trustedHeaders: s.headers, trustedProxies: s.trust });
    return proxy.process(makeRequest(toRaw(s, forwardThrough(s, lines))));
  }

  it('ignores anything the client prepends to a list header or adds as an alias header', () => {
    fc.assert(
      fc.property(chainScenario, clientLines, (s, lines) => {
        const attacked = run(s, lines);
        const clean = run(s, []);
        expect(resolved(attacked)).toEqual(resolved(clean));
        expect([...attacked.applied].sort()).toEqual([...clean.applied].sort());
      }),
      params(400),
    );
  });

  it('resolves to the client and the public origin the edge proxy saw (R7, R8, R10)', () => {
    fc.assert(
      fc.property(chainScenario, clientLines, (s, lines) => {
        const info = run(s, lines);
        const k = s.proxies.length;
        const chosen = chosenClientHeader(s);
        const trusted = new Set(s.headers.map((h) => h.toLowerCase()));
        // Forwarded with for= only speaks for the client group; host and scheme come from the next header.
        const groups = new Set(
          [...trusted].flatMap((h) =>
            h === 'forwarded' && !s.forwardedFull ? ['client' as const] : groupsOf(h),
          ),
        );
        const peer = canonicalIp(s.proxies[k - 1]!)!;
        expect(info.trusted).toBe(true);
        expect(info.peerAddress).toBe(peer);
        if (chosen === undefined) {
          expect(info.remoteAddress).toBe(peer);
          return;
        }
        expect(info.remoteAddress).toBe(canonicalIp(s.client));
        const walkedAll =
          (chosen === 'x-forwarded-for' || chosen === 'forwarded') &&
          !(s.modes[chosen] === 'overwrite' && s.innerPass[chosen] && k > 1);
        if (!walkedAll) return;
        expect(info.addresses).toEqual([s.client, ...s.proxies].map((a) => canonicalIp(a)));

        // Every other value comes from the edge proxy's entry (hop alignment, R8).
        const edge = hopView(s, 1);
        const protocol = groups.has('scheme') ? s.proto : s.tls ? 'https' : 'http';
        expect(info.protocol).toBe(protocol);
        const finalHost = s.preserveHost ? s.publicHost : `hop${k}.internal:${8000 + k}`;
        const [publicName, publicPort] = splitHost(s.publicHost);
        const [hostName, hostPort] = splitHost(finalHost);
        const portTrusted = groups.has('port');
        let port: number;
        if (groups.has('host') && publicPort !== undefined) port = publicPort;
        else if (portTrusted) port = edge.port;
        else if (groups.has('host')) port = defaultPort(protocol);
        else port = hostPort ?? defaultPort(protocol);
        expect(info.hostname).toBe(groups.has('host') ? publicName : hostName);
        expect(info.port).toBe(port);
        expect(info.host).toBe(port === defaultPort(protocol) ? info.hostname : `${info.hostname}:${port}`);
        expect(info.prefix).toBe(groups.has('prefix') ? s.prefix : '');
        expect(info.serverName).toBe(groups.has('server') ? 'edge.example.net' : info.hostname);
      }),
      params(400),
    );
  });
});

describe('property › the client address (R7)', () => {
  const trustConfigs: {
    list?: string[];
    hops?: number;
    fn?: (a: string | undefined, hop: number) => boolean;
  }[] = [
    { list: ['private'] },
    { list: ['10.0.0.0/8'] },
    { list: ['10.0.0.0/8', '192.168.0.0/16', 'fc00::/7'] },
    { list: ['127.0.0.1', '::1', '172.16.0.0/12'] },
    { list: ['::ffff:10.0.0.0/104', 'fe80::/10'] },
    { list: ['loopback', '198.51.100.0/24'] },
    { list: ['10.0.0.0/255.0.0.0', '2001:db8::/32'] },
    { hops: 1 },
    { hops: 2 },
    { hops: 4 },
    { fn: (a, hop) => a !== undefined && hop < 3 && !a.startsWith('203.') },
  ];

  const xffRequest = fc.record({
    config: fc.constantFrom(...trustConfigs),
    peer: fc.oneof(privateAddress, publicAddress).chain(asSocketAddress),
    lines: fc.array(joinList(fc.array(anyNode, { minLength: 0, maxLength: 6 })), {
      minLength: 1,
      maxLength: 3,
    }),
    extra: fc.constantFrom<string[]>([], ['X-Forwarded-Host'], ['X-Forwarded-Proto', 'X-Forwarded-Port']),
  });

  /** SPEC R7 written out: walk from the peer leftwards, stop at the first untrusted or non-IP node. */
  function walk(peer: string, entries: string[], trust: (a: string, hop: number) => boolean) {
    const addresses = [peer];
    if (!trust(peer, 0)) return { remoteAddress: peer, addresses };
    for (let k = 1; k <= entries.length; k++) {
      const node = parseNodeOracle(entries[entries.length - k]!);
      if (node === undefined) break;
      addresses.unshift(node);
      if (!trust(node, k)) break;
    }
    return { remoteAddress: addresses[0], addresses };
  }

  it('is the first untrusted hop from the right, a proxy that reported garbage, or the leftmost entry', () => {
    fc.assert(
      fc.property(xffRequest, ({ config, peer, lines, extra }) => {
        const trustedProxies: TrustedProxies = config.list ?? config.hops ?? config.fn!;
        const oracleTrust = config.list
          ? (
              (m) => (a: string) =>
                m(a)
            )(compileTrustOracle(config.list))
          : config.hops !== undefined
            ? (_a: string, hop: number) => hop < config.hops!
            : (a: string, hop: number) => config.fn!(a, hop);
        const proxy = trustedProxy({ trustedHeaders: ['X-Forwarded-For', ...extra], trustedProxies });
        const raw: RawRequest = {
          peer,
          tls: false,
          localAddress: '10.9.9.9',
          localPort: 80,
          method: 'GET',
          url: '/',
          lines: [['Host', 'example.com'], ...lines.map((l) => ['X-Forwarded-For', l] as const)],
        };
        const info = proxy.process(makeRequest(raw));
        const expected = walk(canonicalIp(peer)!, listEntries(lines.join(', ')), oracleTrust);
        expect({ remoteAddress: info.remoteAddress, addresses: info.addresses }).toEqual(expected);
      }),
      params(600),
    );
  });

  it('is always a canonical IP literal', () => {
    fc.assert(
      fc.property(genericRequest, (g) => {
        const info = trustedProxy({ trustedHeaders: g.headers, trustedProxies: g.trust }).process(
          makeRequest(g.raw),
        );
        for (const a of [info.remoteAddress, info.peerAddress, ...info.addresses]) {
          expect(a).toBeDefined();
          expect(canonicalIp(a!)).toBe(a);
        }
        expect(info.addresses[info.addresses.length - 1]).toBe(info.peerAddress);
        expect(info.addresses[0]).toBe(info.remoteAddress);
      }),
      params(300),
    );
  });
});

describe('property › what the application sees afterwards (R11, R12, R15)', () => {
  const HOST_SHAPE = /^(?:[a-z0-9._-]+|\[[0-9a-f:.]+\])(?::[1-9][0-9]{0,4})?$/;

  it('keeps only applied registry headers, with a validated first entry and no CR, LF or NUL', () => {
    fc.assert(
      fc.property(genericRequest, (g) => {
        const proxy = trustedProxy({ trustedHeaders: g.headers, trustedProxies: g.trust });
        const req = makeRequest(g.raw);
        const info = proxy.process(req);
        expect(proxyInfo(req)).toBe(info);
        const trustedNames = new Set(g.headers.map((h) => h.toLowerCase()));
        for (const name of info.applied) expect(trustedNames.has(name)).toBe(true);
        for (const [name, value] of Object.entries(req.headers)) {
          if (!isRegistryHeader(name)) continue;
          expect(info.applied).toContain(name);
          expect(typeof value).toBe('string');
          expect(CTL.test(value as string)).toBe(false);
          const first = (LIST_HEADERS as readonly string[]).includes(name)
            ? (listEntries(value as string)[0] ?? '')
            : (value as string);
          if (name === 'x-forwarded-for') expect(parseNodeOracle(first)).toBeDefined();
          if (name === 'x-forwarded-host') expect(HOST_SHAPE.test(first.toLowerCase())).toBe(true);
          if (name === 'x-forwarded-proto') expect(['http', 'https']).toContain(first.toLowerCase());
          if (name === 'x-forwarded-port') expect(first).toMatch(/^[1-9][0-9]{0,4}$/);
        }
        for (let i = 0; i < req.rawHeaders.length; i += 2) {
          const name = req.rawHeaders[i]!.toLowerCase();
          if (isRegistryHeader(name)) expect(info.applied).toContain(name);
          if (name === 'host') expect(req.rawHeaders[i + 1]).toBe(info.host);
        }
        expect(req.headers.host).toBe(info.host);
        expect(HOST_SHAPE.test(info.host)).toBe(true);
        expect(info.hostname).toBe(info.hostname.toLowerCase());
        expect(info.prefix === '' || /^\/[^/]/.test(info.prefix)).toBe(true);
        expect(info.prefix.endsWith('/')).toBe(false);
      }),
      params(400),
    );
  });

  const appPath = fc.oneof(
    fc.constantFrom(
      '/',
      '/login?next=%2F',
      '//evil.com',
      '/\\evil.com',
      'evil.com',
      '',
      'http://evil.com/',
      '/%2F%2Fevil',
    ),
    fc.string({ maxLength: 12 }).map((s) => `/${s}`),
    fc.string({ maxLength: 12 }),
  );

  /**
   * True when a WHATWG parser reads `url` on `origin`. The one known case it cannot parse at
   * all is a host with an invalid Punycode label (`xn--0.a`): valid per R9's reg-name, refused
   * by WHATWG's IDNA step — still no other origin. Returns false for that case only.
   */
  function sameOrigin(url: string, origin: string): boolean {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      expect(origin).toMatch(/(\/\/|\.)xn--/);
      return false;
    }
    expect(parsed.origin).toBe(new URL(`${origin}/`).origin);
    return true;
  }

  it('never lets reconstructUrl produce a protocol-relative URL or a foreign origin', () => {
    fc.assert(
      fc.property(genericRequest, appPath, (g, path) => {
        const req = makeRequest(g.raw);
        const info = trustedProxy({ trustedHeaders: g.headers, trustedProxies: g.trust }).process(req);
        const origin = `${info.protocol}://${info.host}`;
        const url = reconstructUrl(req);
        expect(url.startsWith(`${origin}${info.prefix}`)).toBe(true);
        if (!sameOrigin(url, origin)) return;
        // "A single /": `/\x` is refused too, since browsers read `\` as `/` (a documented choice).
        if (path.startsWith('/') && path[1] !== '/' && path[1] !== '\\') {
          const target = reconstructUrl(req, path);
          expect(target.startsWith(`${origin}${info.prefix}/`)).toBe(true);
          expect(sameOrigin(target, origin)).toBe(true);
        } else {
          expect(() => reconstructUrl(req, path)).toThrow(TypeError);
        }
      }),
      params(300),
    );
  });
});

describe('property › repeated header lines (R7)', () => {
  /** Joins every registry header's lines into one comma-joined line (Forwarded only when every line is valid). */
  function joinRepeated(lines: readonly HeaderLine[]): HeaderLine[] {
    const out: HeaderLine[] = [];
    const seen = new Map<string, number>();
    for (const [name, value] of lines) {
      const key = name.toLowerCase();
      const index = seen.get(key);
      if (index === undefined || !isRegistryHeader(key)) {
        if (isRegistryHeader(key)) seen.set(key, out.length);
        out.push([name, value]);
      } else {
        out[index] = [out[index]![0], `${out[index]![1]}, ${value}`];
      }
    }
    return out;
  }

  function validForwarded(value: string): boolean {
    try {
      forwardedParse(value);
      return true;
    } catch {
      return false;
    }
  }

  it('give the same result as one comma-joined line', () => {
    fc.assert(
      fc.property(genericRequest, privateAddress, (g, peer) => {
        const raw = { ...g.raw, peer };
        const forwarded = raw.lines.filter(([n]) => n.toLowerCase() === 'forwarded');
        fc.pre(forwarded.length < 2 || forwarded.every(([, v]) => validForwarded(v)));
        const proxy = trustedProxy({ trustedHeaders: g.headers, trustedProxies: g.trust });
        const split = proxy.process(makeRequest(raw));
        const joined = proxy.process(makeRequest({ ...raw, lines: joinRepeated(raw.lines) }));
        expect(resolved(split)).toEqual(resolved(joined));
        expect(split.applied).toEqual(joined.applied);
      }),
      params(400),
    );
  });
});

describe('property › idempotency (R13)', () => {
  it('processing twice, by the same or another instance, returns the first ProxyInfo and changes nothing', () => {
    fc.assert(
      fc.property(genericRequest, trustPrivate, (g, otherTrust) => {
        const req = makeRequest(g.raw);
        const first = trustedProxy({ trustedHeaders: g.headers, trustedProxies: g.trust }).process(req);
        const headers = structuredClone(req.headers);
        const rawHeaders = [...req.rawHeaders];
        const again = trustedProxy({ trustedHeaders: g.headers, trustedProxies: g.trust });
        expect(again.process(req)).toBe(first);
        const other = trustedProxy({
          trustedHeaders: ['X-Forwarded-For', 'X-Forwarded-Host'],
          trustedProxies: otherTrust,
        });
        expect(other.process(req)).toBe(first);
        expect(req.headers).toEqual(headers);
        expect(req.rawHeaders).toEqual(rawHeaders);
      }),
      params(200),
    );
  });
});
