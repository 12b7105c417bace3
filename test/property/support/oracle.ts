/**
 * Independent reference implementations the properties compare against. They are written
 * from SPEC.md with Node's own parsers (`node:net`, WHATWG `URL`) and BigInt arithmetic, and
 * share no code with src/, so a bug has to be made twice to go unnoticed.
 */
import { isIPv4, isIPv6 } from 'node:net';

/** OWS = SP / HTAB (RFC 9110 §5.6.3): the only whitespace a list element may be padded with. */
export function trimOws(text: string): string {
  let a = 0;
  let b = text.length;
  while (a < b && (text[a] === ' ' || text[a] === '\t')) a++;
  while (b > a && (text[b - 1] === ' ' || text[b - 1] === '\t')) b--;
  return text.slice(a, b);
}

/** Splits a comma list into trimmed, non-empty entries (R7/R8). */
export function listEntries(value: string): string[] {
  return value
    .split(',')
    .map(trimOws)
    .filter((e) => e.length > 0);
}

function v6Canonical(text: string): string | undefined {
  if (!isIPv6(text)) return undefined;
  let host: string;
  try {
    host = new URL(`http://[${text}]/`).hostname;
  } catch {
    return undefined;
  }
  const bare = host.slice(1, -1);
  // WHATWG serialises IPv4-mapped as ::ffff:XXXX:YYYY; the package outputs the IPv4 (R5).
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(bare);
  if (mapped) {
    const hi = Number.parseInt(mapped[1]!, 16);
    const lo = Number.parseInt(mapped[2]!, 16);
    return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  if (bare === '::ffff:0:0') return '0.0.0.0';
  return bare;
}

/**
 * A strict IP literal in canonical form (R5): dotted quad as is, IPv6 lower-case and
 * compressed per RFC 5952, IPv4-mapped as IPv4, zone id dropped. `undefined` for anything
 * else, and for the unspecified addresses, which never identify a client.
 */
export function canonicalIp(text: string): string | undefined {
  let out: string | undefined;
  if (isIPv4(text)) out = text;
  else {
    const zone = text.indexOf('%');
    if (zone === 0 || zone === text.length - 1) return undefined;
    const bare = zone > 0 ? text.slice(0, zone) : text;
    if (zone > 0 && !/^[0-9A-Za-z._~-]+$/.test(text.slice(zone + 1))) return undefined;
    if (bare.includes('%')) return undefined;
    out = v6Canonical(bare);
  }
  if (out === '0.0.0.0' || out === '::') return undefined;
  return out;
}

function validPort(text: string): boolean {
  return /^[1-9][0-9]{0,4}$/.test(text) && Number(text) <= 65535;
}

/** One X-Forwarded-For node (R7), trimmed: its canonical address, or `undefined` when not an IP node. */
export function parseNodeOracle(raw: string): string | undefined {
  const text = trimOws(raw);
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) return undefined;
    const rest = text.slice(close + 1);
    if (rest !== '' && !(rest.startsWith(':') && validPort(rest.slice(1)))) return undefined;
    const inner = text.slice(1, close);
    if (isIPv4(inner)) return undefined;
    return canonicalIp(inner);
  }
  const colons = text.split(':').length - 1;
  if (colons === 1) {
    const [addr, port] = text.split(':') as [string, string];
    if (!isIPv4(addr) || !validPort(port)) return undefined;
    return canonicalIp(addr);
  }
  return canonicalIp(text);
}

// ---------------------------------------------------------------------------------------------
// Trust: CIDR sets matched with BigInt, following proxy-addr 2.0.8's family rules.

interface Range {
  family: 4 | 6;
  network: bigint;
  prefix: number;
}

const NAMED: Record<string, string[]> = {
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  loopback: ['127.0.0.0/8', '::1/128'],
  uniquelocal: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};
NAMED.private = [...NAMED.uniquelocal!, ...NAMED.loopback!, ...NAMED.linklocal!];

function v4ToBig(text: string): bigint {
  return text.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

function v6ToBig(canonical: string): bigint {
  const [head, tail] = canonical.includes('::') ? canonical.split('::') : [canonical, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(Number.parseInt(g, 16)), 0n);
}

function mask(bits: number, prefix: number): bigint {
  return ((1n << BigInt(bits)) - 1n) ^ ((1n << BigInt(bits - prefix)) - 1n);
}

/** Address text (canonical) → family and integer. */
export function addressToBig(canonical: string): { family: 4 | 6; value: bigint } {
  return isIPv4(canonical)
    ? { family: 4, value: v4ToBig(canonical) }
    : { family: 6, value: v6ToBig(canonical) };
}

function parseRange(entry: string): Range {
  const slash = entry.indexOf('/');
  const addr = slash < 0 ? entry : entry.slice(0, slash);
  const prefixText = slash < 0 ? undefined : entry.slice(slash + 1);
  if (isIPv4(addr)) {
    let prefix = 32;
    if (prefixText !== undefined) {
      if (prefixText.includes('.')) {
        const m = v4ToBig(prefixText);
        prefix = m.toString(2).replace(/0+$/, '').length;
        if (m === 0n) prefix = 0;
      } else prefix = Number(prefixText);
    }
    return { family: 4, network: v4ToBig(addr) & mask(32, prefix), prefix };
  }
  const bare = addr.includes('%') ? addr.slice(0, addr.indexOf('%')) : addr;
  const host = new URL(`http://[${bare}]/`).hostname.slice(1, -1);
  const value = v6ToBig(host);
  const prefix = prefixText === undefined ? 128 : Number(prefixText);
  if (value >> 32n === 0xffffn) {
    // IPv4-mapped: the IPv4 range of prefix - 96 (SPEC R2; proxy-addr 2.0.8).
    const p4 = prefix - 96;
    return { family: 4, network: value & 0xffffffffn & mask(32, p4), prefix: p4 };
  }
  return { family: 6, network: value & mask(128, prefix), prefix };
}

/** Compiles a list of IPs, CIDRs and named ranges into a predicate over canonical addresses. */
export function compileTrustOracle(entries: readonly string[]): (canonical: string) => boolean {
  const ranges: Range[] = [];
  for (const e of entries) {
    const named = NAMED[e.toLowerCase()];
    for (const r of named ?? [e]) ranges.push(parseRange(r));
  }
  return (canonical) => {
    const { family, value } = addressToBig(canonical);
    const bits = family === 4 ? 32 : 128;
    return ranges.some((r) => r.family === family && (value & mask(bits, r.prefix)) === r.network);
  };
}
