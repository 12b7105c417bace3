/**
 * A strict parser for HAProxy's PROXY protocol header, versions 1 (text) and 2 (binary), as
 * specified in haproxy/doc/proxy-protocol.txt. It reads only the bytes that belong to the
 * header: the result says how many there were, and everything after them is the
 * application's (TLS, HTTP). It never guesses: bytes that are not a header are invalid.
 *
 * Fed the bytes received so far, it answers `incomplete` (wait for more), `invalid` (close
 * the connection) or `complete`. It decides `invalid` as early as the bytes allow, so a
 * peer sending garbage is cut off at its first wrong byte.
 */

import { Buffer } from 'node:buffer';
import { formatIPv4, formatIPv6, isMapped, mappedIPv4, parseIPv4, parseIPv6Words } from '../core/ip.js';
import type { ProxySsl } from '../core/types.js';
import { crc32c } from './crc32c.js';

/** Why a header was refused; also the receiver's reasons (see docs/proxy-protocol.md). */
export type HeaderProblem =
  | 'not-proxy-protocol'
  | 'version-not-accepted'
  | 'v1-too-long'
  | 'v1-syntax'
  | 'v1-address'
  | 'v1-port'
  | 'v2-version'
  | 'v2-command'
  | 'v2-family'
  | 'v2-too-long'
  | 'v2-address-block'
  | 'v2-tlv'
  | 'v2-crc32c';

/** A complete, valid header. `local` headers (LOCAL, UNSPEC, UNKNOWN, UNIX) carry no addresses. */
export interface ProxyHeader {
  version: 1 | 2;
  /** True when the socket's own addresses stand (LOCAL command, UNKNOWN, UNSPEC, UNIX, DGRAM). */
  local: boolean;
  sourceAddress: string | undefined;
  sourcePort: number | undefined;
  destinationAddress: string | undefined;
  destinationPort: number | undefined;
  authority?: string;
  uniqueId?: string;
  ssl?: ProxySsl;
  awsVpceId?: string;
  azureLinkId?: number;
  gcpPscConnectionId?: string;
}

export type ParseResult =
  | { readonly state: 'incomplete' }
  | { readonly state: 'invalid'; readonly problem: HeaderProblem }
  | { readonly state: 'complete'; readonly length: number; readonly header: ProxyHeader };

export interface ParseOptions {
  /** Accept version 1 (text). */
  v1: boolean;
  /** Accept version 2 (binary). */
  v2: boolean;
  /** The largest v2 `len` accepted (bytes after the 16-byte fixed part). */
  maxV2Length: number;
}

/** "PROXY " */
const V1_PREFIX = [0x50, 0x52, 0x4f, 0x58, 0x59, 0x20];
/** The v2 signature: \r\n\r\n\0\r\nQUIT\n */
const V2_SIGNATURE = [0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a];
/** "PROXY UNKNOWN ffff:…:ffff ffff:…:ffff 65535 65535\r\n" is the longest line: 107 bytes. */
export const V1_MAX_LENGTH = 107;
export const V2_FIXED_LENGTH = 16;

const INCOMPLETE: ParseResult = { state: 'incomplete' };
const INVALID: Record<HeaderProblem, ParseResult> = {} as never;
for (const problem of [
  'not-proxy-protocol',
  'version-not-accepted',
  'v1-too-long',
  'v1-syntax',
  'v1-address',
  'v1-port',
  'v2-version',
  'v2-command',
  'v2-family',
  'v2-too-long',
  'v2-address-block',
  'v2-tlv',
  'v2-crc32c',
] as const) {
  INVALID[problem] = Object.freeze({ state: 'invalid', problem });
}

function invalid(problem: HeaderProblem): ParseResult {
  return INVALID[problem];
}

/**
 * Parses the header at the start of `bytes` (everything received so far). Never throws, and
 * never looks at more than the header's own bytes (107 for v1, 16 + `len` for v2).
 */
export function parseProxyHeader(bytes: Uint8Array, options: ParseOptions): ParseResult {
  if (bytes.length === 0) return INCOMPLETE;
  const first = bytes[0];
  if (first === 0x50 /* P */) {
    if (!options.v1)
      return invalid(matchesPrefix(bytes, V1_PREFIX) ? 'version-not-accepted' : 'not-proxy-protocol');
    return parseV1(bytes);
  }
  if (first === 0x0d /* CR */) {
    if (!options.v2) {
      return invalid(matchesPrefix(bytes, V2_SIGNATURE) ? 'version-not-accepted' : 'not-proxy-protocol');
    }
    return parseV2(bytes, options.maxV2Length);
  }
  return invalid('not-proxy-protocol');
}

/** Do the bytes received so far agree with `prefix` (as far as both go)? */
function matchesPrefix(bytes: Uint8Array, prefix: readonly number[]): boolean {
  const n = Math.min(bytes.length, prefix.length);
  for (let i = 0; i < n; i++) if (bytes[i] !== prefix[i]) return false;
  return true;
}

// ---------------------------------------------------------------------------------------
// Version 1: one line of US-ASCII text ending in CRLF (§2.1).

function parseV1(bytes: Uint8Array): ParseResult {
  if (!matchesPrefix(bytes, V1_PREFIX)) return invalid('not-proxy-protocol');
  const limit = Math.min(bytes.length, V1_MAX_LENGTH);
  let cr = -1;
  for (let i = V1_PREFIX.length; i < limit; i++) {
    const c = bytes[i]!;
    if (c === 0x0d /* CR */) {
      cr = i;
      break;
    }
    if (c === 0x0a /* LF */) return invalid('v1-syntax'); /* a lone LF never ends the line */
  }
  if (cr < 0) {
    if (bytes.length >= V1_MAX_LENGTH) return invalid('v1-too-long');
    // Fail early where the bytes already say this cannot become a valid line.
    return v1PrefixPlausible(bytes, bytes.length) ? INCOMPLETE : invalid('v1-syntax');
  }
  if (cr + 1 >= bytes.length) return cr + 2 > V1_MAX_LENGTH ? invalid('v1-too-long') : INCOMPLETE;
  if (bytes[cr + 1] !== 0x0a /* LF */) return invalid('v1-syntax'); /* a lone CR neither */
  const length = cr + 2;
  if (length > V1_MAX_LENGTH) return invalid('v1-too-long');
  return parseV1Line(latin1(bytes, V1_PREFIX.length, cr), length);
}

function latin1(bytes: Uint8Array, start: number, end: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('latin1');
}

/**
 * Can `bytes[0, end)` (no CRLF yet) still grow into a valid line? Checks the protocol word
 * and, for TCP4/TCP6, that only the characters of addresses, ports and single spaces appear.
 */
function v1PrefixPlausible(bytes: Uint8Array, end: number): boolean {
  const words = ['TCP4 ', 'TCP6 ', 'UNKNOWN'];
  const start = V1_PREFIX.length;
  let proto = -1;
  for (let w = 0; w < words.length; w++) {
    const word = words[w]!;
    let ok = true;
    for (let i = 0; i < word.length && start + i < end; i++) {
      if (bytes[start + i] !== word.charCodeAt(i)) {
        ok = false;
        break;
      }
    }
    if (ok) {
      if (end - start < word.length) return true; /* the word itself is still arriving */
      proto = w;
      break;
    }
  }
  if (proto < 0) return false;
  if (proto === 2)
    return end === start + 7 || bytes[start + 7] === 0x20; /* UNKNOWN: anything after a space */
  let previousSpace = true;
  let spaces = 1;
  for (let i = start + 5; i < end; i++) {
    const c = bytes[i]!;
    if (c === 0x20) {
      if (previousSpace) return false; /* two spaces in a row */
      previousSpace = true;
      if (++spaces > 4) return false; /* the line has four fields: a fifth space is already wrong */
      continue;
    }
    previousSpace = false;
    const hex = (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66);
    if (!(hex || c === 0x2e /* . */ || c === 0x3a) /* : */) return false;
  }
  return true;
}

/** Parses the text between "PROXY " and CRLF. */
function parseV1Line(line: string, length: number): ParseResult {
  if (line.startsWith('UNKNOWN')) {
    // "the receiver must ignore anything presented before the CRLF is found" (§2.1)
    if (line.length > 7 && line.charCodeAt(7) !== 0x20) return invalid('v1-syntax');
    return complete(length, localHeader(1));
  }
  const family = line.startsWith('TCP4 ') ? 4 : line.startsWith('TCP6 ') ? 6 : 0;
  if (family === 0) return invalid('v1-syntax');
  const parts = line.slice(5).split(' ');
  if (parts.length !== 4) return invalid('v1-syntax');
  for (const part of parts) if (part.length === 0) return invalid('v1-syntax');
  const source = v1Address(parts[0]!, family);
  const destination = v1Address(parts[1]!, family);
  if (source === undefined || destination === undefined) return invalid('v1-address');
  const sourcePort = v1Port(parts[2]!);
  const destinationPort = v1Port(parts[3]!);
  if (sourcePort < 0 || destinationPort < 0) return invalid('v1-port');
  return complete(length, {
    version: 1,
    local: false,
    sourceAddress: source,
    sourcePort,
    destinationAddress: destination,
    destinationPort,
  });
}

/** An address of the declared family in its canonical text form (§2.1); canonical output. */
function v1Address(text: string, family: 4 | 6): string | undefined {
  if (family === 4) {
    const v4 = parseIPv4(text); /* exactly four decimal parts, no leading zeros */
    return v4 < 0 ? undefined : formatIPv4(v4);
  }
  // Hex groups and one "::"; inet_ntop writes IPv4-mapped addresses as ::ffff:a.b.c.d.
  if (text.indexOf(':') < 0) return undefined;
  const words: number[] = [];
  if (!parseIPv6Words(text, 0, text.length, words)) return undefined;
  return ipv6Text(words);
}

/** 0–65535 in decimal, no leading zero, no sign. */
function v1Port(text: string): number {
  if (text.length > 5 || (text.length > 1 && text.charCodeAt(0) === 0x30)) return -1;
  let port = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return -1;
    port = port * 10 + (c - 0x30);
  }
  return port <= 65535 ? port : -1;
}

// ---------------------------------------------------------------------------------------
// Version 2: 16 fixed bytes, then `len` bytes of addresses and TLVs (§2.2).

const PP2_TYPE_AUTHORITY = 0x02;
const PP2_TYPE_CRC32C = 0x03;
const PP2_TYPE_UNIQUE_ID = 0x05;
const PP2_TYPE_SSL = 0x20;
const PP2_SUBTYPE_SSL_VERSION = 0x21;
const PP2_SUBTYPE_SSL_CN = 0x22;
const PP2_SUBTYPE_SSL_CIPHER = 0x23;
const PP2_SUBTYPE_SSL_SIG_ALG = 0x24;
const PP2_SUBTYPE_SSL_KEY_ALG = 0x25;
const PP2_TYPE_GCP = 0xe0; /* Google Cloud Private Service Connect */
const PP2_TYPE_AWS = 0xea; /* AWS PrivateLink */
const PP2_TYPE_AZURE = 0xee; /* Azure Private Link */

/** Address block size per family byte; -1 = not a family this protocol defines (§2.2). */
function addressBlockSize(family: number): number {
  switch (family) {
    case 0x00 /* UNSPEC */:
      return 0;
    case 0x11 /* TCP over IPv4 */:
    case 0x12 /* UDP over IPv4 */:
      return 12;
    case 0x21 /* TCP over IPv6 */:
    case 0x22 /* UDP over IPv6 */:
      return 36;
    case 0x31 /* UNIX stream */:
    case 0x32 /* UNIX datagram */:
      return 216;
    default:
      return -1;
  }
}

function parseV2(bytes: Uint8Array, maxLength: number): ParseResult {
  if (!matchesPrefix(bytes, V2_SIGNATURE)) return invalid('not-proxy-protocol');
  if (bytes.length <= 12) return INCOMPLETE;
  const versionCommand = bytes[12]!;
  if (versionCommand >> 4 !== 2) return invalid('v2-version');
  const command = versionCommand & 0x0f;
  if (command > 1) return invalid('v2-command'); /* 0 LOCAL, 1 PROXY; others must be dropped */
  if (bytes.length <= 13) return INCOMPLETE;
  const family = bytes[13]!;
  const block = addressBlockSize(family);
  if (block < 0) return invalid('v2-family');
  if (bytes.length < V2_FIXED_LENGTH) return INCOMPLETE;
  const len = (bytes[14]! << 8) | bytes[15]!;
  if (len > maxLength) return invalid('v2-too-long');
  const proxy = command === 1;
  if (proxy && len < block) return invalid('v2-address-block');
  const end = V2_FIXED_LENGTH + len;
  if (bytes.length < end) return INCOMPLETE;

  let header: ProxyHeader;
  if (proxy && (family === 0x11 || family === 0x21)) {
    const v4 = family === 0x11;
    const at = V2_FIXED_LENGTH;
    const size = v4 ? 4 : 16;
    const ports = at + 2 * size;
    header = {
      version: 2,
      local: false,
      sourceAddress: v4 ? formatIPv4(readU32(bytes, at)) : ipv6Text(readWords(bytes, at)),
      sourcePort: (bytes[ports]! << 8) | bytes[ports + 1]!,
      destinationAddress: v4 ? formatIPv4(readU32(bytes, at + 4)) : ipv6Text(readWords(bytes, at + 16)),
      destinationPort: (bytes[ports + 2]! << 8) | bytes[ports + 3]!,
    };
  } else {
    // LOCAL (health checks), UNSPEC, UNIX and datagram families: the socket's own addresses.
    header = localHeader(2);
  }
  // TLVs follow the address block. A LOCAL header too short for its family's block has none.
  const tlvStart = V2_FIXED_LENGTH + Math.min(len, block);
  const problem = parseTlvs(bytes, tlvStart, end, header);
  if (problem !== undefined) return invalid(problem);
  return complete(end, header);
}

function readU32(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
}

function readWords(bytes: Uint8Array, at: number): number[] {
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push((bytes[at + i]! << 8) | bytes[at + i + 1]!);
  return words;
}

/** Canonical text; an IPv4-mapped address becomes IPv4 (R5). */
function ipv6Text(words: number[]): string {
  return isMapped(words) ? formatIPv4(mappedIPv4(words)) : formatIPv6(words);
}

/**
 * Walks the TLVs in `bytes[start, end)`: each must fit inside `len`, the CRC32C (if any)
 * must match, the ones we report must be well formed. Unknown types are skipped (§2.2).
 */
function parseTlvs(
  bytes: Uint8Array,
  start: number,
  end: number,
  header: ProxyHeader,
): HeaderProblem | undefined {
  let seen = 0; /* bit per reported type: a repeated one is refused, not guessed at */
  let at = start;
  while (at < end) {
    if (at + 3 > end) return 'v2-tlv'; /* a TLV header cut by len */
    const type = bytes[at]!;
    const length = (bytes[at + 1]! << 8) | bytes[at + 2]!;
    const value = at + 3;
    const next = value + length;
    if (next > end) return 'v2-tlv'; /* a value running past len */
    const bit = reportedBit(type);
    if (bit !== 0) {
      if ((seen & bit) !== 0) return 'v2-tlv';
      seen |= bit;
    }
    switch (type) {
      case PP2_TYPE_CRC32C: {
        if (length !== 4) return 'v2-tlv';
        // §2.2.3: computed over the whole header with the checksum field zeroed.
        if (crc32c(bytes, 0, end, value) !== readU32(bytes, value)) return 'v2-crc32c';
        break;
      }
      case PP2_TYPE_AUTHORITY: {
        const text = printable(bytes, value, next, 255);
        if (text !== undefined) header.authority = text;
        break;
      }
      case PP2_TYPE_UNIQUE_ID: {
        if (length > 128) return 'v2-tlv'; /* "up to 128 bytes" (§2.2.5) */
        const text = printable(bytes, value, next, 128);
        if (text !== undefined) header.uniqueId = text;
        break;
      }
      case PP2_TYPE_SSL: {
        const ssl = parseSsl(bytes, value, next);
        if (ssl === undefined) return 'v2-tlv';
        header.ssl = ssl;
        break;
      }
      case PP2_TYPE_AWS: {
        // subtype 0x01: the VPC endpoint id, ASCII ("vpce-…")
        if (length >= 1 && bytes[value] === 0x01) {
          const text = printable(bytes, value + 1, next, 255);
          if (text !== undefined) header.awsVpceId = text;
        }
        break;
      }
      case PP2_TYPE_AZURE: {
        // subtype 0x01: the private endpoint's LinkID, uint32 little-endian
        if (length >= 1 && bytes[value] === 0x01) {
          if (length !== 5) return 'v2-tlv';
          header.azureLinkId =
            (bytes[value + 1]! |
              (bytes[value + 2]! << 8) |
              (bytes[value + 3]! << 16) |
              (bytes[value + 4]! << 24)) >>>
            0;
        }
        break;
      }
      case PP2_TYPE_GCP: {
        // the PSC connection id: 8 bytes, big-endian
        if (length !== 8) return 'v2-tlv';
        const high = BigInt(readU32(bytes, value));
        const low = BigInt(readU32(bytes, value + 4));
        header.gcpPscConnectionId = ((high << 32n) | low).toString();
        break;
      }
      default:
        break; /* ALPN, NOOP, NETNS, other custom and experimental types: skipped */
    }
    at = next;
  }
  return undefined;
}

function reportedBit(type: number): number {
  switch (type) {
    case PP2_TYPE_CRC32C:
      return 1;
    case PP2_TYPE_AUTHORITY:
      return 2;
    case PP2_TYPE_UNIQUE_ID:
      return 4;
    case PP2_TYPE_SSL:
      return 8;
    case PP2_TYPE_AWS:
      return 16;
    case PP2_TYPE_AZURE:
      return 32;
    case PP2_TYPE_GCP:
      return 64;
    default:
      return 0;
  }
}

/** The PP2_TYPE_SSL value: client flags (1 byte), verify (4 bytes), sub-TLVs (§2.2.6). */
function parseSsl(bytes: Uint8Array, start: number, end: number): ProxySsl | undefined {
  if (end - start < 5) return undefined;
  const client = bytes[start]!;
  const ssl: ProxySsl = {
    tls: (client & 0x01) !== 0,
    certificateOnConnection: (client & 0x02) !== 0,
    certificateOnSession: (client & 0x04) !== 0,
    verified: readU32(bytes, start + 1) === 0,
  };
  let at = start + 5;
  while (at < end) {
    if (at + 3 > end) return undefined;
    const type = bytes[at]!;
    const value = at + 3;
    const next = value + ((bytes[at + 1]! << 8) | bytes[at + 2]!);
    if (next > end) return undefined;
    const text = printable(bytes, value, next, 1024);
    if (text !== undefined) {
      if (type === PP2_SUBTYPE_SSL_VERSION) ssl.version = text;
      else if (type === PP2_SUBTYPE_SSL_CIPHER) ssl.cipher = text;
      else if (type === PP2_SUBTYPE_SSL_CN) ssl.commonName = text;
      else if (type === PP2_SUBTYPE_SSL_SIG_ALG) ssl.signatureAlgorithm = text;
      else if (type === PP2_SUBTYPE_SSL_KEY_ALG) ssl.keyAlgorithm = text;
    }
    at = next;
  }
  return ssl;
}

/** `bytes[start, end)` as text when it is 1..max printable ASCII bytes; else undefined. */
function printable(bytes: Uint8Array, start: number, end: number, max: number): string | undefined {
  if (end <= start || end - start > max) return undefined;
  for (let i = start; i < end; i++) {
    const c = bytes[i]!;
    if (c < 0x20 || c > 0x7e) return undefined;
  }
  return latin1(bytes, start, end);
}

function localHeader(version: 1 | 2): ProxyHeader {
  return {
    version,
    local: true,
    sourceAddress: undefined,
    sourcePort: undefined,
    destinationAddress: undefined,
    destinationPort: undefined,
  };
}

function complete(length: number, header: ProxyHeader): ParseResult {
  return { state: 'complete', length, header };
}
