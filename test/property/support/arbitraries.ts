/**
 * fast-check generators: addresses (valid and near-valid), trust configurations, header
 * values of every registry kind, and whole requests.
 */
import * as fc from 'fast-check';
import type { TrustedProxies } from '../../../src/core/types.js';
import type { HeaderLine, RawRequest } from './harness.js';
import { canonicalIp } from './oracle.js';
import { REGISTRY, TRUSTABLE } from './registry.js';

// ---------------------------------------------------------------------------------------------
// Addresses

const octet = fc.integer({ min: 0, max: 255 });

export const ipv4 = fc
  .tuple(octet, octet, octet, octet)
  .filter((p) => p.some((x) => x !== 0))
  .map((p) => p.join('.'));

function v4In(a: number, bMin: number, bMax: number): fc.Arbitrary<string> {
  return fc
    .tuple(fc.integer({ min: bMin, max: bMax }), octet, fc.integer({ min: 1, max: 254 }))
    .map(([b, c, d]) => `${a}.${b}.${c}.${d}`);
}

const word = fc.integer({ min: 0, max: 0xffff });

/** Eight words as full, uncompressed text (leading zeros stripped). */
function wordsText(words: number[]): string {
  return words.map((w) => w.toString(16)).join(':');
}

/** An IPv6 address in a random but valid spelling: compressed, full, padded, upper case. */
export function ipv6Spelling(words: number[]): fc.Arbitrary<string> {
  const canonical = canonicalIp(wordsText(words)) ?? wordsText(words);
  return fc.constantFrom(
    canonical,
    wordsText(words),
    words.map((w) => w.toString(16).padStart(4, '0')).join(':'),
    canonical.toUpperCase(),
  );
}

export const ipv6 = fc
  .array(word, { minLength: 8, maxLength: 8 })
  .filter((w) => w.some((x) => x !== 0) && !(w.slice(0, 5).every((x) => x === 0) && w[5] === 0xffff))
  .chain(ipv6Spelling);

/** An IPv6 with a realistic run of zero words (so `::` compression is exercised). */
export const ipv6Sparse = fc
  .tuple(word, fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: 6 }), word)
  .map(([head, at, len, tail]) => {
    const words = [head || 0x2001, 0xdb8, 0, 0, 0, 0, 0, tail || 1];
    for (let i = at; i < Math.min(7, at + len); i++) if (i > 0) words[i] = (head * (i + 3)) & 0xffff;
    return words;
  })
  .chain(ipv6Spelling);

/** Addresses a proxy may have: inside `private` (uniquelocal + loopback + linklocal). */
export const privateV4 = fc.oneof(
  v4In(10, 0, 255),
  v4In(172, 16, 31),
  v4In(192, 168, 168),
  v4In(127, 0, 255),
);
export const privateV6 = fc.oneof(
  fc
    .tuple(fc.integer({ min: 0xfc00, max: 0xfdff }), word, word)
    .map(([a, b, c]) => `${a.toString(16)}:${b.toString(16)}::${c.toString(16)}`),
  fc.tuple(word, word).map(([a, b]) => `fe80::${a.toString(16)}:${(b || 1).toString(16)}`),
  fc.constant('::1'),
);
export const privateAddress = fc.oneof(
  { weight: 3, arbitrary: privateV4 },
  { weight: 1, arbitrary: privateV6 },
);

/** Addresses no test configuration trusts. */
export const publicV4 = fc.oneof(
  v4In(198, 51, 51),
  v4In(203, 0, 0),
  fc
    .tuple(fc.integer({ min: 1, max: 9 }), octet, octet, fc.integer({ min: 1, max: 254 }))
    .map((p) => p.join('.')),
);
export const publicV6 = fc
  .tuple(fc.constantFrom(0x2001, 0x2a00, 0x2600), word, word, word)
  .map(([a, b, c, d]) => [a, 0xdb8 ^ b, c, 0, 0, 0, d, 1])
  .chain(ipv6Spelling);
export const publicAddress = fc.oneof({ weight: 3, arbitrary: publicV4 }, { weight: 1, arbitrary: publicV6 });

/** How Node may report an address as `socket.remoteAddress`. */
export function asSocketAddress(address: string): fc.Arbitrary<string> {
  if (address.includes(':')) return fc.constantFrom(address, address.toUpperCase());
  return fc.constantFrom(address, `::ffff:${address}`);
}

/** How a proxy may write an address as an X-Forwarded-For node. */
export function asNode(address: string): fc.Arbitrary<string> {
  const port = fc.integer({ min: 1, max: 65535 });
  if (address.includes(':')) {
    return fc.oneof(
      fc.constant(address),
      fc.constant(`[${address}]`),
      port.map((p) => `[${address}]:${p}`),
    );
  }
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant(address) },
    { weight: 1, arbitrary: port.map((p) => `${address}:${p}`) },
  );
}

/** Things that look like addresses but must never become one (R7). */
export const invalidNode = fc.constantFrom(
  'unknown',
  '_hidden',
  '_a.b-c',
  '0.0.0.0',
  '::',
  '[::]',
  '010.0.0.1',
  '127.1',
  '0x7f.0.0.1',
  '2130706433',
  '1.2.3.4.5',
  '256.1.1.1',
  '1.2.3',
  '[1.2.3.4]',
  '1.2.3.4:0',
  '1.2.3.4:65536',
  '1.2.3.4:',
  '1.2.3.4:080',
  '[::1]:_obf',
  '[::1',
  '::1]',
  'localhost',
  'example.com',
  '1.2.3.4 5.6.7.8',
  '1.2.3.4/24',
  '::ffff:0.0.0.0',
  '2001:db8::1::2',
  '2001:db8:::1',
  'fe80::1%',
  '[fe80::1%eth0]:0',
  '"1.2.3.4"',
  '1.2.3.4\u000b',
  '\u00a01.2.3.4',
  '1.2.3.4;host=evil',
);

const garbageChar = fc.mapToConstant(
  { num: 95, build: (v) => String.fromCharCode(0x20 + v) },
  { num: 2, build: (v) => (v === 0 ? '\t' : '\u00ff') },
);
export const garbage = fc.string({ unit: garbageChar, maxLength: 24 });

/** Any node text: valid addresses in every spelling, near misses and garbage. */
export const anyNode = fc.oneof(
  { weight: 4, arbitrary: fc.oneof(privateAddress, publicAddress, ipv6Sparse).chain(asNode) },
  { weight: 2, arbitrary: invalidNode },
  { weight: 1, arbitrary: garbage },
);

// ---------------------------------------------------------------------------------------------
// Lists

const separator = fc.constantFrom(',', ', ', ' , ', ',\t', ',,', ', ,');

/** Joins entries with random list separators and random OWS padding. */
export function joinList(entries: fc.Arbitrary<string[]>): fc.Arbitrary<string> {
  return entries.chain((items) =>
    fc
      .array(separator, { minLength: items.length, maxLength: items.length })
      .map((seps) => items.reduce((acc, item, i) => (i === 0 ? item : `${acc}${seps[i]}${item}`), '')),
  );
}

// ---------------------------------------------------------------------------------------------
// Hosts, ports, schemes, prefixes

const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?$/);
export const hostname = fc
  .array(label, { minLength: 1, maxLength: 4 })
  .map((labels) => labels.join('.'))
  // A numeric last label makes browsers read the name as IPv4 (WHATWG "ends in a number"),
  // so the package accepts it only as a strict dotted quad: keep generated names clear of it.
  .filter((h) => !/(^|\.)[0-9]+$/.test(h));
export const validPort = fc.integer({ min: 1, max: 65535 });

/** A host value a proxy would send: name, IPv4 or bracketed IPv6, with or without a port. */
export const validHost = fc
  .tuple(
    fc.oneof(
      { weight: 5, arbitrary: hostname },
      { weight: 1, arbitrary: ipv4 },
      { weight: 1, arbitrary: ipv6Sparse.map((a) => `[${a}]`) },
    ),
    fc.option(validPort, { nil: undefined }),
    fc.boolean(),
  )
  .map(([h, p, upper]) => `${upper ? h.toUpperCase() : h}${p === undefined ? '' : `:${p}`}`);

export const invalidHost = fc.constantFrom(
  'evil.com:x@good.com',
  'user@good.com',
  'good.com:0',
  'good.com:65536',
  'good.com:080',
  'good.com:+80',
  'good.com:',
  'good.com:80:80',
  'good.com/evil',
  'good.com\\evil',
  'good .com',
  'good.com,evil.com',
  'ex\u00e4mple.com',
  '2001:db8::1',
  '[2001:db8::1',
  '[not-ip]',
  '[1.2.3.4]',
  '',
  'a'.repeat(254),
  'good.com\u0000',
  '"good.com"',
  'good.com;x',
  '%65vil.com',
);

export const port = fc.oneof(
  { weight: 3, arbitrary: validPort.map(String) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('0', '65536', '080', '-1', '+443', ' 80', '8a', '', '123456', '0x50', '4.4'),
  },
);

export const scheme = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('http', 'https', 'HTTP', 'Https') },
  {
    weight: 1,
    arbitrary: fc.constantFrom('ftp', 'https:', 'https ', 'ws', 'wss', '', 'javascript', 'http,https'),
  },
);
export const flag = fc.constantFrom(
  'on',
  'off',
  'true',
  'false',
  '1',
  '0',
  'ON',
  'True',
  'yes',
  'no',
  '2',
  '',
);

const segment = fc
  .stringMatching(/^[A-Za-z0-9._~!$&'()*+;=:@-]{1,8}$/)
  .filter((s) => s !== '.' && s !== '..');
export const validPrefix = fc
  .array(segment, { minLength: 0, maxLength: 4 })
  .map((segs) => (segs.length === 0 ? '' : `/${segs.join('/')}`));

export const invalidPrefix = fc.constantFrom(
  '//evil.com',
  '///evil.com',
  '/\\evil.com',
  '\\\\evil.com',
  '/a/../b',
  '/./a',
  '/a/.',
  '/%2e%2e/a',
  '/%2E/a',
  '/a/%2e',
  '/%2f',
  '/a%2Fb',
  '/%5c',
  '/%00',
  '/%0a',
  '/%7f',
  '/%1F',
  '/%zz',
  '/%4',
  '/a?b',
  '/a#b',
  'a/b',
  '',
  '/a b',
  '/a\tb',
  '/ä',
  'http://evil.com/',
  '/a//b',
);

// ---------------------------------------------------------------------------------------------
// Forwarded

export interface GeneratedElement {
  for?: string;
  by?: string;
  host?: string;
  proto?: string;
}

const tcharString = fc.stringMatching(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,12}$/);
const qdChar = fc.mapToConstant(
  { num: 95, build: (v) => String.fromCharCode(0x20 + v) },
  { num: 1, build: () => '\t' },
  { num: 8, build: (v) => String.fromCharCode(0xe0 + v) },
);
/** Any value a quoted-string can carry (RFC 7230 §3.2.6), before quoting. */
const quotableValue = fc.string({ unit: qdChar, minLength: 0, maxLength: 16 });

function isToken(s: string): boolean {
  return /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(s);
}

/** Serialises a parameter value: as a token when allowed and chosen, else a quoted-string with escapes. */
function serializeValue(value: string, preferToken: boolean, escapeAll: boolean): string {
  if (preferToken && isToken(value)) return value;
  let out = '"';
  for (const c of value) {
    if (c === '"' || c === '\\' || (escapeAll && c !== '\t')) out += '\\';
    out += c;
  }
  return `${out}"`;
}

const paramValue = fc.oneof(
  { weight: 2, arbitrary: tcharString },
  { weight: 2, arbitrary: quotableValue },
  {
    weight: 2,
    arbitrary: fc.oneof(
      ipv4,
      ipv6Sparse.map((a) => `[${a}]`),
      ipv4.map((a) => `${a}:8080`),
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom('1.2.3.4;host=evil.com', 'a,for=6.6.6.6', 'x";proto="https') },
);

export const forwardedElement: fc.Arbitrary<GeneratedElement> = fc
  .record({ for: paramValue, by: paramValue, host: paramValue, proto: paramValue }, { requiredKeys: [] })
  .filter((e) => Object.keys(e).length > 0);

/** One element as text: parameters in random order and case, values token or quoted. */
export function serializeElement(e: GeneratedElement): fc.Arbitrary<string> {
  const keys = Object.keys(e) as (keyof GeneratedElement)[];
  return fc
    .tuple(
      fc.shuffledSubarray(keys, { minLength: keys.length, maxLength: keys.length }),
      fc.array(fc.tuple(fc.boolean(), fc.boolean(), fc.boolean(), fc.constantFrom(';', '; ', ' ;', ' ; ')), {
        minLength: keys.length,
        maxLength: keys.length,
      }),
    )
    .map(([order, styles]) =>
      order
        .map((k, i) => {
          const [token, escapeAll, upper] = styles[i]!;
          const name = upper ? k.toUpperCase() : k;
          return `${name}=${serializeValue(e[k]!, token, escapeAll)}`;
        })
        .reduce((acc, pair, i) => (i === 0 ? pair : `${acc}${styles[i]![3]}${pair}`), ''),
    );
}

/** Element separators RFC 7239 allows (1#element with OWS), without empty elements. */
export const strictSeparator = fc.constantFrom(',', ', ', ' , ', ',\t');

/** A generated `Forwarded` line and the elements it was generated from. */
export const forwardedLine = forwardedLineWith(separator);

export function forwardedLineWith(sep: fc.Arbitrary<string>) {
  return fc.array(forwardedElement, { minLength: 1, maxLength: 5 }).chain((elements) =>
    fc
      .tuple(
        ...elements.map(serializeElement),
        fc.array(sep, { minLength: elements.length, maxLength: elements.length }),
      )
      .map((parts) => {
        const seps = parts.pop() as string[];
        const texts = parts as string[];
        return { elements, line: texts.reduce((acc, t, i) => (i === 0 ? t : `${acc}${seps[i]}${t}`), '') };
      }),
  );
}

/** Near-valid Forwarded text: generated lines with injected breakage, and the classic attacks. */
export const forwardedNearValid = fc.oneof(
  { weight: 3, arbitrary: forwardedLine.map((l) => l.line) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      'for="1.2.3.4;host=evil.com"',
      'for=1.2.3.4;for=5.6.7.8',
      'for="unterminated',
      'for=1.2.3.4;host=evil.com;host=good.com',
      'for = 1.2.3.4',
      'for=',
      'for="\\"',
      '=1.2.3.4',
      'for=1.2.3.4 proto=https',
      'for="[2001:db8::1]:4711";proto=https;host="example.com:8443"',
      'for=_hidden, for=unknown',
      'For="[2001:db8:cafe::17]:4711"',
      ';;, ,;',
      'for=1.2.3.4;;by=5.6.7.8',
      'for="1.2.3.4", for="5.6.7.8',
    ),
  },
  { weight: 1, arbitrary: garbage },
);

// ---------------------------------------------------------------------------------------------
// Header values by registry header

/** A value for a registry header: mostly near-valid for its kind, sometimes garbage. */
export function valueFor(name: string): fc.Arbitrary<string> {
  const n = name.toLowerCase();
  let typed: fc.Arbitrary<string>;
  if (n === 'x-forwarded-for') typed = joinList(fc.array(anyNode, { minLength: 0, maxLength: 6 }));
  else if (n === 'forwarded') typed = forwardedNearValid;
  else if (
    [
      'x-real-ip',
      'x-client-ip',
      'true-client-ip',
      'cf-connecting-ip',
      'fastly-client-ip',
      'x-cluster-client-ip',
    ].includes(n)
  ) {
    typed = fc.oneof(anyNode, joinList(fc.array(anyNode, { minLength: 2, maxLength: 3 })));
  } else if (['x-forwarded-host', 'x-host', 'x-original-host', 'x-forwarded-server'].includes(n)) {
    typed = joinList(
      fc.array(fc.oneof({ weight: 3, arbitrary: validHost }, { weight: 1, arbitrary: invalidHost }), {
        minLength: 1,
        maxLength: 3,
      }),
    );
  } else if (n === 'x-forwarded-port') typed = joinList(fc.array(port, { minLength: 1, maxLength: 3 }));
  else if (['x-forwarded-proto', 'x-forwarded-scheme', 'x-scheme', 'x-url-scheme'].includes(n)) {
    typed = joinList(fc.array(scheme, { minLength: 1, maxLength: 3 }));
  } else if (['x-forwarded-https', 'x-forwarded-ssl', 'x-https', 'front-end-https'].includes(n)) typed = flag;
  else if (['x-forwarded-prefix', 'x-script-name', 'x-forwarded-script-name'].includes(n)) {
    typed = joinList(
      fc.array(
        fc.oneof(
          { weight: 2, arbitrary: validPrefix.map((p) => p || '/') },
          { weight: 1, arbitrary: invalidPrefix },
        ),
        { minLength: 1, maxLength: 3 },
      ),
    );
  } else typed = fc.constantFrom('/admin', '/admin?x=1', 'http://evil.com/');
  return fc.oneof({ weight: 6, arbitrary: typed }, { weight: 1, arbitrary: garbage });
}

/** Random case, so header-name matching is exercised. */
export function spell(name: string): fc.Arbitrary<string> {
  return fc.constantFrom(
    name,
    name.toUpperCase(),
    name.replace(/(^|-)([a-z])/g, (_m, d: string, c: string) => d + c.toUpperCase()),
  );
}

export const registryName = fc.constantFrom(...REGISTRY);

/** Header lines with registry headers (possibly repeated) and a few unrelated ones. */
export const registryLines: fc.Arbitrary<HeaderLine[]> = fc.array(
  fc.oneof(
    { weight: 6, arbitrary: registryName.chain((n) => fc.tuple(spell(n), valueFor(n))) },
    {
      weight: 1,
      arbitrary: fc.tuple(fc.constantFrom('Accept', 'User-Agent', 'X-Request-Id', 'Cookie'), garbage),
    },
  ),
  { maxLength: 10 },
);

// ---------------------------------------------------------------------------------------------
// Configurations

/** trustedHeaders: a random, non-empty, ordered subset of the trustable names, random case. */
export const trustedHeaders = fc
  .shuffledSubarray([...TRUSTABLE], { minLength: 1, maxLength: 8 })
  .chain((names) => fc.tuple(...names.map(spell)));

/** trustedProxies covering every `private` address, in one of the accepted forms. */
export const trustPrivate: fc.Arbitrary<TrustedProxies> = fc.constantFrom<TrustedProxies>(
  'private',
  ['loopback', 'uniquelocal', 'linklocal'],
  'loopback, uniquelocal linklocal',
  ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '127.0.0.0/8', '::1', 'fc00::/7', 'fe80::/10'],
  [
    '10.0.0.0/255.0.0.0',
    '172.16.0.0/255.240.0.0',
    '192.168.0.0/16',
    '::ffff:127.0.0.0/104',
    '::1/128',
    'FC00::/7',
    'fe80::/10',
  ],
);

/** The request line's target. */
export const requestTarget = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('/', '/path?q=1', '/a/b/', '/%7Euser', '/caf%C3%A9', '/x?y=%2F') },
  {
    weight: 1,
    arbitrary: fc.constantFrom('//evil.com/x', 'http://evil.com/x?y', '/a b', '/\u00e4', '*', '/a\\b'),
  },
);

export interface GenericRequest {
  raw: RawRequest;
  headers: string[];
  trust: TrustedProxies;
  allowedHosts: readonly string[] | undefined;
}

/** A whole request with a random configuration: the input of the generic invariants. */
export const genericRequest: fc.Arbitrary<GenericRequest> = fc
  .record({
    peer: fc.oneof(privateAddress, publicAddress).chain(asSocketAddress),
    tls: fc.boolean(),
    host: fc.option(fc.oneof({ weight: 4, arbitrary: validHost }, { weight: 1, arbitrary: invalidHost }), {
      nil: undefined,
    }),
    lines: registryLines,
    url: requestTarget,
    headers: trustedHeaders,
    trust: trustPrivate,
    allowedHosts: fc.option(
      fc.constantFrom<readonly string[]>(['example.com', '*.example.com'], ['localhost', '127.0.0.1']),
      {
        nil: undefined,
      },
    ),
  })
  .map((r) => ({
    raw: {
      peer: r.peer,
      tls: r.tls,
      localAddress: '10.9.8.7',
      localPort: r.tls ? 8443 : 8080,
      method: 'GET',
      url: r.url,
      lines: r.host === undefined ? r.lines : [['Host', r.host] as const, ...r.lines],
    },
    headers: r.headers,
    trust: r.trust,
    allowedHosts: r.allowedHosts,
  }));
