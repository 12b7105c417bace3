/**
 * The parsers of src/ip.ts and src/values.ts against independent oracles, on values embedded
 * in surrounding text (every parser takes `start`/`end`, and must read neither before nor past
 * them). Kills the boundary mutants (`<` vs `<=`, `start`/`end` arithmetic) that whole-string
 * tests cannot see.
 */
import { isIPv4, isIPv6 } from 'node:net';
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isUnspecified, parseIPv4, parseIp, parseNode, parsePortRange } from '../../src/core/ip.js';
import {
  parseFlag,
  parseHost,
  parsePort,
  parsePrefix,
  parseProto,
  parseServerName,
} from '../../src/core/values.js';
import {
  anyNode,
  invalidHost,
  invalidPrefix,
  ipv4,
  ipv6Sparse,
  validHost,
  validPrefix,
} from '../property/support/arbitraries.js';
import { params } from '../property/support/config.js';

/** RFC 6874 ZoneID characters as the package accepts them: unreserved and `%`. */
const ZONE = /^[0-9A-Za-z._~%-]+$/;

/** Canonical text of a strict IP literal (unspecified allowed), IPv4-mapped unmapped; zone dropped. */
function ipOracle(text: string): string | undefined {
  if (isIPv4(text)) return text;
  const zone = text.indexOf('%');
  const bare = zone >= 0 ? text.slice(0, zone) : text;
  if (zone >= 0 && !ZONE.test(text.slice(zone + 1))) return undefined;
  if (!isIPv6(bare)) return undefined;
  const host = new URL(`http://[${bare}]/`).hostname.slice(1, -1);
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(host);
  if (mapped) {
    const hi = Number.parseInt(mapped[1]!, 16);
    const lo = Number.parseInt(mapped[2]!, 16);
    return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  return host === '::ffff:0:0' ? '0.0.0.0' : host;
}

function portOracle(text: string): number {
  return /^[1-9][0-9]{0,4}$/.test(text) && Number(text) <= 65535 ? Number(text) : -1;
}

const OBF = /^_[A-Za-z0-9._-]+$/;

function nodeOracle(text: string, obfuscatedPort: boolean): string | undefined {
  const portOk = (p: string) => portOracle(p) > 0 || (obfuscatedPort && OBF.test(p));
  let address: string | undefined;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) return undefined;
    const rest = text.slice(close + 1);
    if (rest !== '' && !(rest.startsWith(':') && portOk(rest.slice(1)))) return undefined;
    const inner = text.slice(1, close);
    if (isIPv4(inner)) return undefined;
    address = ipOracle(inner);
  } else if (text.split(':').length === 2) {
    const [a, p] = text.split(':') as [string, string];
    if (!isIPv4(a) || !portOk(p)) return undefined;
    address = a;
  } else {
    address = ipOracle(text);
  }
  return address === '0.0.0.0' || address === '::' ? undefined : address;
}

/** WHATWG "ends in a number": digits, or 0x followed by hex digits. */
function endsInNumber(label: string): boolean {
  return /^[0-9]+$/.test(label) || /^0[xX][0-9a-fA-F]*$/.test(label);
}

function hostnameOracle(text: string): string | undefined {
  if (text.startsWith('[')) {
    if (!text.endsWith(']') || text.includes('%')) return undefined;
    const inner = text.slice(1, -1);
    if (!isIPv6(inner) || isIPv4(inner)) return undefined;
    // R9: any bracketed IPv6 literal, the unspecified [::] included (only client nodes refuse it)
    return new URL(`http://[${inner}]/`).hostname;
  }
  if (text.length === 0 || text.length > 253 || !/^[A-Za-z0-9._-]+$/.test(text)) return undefined;
  const labels = text.split('.');
  if (labels.length > 1 && labels[labels.length - 1] === '' && labels[labels.length - 2] !== '') labels.pop();
  // R9: no empty label (`.`, `..`, `a..b`, `.example`); one trailing `.` was dropped above.
  if (labels.some((l) => l === '')) return undefined;
  // R9: a host no URL can hold (an `xn--` label that is not valid punycode) is invalid.
  if (!URL.canParse(`http://${text}/`)) return undefined;
  if (endsInNumber(labels[labels.length - 1]!) && !isIPv4(text)) return undefined;
  return text.toLowerCase();
}

function hostOracle(text: string): { hostname: string; port: number } | undefined {
  let name = text;
  let port = 0;
  const close = text.startsWith('[') ? text.indexOf(']') : -1;
  const colon = text.startsWith('[') ? (close < 0 ? -2 : close + 1) : text.indexOf(':');
  if (colon === -2) return undefined;
  if (colon >= 0 && colon < text.length) {
    if (text[colon] !== ':') return undefined;
    port = portOracle(text.slice(colon + 1));
    if (port < 0) return undefined;
    name = text.slice(0, colon);
  }
  const hostname = hostnameOracle(name);
  return hostname === undefined ? undefined : { hostname, port };
}

const PCHAR = /^[A-Za-z0-9\-._~!$&'()*+,;=:@]$/;

function prefixOracle(text: string): string | undefined {
  if (!text.startsWith('/') || text.startsWith('//')) return undefined;
  const segments = text.slice(1).split('/');
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    if (seg === '' && i < segments.length - 1) return undefined;
    if (seg === '.' || seg === '..') return undefined;
    for (let j = 0; j < seg.length; j++) {
      if (seg[j] === '%') {
        const hex = seg.slice(j + 1, j + 3);
        if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return undefined;
        const v = Number.parseInt(hex, 16);
        if (v < 0x20 || v === 0x7f || v === 0x2f || v === 0x5c || v === 0x2e) return undefined;
        j += 2;
      } else if (!PCHAR.test(seg[j]!)) return undefined;
    }
  }
  const trimmed = text.length > 1 && text.endsWith('/') ? text.slice(0, -1) : text;
  return trimmed === '/' ? '' : trimmed;
}

// Text around the value, made of characters a parser could wrongly take as part of it.
const pad = fc.string({
  unit: fc.constantFrom('1', '0', 'a', 'f', ':', '.', '[', ']', '%', '/', '_', 'x', ' '),
  maxLength: 3,
});
const tricky = fc.string({
  unit: fc.constantFrom(
    '0',
    '1',
    '2',
    '5',
    '9',
    'a',
    'f',
    'F',
    'g',
    'x',
    ':',
    '.',
    '[',
    ']',
    '%',
    '_',
    '-',
    '/',
    'e',
    'Z',
  ),
  maxLength: 24,
});

function embedded(value: fc.Arbitrary<string>) {
  return fc
    .tuple(pad, value, pad)
    .map(([a, v, b]) => ({ s: a + v + b, start: a.length, end: a.length + v.length, v }));
}

const ipText = fc.oneof(
  ipv4,
  ipv6Sparse,
  ipv4.map((a) => `::ffff:${a}`),
  ipv6Sparse.map((a) => `${a}%eth0`),
  ipv6Sparse.map((a) => `${a}%en-0.1_x`),
  fc.constantFrom(
    '0.0.0.0',
    '::',
    '::ffff:0:0',
    '1::',
    '::1',
    '1:2:3:4:5:6:7:8',
    '1:2:3:4:5:6:7::',
    '::2:3:4:5:6:7:8',
  ),
  fc.constantFrom(
    '1:2:3:4:5:6:7:8:9',
    '1::2::3',
    '12345::',
    ':1::',
    '1:',
    '::ffff:1.2.3',
    '1.2.3.4::',
    'fe80::1%',
    'fe80::1%a~b',
  ),
  // Not IPv4-mapped: one word of the ::ffff:0:0/96 prefix differs.
  fc.constantFrom(
    '1::ffff:a00:1',
    '0:1::ffff:a00:1',
    '0:0:1::ffff:a00:1',
    '::1:0:ffff:a00:1',
    '::1:ffff:a00:1',
    '::fffe:a00:1',
  ),
  tricky,
);

describe('parsers against independent oracles, embedded in other text', () => {
  it('parseIp and parseIPv4', () => {
    fc.assert(
      fc.property(embedded(ipText), ({ s, start, end, v }) => {
        const parsed = parseIp(s, start, end);
        expect(parsed?.text, JSON.stringify(v)).toBe(ipOracle(v));
        if (parsed) expect(isUnspecified(parsed)).toBe(parsed.text === '0.0.0.0' || parsed.text === '::');
        const v4 = parseIPv4(s, start, end);
        expect(v4 >= 0, v).toBe(isIPv4(v));
        if (isIPv4(v)) expect(v4).toBe(v.split('.').reduce((acc, p) => acc * 256 + Number(p), 0));
        const kept = parseIp(s, start, end, false);
        expect(kept === undefined, v).toBe(parsed === undefined);
        if (kept && v.includes(':')) expect(kept.family).toBe(6);
      }),
      params(3000),
    );
  });

  it('parseNode, with and without RFC 7239 obfuscated ports', () => {
    const nodeText = fc.oneof(
      anyNode,
      tricky,
      fc
        .oneof(
          ipv4,
          ipv6Sparse.map((a) => `[${a}]`),
        )
        .chain((a) =>
          fc.constantFrom(
            `${a}:_p`,
            `${a}:_a.b-c_9`,
            `${a}:_`,
            `${a}:_a b`,
            `${a}:1`,
            `${a}:65535`,
            `${a}:00`,
          ),
        ),
    );
    fc.assert(
      fc.property(embedded(nodeText), fc.boolean(), ({ s, start, end, v }, obf) => {
        expect(parseNode(s, start, end, obf)?.text, `${JSON.stringify(v)} obf=${obf}`).toBe(
          nodeOracle(v, obf),
        );
      }),
      params(3000),
    );
  });

  it('parsePortRange and parsePort', () => {
    const portText = fc.oneof(
      fc.integer({ min: 0, max: 100_000 }).map(String),
      tricky,
      fc.constantFrom('', '0', '00', '01', '65535', '65536', '99999', '123456'),
    );
    fc.assert(
      fc.property(embedded(portText), ({ s, start, end, v }) => {
        expect(parsePortRange(s, start, end), v).toBe(portOracle(v));
        expect(parsePort(s, start, end), v).toBe(portOracle(v));
      }),
      params(2000),
    );
  });

  it('parseHost and parseServerName', () => {
    const hostText = fc.oneof(
      validHost,
      invalidHost,
      tricky,
      fc.constantFrom(
        '1.2.3.4.',
        '1.2.3.4',
        '1.2.3',
        'a.1',
        'a.1.',
        'a.0x',
        'a.0x1F.',
        '0x1.a',
        'a..b',
        '.',
        '..',
        'a.',
        '[::1]',
        '[::]',
        '[::1]:80',
        '[::1]x',
        '[1.2.3.4]',
        '[::ffff:1.2.3.4]:1',
        'A_B.example:65535',
      ),
      fc.string({ unit: fc.constantFrom('a', '1', '.', '-', '_'), maxLength: 12 }),
    );
    fc.assert(
      fc.property(embedded(hostText), ({ s, start, end, v }) => {
        const got = parseHost(s, start, end);
        const want = hostOracle(v);
        if (v.includes('[::ffff:')) {
          expect(got === undefined, v).toBe(want === undefined);
          return;
        }
        expect(got, JSON.stringify(v)).toEqual(want);
        expect(parseServerName(s, start, end), v).toBe(hostnameOracle(v));
      }),
      params(3000),
    );
  });

  it('parsePrefix', () => {
    const prefixText = fc.oneof(
      validPrefix.map((p) => p || '/'),
      validPrefix.map((p) => `${p}/`),
      invalidPrefix,
      tricky.map((t) => `/${t}`),
      fc
        .string({
          unit: fc.constantFrom('/', '.', 'a', '%', '2', 'e', 'E', 'f', 'F', '5', 'c', '0', '7', '1'),
          maxLength: 10,
        })
        .map((t) => `/${t}`),
    );
    fc.assert(
      fc.property(embedded(prefixText), ({ s, start, end, v }) => {
        expect(parsePrefix(s, start, end), JSON.stringify(v)).toBe(prefixOracle(v));
      }),
      params(3000),
    );
  });

  it('parseProto and parseFlag', () => {
    const word = fc.constantFrom(
      'http',
      'https',
      'HTTP',
      'HttpS',
      'htt',
      'httpss',
      'on',
      'ON',
      'off',
      'Off',
      'true',
      'TRUE',
      'false',
      'False',
      '1',
      '0',
      '2',
      'o',
      'of',
      'tru',
      'fals',
      '',
      'xhttp',
    );
    fc.assert(
      fc.property(embedded(word), ({ s, start, end, v }) => {
        const lower = v.toLowerCase();
        expect(parseProto(s, start, end), v).toBe(
          lower === 'https' ? 'https' : lower === 'http' ? 'http' : undefined,
        );
        const flag = ['on', 'true', '1'].includes(lower)
          ? 'https'
          : ['off', 'false', '0'].includes(lower)
            ? 'http'
            : undefined;
        expect(parseFlag(s, start, end), v).toBe(flag);
      }),
      params(1000),
    );
  });
});
