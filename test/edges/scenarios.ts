/**
 * The cross-edge scenario table: one request, one expected answer, whatever carried it
 * (node:http `.wrap`, Express 4/5, Connect, the fetch `Request`, Hono, Bun, Deno, Fastify,
 * Koa, HTTP/2). Each row names its SPEC rules; every edge must give the same ProxyInfo and
 * leave the same forwarding headers (R11) for the same bytes on the wire.
 *
 * Rows are plain data (JSON-serialisable options) so a subprocess (Bun, Deno) can build the
 * same server from them. The peer is real: the client binds its socket to `from`
 * (any 127.0.0.0/8 address on Linux loopback, or ::1).
 */

import { REGISTRY } from '../../src/core/registry.js';
import type { RejectReason, TrustedProxyOptions } from '../../src/index.js';

/** Options that survive JSON (no functions): what a subprocess can rebuild. */
export type ScenarioOptions = Omit<TrustedProxyOptions, 'onReject' | 'trustedProxies'> & {
  trustedProxies: string | string[] | number;
};

/** Where the server listens: IPv4 loopback, dual stack (IPv4 peers arrive IPv4-mapped), or ::1. */
export type ListenHost = '127.0.0.1' | '::' | '::1';

export interface Expected {
  remoteAddress: string | undefined;
  addresses: string[];
  protocol: 'http' | 'https';
  hostname: string;
  port: number;
  host: string;
  prefix: string;
  /** Lower-case names, in the order of SPEC §2 groups (client, host, port, server, scheme, prefix). */
  applied: string[];
  /** Compared as a set of `header reason` strings (the order of events is not part of the contract). */
  rejected: Array<[header: string, reason: RejectReason]>;
  /** Registry headers left on the request (lower-case name → value); every other one is gone (R11). */
  forwarded: Record<string, string>;
  /** reconstructUrl(request) (R15): public origin + prefix + the path and query as sent. */
  url: string;
}

export interface Scenario {
  name: string;
  /** SPEC rules this row exercises. */
  rules: string;
  options: ScenarioOptions;
  /** The client's own socket address: the peer the server sees (R5). */
  from: string;
  /** Default 127.0.0.1. */
  listen?: ListenHost;
  tls?: boolean;
  /** Request target; default `/app/x?q=1`. */
  path?: string;
  /** Header lines in wire order, Host included. */
  headers: Array<[string, string]>;
  /** 400 when allowedHosts refuses the host (R12); the app never runs. Default 200. */
  status?: 200 | 400;
  expected?: Expected;
  /**
   * What an edge that only sees joined header values (Web `Headers`, no raw lines) must give
   * instead, where R18 says so: `Forwarded` parsed from the joined value, fail closed.
   */
  joined?: Partial<Expected>;
}

export const PATH = '/app/x?q=1';

const NGINX: ScenarioOptions = {
  trustedHeaders: ['X-Forwarded-For', 'X-Forwarded-Proto', 'X-Forwarded-Host', 'X-Forwarded-Port'],
  trustedProxies: ['127.0.0.31'],
};

/** One plausible value per registry header kind; a header the registry gains later gets an address. */
function sample(kind: string): string {
  switch (kind) {
    case 'node-list':
      return '203.0.113.1';
    case 'forwarded':
      return 'for=203.0.113.3;host=evil.example;proto=https';
    case 'host':
    case 'server':
      return 'evil.example';
    case 'port':
      return '8443';
    case 'proto':
      return 'https';
    case 'flag':
      return 'on';
    case 'prefix':
      return '/evil';
    case 'never':
      return '/admin';
    default:
      return '203.0.113.2';
  }
}

/** Every registry header a client can send over HTTP/1 (pseudo-headers excluded), one line each. */
export const EVERY_ALIAS: Array<[string, string]> = REGISTRY.filter((def) => !def.name.startsWith(':')).map(
  (def) => [def.canonical, sample(def.kind)],
);

/** Names of every registry header, lower case: what R11 may leave on a request. */
export const REGISTRY_NAMES: readonly string[] = REGISTRY.map((def) => def.name);

export const SCENARIOS: Scenario[] = [
  {
    name: 'S0: a trusted proxy, no forwarding headers',
    rules: 'R5 R10',
    options: NGINX,
    from: '127.0.0.31',
    headers: [['Host', 'app.internal:8080']],
    expected: {
      remoteAddress: '127.0.0.31',
      addresses: ['127.0.0.31'],
      protocol: 'http',
      hostname: 'app.internal',
      port: 8080,
      host: 'app.internal:8080',
      prefix: '',
      applied: [],
      rejected: [],
      forwarded: {},
      url: 'http://app.internal:8080/app/x?q=1',
    },
  },
  {
    name: 'S1: nginx (X-Forwarded-For appended to a forged one, X-Forwarded-Proto set)',
    rules: 'R7 R8 R10 R11',
    options: NGINX,
    from: '127.0.0.31',
    headers: [
      ['Host', 'blog.example.com'],
      ['X-Forwarded-For', '6.6.6.6, 203.0.113.7'],
      ['X-Forwarded-Proto', 'https'],
    ],
    expected: {
      remoteAddress: '203.0.113.7',
      addresses: ['203.0.113.7', '127.0.0.31'],
      protocol: 'https',
      hostname: 'blog.example.com',
      port: 443,
      host: 'blog.example.com',
      prefix: '',
      applied: ['x-forwarded-for', 'x-forwarded-proto'],
      rejected: [],
      forwarded: { 'x-forwarded-for': '203.0.113.7', 'x-forwarded-proto': 'https' },
      url: 'https://blog.example.com/app/x?q=1',
    },
  },
  {
    name: 'S1 with X-Forwarded-Host and X-Forwarded-Port: host and port stay coherent',
    rules: 'R8 R10 R12',
    options: NGINX,
    from: '127.0.0.31',
    headers: [
      ['Host', 'app.internal:8080'],
      ['X-Forwarded-For', '203.0.113.7'],
      ['X-Forwarded-Host', 'pub.example'],
      ['X-Forwarded-Port', '8443'],
      ['X-Forwarded-Proto', 'https'],
    ],
    expected: {
      remoteAddress: '203.0.113.7',
      addresses: ['203.0.113.7', '127.0.0.31'],
      protocol: 'https',
      hostname: 'pub.example',
      port: 8443,
      host: 'pub.example:8443',
      prefix: '',
      applied: ['x-forwarded-for', 'x-forwarded-host', 'x-forwarded-port', 'x-forwarded-proto'],
      rejected: [],
      forwarded: {
        'x-forwarded-for': '203.0.113.7',
        'x-forwarded-host': 'pub.example',
        'x-forwarded-port': '8443',
        'x-forwarded-proto': 'https',
      },
      url: 'https://pub.example:8443/app/x?q=1',
    },
  },
  {
    name: 'two appending Apache proxies: the outermost trusted hop supplies host and server',
    rules: 'R7 R8 R11',
    options: {
      trustedHeaders: ['X-Forwarded-For', 'X-Forwarded-Host', 'X-Forwarded-Server'],
      trustedProxies: ['127.0.0.31', '10.1.1.1'],
    },
    from: '127.0.0.31',
    headers: [
      ['Host', 'backend:8000'],
      ['X-Forwarded-For', '6.6.6.6, 203.0.113.9, 10.1.1.1'],
      ['X-Forwarded-Host', 'evil.example, www.example.com, lb.internal'],
      ['X-Forwarded-Server', 'www.example.com, lb.internal'],
    ],
    expected: {
      remoteAddress: '203.0.113.9',
      addresses: ['203.0.113.9', '10.1.1.1', '127.0.0.31'],
      protocol: 'http',
      hostname: 'www.example.com',
      port: 80,
      host: 'www.example.com',
      prefix: '',
      applied: ['x-forwarded-for', 'x-forwarded-host', 'x-forwarded-server'],
      rejected: [],
      forwarded: {
        'x-forwarded-for': '203.0.113.9, 10.1.1.1',
        'x-forwarded-host': 'www.example.com, lb.internal',
        'x-forwarded-server': 'www.example.com, lb.internal',
      },
      url: 'http://www.example.com/app/x?q=1',
    },
  },
  {
    name: 'repeated X-Forwarded-For lines are one list',
    rules: 'R7',
    options: NGINX,
    from: '127.0.0.31',
    headers: [
      ['Host', 'a.example'],
      ['X-Forwarded-For', '6.6.6.6'],
      ['X-Forwarded-For', '203.0.113.9'],
    ],
    expected: {
      remoteAddress: '203.0.113.9',
      addresses: ['203.0.113.9', '127.0.0.31'],
      protocol: 'http',
      hostname: 'a.example',
      port: 80,
      host: 'a.example',
      prefix: '',
      applied: ['x-forwarded-for'],
      rejected: [],
      forwarded: { 'x-forwarded-for': '203.0.113.9' },
      url: 'http://a.example/app/x?q=1',
    },
  },
  {
    name: 'a hop count trusts the nearest hops whatever their address',
    rules: 'R1 R7',
    options: { trustedHeaders: ['X-Forwarded-For'], trustedProxies: 2 },
    from: '127.0.0.50',
    headers: [
      ['Host', 'a.example'],
      ['X-Forwarded-For', '6.6.6.6, 203.0.113.9, 10.1.1.1'],
    ],
    expected: {
      remoteAddress: '203.0.113.9',
      addresses: ['203.0.113.9', '10.1.1.1', '127.0.0.50'],
      protocol: 'http',
      hostname: 'a.example',
      port: 80,
      host: 'a.example',
      prefix: '',
      applied: ['x-forwarded-for'],
      rejected: [],
      forwarded: { 'x-forwarded-for': '203.0.113.9, 10.1.1.1' },
      url: 'http://a.example/app/x?q=1',
    },
  },
  {
    name: 'the walk stops at a non-IP node; the proxy that reported it is the client',
    rules: 'R7',
    options: { trustedHeaders: ['X-Forwarded-For'], trustedProxies: 'loopback, 10.0.0.0/8' },
    from: '127.0.0.50',
    headers: [
      ['Host', 'a.example'],
      ['X-Forwarded-For', '203.0.113.5, unknown, 10.0.0.2'],
    ],
    expected: {
      remoteAddress: '10.0.0.2',
      addresses: ['10.0.0.2', '127.0.0.50'],
      protocol: 'http',
      hostname: 'a.example',
      port: 80,
      host: 'a.example',
      prefix: '',
      applied: ['x-forwarded-for'],
      rejected: [['x-forwarded-for', 'invalid-address']],
      forwarded: { 'x-forwarded-for': '10.0.0.2' },
      url: 'http://a.example/app/x?q=1',
    },
  },
  {
    name: 'RFC 7239 Forwarded from one proxy: for, host and proto, re-serialised',
    rules: 'R7 R8 R11',
    options: { trustedHeaders: ['Forwarded'], trustedProxies: '127.0.0.41' },
    from: '127.0.0.41',
    headers: [
      ['Host', 'internal:8000'],
      ['Forwarded', 'For=198.51.100.17;Proto=https;Host=shop.example'],
    ],
    expected: {
      remoteAddress: '198.51.100.17',
      addresses: ['198.51.100.17', '127.0.0.41'],
      protocol: 'https',
      hostname: 'shop.example',
      port: 443,
      host: 'shop.example',
      prefix: '',
      applied: ['forwarded'],
      rejected: [],
      forwarded: { forwarded: 'for=198.51.100.17;host=shop.example;proto=https' },
      url: 'https://shop.example/app/x?q=1',
    },
  },
  {
    name: 'Forwarded with a quoted IPv6 node and port',
    rules: 'R5 R7',
    options: { trustedHeaders: ['Forwarded'], trustedProxies: '127.0.0.41' },
    from: '127.0.0.41',
    headers: [
      ['Host', 'shop.example'],
      ['Forwarded', 'for="[2001:DB8:CAFE::17]:4711"'],
    ],
    expected: {
      remoteAddress: '2001:db8:cafe::17',
      addresses: ['2001:db8:cafe::17', '127.0.0.41'],
      protocol: 'http',
      hostname: 'shop.example',
      port: 80,
      host: 'shop.example',
      prefix: '',
      applied: ['forwarded'],
      rejected: [],
      forwarded: { forwarded: 'for="[2001:db8:cafe::17]"' },
      url: 'http://shop.example/app/x?q=1',
    },
  },
  {
    name: "a client's own Forwarded element cannot switch off the proxy's X-Forwarded-Proto",
    rules: 'R6 R17',
    options: { trustedHeaders: ['Forwarded', 'X-Forwarded-Proto'], trustedProxies: '127.0.0.41' },
    from: '127.0.0.41',
    headers: [
      ['Host', 'shop.example'],
      ['Forwarded', 'for=1.1.1.1;proto=http, for=203.0.113.9'],
      ['X-Forwarded-Proto', 'https'],
    ],
    expected: {
      remoteAddress: '203.0.113.9',
      addresses: ['203.0.113.9', '127.0.0.41'],
      protocol: 'https',
      hostname: 'shop.example',
      port: 443,
      host: 'shop.example',
      prefix: '',
      applied: ['x-forwarded-proto', 'forwarded'],
      rejected: [],
      forwarded: { forwarded: 'for=203.0.113.9', 'x-forwarded-proto': 'https' },
      url: 'https://shop.example/app/x?q=1',
    },
  },
  {
    name: "Forwarded on two lines: a client's malformed line cannot swallow the proxy's",
    rules: 'R7 R18',
    options: { trustedHeaders: ['Forwarded'], trustedProxies: '127.0.0.41' },
    from: '127.0.0.41',
    headers: [
      ['Host', 'blog.example.com:18280'],
      ['Forwarded', 'for="unterminated'],
      ['Forwarded', 'proto=https;host="blog.example.com:18643";for=127.0.0.50'],
    ],
    expected: {
      remoteAddress: '127.0.0.50',
      addresses: ['127.0.0.50', '127.0.0.41'],
      protocol: 'https',
      hostname: 'blog.example.com',
      port: 18643,
      host: 'blog.example.com:18643',
      prefix: '',
      applied: ['forwarded'],
      rejected: [],
      forwarded: { forwarded: 'for=127.0.0.50;host="blog.example.com:18643";proto=https' },
      url: 'https://blog.example.com:18643/app/x?q=1',
    },
    // Web Headers join the two lines; the unterminated quote swallows the rest: fail closed.
    joined: {
      remoteAddress: '127.0.0.41',
      addresses: ['127.0.0.41'],
      protocol: 'http',
      hostname: 'blog.example.com',
      port: 18280,
      host: 'blog.example.com:18280',
      applied: [],
      rejected: [['forwarded', 'malformed-forwarded']],
      forwarded: {},
      url: 'http://blog.example.com:18280/app/x?q=1',
    },
  },
  {
    name: 'an untrusted peer sending every alias: all stripped, raw transport values',
    rules: 'R4 R5 R11',
    options: NGINX,
    from: '127.0.0.50',
    headers: [['Host', '127.0.0.10:18002'], ...EVERY_ALIAS],
    expected: {
      remoteAddress: '127.0.0.50',
      addresses: ['127.0.0.50'],
      protocol: 'http',
      hostname: '127.0.0.10',
      port: 18002,
      host: '127.0.0.10:18002',
      prefix: '',
      applied: [],
      rejected: EVERY_ALIAS.map(([name]) => [name.toLowerCase(), 'untrusted-peer']),
      forwarded: {},
      url: 'http://127.0.0.10:18002/app/x?q=1',
    },
  },
  {
    name: 'a trusted peer sending every alias: only the trusted headers apply',
    rules: 'R4 R6 R11',
    options: NGINX,
    from: '127.0.0.31',
    headers: [['Host', 'internal'], ...EVERY_ALIAS],
    expected: {
      remoteAddress: '203.0.113.1',
      addresses: ['203.0.113.1', '127.0.0.31'],
      protocol: 'https',
      hostname: 'evil.example',
      port: 8443,
      host: 'evil.example:8443',
      prefix: '',
      applied: ['x-forwarded-for', 'x-forwarded-host', 'x-forwarded-port', 'x-forwarded-proto'],
      rejected: EVERY_ALIAS.filter(
        ([name]) =>
          !['x-forwarded-for', 'x-forwarded-host', 'x-forwarded-port', 'x-forwarded-proto'].includes(
            name.toLowerCase(),
          ),
      ).map(([name]) => [name.toLowerCase(), 'not-trusted-header']),
      forwarded: {
        'x-forwarded-for': '203.0.113.1',
        'x-forwarded-host': 'evil.example',
        'x-forwarded-port': '8443',
        'x-forwarded-proto': 'https',
      },
      url: 'https://evil.example:8443/app/x?q=1',
    },
  },
  {
    name: 'the first trusted header of a group wins; a different lower-priority one is a conflict',
    rules: 'R6',
    options: {
      trustedHeaders: ['X-Real-IP', 'X-Forwarded-For', 'X-Forwarded-Proto', 'X-Forwarded-SSL'],
      trustedProxies: '127.0.0.21',
    },
    from: '127.0.0.21',
    headers: [
      ['Host', 'blog.example.com'],
      ['X-Forwarded-For', '6.6.6.6'],
      ['X-Real-IP', '203.0.113.50'],
      ['X-Forwarded-Proto', 'https'],
      ['X-Forwarded-SSL', 'on'],
    ],
    expected: {
      remoteAddress: '203.0.113.50',
      addresses: ['203.0.113.50', '127.0.0.21'],
      protocol: 'https',
      hostname: 'blog.example.com',
      port: 443,
      host: 'blog.example.com',
      prefix: '',
      applied: ['x-real-ip', 'x-forwarded-proto'],
      rejected: [['x-forwarded-for', 'conflict']],
      forwarded: { 'x-real-ip': '203.0.113.50', 'x-forwarded-proto': 'https' },
      url: 'https://blog.example.com/app/x?q=1',
    },
  },
  {
    name: 'invalid values are rejected, never repaired, never left in a header',
    rules: 'R7 R9 R11',
    options: {
      trustedHeaders: [
        'X-Forwarded-For',
        'X-Forwarded-Host',
        'X-Forwarded-Port',
        'X-Forwarded-Proto',
        'X-Forwarded-Prefix',
      ],
      trustedProxies: '127.0.0.31',
    },
    from: '127.0.0.31',
    headers: [
      ['Host', 'internal:8000'],
      ['X-Forwarded-For', '203.0.113.5, 127.1'],
      ['X-Forwarded-Host', 'evil.com:x@good.com'],
      ['X-Forwarded-Port', '0x50'],
      ['X-Forwarded-Proto', 'javascript'],
      ['X-Forwarded-Prefix', '//evil.example'],
    ],
    expected: {
      remoteAddress: '127.0.0.31',
      addresses: ['127.0.0.31'],
      protocol: 'http',
      hostname: 'internal',
      port: 8000,
      host: 'internal:8000',
      prefix: '',
      applied: [],
      rejected: [
        ['x-forwarded-for', 'invalid-address'],
        ['x-forwarded-host', 'invalid-host'],
        ['x-forwarded-port', 'invalid-port'],
        ['x-forwarded-proto', 'invalid-scheme'],
        ['x-forwarded-prefix', 'invalid-prefix'],
      ],
      forwarded: {},
      url: 'http://internal:8000/app/x?q=1',
    },
  },
  {
    name: 'a prefix goes in front of reconstructUrl, not in front of the routed path',
    rules: 'R9 R15 R18',
    options: {
      trustedHeaders: ['X-Forwarded-Host', 'X-Forwarded-Proto', 'X-Forwarded-Prefix'],
      trustedProxies: 'loopback',
    },
    from: '127.0.0.31',
    path: '/caf%C3%A9?q=a%20b',
    headers: [
      ['Host', 'internal'],
      ['X-Forwarded-Host', 'pub.example'],
      ['X-Forwarded-Proto', 'https'],
      ['X-Forwarded-Prefix', '/blog/'],
    ],
    expected: {
      remoteAddress: '127.0.0.31',
      addresses: ['127.0.0.31'],
      protocol: 'https',
      hostname: 'pub.example',
      port: 443,
      host: 'pub.example',
      prefix: '/blog',
      applied: ['x-forwarded-host', 'x-forwarded-proto', 'x-forwarded-prefix'],
      rejected: [],
      forwarded: {
        'x-forwarded-host': 'pub.example',
        'x-forwarded-proto': 'https',
        'x-forwarded-prefix': '/blog/',
      },
      url: 'https://pub.example/blog/caf%C3%A9?q=a%20b',
    },
  },
  {
    name: 'an IPv6 peer and an IPv6 client address, canonical',
    rules: 'R5 R7 R11',
    options: { trustedHeaders: ['X-Forwarded-For'], trustedProxies: '::1' },
    listen: '::1',
    from: '::1',
    headers: [
      ['Host', '[::1]:8080'],
      ['X-Forwarded-For', '2001:DB8:0:0::1'],
    ],
    expected: {
      remoteAddress: '2001:db8::1',
      addresses: ['2001:db8::1', '::1'],
      protocol: 'http',
      hostname: '[::1]',
      port: 8080,
      host: '[::1]:8080',
      prefix: '',
      applied: ['x-forwarded-for'],
      rejected: [],
      forwarded: { 'x-forwarded-for': '2001:db8::1' },
      url: 'http://[::1]:8080/app/x?q=1',
    },
  },
  {
    name: 'an IPv4-mapped peer on a dual-stack server matches an IPv4 entry',
    rules: 'R5',
    options: { trustedHeaders: ['X-Forwarded-For'], trustedProxies: '127.0.0.31' },
    listen: '::',
    from: '127.0.0.31',
    headers: [
      ['Host', 'a.example'],
      ['X-Forwarded-For', '203.0.113.9'],
    ],
    expected: {
      remoteAddress: '203.0.113.9',
      addresses: ['203.0.113.9', '127.0.0.31'],
      protocol: 'http',
      hostname: 'a.example',
      port: 80,
      host: 'a.example',
      prefix: '',
      applied: ['x-forwarded-for'],
      rejected: [],
      forwarded: { 'x-forwarded-for': '203.0.113.9' },
      url: 'http://a.example/app/x?q=1',
    },
  },
  {
    name: 'an IPv6 literal in X-Forwarded-Host stays a bracketed literal',
    rules: 'R5 R9 R10 R12',
    options: { trustedHeaders: ['X-Forwarded-Host'], trustedProxies: 'loopback' },
    from: '127.0.0.31',
    headers: [
      ['Host', 'internal'],
      ['X-Forwarded-Host', '[2001:DB8::1]:8443'],
    ],
    expected: {
      remoteAddress: '127.0.0.31',
      addresses: ['127.0.0.31'],
      protocol: 'http',
      hostname: '[2001:db8::1]',
      port: 8443,
      host: '[2001:db8::1]:8443',
      prefix: '',
      applied: ['x-forwarded-host'],
      rejected: [],
      forwarded: { 'x-forwarded-host': '[2001:DB8::1]:8443' },
      url: 'http://[2001:db8::1]:8443/app/x?q=1',
    },
  },
  {
    name: 'a TLS hop is https; a trusted X-Forwarded-Proto http downgrades it',
    rules: 'R10',
    options: { trustedHeaders: ['X-Forwarded-Host', 'X-Forwarded-Proto'], trustedProxies: 'loopback' },
    from: '127.0.0.31',
    tls: true,
    headers: [
      ['Host', 'localhost:8443'],
      ['X-Forwarded-Host', 'pub.example'],
      ['X-Forwarded-Proto', 'http'],
    ],
    expected: {
      remoteAddress: '127.0.0.31',
      addresses: ['127.0.0.31'],
      protocol: 'http',
      hostname: 'pub.example',
      port: 80,
      host: 'pub.example',
      prefix: '',
      applied: ['x-forwarded-host', 'x-forwarded-proto'],
      rejected: [],
      forwarded: { 'x-forwarded-host': 'pub.example', 'x-forwarded-proto': 'http' },
      url: 'http://pub.example/app/x?q=1',
    },
  },
  {
    name: 'a TLS hop with no forwarding headers keeps its Host and port',
    rules: 'R10 R15',
    options: { trustedHeaders: ['X-Forwarded-Proto'], trustedProxies: 'loopback' },
    from: '127.0.0.31',
    tls: true,
    headers: [['Host', 'localhost:8443']],
    expected: {
      remoteAddress: '127.0.0.31',
      addresses: ['127.0.0.31'],
      protocol: 'https',
      hostname: 'localhost',
      port: 8443,
      host: 'localhost:8443',
      prefix: '',
      applied: [],
      rejected: [],
      forwarded: {},
      url: 'https://localhost:8443/app/x?q=1',
    },
  },
  {
    name: 'allowedHosts: a subdomain of the pattern is served',
    rules: 'R1 R12',
    options: {
      trustedHeaders: ['X-Forwarded-Host'],
      trustedProxies: 'loopback',
      allowedHosts: ['*.example.com'],
    },
    from: '127.0.0.31',
    headers: [
      ['Host', 'internal'],
      ['X-Forwarded-Host', 'A.Example.COM'],
    ],
    expected: {
      remoteAddress: '127.0.0.31',
      addresses: ['127.0.0.31'],
      protocol: 'http',
      hostname: 'a.example.com',
      port: 80,
      host: 'a.example.com',
      prefix: '',
      applied: ['x-forwarded-host'],
      rejected: [],
      forwarded: { 'x-forwarded-host': 'A.Example.COM' },
      url: 'http://a.example.com/app/x?q=1',
    },
  },
  {
    name: 'allowedHosts: a forwarded host outside the list is refused with 400',
    rules: 'R12',
    options: {
      trustedHeaders: ['X-Forwarded-Host'],
      trustedProxies: 'loopback',
      allowedHosts: ['*.example.com'],
    },
    from: '127.0.0.31',
    headers: [
      ['Host', 'a.example.com'],
      ['X-Forwarded-Host', 'evil.example'],
    ],
    status: 400,
  },
  {
    name: 'allowedHosts: the apex does not match *.example.com',
    rules: 'R1 R12',
    options: {
      trustedHeaders: ['X-Forwarded-Host'],
      trustedProxies: 'loopback',
      allowedHosts: ['*.example.com'],
    },
    from: '127.0.0.50',
    headers: [['Host', 'example.com']],
    status: 400,
  },
  {
    name: 'requireProof: a trusted peer with the secret (R22)',
    rules: 'R22 R7',
    options: {
      trustedHeaders: ['X-Forwarded-For'],
      trustedProxies: '127.0.0.61',
      requireProof: { header: 'X-Origin-Auth', secrets: ['edge-table-secret-0123456789abcdef'] },
    },
    from: '127.0.0.61',
    headers: [
      ['Host', 'app.example'],
      ['X-Origin-Auth', 'edge-table-secret-0123456789abcdef'],
      ['X-Forwarded-For', '198.51.100.7'],
    ],
    expected: {
      remoteAddress: '198.51.100.7',
      addresses: ['198.51.100.7', '127.0.0.61'],
      protocol: 'http',
      hostname: 'app.example',
      port: 80,
      host: 'app.example',
      prefix: '',
      applied: ['x-forwarded-for'],
      rejected: [],
      forwarded: { 'x-forwarded-for': '198.51.100.7' },
      url: 'http://app.example/app/x?q=1',
    },
  },
  {
    name: "requireProof: a trusted peer with someone else's secret is untrusted (R22)",
    rules: 'R22 R11',
    options: {
      trustedHeaders: ['X-Forwarded-For'],
      trustedProxies: '127.0.0.61',
      requireProof: { header: 'X-Origin-Auth', secrets: ['edge-table-secret-0123456789abcdef'] },
    },
    from: '127.0.0.61',
    headers: [
      ['Host', 'app.example'],
      ['X-Origin-Auth', 'their-zone-secret-0123456789abcdef'],
      ['X-Forwarded-For', '198.51.100.7'],
    ],
    expected: {
      remoteAddress: '127.0.0.61',
      addresses: ['127.0.0.61'],
      protocol: 'http',
      hostname: 'app.example',
      port: 80,
      host: 'app.example',
      prefix: '',
      applied: [],
      rejected: [
        ['x-origin-auth', 'proof-failed'],
        ['x-forwarded-for', 'untrusted-peer'],
      ],
      forwarded: {},
      url: 'http://app.example/app/x?q=1',
    },
  },
];
