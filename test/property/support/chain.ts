/**
 * A client behind k trusted proxies, modelled header by header: each proxy appends to, or
 * (the edge only) overwrites, the forwarding headers the configuration trusts. The client
 * may send anything. Used by the "client additions never matter" invariants.
 */
import * as fc from 'fast-check';
import type { TrustedProxies } from '../../../src/core/types.js';
import {
  asNode,
  asSocketAddress,
  garbage,
  privateAddress,
  publicAddress,
  registryLines,
  spell,
  validHost,
  validPrefix,
} from './arbitraries.js';
import type { HeaderLine, RawRequest } from './harness.js';
import { canonicalIp } from './oracle.js';
import {
  CLIENT_CDN,
  CLIENT_SINGLE,
  LIST_HEADERS,
  PREFIX_HEADERS,
  SCHEME_FLAGS,
  SCHEME_NAMES,
  TRUSTABLE,
} from './registry.js';

export type ListMode = 'append-line' | 'append-same' | 'overwrite';

export interface ChainScenario {
  client: string;
  /** P1 (the edge, facing the client) … Pk (the socket peer). */
  proxies: string[];
  /** How each proxy writes the address of the hop before it. */
  nodes: string[];
  peerSpelling: string;
  trust: TrustedProxies;
  /** trustedHeaders, in priority order. */
  headers: string[];
  /** Registry headers the proxies also set but the configuration does not trust. */
  extra: string[];
  /** Per list header: how the edge writes it (inner proxies append in the same style). */
  modes: Record<string, ListMode>;
  /** Per list header the edge overwrites: whether inner proxies pass it through untouched. */
  innerPass: Record<string, boolean>;
  proto: 'http' | 'https';
  publicHost: string;
  prefix: string;
  preserveHost: boolean;
  withBy: boolean;
  /** The proxies write `for=`, `proto=` and `host=` in Forwarded, or `for=` only (nginx-style). */
  forwardedFull: boolean;
  flagSpelling: [string, string];
  tls: boolean;
}

const LIST = new Set<string>(LIST_HEADERS);

function quoteIfNeeded(value: string): string {
  if (/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(value)) return value;
  return `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

export function defaultPort(proto: 'http' | 'https'): number {
  return proto === 'https' ? 443 : 80;
}

/** Host text → [hostname as ProxyInfo shows it, explicit port or undefined]. */
export function splitHost(host: string): [string, number | undefined] {
  let name = host;
  let port: number | undefined;
  const m = /^(.*):(\d+)$/.exec(host);
  if (m && !(host.startsWith('[') && !host.includes(']:'))) {
    name = m[1]!;
    port = Number(m[2]);
  }
  name = name.toLowerCase();
  if (name.startsWith('[')) name = `[${canonicalIp(name.slice(1, -1)) ?? name.slice(1, -1)}]`;
  return [name, port];
}

interface HopView {
  proto: 'http' | 'https';
  host: string;
  port: number;
  prefix: string;
  server: string;
}

export function hopView(s: ChainScenario, i: number): HopView {
  // i = 1 is the edge: it sees the public origin. Inner hops see the internal one.
  if (i === 1) {
    const [, port] = splitHost(s.publicHost);
    return {
      proto: s.proto,
      host: s.publicHost,
      port: port ?? defaultPort(s.proto),
      prefix: s.prefix,
      server: 'edge.example.net',
    };
  }
  return {
    proto: 'http',
    host: s.preserveHost ? s.publicHost : `hop${i - 1}.internal:${8000 + i - 1}`,
    port: 8000 + i,
    prefix: `/inner${i}`,
    server: `proxy${i}.internal`,
  };
}

function valueAtHop(s: ChainScenario, name: string, i: number): string {
  const v = hopView(s, i);
  const prevNode = s.nodes[i - 1]!;
  switch (name) {
    case 'x-forwarded-for':
      return prevNode;
    case 'forwarded': {
      const by = s.withBy
        ? `;by=${quoteIfNeeded(s.proxies[i - 1]!.includes(':') ? `[${s.proxies[i - 1]}]` : s.proxies[i - 1]!)}`
        : '';
      // RFC 7239 §6: an IPv6 nodename is always bracketed in Forwarded.
      const node =
        prevNode.includes(':') &&
        !prevNode.startsWith('[') &&
        prevNode.indexOf(':') !== prevNode.lastIndexOf(':')
          ? `[${prevNode}]`
          : prevNode;
      const rest = s.forwardedFull ? `;proto=${v.proto};host=${quoteIfNeeded(v.host)}` : '';
      return `for=${quoteIfNeeded(node)}${rest}${by}`;
    }
    case 'x-forwarded-host':
    case 'x-host':
    case 'x-original-host':
      return v.host;
    case 'x-forwarded-port':
      return String(v.port);
    case 'x-forwarded-server':
      return v.server;
    case 'x-forwarded-proto':
      return v.proto;
    case 'x-forwarded-prefix':
      return v.prefix === '' ? '/' : v.prefix;
  }
  if ((CLIENT_SINGLE as readonly string[]).includes(name) || name === 'fly-client-ip') return s.client;
  // R22: CloudFront-Viewer-Address is ip:port with IPv6 unbracketed.
  if (name === 'cloudfront-viewer-address') return `${s.client}:50123`;
  if ((SCHEME_NAMES as readonly string[]).includes(name)) return v.proto;
  if ((SCHEME_FLAGS as readonly string[]).includes(name))
    return v.proto === 'https' ? s.flagSpelling[0] : s.flagSpelling[1];
  if ((PREFIX_HEADERS as readonly string[]).includes(name)) return v.prefix === '' ? '/' : v.prefix;
  throw new Error(`no value for ${name}`);
}

function removeAll(lines: HeaderLine[], name: string): HeaderLine[] {
  return lines.filter(([n]) => n.toLowerCase() !== name);
}

/** The header lines that reach the application after the client's lines went through the chain. */
export function forwardThrough(s: ChainScenario, clientLines: readonly HeaderLine[]): HeaderLine[] {
  let lines: HeaderLine[] = [
    ['Host', s.publicHost],
    ...clientLines.filter(([n]) => n.toLowerCase() !== 'host'),
  ];
  const set = [...new Set([...s.headers.map((h) => h.toLowerCase()), ...s.extra])];
  for (let i = 1; i <= s.proxies.length; i++) {
    for (const name of set) {
      const value = valueAtHop(s, name, i);
      if (!LIST.has(name)) {
        // Single-value headers: the edge sets them, inner proxies pass them through.
        if (i === 1) lines = [...removeAll(lines, name), [name, value]];
        continue;
      }
      const mode = s.modes[name] ?? 'append-line';
      if (i === 1 && mode === 'overwrite') {
        lines = [...removeAll(lines, name), [name, value]];
        continue;
      }
      if (i > 1 && mode === 'overwrite' && s.innerPass[name]) continue;
      if (mode === 'append-same' && name !== 'forwarded') {
        const existing = lines.filter(([n]) => n.toLowerCase() === name).map(([, v]) => v);
        if (existing.length > 0) {
          lines = [...removeAll(lines, name), [name, `${existing.join(', ')}, ${value}`]];
          continue;
        }
      }
      lines = [...lines, [name, value]];
    }
    // Pi forwards with the public Host (ProxyPreserveHost) or its upstream's name.
    const nextHost = s.preserveHost ? s.publicHost : `hop${i}.internal:${8000 + i}`;
    lines = [['Host', nextHost], ...removeAll(lines, 'host')];
  }
  return lines;
}

export function toRaw(s: ChainScenario, lines: readonly HeaderLine[]): RawRequest {
  return {
    peer: s.peerSpelling,
    tls: s.tls,
    localAddress: '10.200.0.1',
    localPort: 8080,
    method: 'GET',
    url: '/path?q=1',
    lines,
  };
}

/** Lines a hostile client sends: forged values for every registry header, repeated, in any case. */
export const clientLines: fc.Arbitrary<HeaderLine[]> = fc.oneof(
  registryLines,
  fc.constant<HeaderLine[]>([
    ['X-Forwarded-For', '6.6.6.6'],
    ['X-Forwarded-For', '127.0.0.1'],
    ['Forwarded', 'for=6.6.6.6;host=evil.com;proto=https'],
    ['Forwarded', 'for="unterminated'],
    ['X-Forwarded-Host', 'evil.com'],
    ['X-Forwarded-Proto', 'https'],
    ['X-Forwarded-Port', '1'],
    ['X-Forwarded-Prefix', '/evil'],
    ['X-Forwarded-Server', 'evil.com'],
    ['X-Real-IP', '6.6.6.6'],
    ['X-Client-IP', '10.0.0.1'],
    ['True-Client-IP', '6.6.6.6'],
    ['X-Forwarded-SSL', 'on'],
    ['X-Original-URL', '/admin'],
    ['X-Host', 'evil.com'],
  ]),
  fc.array(fc.tuple(fc.constantFrom(...TRUSTABLE).chain(spell), garbage), { maxLength: 6 }),
);

const mode = fc.constantFrom<ListMode>('append-line', 'append-same', 'overwrite');

/** Trust for the proxies (and never the client): ranges, exact addresses, a hop count or a function. */
function trustFor(proxies: string[]): fc.Arbitrary<TrustedProxies> {
  const exact = proxies.map((p) => canonicalIp(p)!);
  const set = new Set(exact);
  return fc.oneof(
    fc.constantFrom<TrustedProxies>('private', ['loopback', 'uniquelocal', 'linklocal']),
    fc.constant<TrustedProxies>(exact),
    fc.constant<TrustedProxies>(exact.map((p) => (p.includes(':') ? p.toUpperCase() : `::ffff:${p}`))),
    fc.constant<TrustedProxies>(proxies.length),
    fc.constant<TrustedProxies>((address: string | undefined) => address !== undefined && set.has(address)),
  );
}

export const chainScenario: fc.Arbitrary<ChainScenario> = fc
  .record({
    client: publicAddress,
    proxies: fc.uniqueArray(privateAddress, { minLength: 1, maxLength: 4, selector: (a) => canonicalIp(a) }),
    headers: fc.shuffledSubarray([...TRUSTABLE], { minLength: 1, maxLength: 9 }),
    extra: fc.subarray([...TRUSTABLE], { maxLength: 3 }),
    modes: fc.record(
      Object.fromEntries(LIST_HEADERS.map((h) => [h, mode])) as Record<string, fc.Arbitrary<ListMode>>,
    ),
    innerPass: fc.record(
      Object.fromEntries(LIST_HEADERS.map((h) => [h, fc.boolean()])) as Record<string, fc.Arbitrary<boolean>>,
    ),
    proto: fc.constantFrom<'http' | 'https'>('http', 'https'),
    publicHost: validHost,
    prefix: validPrefix,
    preserveHost: fc.boolean(),
    withBy: fc.boolean(),
    forwardedFull: fc.boolean(),
    flagSpelling: fc.constantFrom<[string, string]>(
      ['on', 'off'],
      ['true', 'false'],
      ['1', '0'],
      ['ON', 'Off'],
    ),
    tls: fc.boolean(),
  })
  .chain((r) =>
    fc
      .record({
        nodes: fc.tuple(...[r.client, ...r.proxies.slice(0, -1)].map(asNode)),
        peerSpelling: asSocketAddress(r.proxies[r.proxies.length - 1]!),
        trust: trustFor(r.proxies),
        spelled: fc.tuple(...r.headers.map(spell)),
      })
      .map(({ nodes, peerSpelling, trust, spelled }) => ({
        ...r,
        headers: spelled,
        extra: r.extra.filter((e) => !r.headers.includes(e)),
        nodes,
        peerSpelling,
        trust,
      })),
  );

/** The client header the walk uses: the first client-group header in trustedHeaders order. */
export function chosenClientHeader(s: ChainScenario): string | undefined {
  for (const h of s.headers) {
    const n = h.toLowerCase();
    if (
      n === 'x-forwarded-for' ||
      n === 'forwarded' ||
      (CLIENT_SINGLE as readonly string[]).includes(n) ||
      (CLIENT_CDN as readonly string[]).includes(n)
    )
      return n;
  }
  return undefined;
}
