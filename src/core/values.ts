/**
 * Validators for forwarded values (R9) and the comma-list scanner. Every parser is total:
 * it returns `undefined` (or false / -1) for bad input and never throws. Invalid values are
 * rejected, never repaired.
 */
import { indexOfCode, isPathChar } from './chars.js';
import { parseIPv4, parseIp, parsePortRange } from './ip.js';

/** A validated `host[:port]`. */
export interface HostValue {
  /** Lower case; IPv6 in brackets, compressed. */
  hostname: string;
  /** 0 when the value had no port. */
  port: number;
}

function isOws(c: number): boolean {
  return c === 0x20 /* SP */ || c === 0x09; /* HTAB */
}

/**
 * Where {@link previousEntry} found an entry: `s[start, end)` trimmed of OWS, and `next`, the
 * end to pass to find the one before it. A module-level cursor keeps the hot path free of
 * allocations; every caller reads it right after the call.
 */
export const cursor = { start: 0, end: 0, next: 0 };

/**
 * Scans a comma list backwards from `end` for the previous non-empty entry (empty entries
 * are skipped, as RFC 9110 §5.6.1 asks of recipients). Returns false when none is left.
 * Linear, no regular expression (the Koa ReDoS class cannot happen).
 */
export function previousEntry(s: string, end: number): boolean {
  let i = end;
  while (i > 0) {
    while (i > 0 && isOws(s.charCodeAt(i - 1))) i--;
    let j = i;
    while (j > 0 && s.charCodeAt(j - 1) !== 0x2c /* , */) j--;
    let k = j;
    while (k < i && isOws(s.charCodeAt(k))) k++;
    if (k < i) {
      cursor.start = k;
      cursor.end = i;
      cursor.next = j > 0 ? j - 1 : 0;
      return true;
    }
    i = j - 1;
  }
  return false;
}

/**
 * Selects v[max(0, L − hops)] (R8): the entry added by the outermost trusted proxy — the
 * `hops`-th non-empty entry from the right, or the leftmost when there are fewer.
 * Leaves it in {@link cursor}; returns false for a list with no non-empty entry.
 */
export function pickEntry(s: string, hops: number): boolean {
  let end = s.length;
  let found = false;
  for (let n = 0; n < hops && previousEntry(s, end); n++) {
    found = true;
    end = cursor.next;
  }
  return found;
}

/** Counts non-empty entries, stopping at `limit`. */
export function countEntries(s: string, limit: number): number {
  let end = s.length;
  let n = 0;
  while (n < limit && previousEntry(s, end)) {
    n++;
    end = cursor.next;
  }
  return n;
}

function isRegNameChar(c: number): boolean {
  return (
    (c >= 0x61 && c <= 0x7a) /* a-z */ ||
    (c >= 0x41 && c <= 0x5a) /* A-Z */ ||
    (c >= 0x30 && c <= 0x39) /* 0-9 */ ||
    c === 0x2d /* - */ ||
    c === 0x2e /* . */ ||
    c === 0x5f /* _ */
  );
}

/** WHATWG URL "ends in a number": the last label is decimal digits, or `0x` and hex digits. */
function endsInNumber(s: string, start: number, end: number): boolean {
  if (end <= start) return false;
  let i = start;
  let hex = false;
  if (
    end - start >= 2 &&
    s.charCodeAt(start) === 0x30 &&
    (s.charCodeAt(start + 1) | 0x20) === 0x78 /* 0x */
  ) {
    hex = true;
    i += 2;
  }
  for (; i < end; i++) {
    const c = s.charCodeAt(i);
    const digit = c >= 0x30 && c <= 0x39;
    const lower = c | 0x20;
    if (!digit && !(hex && lower >= 0x61 && lower <= 0x66)) return false;
  }
  return true;
}

/**
 * Validates a hostname in `s[start, end)`: a reg-name of letters, digits, `-`, `.`, `_`
 * (≤ 253) with no empty label, a strict IPv4 literal, or a bracketed IPv6 literal. A name whose last label is
 * numeric must be a valid dotted quad (as browsers read it), so `1.2.3.999` and `127.1` fail.
 * Returns the lower-case hostname or undefined.
 */
function parseHostname(s: string, start: number, end: number): string | undefined {
  const length = end - start;
  if (length === 0) return undefined;
  if (s.charCodeAt(start) === 0x5b /* [ */) {
    if (s.charCodeAt(end - 1) !== 0x5d /* ] */) return undefined;
    for (let i = start + 1; i < end - 1; i++) if (s.charCodeAt(i) === 0x25 /* % */) return undefined;
    const ip = parseIp(s, start + 1, end - 1, false);
    if (ip === undefined || ip.family !== 6) return undefined;
    return `[${ip.text}]`;
  }
  if (length > 253) return undefined;
  let upper = false;
  let lastLabelStart = start;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (!isRegNameChar(c)) return undefined;
    if (c >= 0x41 && c <= 0x5a) upper = true;
    if (c === 0x2e) {
      // No empty label: no leading `.`, no `..` (one trailing `.` is allowed) (R9).
      if (i === start || s.charCodeAt(i - 1) === 0x2e) return undefined;
      if (i < end - 1) lastLabelStart = i + 1;
    }
  }
  let labelEnd = end;
  if (s.charCodeAt(end - 1) === 0x2e && end - 1 > lastLabelStart) labelEnd = end - 1;
  if (endsInNumber(s, lastLabelStart, labelEnd) && parseIPv4(s, start, end) < 0) return undefined;
  const name = start === 0 && end === s.length ? s : s.slice(start, end);
  const lower = upper ? name.toLowerCase() : name;
  // A label `xn--…` must be valid punycode, as browsers read it (WHATWG URL): otherwise no URL
  // can name this host, and an edge that builds one (createResolver, R18) could not (R9).
  if (lower.indexOf('xn--') >= 0 && !urlAcceptsHost(lower)) return undefined;
  return lower;
}

function urlAcceptsHost(hostname: string): boolean {
  try {
    new URL(`http://${hostname}/`);
    return true;
  } catch {
    return false;
  }
}

/** Validates `host[:port]` (R9): no userinfo, spaces, `/`, `\`, `@`, `,`, controls or non-ASCII. */
export function parseHost(s: string, start = 0, end = s.length): HostValue | undefined {
  let hostEnd = end;
  let port = 0;
  if (s.charCodeAt(start) === 0x5b /* [ */) {
    const close = indexOfCode(s, 0x5d /* ] */, start + 1, end);
    if (close < 0) return undefined;
    hostEnd = close + 1;
  } else {
    for (let i = start; i < end; i++) {
      if (s.charCodeAt(i) === 0x3a /* : */) {
        hostEnd = i;
        break;
      }
    }
  }
  if (hostEnd < end) {
    if (s.charCodeAt(hostEnd) !== 0x3a /* : */) return undefined;
    port = parsePortRange(s, hostEnd + 1, end);
    if (port < 0) return undefined;
  }
  const hostname = parseHostname(s, start, hostEnd);
  return hostname === undefined ? undefined : { hostname, port };
}

/** Validates an X-Forwarded-Server value: a hostname without a port. */
export function parseServerName(s: string, start = 0, end = s.length): string | undefined {
  return parseHostname(s, start, end);
}

/** Validates a port: 1–65535, 1–5 decimal digits, no sign, no leading zero. Returns -1 if bad. */
export function parsePort(s: string, start = 0, end = s.length): number {
  return parsePortRange(s, start, end);
}

function equalsIgnoreCase(s: string, start: number, end: number, lower: string): boolean {
  if (end - start !== lower.length) return false;
  for (let i = 0; i < lower.length; i++) {
    if ((s.charCodeAt(start + i) | 0x20) !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/** `http` / `https`, case-insensitive (X-Forwarded-Proto, Forwarded proto=, X-Scheme, …). */
export function parseProto(s: string, start = 0, end = s.length): 'http' | 'https' | undefined {
  if (equalsIgnoreCase(s, start, end, 'https')) return 'https';
  if (equalsIgnoreCase(s, start, end, 'http')) return 'http';
  return undefined;
}

/** `on`/`true`/`1` means https, `off`/`false`/`0` means http (X-Forwarded-SSL, Front-End-Https, …). */
export function parseFlag(s: string, start = 0, end = s.length): 'http' | 'https' | undefined {
  const length = end - start;
  if (length === 1) {
    const c = s.charCodeAt(start);
    return c === 0x31 ? 'https' : c === 0x30 ? 'http' : undefined;
  }
  if (equalsIgnoreCase(s, start, end, 'on') || equalsIgnoreCase(s, start, end, 'true')) return 'https';
  if (equalsIgnoreCase(s, start, end, 'off') || equalsIgnoreCase(s, start, end, 'false')) return 'http';
  return undefined;
}

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const lower = c | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x57;
  return -1;
}

/**
 * Validates a mount point (R9): a single leading `/`, RFC 3986 path characters, valid `%XX`
 * escapes, no `//`, no `.`/`..` segments, no `\`, no `?`/`#`, no controls raw or encoded,
 * no encoded `/`, `\` or `.` (each a path-confusion or open-redirect vector).
 * Returns the prefix without a trailing `/` (`/` alone is `''`), or undefined.
 */
export function parsePrefix(s: string, start = 0, end = s.length): string | undefined {
  if (end - start < 1 || s.charCodeAt(start) !== 0x2f /* / */) return undefined;
  let segmentStart = start + 1;
  for (let i = start + 1; i <= end; i++) {
    const c = i < end ? s.charCodeAt(i) : 0x2f;
    if (c === 0x2f /* / */) {
      const segment = i - segmentStart;
      if (segment === 0 && i < end) return undefined; /* "//" */
      if (segment === 1 && s.charCodeAt(segmentStart) === 0x2e) return undefined; /* "." */
      if (segment === 2 && s.charCodeAt(segmentStart) === 0x2e && s.charCodeAt(segmentStart + 1) === 0x2e) {
        return undefined; /* ".." */
      }
      segmentStart = i + 1;
      continue;
    }
    if (c === 0x25 /* % */) {
      if (i + 2 >= end) return undefined;
      const hi = hexDigit(s.charCodeAt(i + 1));
      const lo = hexDigit(s.charCodeAt(i + 2));
      if (hi < 0 || lo < 0) return undefined;
      const decoded = hi * 16 + lo;
      if (decoded < 0x20 || decoded === 0x7f || decoded === 0x2f || decoded === 0x5c || decoded === 0x2e) {
        return undefined;
      }
      i += 2;
      continue;
    }
    if (!isPathChar(c)) return undefined;
  }
  let stop = end;
  if (stop - start > 1 && s.charCodeAt(stop - 1) === 0x2f) stop--;
  if (stop - start === 1) return '';
  return start === 0 && stop === s.length ? s : s.slice(start, stop);
}
