/**
 * The fuzz run's request generator: a small seeded PRNG (fast-check is too slow for a
 * million requests with 16 KB lists) producing random bytes and near-valid values for every
 * registry header, mutated, repeated, and sometimes as long as Node's 16 KB header limit.
 */
import type { HeaderLine, RawRequest } from './harness.js';
import { REGISTRY } from './registry.js';

/** mulberry32: a fast 32-bit PRNG with a full period; deterministic for a seed. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  int(n: number): number {
    return this.next() % n;
  }
  chance(p: number): boolean {
    return this.next() / 0x100000000 < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
}

const V4 = [
  '10.0.0.1',
  '127.0.0.1',
  '192.168.1.20',
  '172.16.5.4',
  '203.0.113.9',
  '198.51.100.7',
  '8.8.8.8',
  '1.2.3.4',
];
const V6 = [
  '::1',
  'fd00::5',
  'fe80::1%eth0',
  '2001:db8::1',
  '2001:DB8:0:0:0:0:0:1',
  '::ffff:10.0.0.1',
  '::ffff:a00:1',
  '2a00::17',
];
const NEAR_NODES = [
  'unknown',
  '_obf',
  '0.0.0.0',
  '::',
  '010.0.0.1',
  '127.1',
  '0x7f.0.0.1',
  '2130706433',
  '1.2.3.4:0',
  '1.2.3.4:99999',
  '[::1]:443',
  '[::1]:_x',
  '[1.2.3.4]',
  '[::1',
  '1.2.3.4.5',
];
const HOSTS = [
  'example.com',
  'EXAMPLE.COM.',
  'a.example.com:8443',
  '127.0.0.1:80',
  '[2001:db8::1]:443',
  '[::ffff:1.2.3.4]',
  'evil.com:x@good.com',
  'good.com:0',
  'good.com:',
  'xn--0.a',
  '1.2.3.999',
  'a_b.example',
  'ex\u00e4mple.com',
  'good.com/evil',
];
const PREFIXES = [
  '/app',
  '/a/b/',
  '/',
  '//evil.com',
  '/\\evil',
  '/%2e%2e/',
  '/a/../b',
  '/%2f',
  '/%00',
  '/a?b',
  '/caf%C3%A9',
];
const SCHEMES = ['http', 'https', 'HTTPS', 'ftp', 'on', 'off', 'true', '1', '0', 'https, http'];
const PORTS = ['443', '80', '0', '65535', '65536', '080', '-1', '+1', '1e3'];
const FORWARDED = [
  'for=1.2.3.4;proto=https;host=example.com',
  'for="[2001:db8::1]:4711";by=10.0.0.1',
  'for="1.2.3.4;host=evil.com"',
  'for=1.2.3.4;for=5.6.7.8',
  'for="unterminated',
  'For=_hidden;Proto=http',
  'for=unknown, for=10.0.0.1',
  'host="a.example:8443";proto=https',
];
const PUNCT = [',', ';', '"', '\\', '[', ']', ':', '%', '.', '/', '=', ' ', '\t', '@', '#', '?', '_'];

function randomBytes(rng: Rng, length: number, wire: boolean): string {
  let out = '';
  for (let i = 0; i < length; i++) {
    let c = rng.int(256);
    if (wire && c !== 0x09 && (c < 0x20 || c === 0x7f)) c = 0x20 + rng.int(0x5f);
    out += String.fromCharCode(c);
  }
  return out;
}

function mutate(rng: Rng, value: string, wire: boolean): string {
  let v = value;
  const edits = rng.int(4);
  for (let e = 0; e < edits; e++) {
    const at = rng.int(v.length + 1);
    switch (rng.int(5)) {
      case 0:
        v = v.slice(0, at) + rng.pick(PUNCT) + v.slice(at);
        break;
      case 1:
        v = v.slice(0, at) + v.slice(at + 1);
        break;
      case 2:
        v = v.slice(0, at) + randomBytes(rng, 1 + rng.int(3), wire) + v.slice(at);
        break;
      case 3:
        v = v + rng.pick([', ', ',', ';', ' , ']) + v;
        break;
      default:
        v = v.toUpperCase();
    }
  }
  return v;
}

function node(rng: Rng): string {
  const r = rng.int(10);
  if (r < 4) return rng.pick(V4) + (rng.chance(0.1) ? `:${1 + rng.int(65535)}` : '');
  if (r < 6) {
    const a = rng.pick(V6);
    return rng.chance(0.3) ? `[${a}]${rng.chance(0.5) ? ':443' : ''}` : a;
  }
  if (r < 8) return rng.pick(NEAR_NODES);
  return `${rng.int(256)}.${rng.int(256)}.${rng.int(256)}.${rng.int(256)}`;
}

function list(rng: Rng, item: () => string, count: number): string {
  const parts: string[] = [];
  for (let i = 0; i < count; i++) parts.push(item());
  return parts.join(rng.pick([', ', ',', ' , ', ',,']));
}

/** A value as long as the header limit allows: long lists and pathological repetitions. */
function huge(rng: Rng, name: string, limit: number): string {
  const size = 1024 + rng.int(limit - 1024);
  const unit = rng.pick([
    name === 'forwarded' ? 'for=10.0.0.1;proto=https, ' : '10.0.0.1, ',
    ',',
    ' ',
    '"',
    '\\',
    '[',
    ':',
    '%2',
    '1.',
    'a',
    '::',
    'for="a\\',
    ';',
    '=',
    'x.',
    '/.',
    '[::1]:1,',
  ]);
  return unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
}

function valueFor(rng: Rng, name: string, wire: boolean): string {
  const r = rng.int(20);
  if (r === 0) return randomBytes(rng, rng.int(64), wire);
  if (r === 1) return '';
  let v: string;
  switch (name) {
    case 'x-forwarded-for':
      v = list(rng, () => node(rng), 1 + rng.int(8));
      break;
    case 'forwarded':
      v = list(rng, () => rng.pick(FORWARDED), 1 + rng.int(4));
      break;
    case 'x-forwarded-host':
    case 'x-host':
    case 'x-original-host':
    case 'x-forwarded-server':
      v = list(rng, () => rng.pick(HOSTS), 1 + rng.int(3));
      break;
    case 'x-forwarded-port':
      v = list(rng, () => rng.pick(PORTS), 1 + rng.int(3));
      break;
    case 'x-forwarded-prefix':
    case 'x-script-name':
    case 'x-forwarded-script-name':
      v = list(rng, () => rng.pick(PREFIXES), 1 + rng.int(2));
      break;
    case 'x-original-url':
    case 'x-rewrite-url':
      v = '/admin';
      break;
    default:
      v = name.includes('ip') ? node(rng) : list(rng, () => rng.pick(SCHEMES), 1 + rng.int(2));
  }
  return rng.chance(0.4) ? mutate(rng, v, wire) : v;
}

function spell(rng: Rng, name: string): string {
  const r = rng.int(3);
  if (r === 0) return name;
  if (r === 1) return name.toUpperCase();
  return name.replace(/(^|-)([a-z])/g, (_m, d: string, c: string) => d + c.toUpperCase());
}

const TARGETS = [
  '/',
  '/path?q=1',
  '//evil.com/x',
  'http://evil.com/x',
  '*',
  '/%zz',
  '/a b',
  '/\u00e9',
  '/x#y',
];

export interface FuzzOptions {
  /** Only bytes Node's parser accepts, total header size under the limit (for a real socket). */
  wire: boolean;
  /** Total header budget in bytes. */
  limit: number;
}

/** One random request. `peer` comes from the caller (trusted or not). */
export function fuzzRequest(rng: Rng, peer: string | undefined, opts: FuzzOptions): RawRequest {
  const lines: HeaderLine[] = [];
  let budget = opts.limit - 200;
  if (rng.chance(0.85))
    lines.push(['Host', rng.chance(0.8) ? rng.pick(HOSTS) : mutate(rng, rng.pick(HOSTS), opts.wire)]);
  if (rng.chance(0.05)) lines.push(['Host', rng.pick(HOSTS)]);
  const count = rng.int(12);
  for (let i = 0; i < count && budget > 0; i++) {
    const name = rng.pick(REGISTRY);
    const value = rng.chance(0.01)
      ? huge(rng, name, Math.min(16_000, budget))
      : valueFor(rng, name, opts.wire);
    if (value.length + name.length + 4 > budget) continue;
    budget -= value.length + name.length + 4;
    lines.push([spell(rng, name), value]);
  }
  // On the wire a value is Latin-1 bytes, and Node trims its OWS.
  const onWire = (v: string) => v.replace(/[^\t\x20-\x7e\x80-\xff]/g, '').replace(/^[ \t]+|[ \t]+$/g, '');
  return {
    peer,
    tls: rng.chance(0.3),
    localAddress: '10.9.8.7',
    localPort: 8080,
    method: 'GET',
    url: rng.chance(0.9) ? rng.pick(TARGETS) : `/${mutate(rng, 'a/b?c=d', true).replace(/[\s#]/g, '')}`,
    lines: opts.wire ? lines.map(([n, v]) => [n, onWire(v)] as const) : lines,
    unix: peer === undefined,
  };
}
