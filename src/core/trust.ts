/**
 * Trust compiled once: configuration becomes integer masks, so matching a request's
 * address is a few integer comparisons and never re-reads the configuration (R17).
 */
import { cloudRangeDate, cloudRangeEntries } from './cloud-ranges.js';
import { configError } from './errors.js';
import { formatIPv4, formatIPv6, isMapped, mappedIPv4, type ParsedIp, parseIPv4, parseIp } from './ip.js';
import type { TrustedProxies } from './types.js';

/** A compiled trust decision: `ip` is `undefined` for a peer on a UNIX domain socket. */
export interface Trust {
  (ip: ParsedIp | undefined, hop: number): boolean;
  /** True when the decision does not depend on the address (a hop count). */
  readonly hopCount: number;
  /** The decision depends only on the address and hop (not a user function), so it may be cached. */
  readonly pure: boolean;
  /** The configuration as the CLI prints it: ranges in canonical CIDR form. */
  readonly description: string;
}

/** proxy-addr's named ranges, plus `private` (all three) — same members as proxy-addr. */
const NAMED_RANGES: Record<string, readonly string[]> = {
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  loopback: ['127.0.0.0/8', '::1/128'],
  uniquelocal: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};
NAMED_RANGES.private = [...NAMED_RANGES.uniquelocal!, ...NAMED_RANGES.loopback!, ...NAMED_RANGES.linklocal!];

interface V6Range {
  words: number[];
  prefix: number;
}

/** One parsed `trustedProxies` entry. */
export type TrustEntry =
  | { family: 4; network: number; prefix: number }
  | { family: 6; words: number[]; prefix: number }
  | { family: 'unix' };

function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** Turns a contiguous IPv4 netmask (255.255.0.0) into a prefix length, or -1. */
function netmaskToPrefix(mask: number): number {
  const inverted = ~mask >>> 0;
  if ((inverted & (inverted + 1)) !== 0) return -1; /* not contiguous */
  let prefix = 0;
  for (let m = mask; m & 0x80000000; m = (m << 1) >>> 0) prefix++;
  return prefix;
}

function parsePrefixLength(text: string, max: number, entry: string): number {
  if (text.length === 0 || text.length > 3)
    throw configError(`invalid prefix length in trustedProxies`, entry);
  let value = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) throw configError('invalid prefix length in trustedProxies', entry);
    value = value * 10 + (c - 0x30);
  }
  if (text.length > 1 && text.charCodeAt(0) === 0x30) {
    throw configError('invalid prefix length in trustedProxies', entry);
  }
  if (value > max) throw configError(`prefix length out of range (0-${max}) in trustedProxies`, entry);
  return value;
}

function looksLikeHostname(text: string): boolean {
  let letters = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const lower = c | 0x20;
    if (lower >= 0x61 && lower <= 0x7a) letters = true;
    else if (
      !(((c >= 0x30 && c <= 0x39) || c === 0x2d /* - */ || c === 0x2e /* . */ || c === 0x5f) /* _ */)
    ) {
      return false;
    }
  }
  return letters;
}

/** Parses one address or range of `trustedProxies` (not a named range). Throws on mistakes. */
export function parseTrustEntry(entry: string): TrustEntry {
  if (entry.toLowerCase() === 'unix') return { family: 'unix' };
  const slash = entry.indexOf('/');
  const addressText = slash < 0 ? entry : entry.slice(0, slash);
  if (addressText.indexOf('%') >= 0) {
    // Zones are not compared (R5 drops them), so fe80::1%eth0 would trust every interface (R2).
    throw configError('zone ids are not allowed in trustedProxies (they would match every interface)', entry);
  }
  const ip = parseIp(addressText, 0, addressText.length, false);
  if (ip === undefined) {
    if (looksLikeHostname(addressText)) {
      throw configError(
        'hostnames are not allowed in trustedProxies (no DNS lookups; use an IP or CIDR)',
        entry,
      );
    }
    throw configError('invalid IP address in trustedProxies', entry);
  }
  const words = ip.v6;
  const mapped = ip.family === 6 && isMapped(words);
  if (slash < 0) {
    if (ip.family === 4 || mapped) {
      const v4 = ip.family === 4 ? ip.v4 : mappedIPv4(words);
      if (v4 === 0) throw configError('the unspecified address never identifies a proxy', entry);
      return { family: 4, network: v4, prefix: 32 };
    }
    if (words.every((w) => w === 0))
      throw configError('the unspecified address never identifies a proxy', entry);
    return { family: 6, words, prefix: 128 };
  }
  const prefixText = entry.slice(slash + 1);
  let prefix: number;
  if (ip.family === 4 && prefixText.indexOf('.') >= 0) {
    const mask = parseIPv4(prefixText);
    prefix = mask < 0 ? -1 : netmaskToPrefix(mask);
    if (prefix < 0) throw configError('invalid netmask in trustedProxies', entry);
  } else {
    prefix = parsePrefixLength(prefixText, ip.family === 4 ? 32 : 128, entry);
  }
  if (prefix === 0) {
    throw configError(
      'a /0 range trusts every address; use a hop count (a number) or name the proxies explicitly',
      entry,
    );
  }
  if (mapped) {
    // proxy-addr 2.0.8 (CVE-2026-90711): a mapped range spans IPv4 only at prefix >= 96;
    // /96 itself would be an IPv4 /0.
    if (prefix < 97) {
      throw configError('an IPv4-mapped range needs a prefix length of 97-128 (that is IPv4 /1-/32)', entry);
    }
    const v4 = mappedIPv4(words);
    const v4prefix = prefix - 96;
    return { family: 4, network: (v4 & maskOf(v4prefix)) >>> 0, prefix: v4prefix };
  }
  if (ip.family === 4) return { family: 4, network: (ip.v4 & maskOf(prefix)) >>> 0, prefix };
  const masked = words.slice();
  for (let i = 0; i < 8; i++) {
    const bits = Math.min(16, Math.max(0, prefix - i * 16));
    masked[i] = masked[i]! & (bits === 0 ? 0 : (0xffff << (16 - bits)) & 0xffff);
  }
  return { family: 6, words: masked, prefix };
}

/** Splits a comma/space separated string into entries. */
export function splitList(text: string): string[] {
  const out: string[] = [];
  let start = -1;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 0x2c;
    const separator =
      c === 0x2c /* , */ || c === 0x20 /* SP */ || c === 0x09 /* HTAB */ || c === 0x0a || c === 0x0d;
    if (separator) {
      if (start >= 0) out.push(text.slice(start, i));
      start = -1;
    } else if (start < 0) {
      start = i;
    }
  }
  return out;
}

function describeEntry(e: TrustEntry): string {
  if (e.family === 'unix') return 'unix';
  if (e.family === 4) {
    return `${formatIPv4(e.network)}/${e.prefix}`;
  }
  return `${formatIPv6(e.words)}/${e.prefix}`;
}

function withMeta(
  fn: (ip: ParsedIp | undefined, hop: number) => boolean,
  hopCount: number,
  description: string,
  pure = true,
): Trust {
  const trust = fn as Trust;
  Object.defineProperty(trust, 'hopCount', { value: hopCount });
  Object.defineProperty(trust, 'pure', { value: pure });
  Object.defineProperty(trust, 'description', { value: description });
  return trust;
}

/**
 * Compiles `trustedProxies` into a matcher. Throws `TrustedProxyConfigError` naming the bad
 * value. Named ranges are expanded, masks precomputed; per call only integers are compared.
 */
export function compileTrust(value: TrustedProxies): Trust {
  if (typeof value === 'function') {
    const user = value;
    return withMeta(
      (ip, hop) => {
        try {
          return user(ip === undefined ? undefined : ip.text, hop) === true;
        } catch {
          return false; /* a throwing trust function fails closed */
        }
      },
      0,
      `function ${user.name || '(anonymous)'}`,
      false,
    );
  }
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 1) {
      throw configError('a hop count in trustedProxies must be an integer >= 1', value);
    }
    const count = value;
    return withMeta((_ip, hop) => hop < count, count, `${count} hop${count === 1 ? '' : 's'} (any address)`);
  }
  let entries: readonly string[];
  if (typeof value === 'string') entries = splitList(value);
  else if (Array.isArray(value)) {
    const flat: string[] = [];
    for (const item of value as readonly unknown[]) {
      if (typeof item !== 'string') throw configError('trustedProxies entries must be strings', item);
      for (const part of splitList(item)) flat.push(part);
    }
    entries = flat;
  } else {
    throw configError('trustedProxies must be a string, an array of strings, a number or a function', value);
  }
  if (entries.length === 0) throw configError('trustedProxies is empty; name at least one proxy', value);

  const parsed: TrustEntry[] = [];
  const listed: TrustEntry[] = []; /* entries named one by one (not from a cloud set), for the description */
  const cloudNames: string[] = [];
  for (const raw of entries) {
    const entry = raw.toLowerCase();
    if (entry === '*') {
      throw configError(
        "there is no '*': trusting every peer and every hop lets any client choose its own address",
        raw,
      );
    }
    const named = Object.hasOwn(NAMED_RANGES, entry) ? NAMED_RANGES[entry] : undefined;
    const cloud = named === undefined ? cloudRangeEntries(entry) : undefined;
    if (cloud !== undefined) {
      // R22: a dated snapshot shipped in the package; described by name, not 50 prefixes.
      for (const range of cloud) parsed.push(parseTrustEntry(range));
      cloudNames.push(`${entry} (${cloud.length} ranges, snapshot ${cloudRangeDate(entry)})`);
      continue;
    }
    const start = parsed.length;
    if (named !== undefined) for (const range of named) parsed.push(parseTrustEntry(range));
    else parsed.push(parseTrustEntry(raw));
    for (let i = start; i < parsed.length; i++) listed.push(parsed[i]!);
  }

  let unix = false;
  const v4: Array<[number, number]> = []; /* [first, last] addresses */
  const v6: V6Range[] = [];
  for (const e of parsed) {
    if (e.family === 'unix') unix = true;
    else if (e.family === 4) v4.push([e.network, e.network + 2 ** (32 - e.prefix) - 1]);
    else v6.push({ words: e.words, prefix: e.prefix });
  }
  // Sorted, merged, disjoint intervals: a binary search costs log2(n) comparisons, so a cloud
  // set of 50 prefixes (CloudFront) costs about as much as one range did.
  v4.sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const range of v4) {
    const last = merged[merged.length - 1];
    if (last !== undefined && range[0] <= last[1] + 1) last[1] = Math.max(last[1], range[1]);
    else merged.push([range[0], range[1]]);
  }
  const firsts = Uint32Array.from(merged, (r) => r[0]);
  const lasts = Uint32Array.from(merged, (r) => r[1]);
  const v4Top = merged.length - 1;
  const description = [...new Set([...listed.map(describeEntry), ...cloudNames])].join(', ');

  return withMeta(
    (ip, _hop) => {
      if (ip === undefined) return unix;
      if (ip.family === 4) {
        const a = ip.v4;
        let lo = 0;
        let hi = v4Top;
        while (lo <= hi) {
          const mid = (lo + hi) >>> 1;
          if (a < firsts[mid]!) hi = mid - 1;
          else if (a > lasts[mid]!) lo = mid + 1;
          else return true;
        }
        return false;
      }
      const w = ip.v6;
      for (const range of v6) {
        if (matchV6(w, range.words, range.prefix)) return true;
      }
      return false;
    },
    0,
    description,
  );
}

function matchV6(address: number[], network: number[], prefix: number): boolean {
  let bits = prefix;
  for (let i = 0; bits > 0; i++, bits -= 16) {
    const mask = bits >= 16 ? 0xffff : (0xffff << (16 - bits)) & 0xffff;
    if ((address[i]! & mask) !== network[i]) return false;
  }
  return true;
}
