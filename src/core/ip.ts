/**
 * Strict IP address parsing by char code: no regular expressions, no DNS, no legacy
 * inet_aton forms (`127.1`, `0x7f.0.0.1`, `2130706433`, `010.0.0.1`).
 *
 * One parser serves configuration, socket peers and header values, so what an operator
 * writes and what a request carries can never be read two different ways (mod_wsgi W6).
 */

import { indexOfCode, isUnreserved } from './chars.js';

/** A parsed address: numeric form for matching, canonical text for output. */
export interface ParsedIp {
  family: 4 | 6;
  /** IPv4 as an unsigned 32-bit integer; 0 for IPv6. */
  v4: number;
  /** IPv6 as eight 16-bit words; empty for IPv4. */
  v6: number[];
  /** Canonical text: dotted quad, or RFC 5952 lower-case compressed IPv6 (no brackets). */
  text: string;
}

const EMPTY: number[] = [];

/** RFC 6874 ZoneID = 1*( unreserved / pct-encoded ) */
function isZoneChar(c: number): boolean {
  return isUnreserved(c) || c === 0x25; /* % */
}

function isHexDigit(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
}

function hexValue(c: number): number {
  if (c <= 0x39) return c - 0x30; /* 0-9 */
  return (c | 0x20) - 0x57; /* a-f, A-F */
}

/**
 * Parses a strict dotted quad in `s[start, end)` to an unsigned 32-bit integer, or -1.
 * Each part is 0–255 in one to three decimal digits, without a leading zero.
 */
export function parseIPv4(s: string, start = 0, end = s.length): number {
  let value = 0;
  let parts = 0;
  let i = start;
  while (parts < 4) {
    const partStart = i;
    let part = 0;
    while (i < end) {
      const c = s.charCodeAt(i);
      if (c < 0x30 || c > 0x39) break; /* 0-9 */
      part = part * 10 + (c - 0x30);
      i++;
    }
    const digits = i - partStart;
    if (digits === 0 || digits > 3 || part > 255) return -1;
    if (digits > 1 && s.charCodeAt(partStart) === 0x30) return -1; /* leading 0: octal in inet_aton */
    value = value * 256 + part;
    parts++;
    if (parts < 4) {
      if (i >= end || s.charCodeAt(i) !== 0x2e) return -1; /* . */
      i++;
    }
  }
  return i === end ? value : -1;
}

/**
 * Parses an IPv6 address (no zone id, no brackets) in `s[start, end)` into `words`.
 * Accepts `::` compression and a trailing embedded dotted quad. Returns false if malformed.
 */
export function parseIPv6Words(s: string, start: number, end: number, words: number[]): boolean {
  const head: number[] = [];
  const tail: number[] = [];
  let compressed = false;
  let i = start;
  if (end - start < 2) return false;
  if (s.charCodeAt(i) === 0x3a /* : */) {
    if (s.charCodeAt(i + 1) !== 0x3a) return false;
    compressed = true;
    i += 2;
  }
  while (i < end) {
    const groupStart = i;
    let value = 0;
    while (i < end && isHexDigit(s.charCodeAt(i)) && i - groupStart < 5) {
      value = value * 16 + hexValue(s.charCodeAt(i));
      i++;
    }
    if (i < end && s.charCodeAt(i) === 0x2e /* . */) {
      // Embedded IPv4 (::ffff:1.2.3.4): only as the last 32 bits.
      const v4 = parseIPv4(s, groupStart, end);
      if (v4 < 0) return false;
      const out = compressed ? tail : head;
      out.push(Math.floor(v4 / 65536), v4 % 65536);
      i = end;
      break;
    }
    const digits = i - groupStart;
    if (digits === 0 || digits > 4) return false;
    (compressed ? tail : head).push(value);
    if (i === end) break;
    if (s.charCodeAt(i) !== 0x3a /* : */) return false;
    i++;
    if (i < end && s.charCodeAt(i) === 0x3a /* : */) {
      if (compressed) return false; /* a second :: */
      compressed = true;
      i++;
    } else if (i === end) {
      return false; /* trailing single colon */
    }
  }
  const count = head.length + tail.length;
  if (compressed ? count > 7 : count !== 8) return false;
  words.length = 0;
  for (const w of head) words.push(w);
  for (let z = 8 - count; z > 0; z--) words.push(0);
  for (const w of tail) words.push(w);
  return true;
}

/** True for ::ffff:a.b.c.d (IPv4-mapped IPv6). */
export function isMapped(words: number[]): boolean {
  return (
    words[0] === 0 &&
    words[1] === 0 &&
    words[2] === 0 &&
    words[3] === 0 &&
    words[4] === 0 &&
    words[5] === 0xffff
  );
}

/** The IPv4 address in the last 32 bits of ::ffff:a.b.c.d, as an unsigned integer. */
export function mappedIPv4(words: number[]): number {
  return ((words[6]! << 16) + words[7]!) >>> 0;
}

export function formatIPv4(value: number): string {
  return `${value >>> 24}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`;
}

/** RFC 5952 text: lower case, no leading zeros, the longest run (≥ 2) of zero words as `::`. */
export function formatIPv6(words: number[]): string {
  if (isMapped(words)) {
    return `::ffff:${formatIPv4(mappedIPv4(words))}`;
  }
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      out += i === 0 ? '::' : ':';
      i += bestLength - 1;
      continue;
    }
    out += words[i]!.toString(16);
    if (i < 7) out += ':';
  }
  return out;
}

/**
 * Parses an IP literal in `s[start, end)`: a strict dotted quad, or IPv6 with an optional
 * zone id (dropped). IPv4-mapped IPv6 becomes IPv4 when `unmap` is set.
 */
export function parseIp(s: string, start = 0, end = s.length, unmap = true): ParsedIp | undefined {
  if (end <= start) return undefined;
  const v4 = parseIPv4(s, start, end);
  if (v4 >= 0) {
    return { family: 4, v4, v6: EMPTY, text: start === 0 && end === s.length ? s : s.slice(start, end) };
  }
  let stop = end;
  for (let i = start; i < end; i++) {
    if (s.charCodeAt(i) === 0x25 /* % */) {
      if (i + 1 === end) return undefined;
      for (let j = i + 1; j < end; j++) if (!isZoneChar(s.charCodeAt(j))) return undefined;
      stop = i;
      break;
    }
  }
  const words: number[] = [];
  if (!parseIPv6Words(s, start, stop, words)) return undefined;
  if (unmap && isMapped(words)) {
    const value = mappedIPv4(words);
    return { family: 4, v4: value, v6: EMPTY, text: formatIPv4(value) };
  }
  return { family: 6, v4: 0, v6: words, text: formatIPv6(words) };
}

/** 0.0.0.0 and :: name no host and never identify a client. */
export function isUnspecified(ip: ParsedIp): boolean {
  if (ip.family === 4) return ip.v4 === 0;
  for (const w of ip.v6) if (w !== 0) return false;
  return true;
}

function isPortTail(s: string, start: number, end: number, allowObfuscated: boolean): boolean {
  // node-port = port / obfport (RFC 7239 §6); port is 1-65535 in 1-5 digits.
  if (start >= end) return false;
  if (allowObfuscated && s.charCodeAt(start) === 0x5f /* _ */) return isObfuscatedTail(s, start + 1, end);
  return parsePortRange(s, start, end) > 0;
}

/** Parses a decimal port 1–65535 (1–5 digits, no sign, no leading zero) in `s[start, end)`, or -1. */
export function parsePortRange(s: string, start: number, end: number): number {
  const digits = end - start;
  if (digits < 1 || digits > 5) return -1;
  if (s.charCodeAt(start) === 0x30 /* 0 */) return -1;
  let port = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return -1;
    port = port * 10 + (c - 0x30);
  }
  return port <= 65535 ? port : -1;
}

function isObfuscatedTail(s: string, start: number, end: number): boolean {
  // obfnode/obfport chars after "_": ALPHA / DIGIT / "." / "_" / "-" (RFC 7239 §6.3)
  if (start >= end) return false;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    const ok =
      (c >= 0x30 && c <= 0x39) ||
      (c >= 0x41 && c <= 0x5a) ||
      (c >= 0x61 && c <= 0x7a) ||
      c === 0x2e ||
      c === 0x5f ||
      c === 0x2d;
    if (!ok) return false;
  }
  return true;
}

/**
 * Parses one client node of a forwarding header in `s[start, end)` (already trimmed):
 * `1.2.3.4`, `1.2.3.4:5678`, `2001:db8::1`, `[2001:db8::1]`, `[2001:db8::1]:443`, with zone
 * ids dropped. `allowObfuscatedPort` admits RFC 7239's `:_obf` port. `unknown`, obfuscated
 * identifiers, `0.0.0.0`, `::` and anything else give `undefined`.
 */
export function parseNode(
  s: string,
  start = 0,
  end = s.length,
  allowObfuscatedPort = false,
): ParsedIp | undefined {
  if (end <= start) return undefined;
  let ip: ParsedIp | undefined;
  if (s.charCodeAt(start) === 0x5b /* [ */) {
    const close = indexOfCode(s, 0x5d /* ] */, start + 1, end);
    if (close < 0) return undefined;
    if (close + 1 < end) {
      if (s.charCodeAt(close + 1) !== 0x3a /* : */) return undefined;
      if (!isPortTail(s, close + 2, end, allowObfuscatedPort)) return undefined;
    }
    ip = parseIp(s, start + 1, close);
    // A bracketed dotted quad is not a node form.
    if (ip !== undefined && ip.family === 4 && parseIPv4(s, start + 1, close) >= 0) return undefined;
  } else {
    let colons = 0;
    let lastColon = -1;
    for (let i = start; i < end; i++) {
      if (s.charCodeAt(i) === 0x3a /* : */) {
        colons++;
        lastColon = i;
      }
    }
    if (colons === 1) {
      // IPv4 with a port. (A bare IPv6 has at least two colons.)
      if (!isPortTail(s, lastColon + 1, end, allowObfuscatedPort)) return undefined;
      const v4 = parseIPv4(s, start, lastColon);
      if (v4 < 0) return undefined;
      ip = { family: 4, v4, v6: EMPTY, text: s.slice(start, lastColon) };
    } else {
      ip = parseIp(s, start, end);
    }
  }
  if (ip === undefined || isUnspecified(ip)) return undefined;
  return ip;
}

/**
 * Parses CloudFront-Viewer-Address in `s[start, end)`: `ip:port` with an IPv6 address left
 * unbracketed (`2001:db8::1:443`), so the port is whatever follows the last colon (R22).
 * The port must be 1–65535 without a leading zero; brackets, a missing port, `0.0.0.0` and
 * `::` are invalid.
 */
export function parseViewerAddress(s: string, start = 0, end = s.length): ParsedIp | undefined {
  let lastColon = -1;
  for (let i = end - 1; i >= start; i--) {
    if (s.charCodeAt(i) === 0x3a /* : */) {
      lastColon = i;
      break;
    }
  }
  if (lastColon <= start || parsePortRange(s, lastColon + 1, end) < 0) return undefined;
  const ip = parseIp(s, start, lastColon);
  if (ip === undefined || isUnspecified(ip)) return undefined;
  return ip;
}
