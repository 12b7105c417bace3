/**
 * Generators for whole-request differential fuzzing against the model: configurations
 * (valid and subtly invalid), peers (IPv4, IPv6, mapped, zoned, UNIX, none), and header sets
 * built the way proxies build them — chains of trusted hops in front of a client that may
 * send anything — with valid and near-valid values, several header lines, long chains, TLS.
 * Seeded: the same seed gives the same requests.
 */
import type { TrustedProxyOptions } from '../../src/core/types.js';
import { Rng } from '../property/support/fuzzgen.js';
import type { HeaderLine, RawRequest } from '../property/support/harness.js';

export { Rng };

const CLIENT_LIST = ['X-Forwarded-For', 'Forwarded'];
const CLIENT_SINGLE = [
  'X-Real-IP',
  'X-Client-IP',
  'True-Client-IP',
  'CF-Connecting-IP',
  'Fastly-Client-IP',
  'X-Cluster-Client-IP',
  'CloudFront-Viewer-Address',
  'Fly-Client-IP',
];
const HOST = ['X-Forwarded-Host', 'X-Host', 'X-Original-Host'];
const SCHEME = ['X-Forwarded-Proto', 'X-Forwarded-Scheme', 'X-Scheme', 'X-Url-Scheme'];
const FLAGS = ['X-Forwarded-HTTPS', 'X-Forwarded-SSL', 'X-HTTPS', 'Front-End-Https'];
const PREFIX = ['X-Forwarded-Prefix', 'X-Script-Name', 'X-Forwarded-Script-Name'];
export const TRUSTABLE = [
  ...CLIENT_LIST,
  ...CLIENT_SINGLE,
  ...HOST,
  'X-Forwarded-Port',
  'X-Forwarded-Server',
  ...SCHEME,
  ...FLAGS,
  ...PREFIX,
];
const NEVER = ['X-Original-URL', 'X-Rewrite-URL'];

// Address pools: "inner" addresses are what the trust configs below usually trust.
const INNER_V4 = [
  '10.0.0.1',
  '10.0.0.2',
  '10.1.2.3',
  '127.0.0.1',
  '192.168.1.20',
  '172.16.5.4',
  '169.254.0.9',
];
const OUTER_V4 = ['203.0.113.5', '198.51.100.7', '8.8.8.8', '1.2.3.4', '100.64.0.1'];
const INNER_V6 = ['::1', 'fd00::5', 'fe80::1', 'fc00::a:b', '2001:db8:aa::1'];
const OUTER_V6 = ['2001:db8::1', '2a00::17', '2001:DB8:0:0:0:0:0:1', '2001:db8:0:0:1:0:0:1'];
const NEAR_NODES = [
  'unknown',
  '_obf',
  '_hidden.x',
  '0.0.0.0',
  '::',
  '010.0.0.1',
  '127.1',
  '0x7f.0.0.1',
  '2130706433',
  '1.2.3.4:0',
  '1.2.3.4:080',
  '1.2.3.4:99999',
  '1.2.3.4:',
  '[1.2.3.4]',
  '[::1',
  '::1]',
  '1.2.3.4.5',
  '[::1]:_x',
  '[::1]:0443',
  '::ffff:0.0.0.0',
  '[::]',
  'fe80::1%',
  'fe80::1%e th0',
  '1.2.3.4%eth0',
  '1:2:3:4:5:6:7:8:9',
  '::1::2',
  '12345::',
  'g::1',
  ' ',
  '1.2.3.04',
  '[::ffff:1.2.3.4]:80',
];

export const PEERS: Array<string | undefined> = [
  '127.0.0.1',
  '10.0.0.1',
  '10.1.2.3',
  '192.168.1.20',
  '::ffff:10.0.0.1',
  '::ffff:127.0.0.1',
  '::1',
  'fe80::1%eth0',
  'fe80::1%lo',
  'fd00::5',
  '203.0.113.5',
  '2001:db8::1',
  '::FFFF:a00:1',
  undefined,
];

function spell(rng: Rng, name: string): string {
  switch (rng.int(4)) {
    case 0:
      return name.toLowerCase();
    case 1:
      return name.toUpperCase();
    default:
      return name;
  }
}

function shuffle<T>(rng: Rng, items: T[]): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

const TRUST_CHOICES: Array<TrustedProxyOptions['trustedProxies']> = [
  'private',
  'loopback',
  ['10.0.0.0/8', '::1'],
  '10.0.0.0/255.0.0.0, 127.0.0.1',
  ['uniquelocal', 'loopback', 'unix'],
  ['::ffff:10.0.0.0/104', 'fe80::/10', 'fd00::/8'],
  'LOOPBACK 192.168.0.0/16',
  ['10.0.0.1', '10.0.0.2', '127.0.0.0/8', 'unix'],
  ['linklocal', '2001:db8:aa::/48', '10.1.0.0/16'],
  1,
  2,
  3,
  (a: string | undefined) => a === undefined || a.startsWith('10.') || a === '127.0.0.1',
  (a: string | undefined, hop: number) => hop < 2 && a !== '203.0.113.5',
  (a: string | undefined) => {
    if (a === 'fd00::5') throw new Error('a throwing trust function fails closed');
    return a !== undefined && (a.startsWith('10.') || a.startsWith('127.') || a === '::1');
  },
];

const ALLOWED = [
  'example.com',
  '*.example.com',
  'EXAMPLE.org.',
  '[::1]',
  '127.0.0.1',
  '::1',
  'a_b.example',
  'www.example.net',
];

/** Configurations that must be refused (R2): the model must agree that they throw. */
export const BAD_CONFIG_VALUES: Array<Partial<TrustedProxyOptions>> = [
  { trustedProxies: 'fe80::1%eth0' },
  { trustedProxies: ['10.0.0.0/8', 'fe80::%lo0/64'] },
  { trustedProxies: '0.0.0.0/0' },
  { trustedProxies: '::/0' },
  { trustedProxies: '::ffff:10.0.0.0/96' },
  { trustedProxies: '10.0.0.0/33' },
  { trustedProxies: '10.0.0.0/255.0.255.0' },
  { trustedProxies: 'proxy.internal' },
  { trustedProxies: '10.0.0.0/08' },
  { trustedProxies: '127.1' },
  { trustedProxies: '*' },
  { trustedProxies: 0 },
  { trustedProxies: 1.5 },
  { trustedProxies: [] },
  { trustedProxies: '' },
  { trustedProxies: '0.0.0.0' },
  { trustedProxies: '::' },
  { allowedHosts: ['.'] },
  { allowedHosts: ['..'] },
  { allowedHosts: ['a..b.example'] },
  { allowedHosts: ['.example.com'] },
  { allowedHosts: ['example.com..'] },
  { allowedHosts: ['*.'] },
  { allowedHosts: ['example.com:80'] },
  { allowedHosts: ['*.[::1]'] },
  { allowedHosts: ['fe80::1%eth0'] },
  { allowedHosts: [] },
  { allowedHosts: ['ex ample.com'] },
  { trustedHeaders: [] },
  { trustedHeaders: ['X-Original-URL'] },
  { trustedHeaders: ['X-Forwarded-Fro'] },
];

/** Configurations that look odd but are valid. */
export const ODD_GOOD_VALUES: Array<Partial<TrustedProxyOptions>> = [
  { trustedProxies: '::ffff:10.0.0.0/97' },
  { trustedProxies: '0.0.0.0/8' },
  { trustedProxies: '::ffff:0.0.0.0/100' },
  { trustedProxies: ' 10.0.0.1 ,, ::1 ' },
  { allowedHosts: ['example.com.', '*.example.com.', '[::ffff:1.2.3.4]', '::FFFF:a00:1'] },
  { trustedHeaders: [' x-forwarded-for ', 'X-FORWARDED-FOR'] },
];

export function randomConfig(rng: Rng): TrustedProxyOptions {
  const count = 1 + rng.int(rng.chance(0.2) ? TRUSTABLE.length : 6);
  const headers = shuffle(rng, TRUSTABLE)
    .slice(0, count)
    .map((n) => spell(rng, n));
  const options: TrustedProxyOptions = { trustedHeaders: headers, trustedProxies: rng.pick(TRUST_CHOICES) };
  if (rng.chance(0.15)) options.allowedHosts = shuffle(rng, ALLOWED).slice(0, 1 + rng.int(3));
  if (rng.chance(0.1)) options.rewriteLocation = true;
  return options;
}

// ---------------------------------------------------------------------------------------------
// Values.

function v4(rng: Rng, inner: boolean): string {
  if (rng.chance(0.2)) return `${rng.int(256)}.${rng.int(256)}.${rng.int(256)}.${rng.int(256)}`;
  return rng.pick(inner ? INNER_V4 : OUTER_V4);
}

/** One node as a proxy would write it (X-Forwarded-For style, or Forwarded style). */
function nodeText(rng: Rng, inner: boolean, forwarded: boolean): string {
  const r = rng.int(20);
  if (r < 11) {
    const a = v4(rng, inner);
    return rng.chance(0.1) ? `${a}:${1 + rng.int(65535)}` : a;
  }
  if (r < 16) {
    const a = rng.pick(inner ? INNER_V6 : OUTER_V6);
    const zoned = rng.chance(0.05) ? `${a}%eth0` : a;
    if (forwarded || rng.chance(0.3))
      return `[${zoned}]${rng.chance(0.3) ? `:${rng.pick(['443', '_p1', '8080'])}` : ''}`;
    return zoned;
  }
  if (r < 18) return `::ffff:${v4(rng, inner)}`;
  return rng.pick(NEAR_NODES);
}

function forwardedNode(rng: Rng, node: string): string {
  // Brackets and colons need a quoted-string; sometimes a proxy forgets (malformed).
  const needsQuotes = /[[\]:%]/.test(node);
  if (needsQuotes && rng.chance(0.9)) return `"${node}"`;
  if (rng.chance(0.05)) return `"${node}"`;
  return node;
}

const HOSTS = [
  'example.com',
  'www.example.com',
  'EXAMPLE.org.',
  'a.example.com:8443',
  'example.com:443',
  'example.com:80',
  '127.0.0.1',
  '127.0.0.1:8080',
  '[2001:db8::1]',
  '[2001:DB8::1]:443',
  '[::ffff:a00:64]',
  '[::]',
  '0.0.0.0',
  'a_b.example',
  'api.example.net',
  'localhost',
  'xn--bcher-kva.example',
];
const NEAR_HOSTS = [
  'a..b.example',
  '.pub.example',
  '..',
  '.',
  'example.com..',
  'example.com:080',
  'example.com:0',
  'example.com:',
  'example.com:65536',
  'evil.com:x@good.com',
  'good.com/evil',
  'ex ample.com',
  '127.1',
  'example.123',
  'a.0x1f',
  'a.0x',
  '1.2.3.999',
  '1.2.3.4.',
  '[::1',
  '[::1]x',
  '[1.2.3.4]',
  '[fe80::1%25eth0]',
  'exämple.com',
  'a,b',
  `${'a'.repeat(250)}.com`,
  `${'a.'.repeat(126)}a`,
  '[::1]:',
  'xn--bcher-va.example',
  'XN--',
  '::1',
  'a:1:2',
];
const PORTS = ['443', '80', '8443', '1', '65535'];
const NEAR_PORTS = ['0', '65536', '080', '-1', '+1', '1e3', '', ' 80', '443x', '99999'];
const PROTOS = ['http', 'https', 'HTTPS', 'Http'];
const NEAR_PROTOS = ['ftp', 'https ', 'htt', 'ws', 'on', '1'];
const FLAG_VALUES = ['on', 'off', 'true', 'false', '1', '0', 'ON', 'False'];
const NEAR_FLAGS = ['yes', 'no', '2', 'https', 'of'];
const PREFIXES = ['/app', '/a/b/', '/', '/caf%C3%A9', '/a;b=c', '/x@y', "/a!$&'()*+=:"];
const NEAR_PREFIXES = [
  '//evil.com',
  '/\\evil',
  '/%2e%2e/',
  '/a/../b',
  '/a/./b',
  '/%2f',
  '/%2F',
  '/%00',
  '/%7f',
  '/a?b',
  '/a#b',
  'app',
  '/%zz',
  '/%2',
  '/a b',
  '/é',
  '/%5c',
  '/%2E',
];

function pickValue(rng: Rng, good: string[], near: string[]): string {
  return rng.chance(0.8) ? rng.pick(good) : rng.pick(near);
}

function scalar(rng: Rng, name: string): string {
  const lower = name.toLowerCase();
  if (HOST.map((h) => h.toLowerCase()).includes(lower) || lower === 'host')
    return pickValue(rng, HOSTS, NEAR_HOSTS);
  if (lower === 'x-forwarded-server')
    return pickValue(
      rng,
      HOSTS.filter((h) => !/:\d+$/.test(h) || h.startsWith('[')),
      NEAR_HOSTS,
    );
  if (lower === 'x-forwarded-port') return pickValue(rng, PORTS, NEAR_PORTS);
  if (lower === 'cloudfront-viewer-address') {
    const a = rng.chance(0.6)
      ? v4(rng, rng.chance(0.5))
      : rng.pick([...INNER_V6, ...OUTER_V6, '::ffff:1.2.3.4', 'fe80::1%eth0']);
    return rng.chance(0.8)
      ? `${a}:${pickValue(rng, PORTS, NEAR_PORTS)}`
      : rng.pick([a, `[${a}]:443`, `${a}:`, '0.0.0.0:443', ':::443']);
  }
  if (SCHEME.map((h) => h.toLowerCase()).includes(lower)) return pickValue(rng, PROTOS, NEAR_PROTOS);
  if (FLAGS.map((h) => h.toLowerCase()).includes(lower)) return pickValue(rng, FLAG_VALUES, NEAR_FLAGS);
  if (PREFIX.map((h) => h.toLowerCase()).includes(lower)) return pickValue(rng, PREFIXES, NEAR_PREFIXES);
  return nodeText(rng, rng.chance(0.5), false);
}

const PUNCT = [',', ';', '"', '\\', '[', ']', ':', '%', '.', '/', '=', ' ', '\t', '@', '#', '?', '_', '0'];

function mutate(rng: Rng, value: string): string {
  let v = value;
  const at = rng.int(v.length + 1);
  switch (rng.int(4)) {
    case 0:
      return v.slice(0, at) + rng.pick(PUNCT) + v.slice(at);
    case 1:
      return v.slice(0, at) + v.slice(at + 1);
    case 2:
      v = v.toUpperCase();
      return v;
    default:
      return v.slice(0, at) + String.fromCharCode(0x80 + rng.int(0x80)) + v.slice(at);
  }
}

/** A Forwarded element as a proxy (or a client) would write it. */
function forwardedElement(rng: Rng, inner: boolean, full: boolean): string {
  const r = rng.int(40);
  if (r === 0) return ';';
  if (r === 1) return rng.pick([';;', ' ; ', 'by=10.0.0.1', 'proto=https', 'host=example.com']);
  if (r === 2)
    return rng.pick([
      'for=1.2.3.4;for=5.6.7.8',
      'for="unterminated',
      'for=1.2.3.4 ;x',
      'for = 1.2.3.4',
      'for=',
      '=x',
      'for=a"b',
      'For=1.2.3.4;FOR=1.2.3.5',
      'ext=1;Ext=2;for=1.2.3.4',
    ]);
  const pairs: string[] = [
    `${rng.chance(0.1) ? 'For' : 'for'}=${forwardedNode(rng, nodeText(rng, inner, true))}`,
  ];
  if (full || rng.chance(0.2)) {
    if (rng.chance(0.7)) {
      const h = pickValue(rng, HOSTS, NEAR_HOSTS);
      pairs.push(
        `host=${/^[A-Za-z0-9._-]+$/.test(h) && rng.chance(0.7) ? h : `"${h.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`}`,
      );
    }
    if (rng.chance(0.7)) pairs.push(`proto=${pickValue(rng, PROTOS, NEAR_PROTOS)}`);
    if (rng.chance(0.2)) pairs.push(`by=${forwardedNode(rng, nodeText(rng, true, true))}`);
    if (rng.chance(0.05)) pairs.push('ext="a;b,c"');
  }
  const shuffled = rng.chance(0.2) ? shuffle(rng, pairs) : pairs;
  return shuffled.join(rng.pick([';', '; ', ' ;']));
}

export interface GeneratedRequest extends RawRequest {
  lines: HeaderLine[];
}

export interface RequestShape {
  /** Only bytes Node's parser accepts (a real socket), values trimmed as Node trims them. */
  wire: boolean;
  /** The peer (ignored when `unix`). */
  peer: string | undefined;
  unix: boolean;
  tls: boolean;
  localAddress: string;
  localPort: number;
}

function joinList(rng: Rng, items: string[]): string {
  return items.join(rng.pick([', ', ',', ' , ', ', ,', ',\t']));
}

/** Splits a list into several header lines, the way a chain of appending proxies can. */
function pushList(rng: Rng, lines: HeaderLine[], name: string, items: string[]): void {
  if (items.length > 1 && rng.chance(0.3)) {
    const cut = 1 + rng.int(items.length - 1);
    lines.push([spell(rng, name), joinList(rng, items.slice(0, cut))]);
    lines.push([spell(rng, name), joinList(rng, items.slice(cut))]);
    return;
  }
  lines.push([spell(rng, name), joinList(rng, items)]);
}

/**
 * One request: a client (who may forge anything) behind up to six proxies that append or
 * overwrite the headers they set, plus noise headers and a Host.
 */
export function randomRequest(
  rng: Rng,
  shape: RequestShape,
  trusted: readonly string[] = [],
): GeneratedRequest {
  const lines: HeaderLine[] = [];
  const hops = rng.chance(0.1) ? 4 + rng.int(12) : rng.int(4);
  // Mostly the headers the configuration trusts (as its proxies would send), some others.
  const names = shuffle(rng, [...TRUSTABLE, ...NEVER]).slice(0, rng.int(rng.chance(0.5) ? 2 : 7));
  for (const name of trusted) if (rng.chance(0.6)) names.push(name);
  if (rng.chance(0.3))
    names.push(rng.pick(['X-Forwarded-For', 'Forwarded', 'X-Forwarded-Host', 'X-Forwarded-Proto']));
  const host = rng.chance(0.9) ? scalar(rng, 'host') : undefined;
  if (host !== undefined) lines.push([spell(rng, 'Host'), host]);
  if (host !== undefined && rng.chance(0.03)) lines.push(['Host', scalar(rng, 'host')]);
  lines.push(['Accept', '*/*']);
  for (const name of [...new Set(names)]) {
    const lower = name.toLowerCase();
    if (lower === 'x-forwarded-for') {
      // client-supplied part (forged) + one node per trusted proxy
      const items: string[] = [];
      const forged = rng.chance(0.3) ? 1 + rng.int(3) : 0;
      for (let i = 0; i < forged; i++) items.push(nodeText(rng, rng.chance(0.5), false));
      items.push(nodeText(rng, false, false)); /* the client as the edge saw it */
      for (let i = 0; i < hops; i++) items.push(nodeText(rng, true, false));
      if (rng.chance(0.05)) items.splice(rng.int(items.length), 0, '');
      pushList(rng, lines, name, items);
    } else if (lower === 'forwarded') {
      const items: string[] = [];
      const forged = rng.chance(0.3) ? 1 + rng.int(2) : 0;
      const full = rng.chance(0.5);
      for (let i = 0; i < forged; i++) items.push(forwardedElement(rng, rng.chance(0.5), true));
      items.push(forwardedElement(rng, false, full));
      for (let i = 0; i < hops; i++) items.push(forwardedElement(rng, true, full));
      pushList(rng, lines, name, items);
    } else if (lower === 'x-original-url' || lower === 'x-rewrite-url') {
      lines.push([spell(rng, name), '/admin']);
    } else {
      // a list, aligned or not with the hops, sometimes a single value
      const count = rng.chance(0.5) ? 1 : 1 + rng.int(hops + 2);
      const items: string[] = [];
      for (let i = 0; i < count; i++) items.push(scalar(rng, name));
      pushList(rng, lines, name, items);
    }
  }
  // Some mutation of one line, and sometimes an empty value.
  if (lines.length > 2 && rng.chance(0.25)) {
    const i = 2 + rng.int(lines.length - 2);
    lines[i] = [lines[i]![0], rng.chance(0.2) ? '' : mutate(rng, lines[i]![1])];
  }
  const onWire = (v: string) => v.replace(/[^\t\x20-\x7e\x80-\xff]/g, '').replace(/^[ \t]+|[ \t]+$/g, '');
  const url = rng.pick([
    '/',
    '/path?q=1',
    '/a%20b/c?x=%zz',
    'http://evil.example/x?y',
    '/é',
    '/x#y',
    '*',
    '//evil.com',
    '/\ud800\ud800x',
    '/a\u{1F600}b',
  ]);
  return {
    peer: shape.unix ? undefined : shape.peer,
    unix: shape.unix,
    tls: shape.tls,
    localAddress: shape.localAddress,
    localPort: shape.localPort,
    method: 'GET',
    url,
    lines: shape.wire ? lines.map(([n, v]) => [n, onWire(v)] as const) : lines,
  };
}
