/**
 * An executable model of SPEC.md (R1, R2, R4–R12, R15; the parts of R18–R22 that change the
 * facts or the registry): a second, deliberately slow and
 * obvious reading of the contract, written from its text. Strings and arrays only, no caches,
 * no char-code arithmetic, nothing imported from src/ except the public types. Every rule
 * cites its R-number; where SPEC is silent the model follows docs/behaviour-notes.md and says so.
 *
 * API (stable: the fuzz harness and the edge suites use it)
 *
 *   modelConfigError(options)  → string | undefined
 *       Why `trustedProxy(options)` must throw TrustedProxyConfigError (R1, R2), or undefined.
 *
 *   modelResolve(options, facts) → ModelOutcome
 *       options: valid TrustedProxyOptions (check modelConfigError first).
 *       facts:   ModelFacts = { peer, unixSocket, encrypted, localAddress, localPort, headers,
 *                rawHeaders, http2? } — what the socket and the parser gave: `peer` is
 *                socket.remoteAddress as is (behind a PROXY protocol receiver, R21: the
 *                header's source); `headers` is req.headers (lower-case keys; for a fetch
 *                Request, its Headers with Host taken from the URL when absent, R18);
 *                `rawHeaders` the wire-order [name, value, …] array (or undefined: then
 *                `Forwarded` is parsed from the joined value); `http2` (R20): `:authority` is
 *                the Host, `:scheme` a claim, headers edited in place.
 *       returns  { info, headers, rawHeaders, ips }:
 *                info       — the expected ProxyInfo (R3). `applied` is in registry order: the
 *                             contract does not order it, so compare it as a set. `rejected` is
 *                             ordered as docs/behaviour-notes.md says.
 *                headers    — req.headers after R11/R12 (key order kept, Host appended if new).
 *                rawHeaders — req.rawHeaders after R11/R12 (undefined if there were none).
 *                ips        — req.ips (Express order: client first, the socket peer excluded).
 *
 *   modelReconstructUrl(info, target, path?) → string
 *       R15 for a processed request: protocol://host + prefix + path of `target` (req.url),
 *       or of `path` (reconstructUrl's second argument).
 *
 *   Not modelled: `requireProof` (R22; modelConfigError calls it an unknown option), R14
 *   Location rewriting (test/mutation-kill/edge/location.test.ts), R16 (the env tests check
 *   optionsFromEnv's results with modelConfigError).
 *
 *   modelCanonicalIp(text, unmap = true) → string | undefined   (R5: canonical address text)
 *   modelParseHost(text) → { hostname, port } | undefined      (R9)
 */
import type { ProxyInfo, RejectEvent, RejectReason, TrustedProxyOptions } from '../../src/core/types.js';

export interface ModelFacts {
  peer: string | undefined;
  unixSocket: boolean;
  encrypted: boolean;
  localAddress: string | undefined;
  localPort: number | undefined;
  headers: Record<string, string | string[] | undefined>;
  rawHeaders: string[] | undefined;
  /** R20: an HTTP/2 request (`:authority` is its Host; its headers are edited in place). */
  http2?: boolean | undefined;
}

export interface ModelOutcome {
  info: ProxyInfo;
  headers: Record<string, string | string[] | undefined>;
  rawHeaders: string[] | undefined;
  ips: string[];
}

// ---------------------------------------------------------------------------------------------
// R4: the registry, written out from SPEC §2.

type Group = 'client' | 'host' | 'port' | 'server' | 'scheme' | 'prefix';
type Form =
  | 'node-list'
  | 'node'
  | 'viewer'
  | 'forwarded'
  | 'host'
  | 'port'
  | 'server'
  | 'proto'
  | 'flag'
  | 'prefix'
  | 'never';

interface Entry {
  name: string;
  groups: Group[];
  form: Form;
}

const REGISTRY: Entry[] = [
  { name: 'x-forwarded-for', groups: ['client'], form: 'node-list' },
  { name: 'forwarded', groups: ['client', 'host', 'scheme'], form: 'forwarded' },
  { name: 'x-real-ip', groups: ['client'], form: 'node' },
  { name: 'x-client-ip', groups: ['client'], form: 'node' },
  { name: 'true-client-ip', groups: ['client'], form: 'node' },
  { name: 'cf-connecting-ip', groups: ['client'], form: 'node' },
  { name: 'fastly-client-ip', groups: ['client'], form: 'node' },
  { name: 'x-cluster-client-ip', groups: ['client'], form: 'node' },
  // R22: CloudFront-Viewer-Address is `ip:port` (IPv6 unbracketed); Fly-Client-IP one node.
  { name: 'cloudfront-viewer-address', groups: ['client'], form: 'viewer' },
  { name: 'fly-client-ip', groups: ['client'], form: 'node' },
  { name: 'x-forwarded-host', groups: ['host'], form: 'host' },
  { name: 'x-host', groups: ['host'], form: 'host' },
  { name: 'x-original-host', groups: ['host'], form: 'host' },
  { name: 'x-forwarded-port', groups: ['port'], form: 'port' },
  { name: 'x-forwarded-server', groups: ['server'], form: 'server' },
  { name: 'x-forwarded-proto', groups: ['scheme'], form: 'proto' },
  { name: 'x-forwarded-scheme', groups: ['scheme'], form: 'proto' },
  { name: 'x-scheme', groups: ['scheme'], form: 'proto' },
  { name: 'x-url-scheme', groups: ['scheme'], form: 'proto' },
  { name: 'x-forwarded-https', groups: ['scheme'], form: 'flag' },
  { name: 'x-forwarded-ssl', groups: ['scheme'], form: 'flag' },
  { name: 'x-https', groups: ['scheme'], form: 'flag' },
  { name: 'front-end-https', groups: ['scheme'], form: 'flag' },
  { name: 'x-forwarded-prefix', groups: ['prefix'], form: 'prefix' },
  { name: 'x-script-name', groups: ['prefix'], form: 'prefix' },
  { name: 'x-forwarded-script-name', groups: ['prefix'], form: 'prefix' },
  { name: 'x-original-url', groups: [], form: 'never' },
  { name: 'x-rewrite-url', groups: [], form: 'never' },
  // R20: an HTTP/2 request's own scheme, a claim believed only from a trusted peer that lists
  // it, always the lowest scheme priority; rewritten to the result, never stripped.
  { name: ':scheme', groups: ['scheme'], form: 'proto' },
];

function entryOf(name: string): Entry | undefined {
  const lower = name.toLowerCase();
  return REGISTRY.find((e) => e.name === lower);
}

// ---------------------------------------------------------------------------------------------
// Character classes, as sets of characters.

const DIGITS = '0123456789';
const HEX = '0123456789abcdefABCDEF';
const ALPHA = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const UNRESERVED = `${ALPHA}${DIGITS}-._~`;
const TCHAR = `${ALPHA}${DIGITS}!#$%&'*+-.^_\`|~`;

function allIn(text: string, chars: string): boolean {
  for (const ch of text) if (!chars.includes(ch)) return false;
  return true;
}

/** OWS (RFC 9110 §5.6.3) is SP and HTAB only. */
function trimOws(text: string): string {
  let a = 0;
  let b = text.length;
  while (a < b && (text[a] === ' ' || text[a] === '\t')) a++;
  while (b > a && (text[b - 1] === ' ' || text[b - 1] === '\t')) b--;
  return text.slice(a, b);
}

/** R7/R8: a comma list's non-empty entries, trimmed (repeated lines were joined with ", "). */
function listEntries(value: string): string[] {
  return value
    .split(',')
    .map(trimOws)
    .filter((e) => e !== '');
}

// ---------------------------------------------------------------------------------------------
// R5, R7: addresses.

/** A strict dotted quad: four parts 0–255, one to three digits, no leading zero. */
function parseV4(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const out: number[] = [];
  for (const part of parts) {
    if (part.length < 1 || part.length > 3 || !allIn(part, DIGITS)) return undefined;
    if (part.length > 1 && part[0] === '0') return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    out.push(n);
  }
  return out;
}

/** IPv6 text (no zone, no brackets) as eight 16-bit numbers, or undefined. */
function parseV6(text: string): number[] | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const compressed = halves.length === 2;
  const head = halves[0] === '' && compressed ? [] : halves[0]!.split(':');
  const tail = compressed ? (halves[1] === '' ? [] : halves[1]!.split(':')) : [];
  const words: number[][] = [[], []];
  const lists = [head, tail];
  for (let side = 0; side < 2; side++) {
    const list = lists[side]!;
    for (let i = 0; i < list.length; i++) {
      const word = list[i]!;
      const lastOfText = compressed ? side === 1 && i === list.length - 1 : i === list.length - 1;
      if (word.includes('.')) {
        // An embedded dotted quad, only as the last 32 bits of the text.
        const v4 = lastOfText ? parseV4(word) : undefined;
        if (v4 === undefined) return undefined;
        words[side]!.push(v4[0]! * 256 + v4[1]!, v4[2]! * 256 + v4[3]!);
        continue;
      }
      if (word.length < 1 || word.length > 4 || !allIn(word, HEX)) return undefined;
      words[side]!.push(Number.parseInt(word, 16));
    }
  }
  const count = words[0]!.length + words[1]!.length;
  if (compressed ? count > 7 : count !== 8) return undefined;
  const zeros: number[] = [];
  for (let i = 0; i < 8 - count; i++) zeros.push(0);
  return [...words[0]!, ...zeros, ...words[1]!];
}

function isMappedWords(w: number[]): boolean {
  return w[0] === 0 && w[1] === 0 && w[2] === 0 && w[3] === 0 && w[4] === 0 && w[5] === 0xffff;
}

function mappedQuad(w: number[]): string {
  return [Math.floor(w[6]! / 256), w[6]! % 256, Math.floor(w[7]! / 256), w[7]! % 256].join('.');
}

/** RFC 5952: lower case, no leading zeros, the first longest run of two or more zero words as `::`. */
function formatV6(w: number[]): string {
  if (isMappedWords(w)) return `::ffff:${mappedQuad(w)}`;
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8; i++) {
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i >= 2 && j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
  }
  const hex = w.map((n) => n.toString(16));
  if (bestStart < 0) return hex.join(':');
  const left = hex.slice(0, bestStart).join(':');
  const right = hex.slice(bestStart + bestLength).join(':');
  return `${left}::${right}`;
}

interface Address {
  family: 4 | 6;
  /** Canonical text (R5). */
  text: string;
  /** 32 or 128 characters of '0'/'1', for prefix matching. */
  bits: string;
}

function bitsOf(numbers: number[], width: number): string {
  return numbers.map((n) => n.toString(2).padStart(width, '0')).join('');
}

/**
 * R5: an IP literal — a strict dotted quad, or IPv6 with an optional zone id (RFC 6874
 * characters; dropped). IPv4-mapped IPv6 becomes IPv4 when `unmap`.
 */
function parseAddress(text: string, unmap = true): Address | undefined {
  const v4 = parseV4(text);
  if (v4 !== undefined) return { family: 4, text, bits: bitsOf(v4, 8) };
  let bare = text;
  const percent = text.indexOf('%');
  if (percent >= 0) {
    const zone = text.slice(percent + 1);
    if (zone === '' || !allIn(zone, `${UNRESERVED}%`)) return undefined;
    bare = text.slice(0, percent);
  }
  const words = parseV6(bare);
  if (words === undefined) return undefined;
  if (unmap && isMappedWords(words)) {
    const quad = mappedQuad(words);
    return { family: 4, text: quad, bits: bitsOf(parseV4(quad)!, 8) };
  }
  return { family: 6, text: formatV6(words), bits: bitsOf(words, 16) };
}

export function modelCanonicalIp(text: string, unmap = true): string | undefined {
  return parseAddress(text, unmap)?.text;
}

function isUnspecified(a: Address): boolean {
  return !a.bits.includes('1');
}

/** A port: 1–65535, one to five digits, no sign, no leading zero (R9). */
function parsePortText(text: string): number | undefined {
  if (text.length < 1 || text.length > 5 || !allIn(text, DIGITS) || text[0] === '0') return undefined;
  const n = Number(text);
  return n <= 65535 ? n : undefined;
}

/** RFC 7239 §6 obfport: `_` and ALPHA / DIGIT / "." / "_" / "-". */
function isObfuscatedPort(text: string): boolean {
  return text.length > 1 && text[0] === '_' && allIn(text.slice(1), `${ALPHA}${DIGITS}._-`);
}

/**
 * R7: one client node. `1.2.3.4`, `1.2.3.4:5678`, `2001:db8::1`, `[2001:db8::1]`,
 * `[2001:db8::1]:443` (in Forwarded also `:_obf`), zone ids dropped, `0.0.0.0` and `::`
 * invalid. undefined for anything else.
 */
/** R22: CloudFront-Viewer-Address, `ip:port`, the port after the last colon (IPv6 unbracketed). */
function parseViewerAddress(text: string): Address | undefined {
  const colon = text.lastIndexOf(':');
  if (colon <= 0 || parsePortText(text.slice(colon + 1)) === undefined) return undefined;
  const address = parseAddress(text.slice(0, colon));
  if (address === undefined || isUnspecified(address)) return undefined;
  return address;
}

function parseClientNode(text: string, forwarded: boolean): Address | undefined {
  const portOk = (p: string) => parsePortText(p) !== undefined || (forwarded && isObfuscatedPort(p));
  let address: Address | undefined;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) return undefined;
    const after = text.slice(close + 1);
    if (after !== '' && !(after.startsWith(':') && portOk(after.slice(1)))) return undefined;
    const inner = text.slice(1, close);
    if (parseV4(inner) !== undefined) return undefined; /* [1.2.3.4] is not a node form */
    address = parseAddress(inner);
  } else {
    const colons = text.split(':').length - 1;
    if (colons === 1) {
      const [ip, port] = text.split(':') as [string, string];
      if (!portOk(port) || parseV4(ip) === undefined) return undefined;
      address = parseAddress(ip);
    } else {
      address = parseAddress(text);
    }
  }
  if (address === undefined || isUnspecified(address)) return undefined;
  return address;
}

// ---------------------------------------------------------------------------------------------
// R9: values.

/** WHATWG "ends in a number": decimal digits, or 0x / 0X and hex digits (possibly none). */
function endsInNumber(label: string): boolean {
  if (label === '') return false;
  if (label.toLowerCase().startsWith('0x')) return allIn(label.slice(2), HEX);
  return allIn(label, DIGITS);
}

/** R9 hostname without a port: a reg-name, a dotted quad, or a bracketed IPv6 literal. Lower case. */
function parseHostName(text: string): string | undefined {
  if (text.startsWith('[')) {
    if (!text.endsWith(']') || text.length < 2) return undefined;
    const inner = text.slice(1, -1);
    if (inner.includes('%')) return undefined;
    const a = parseAddress(inner, false);
    if (a === undefined || a.family !== 6) return undefined;
    return `[${a.text}]`; /* R5: an IPv6 literal stays one, RFC 5952 */
  }
  if (text === '' || text.length > 253) return undefined;
  if (!allIn(text, `${ALPHA}${DIGITS}-._`)) return undefined;
  const labels = text.split('.');
  if (labels.length > 1 && labels[labels.length - 1] === '') labels.pop(); /* one trailing dot */
  if (labels.includes('')) return undefined; /* no empty label */
  if (endsInNumber(labels[labels.length - 1]!) && parseV4(text) === undefined) return undefined;
  // R9 "as browsers read it" (docs/behaviour-notes.md): a host no URL can hold (a label
  // `xn--` that is not valid punycode) is invalid; the fetch edge (R18) must build a URL on it.
  if (!URL.canParse(`http://${text}/`)) return undefined;
  return text.toLowerCase();
}

/** R9 `host[:port]`; port 0 means none. */
export function modelParseHost(text: string): { hostname: string; port: number } | undefined {
  let name = text;
  let portText: string | undefined;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) return undefined;
    name = text.slice(0, close + 1);
    const rest = text.slice(close + 1);
    if (rest !== '') {
      if (!rest.startsWith(':')) return undefined;
      portText = rest.slice(1);
    }
  } else if (text.includes(':')) {
    name = text.slice(0, text.indexOf(':'));
    portText = text.slice(text.indexOf(':') + 1);
  }
  let port = 0;
  if (portText !== undefined) {
    const p = parsePortText(portText);
    if (p === undefined) return undefined;
    port = p;
  }
  const hostname = parseHostName(name);
  return hostname === undefined ? undefined : { hostname, port };
}

function formatHost(h: { hostname: string; port: number }): string {
  return h.port === 0 ? h.hostname : `${h.hostname}:${h.port}`;
}

function parseProtoText(text: string): 'http' | 'https' | undefined {
  const lower = text.toLowerCase();
  return lower === 'http' || lower === 'https' ? lower : undefined;
}

function parseFlagText(text: string): 'http' | 'https' | undefined {
  const lower = text.toLowerCase();
  if (lower === 'on' || lower === 'true' || lower === '1') return 'https';
  if (lower === 'off' || lower === 'false' || lower === '0') return 'http';
  return undefined;
}

const PATH_CHARS = `${UNRESERVED}!$&'()*+,;=:@/`;

/** R9 prefix: its canonical form (no trailing `/`, `/` alone is ''), or undefined. */
function parsePrefixText(text: string): string | undefined {
  if (!text.startsWith('/')) return undefined;
  const segments = text.slice(1).split('/');
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    if (segment === '' && i < segments.length - 1) return undefined; /* // */
    if (segment === '.' || segment === '..') return undefined;
    for (let j = 0; j < segment.length; j++) {
      const ch = segment[j]!;
      if (ch === '%') {
        const hex = segment.slice(j + 1, j + 3);
        if (hex.length !== 2 || !allIn(hex, HEX)) return undefined;
        const byte = Number.parseInt(hex, 16);
        // No encoded controls, DEL, `/`, `\` or `.`.
        if (byte < 0x20 || byte === 0x7f || hex.toLowerCase() === '2f' || hex.toLowerCase() === '5c') {
          return undefined;
        }
        if (hex.toLowerCase() === '2e') return undefined;
        j += 2;
        continue;
      }
      if (!PATH_CHARS.includes(ch)) return undefined;
    }
  }
  let out = text;
  if (out.length > 1 && out.endsWith('/')) out = out.slice(0, -1);
  return out === '/' ? '' : out;
}

type ValueForm = 'host' | 'port' | 'server' | 'proto' | 'flag' | 'prefix';

/** R9: the canonical meaning of a value (R6 compares these), or undefined when invalid. */
function meaning(form: ValueForm, text: string): string | undefined {
  switch (form) {
    case 'host': {
      const h = modelParseHost(text);
      return h === undefined ? undefined : formatHost(h);
    }
    case 'port': {
      const p = parsePortText(text);
      return p === undefined ? undefined : String(p);
    }
    case 'server':
      return parseHostName(text);
    case 'proto':
      return parseProtoText(text);
    case 'flag':
      return parseFlagText(text);
    case 'prefix':
      return parsePrefixText(text);
  }
}

const INVALID: Record<ValueForm, RejectReason> = {
  host: 'invalid-host',
  port: 'invalid-port',
  server: 'invalid-host',
  proto: 'invalid-scheme',
  flag: 'invalid-scheme',
  prefix: 'invalid-prefix',
};

// ---------------------------------------------------------------------------------------------
// R7: RFC 7239 Forwarded, strictly, one line at a time.

interface FwdElement {
  params: Record<string, string>;
  malformed: boolean;
  text: string;
}

/**
 * One `Forwarded` line into elements: `forwarded-element = [pair] *( ";" [pair] )`,
 * `pair = token "=" ( token / quoted-string )`, OWS around `,` and `;` but not around `=`.
 * Empty elements are skipped; `;` alone is an element with no pairs; bad syntax or a repeated
 * parameter name (case-insensitive) makes the element malformed, and the parse resumes after
 * the next `,` outside a quoted string.
 */
function parseForwardedLine(line: string): FwdElement[] {
  const out: FwdElement[] = [];
  let i = 0;
  const ows = () => {
    while (i < line.length && (line[i] === ' ' || line[i] === '\t')) i++;
  };
  const token = (): string => {
    let t = '';
    while (i < line.length && TCHAR.includes(line[i]!)) t += line[i++];
    return t;
  };
  const quoted = (): string | undefined => {
    // at the opening quote
    let j = i + 1;
    let value = '';
    while (j < line.length) {
      const ch = line[j]!;
      const code = ch.codePointAt(0)!;
      if (ch === '"') {
        i = j + 1;
        return value;
      }
      if (ch === '\\') {
        const next = line[j + 1];
        if (next === undefined) return undefined;
        const n = next.codePointAt(0)!;
        if (!(next === '\t' || (n >= 0x20 && n <= 0x7e) || (n >= 0x80 && n <= 0xff))) return undefined;
        value += next;
        j += 2;
        continue;
      }
      const qdtext =
        ch === '\t' ||
        ch === ' ' ||
        (code >= 0x21 && code <= 0x7e && ch !== '\\') ||
        (code >= 0x80 && code <= 0xff);
      if (!qdtext) return undefined;
      value += ch;
      j++;
    }
    return undefined;
  };
  while (i < line.length) {
    const start = i;
    const element: FwdElement = { params: {}, malformed: false, text: '' };
    let pairs = 0;
    let semicolon = false;
    let bad = false;
    ows();
    while (i < line.length && line[i] !== ',') {
      if (line[i] === ';') {
        semicolon = true;
        i++;
        ows();
        continue;
      }
      const name = token();
      if (name === '' || line[i] !== '=') {
        bad = true;
        break;
      }
      i++;
      const value = line[i] === '"' ? quoted() : token() || undefined;
      if (value === undefined) {
        bad = true;
        break;
      }
      pairs++;
      const key = name.toLowerCase();
      if (key in element.params) element.malformed = true;
      element.params[key] = value;
      ows();
      if (i < line.length && line[i] !== ';' && line[i] !== ',') {
        bad = true;
        break;
      }
    }
    if (bad) {
      element.malformed = true;
      let inQuotes = false;
      while (i < line.length) {
        const ch = line[i]!;
        if (inQuotes) {
          if (ch === '\\') i++;
          else if (ch === '"') inQuotes = false;
        } else if (ch === '"') inQuotes = true;
        else if (ch === ',') break;
        i++;
      }
    }
    if (pairs > 0 || semicolon || element.malformed) {
      element.text = trimOws(line.slice(start, i));
      out.push(element);
    }
    i++; /* past the comma */
  }
  return out;
}

/** A token if it is one, else a quoted-string with `"` and `\` escaped (R11 rewrite). */
function forwardedValue(value: string): string {
  if (value !== '' && allIn(value, TCHAR)) return value;
  return `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

// ---------------------------------------------------------------------------------------------
// R1, R2: options.

type TrustRange = { kind: 'unix' } | { kind: 'range'; family: 4 | 6; bits: string; prefix: number };

type Trust =
  | { kind: 'hops'; count: number }
  | { kind: 'fn'; fn: (a: string | undefined, hop: number) => boolean }
  | { kind: 'list'; ranges: TrustRange[] };

const NAMED: Record<string, string[]> = {
  loopback: ['127.0.0.0/8', '::1/128'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  uniquelocal: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};
NAMED.private = [...NAMED.uniquelocal!, ...NAMED.loopback!, ...NAMED.linklocal!];

class ConfigError extends Error {}

function parseRange(entry: string): TrustRange {
  if (entry.toLowerCase() === 'unix') return { kind: 'unix' };
  const [addressText, prefixText, ...more] = entry.split('/');
  if (more.length > 0) throw new ConfigError(`malformed range ${entry}`);
  if (addressText!.includes('%')) throw new ConfigError(`zone id in ${entry}`); /* R2 */
  const address = parseAddress(addressText!, false);
  if (address === undefined) throw new ConfigError(`not an IP (or a hostname): ${entry}`);
  const mapped = address.family === 6 && address.text.startsWith('::ffff:') && address.text.includes('.');
  let prefix = address.family === 4 ? 32 : 128;
  if (prefixText !== undefined) {
    if (address.family === 4 && prefixText.includes('.')) {
      const mask = parseV4(prefixText);
      if (mask === undefined) throw new ConfigError(`bad netmask ${entry}`);
      const bits = bitsOf(mask, 8);
      if (bits.includes('01')) throw new ConfigError(`non-contiguous netmask ${entry}`);
      prefix = bits.split('1').length - 1;
    } else {
      if (prefixText === '' || prefixText.length > 3 || !allIn(prefixText, DIGITS))
        throw new ConfigError(entry);
      if (prefixText.length > 1 && prefixText[0] === '0') throw new ConfigError(entry);
      prefix = Number(prefixText);
      if (prefix > (address.family === 4 ? 32 : 128)) throw new ConfigError(`prefix out of range ${entry}`);
    }
    if (prefix === 0) throw new ConfigError(`/0 in ${entry}`);
  }
  if (mapped) {
    // R2: an IPv4-mapped range is the IPv4 range of prefix − 96; below /97 it is refused.
    if (prefixText !== undefined && prefix < 97) throw new ConfigError(`mapped range below /97: ${entry}`);
    const v4 = parseAddress(address.text, true)!;
    if (prefixText === undefined && isUnspecified(v4)) throw new ConfigError('unspecified address');
    return { kind: 'range', family: 4, bits: v4.bits, prefix: prefixText === undefined ? 32 : prefix - 96 };
  }
  // Documented decision (docs/errors.md): the unspecified address never names a proxy.
  if (prefixText === undefined && isUnspecified(address)) throw new ConfigError('unspecified address');
  return { kind: 'range', family: address.family, bits: address.bits, prefix };
}

function splitList(text: string): string[] {
  return text.split(/[, \t\n\r]+/).filter((e) => e !== '');
}

function compileTrust(value: unknown): Trust {
  if (typeof value === 'function')
    return { kind: 'fn', fn: value as (a: string | undefined, hop: number) => boolean };
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 1) throw new ConfigError(`hop count ${value}`);
    return { kind: 'hops', count: value };
  }
  let entries: string[];
  if (typeof value === 'string') entries = splitList(value);
  else if (Array.isArray(value)) {
    entries = [];
    for (const item of value) {
      if (typeof item !== 'string') throw new ConfigError('non-string entry');
      entries.push(...splitList(item));
    }
  } else throw new ConfigError('trustedProxies of the wrong type');
  if (entries.length === 0) throw new ConfigError('trustedProxies empty');
  const ranges: TrustRange[] = [];
  for (const e of entries) {
    if (e === '*') throw new ConfigError("no '*'");
    const named = NAMED[e.toLowerCase()];
    for (const r of named ?? [e]) ranges.push(parseRange(r));
  }
  return { kind: 'list', ranges };
}

/** R1 allowedHosts entry: its canonical hostname, or a config error. */
function canonicalPattern(text: string): string {
  let name = text;
  if (name.length > 1 && name.endsWith('.')) name = name.slice(0, -1); /* one trailing dot ignored */
  if (name.includes('%')) throw new ConfigError(`zone id in allowedHosts ${text}`);
  if (!name.startsWith('[') && name.includes(':')) {
    const a = parseAddress(name, false);
    if (a === undefined || a.family !== 6) throw new ConfigError(`bad allowedHosts ${text}`);
    return `[${a.text}]`;
  }
  if (name.endsWith('.') && name !== text) throw new ConfigError(`empty label in ${text}`);
  const h = modelParseHost(name);
  if (h === undefined || h.port !== 0) throw new ConfigError(`bad allowedHosts ${text}`);
  return h.hostname;
}

interface Compiled {
  trust: Trust;
  /** trustedHeaders as registry entries, deduplicated, in the order given (R1, R6). */
  trusted: Entry[];
  exact: string[] | undefined;
  suffixes: string[];
}

const OPTION_NAMES = ['trustedHeaders', 'trustedProxies', 'allowedHosts', 'rewriteLocation', 'onReject'];

function compile(options: TrustedProxyOptions): Compiled {
  if (options === null || typeof options !== 'object') throw new ConfigError('no options object');
  for (const key of Object.keys(options))
    if (!OPTION_NAMES.includes(key)) throw new ConfigError(`unknown option ${key}`);
  const headers = options.trustedHeaders as unknown;
  if (!Array.isArray(headers) || headers.length === 0)
    throw new ConfigError('trustedHeaders missing or empty');
  if (options.trustedProxies === undefined || options.trustedProxies === null)
    throw new ConfigError('trustedProxies missing');
  const trusted: Entry[] = [];
  for (const name of headers) {
    if (typeof name !== 'string') throw new ConfigError('non-string header');
    const entry = entryOf(name.trim());
    if (entry === undefined) throw new ConfigError(`unknown header ${name}`);
    if (entry.form === 'never') throw new ConfigError(`never trustable ${name}`);
    if (!trusted.includes(entry)) trusted.push(entry);
  }
  const trust = compileTrust(options.trustedProxies);
  let exact: string[] | undefined;
  const suffixes: string[] = [];
  if (options.allowedHosts !== undefined) {
    const list = options.allowedHosts as unknown;
    if (!Array.isArray(list) || list.length === 0) throw new ConfigError('allowedHosts empty');
    exact = [];
    for (const pattern of list) {
      if (typeof pattern !== 'string') throw new ConfigError('non-string pattern');
      if (pattern.startsWith('*.')) {
        const c = canonicalPattern(pattern.slice(2));
        if (c.startsWith('[')) throw new ConfigError(`wildcard IPv6 ${pattern}`);
        suffixes.push(`.${c}`);
      } else exact.push(canonicalPattern(pattern));
    }
  }
  if (options.rewriteLocation !== undefined && typeof options.rewriteLocation !== 'boolean')
    throw new ConfigError('rewriteLocation');
  if (options.onReject !== undefined && typeof options.onReject !== 'function')
    throw new ConfigError('onReject');
  return { trust, trusted, exact, suffixes };
}

export function modelConfigError(options: TrustedProxyOptions): string | undefined {
  try {
    compile(options);
    return undefined;
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
}

/** R1 trustedProxies: may `address` (undefined: a UNIX socket peer) speak for hop `hop`? */
function trusts(trust: Trust, address: Address | undefined, hop: number): boolean {
  if (trust.kind === 'hops') return hop < trust.count;
  if (trust.kind === 'fn') {
    try {
      return trust.fn(address?.text, hop) === true;
    } catch {
      return false; /* a throwing function fails closed */
    }
  }
  return trust.ranges.some((r) => {
    if (r.kind === 'unix') return address === undefined;
    if (address === undefined || address.family !== r.family) return false;
    return address.bits.slice(0, r.prefix) === r.bits.slice(0, r.prefix);
  });
}

// ---------------------------------------------------------------------------------------------
// R5–R12: one request.

function cut(value: string): string {
  return value.length > 256 ? `${value.slice(0, 255)}…` : value;
}

interface ClientWalk {
  hops: number;
  /** a1 … am: the addresses read from the header, nearest first. */
  chain: Address[];
  events: RejectEvent[];
  /** For Forwarded: elements touched that were malformed (reported once). */
  malformed: FwdElement[];
}

export function modelResolve(options: TrustedProxyOptions, facts: ModelFacts): ModelOutcome {
  const config = compile(options);
  const rejected: RejectEvent[] = [];
  const event = (header: string, value: string, reason: RejectReason) =>
    rejected.push({ header, value: cut(value), reason });
  const transport: 'http' | 'https' = facts.encrypted ? 'https' : 'http';

  // R5: the peer.
  const peerAddress = facts.peer === undefined ? undefined : parseAddress(facts.peer);
  let trusted: boolean;
  if (facts.peer !== undefined) trusted = peerAddress !== undefined && trusts(config.trust, peerAddress, 0);
  else trusted = facts.unixSocket && trusts(config.trust, undefined, 0);
  const peer = peerAddress?.text;

  // R4: registry headers present (repeated lines are joined with ", " by the parser).
  const present = new Map<Entry, string>();
  for (const entry of REGISTRY) {
    const raw = facts.headers[entry.name];
    if (raw === undefined) continue;
    // R20: every HTTP/2 request has a :scheme; it counts only from a trusted peer that lists it.
    if (entry.name === ':scheme' && !(trusted && config.trusted.includes(entry))) continue;
    present.set(entry, Array.isArray(raw) ? raw.join(', ') : String(raw));
  }

  const applied: Entry[] = [];
  /** R11 edits: a new value, or null to delete. */
  const edits = new Map<Entry, string | null>();
  let chain: Address[] = [];
  let hostValue: { hostname: string; port: number } | undefined;
  let portValue: number | undefined;
  let serverValue: string | undefined;
  let schemeValue: 'http' | 'https' | undefined;
  let prefixValue: string | undefined;

  if (present.size > 0 && !trusted) {
    // R11: nothing is trusted when the peer is not.
    for (const [entry, value] of present) {
      event(entry.name, value, 'untrusted-peer');
      edits.set(entry, null);
    }
  } else if (present.size > 0) {
    for (const [entry, value] of present) {
      if (config.trusted.includes(entry)) continue;
      event(entry.name, value, 'not-trusted-header');
      edits.set(entry, null);
    }
    const forwardedEntry = entryOf('forwarded')!;
    // R7: Forwarded is parsed one line at a time from rawHeaders (the joined value if none).
    let elements: FwdElement[] = [];
    if (present.has(forwardedEntry) && config.trusted.includes(forwardedEntry)) {
      const lines: string[] = [];
      const raw = facts.rawHeaders ?? [];
      for (let i = 0; i + 1 < raw.length; i += 2)
        if (raw[i]!.toLowerCase() === 'forwarded') lines.push(raw[i + 1]!);
      if (lines.length === 0) lines.push(present.get(forwardedEntry)!);
      elements = lines.flatMap(parseForwardedLine);
    }
    /** The k-th element from the right. */
    const fromRight = (k: number) => elements[elements.length - 1 - k];
    const reportedMalformed = new Set<FwdElement>();
    const reportMalformed = (el: FwdElement) => {
      if (reportedMalformed.has(el)) return;
      reportedMalformed.add(el);
      event('forwarded', el.text, 'malformed-forwarded');
    };
    let forwardedUsedFrom = -1; /* the leftmost element index (from the right) used */

    // R6 + R7: the client group.
    const walk = (entry: Entry, value: string): ClientWalk & { used: boolean } => {
      const events: RejectEvent[] = [];
      const malformed: FwdElement[] = [];
      const found: Address[] = [];
      let stoppedOnNonIp = false;
      const ev = (v: string, reason: RejectReason) =>
        events.push({ header: entry.name, value: cut(v), reason });
      if (entry.form === 'node' || entry.form === 'viewer') {
        // A single-value header names the client directly (m = 1) and holds exactly one node.
        const nodes = listEntries(value);
        const parse = entry.form === 'viewer' ? parseViewerAddress : (n: string) => parseClientNode(n, false);
        const a = nodes.length === 1 ? parse(nodes[0]!) : undefined;
        if (a === undefined) {
          ev(value, 'invalid-address');
          return { hops: 1, chain: [], events, malformed, used: false };
        }
        return { hops: 1, chain: [a], events, malformed, used: true };
      }
      const nodes: Array<{ text: string; address: Address | undefined; element?: FwdElement }> = [];
      if (entry.form === 'node-list') {
        for (const n of listEntries(value).reverse())
          nodes.push({ text: n, address: parseClientNode(n, false) });
      } else {
        for (let k = 0; k < elements.length; k++) {
          const el = fromRight(k)!;
          const forText = el.params.for;
          const address = el.malformed || forText === undefined ? undefined : parseClientNode(forText, true);
          nodes.push({ text: forText ?? el.text, address, element: el });
        }
      }
      for (const node of nodes) {
        if (node.address === undefined) {
          // A non-IP node stops the walk at its position; the proxy that reported it is the client.
          stoppedOnNonIp = true;
          const el = node.element;
          if (el?.malformed) malformed.push(el);
          else if (el !== undefined && el.params.for === undefined) ev(el.text, 'invalid-address');
          else ev(node.text, 'invalid-address');
          break;
        }
        found.push(node.address);
        if (!trusts(config.trust, node.address, found.length)) break;
      }
      const hops = stoppedOnNonIp ? found.length + 1 : Math.max(1, found.length);
      return { hops, chain: found, events, malformed, used: found.length > 0 };
    };

    let client: (ClientWalk & { used: boolean; entry: Entry }) | undefined;
    for (const entry of config.trusted) {
      if (!entry.groups.includes('client')) continue;
      const value = present.get(entry);
      if (value === undefined) continue;
      // R6: present = at least one non-empty element; Forwarded only when the peer's own
      // element carries for= or is malformed.
      const isPresent =
        entry.form === 'forwarded'
          ? fromRight(0) !== undefined && (fromRight(0)!.malformed || fromRight(0)!.params.for !== undefined)
          : listEntries(value).length > 0;
      if (!isPresent) continue;
      const result = walk(entry, value);
      if (client === undefined) {
        client = { ...result, entry };
        for (const e of result.events) rejected.push(e);
        for (const el of result.malformed) reportMalformed(el);
        continue;
      }
      // A lower-priority client header is never consulted; a different client is a conflict.
      const mine = client.used ? client.chain[client.chain.length - 1]!.text : peer;
      const theirs = result.used ? result.chain[result.chain.length - 1]!.text : peer;
      if (mine !== theirs) event(entry.name, value, 'conflict');
    }
    const hops = client?.hops ?? 1;
    if (client?.used) {
      chain = client.chain;
      if (client.entry.form === 'forwarded')
        forwardedUsedFrom = Math.max(forwardedUsedFrom, chain.length - 1);
      else {
        applied.push(client.entry);
        if (client.entry.form === 'node-list') {
          // R11: the walked chain, canonical, client first.
          const rewritten = [...chain]
            .reverse()
            .map((a) => a.text)
            .join(', ');
          if (rewritten !== present.get(client.entry)) edits.set(client.entry, rewritten);
        }
      }
    }

    // R6 + R8 + R9: the other groups, hop-aligned.
    const kept = new Set<Entry>(applied);
    const groupValue = (group: Group): string | undefined => {
      let value: string | undefined;
      let first = true;
      let invalidText: string | undefined;
      /** R6: a lower-priority value differs unless equal in meaning (or the same invalid text). */
      const differs = (candidate: string | undefined, text: string | undefined) =>
        value !== undefined
          ? candidate !== value
          : candidate !== undefined || invalidText === undefined || text !== invalidText;
      // R20: :scheme is the lowest priority wherever it was listed.
      const inGroup = config.trusted.filter((e) => e.groups.includes(group));
      const ordered = [
        ...inGroup.filter((e) => e.name !== ':scheme'),
        ...inGroup.filter((e) => e.name === ':scheme'),
      ];
      for (const entry of ordered) {
        const raw = present.get(entry);
        if (raw === undefined) continue;
        if (entry.form === 'forwarded') {
          const param = group === 'host' ? 'host' : 'proto';
          // R6: present only when one of the `hops` rightmost elements carries it or is malformed.
          let isPresent = false;
          for (let k = 0; k < hops && k < elements.length; k++) {
            const el = fromRight(k)!;
            if (el.malformed || el.params[param] !== undefined) isPresent = true;
          }
          if (!isPresent) continue;
          // R8: the element at index max(0, L − hops).
          const index = Math.min(hops - 1, elements.length - 1);
          const el = fromRight(index)!;
          const text = el.params[param];
          const candidate =
            el.malformed || text === undefined
              ? undefined
              : meaning(param === 'host' ? 'host' : 'proto', text);
          if (first) {
            first = false;
            if (candidate !== undefined) {
              value = candidate;
              if (group === 'host') hostValue = modelParseHost(text!);
              forwardedUsedFrom = Math.max(forwardedUsedFrom, index);
            } else if (el.malformed) reportMalformed(el);
            else if (text !== undefined) {
              event('forwarded', text, INVALID[param === 'host' ? 'host' : 'proto']);
              invalidText = text;
            }
            /* the chosen element lacks the parameter: the group keeps its original value */
            continue;
          }
          if (differs(candidate, el.malformed ? undefined : text))
            event('forwarded', el.malformed || text === undefined ? el.text : text, 'conflict');
          continue;
        }
        const entryForm = entry.form as ValueForm;
        const list = listEntries(raw);
        if (list.length === 0) continue; /* only empty elements: not present (R6) */
        const at = Math.max(0, list.length - hops);
        const text = list[at]!;
        const candidate = meaning(entryForm, text);
        if (first) {
          first = false;
          if (candidate === undefined) {
            event(entry.name, text, INVALID[entryForm]);
            invalidText = text;
            edits.set(entry, null);
          } else {
            value = candidate;
            if (group === 'host') hostValue = modelParseHost(text);
            applied.push(entry);
            kept.add(entry);
            // R11: the entry used and the valid entries to its right (docs/behaviour-notes.md).
            const rewritten = list
              .slice(at)
              .filter((e, i) => i === 0 || meaning(entryForm, e) !== undefined)
              .join(', ');
            if (rewritten !== raw) edits.set(entry, rewritten);
          }
          continue;
        }
        edits.set(entry, null);
        if (differs(candidate, text)) event(entry.name, text, 'conflict');
      }
      return value;
    };
    groupValue('host');
    const port = groupValue('port');
    portValue = port === undefined ? undefined : Number(port);
    serverValue = groupValue('server');
    schemeValue = groupValue('scheme') as 'http' | 'https' | undefined;
    prefixValue = groupValue('prefix');

    // R11: trusted headers present but not applied go; an applied Forwarded is rewritten.
    for (const [entry, value] of present) {
      if (!config.trusted.includes(entry) || kept.has(entry)) continue;
      if (entry === forwardedEntry && forwardedUsedFrom >= 0) {
        applied.push(entry);
        const parts: string[] = [];
        for (let k = forwardedUsedFrom; k >= 0; k--) {
          const el = fromRight(k)!;
          if (el.malformed) continue;
          const pairs: string[] = [];
          const node = el.params.for === undefined ? undefined : parseClientNode(el.params.for, true);
          if (node !== undefined)
            pairs.push(`for=${forwardedValue(node.family === 6 ? `[${node.text}]` : node.text)}`);
          const h = el.params.host === undefined ? undefined : modelParseHost(el.params.host);
          if (h !== undefined) pairs.push(`host=${forwardedValue(formatHost(h))}`);
          const p = el.params.proto === undefined ? undefined : parseProtoText(el.params.proto);
          if (p !== undefined) pairs.push(`proto=${p}`);
          if (pairs.length > 0) parts.push(pairs.join(';'));
        }
        const rewritten = parts.join(', ');
        if (rewritten !== value) edits.set(entry, rewritten === '' ? null : rewritten);
        continue;
      }
      edits.set(entry, null);
    }
  }

  // R10: one coherent origin.
  const protocol = schemeValue ?? transport;
  const defaultPort = protocol === 'https' ? 443 : 80;
  // R20: on HTTP/2 the :authority pseudo-header is the request's Host.
  const authority = facts.http2 ? facts.headers[':authority'] : undefined;
  const hostHeader = typeof authority === 'string' ? authority : facts.headers.host;
  const hostText = Array.isArray(hostHeader) ? hostHeader[0] : hostHeader;
  const requestHost = hostText === undefined ? undefined : modelParseHost(hostText);
  if (hostText !== undefined && requestHost === undefined) event('host', hostText, 'invalid-host');
  let hostname: string;
  if (hostValue !== undefined) hostname = hostValue.hostname;
  else if (requestHost !== undefined) hostname = requestHost.hostname;
  else if (serverValue !== undefined) hostname = serverValue;
  else {
    // The socket's local address; on a UNIX socket (or none) `localhost` (docs/behaviour-notes.md).
    const local =
      facts.unixSocket || facts.localAddress === undefined ? undefined : parseAddress(facts.localAddress);
    hostname = local === undefined ? 'localhost' : local.family === 6 ? `[${local.text}]` : local.text;
  }
  let port: number;
  if (hostValue !== undefined && hostValue.port !== 0) port = hostValue.port;
  else if (portValue !== undefined) port = portValue;
  else if (hostValue !== undefined) port = defaultPort;
  else if (requestHost !== undefined) port = requestHost.port !== 0 ? requestHost.port : defaultPort;
  else if (schemeValue !== undefined) port = defaultPort;
  else port = facts.localPort !== undefined && facts.localPort > 0 ? facts.localPort : defaultPort;
  const host = port === defaultPort ? hostname : `${hostname}:${port}`;

  // R1 allowedHosts (R12 refuses the request).
  let hostAllowed = true;
  if (config.exact !== undefined) {
    const name = hostname.length > 1 && hostname.endsWith('.') ? hostname.slice(0, -1) : hostname;
    hostAllowed =
      config.exact.includes(name) || config.suffixes.some((s) => name.length > s.length && name.endsWith(s));
    if (!hostAllowed) event('host', hostname, 'host-not-allowed');
  }

  const addresses = [...chain].reverse().map((a) => a.text);
  if (peer !== undefined) addresses.push(peer);
  const info: ProxyInfo = {
    trusted,
    peerAddress: peer,
    remoteAddress: chain.length > 0 ? chain[chain.length - 1]!.text : peer,
    addresses,
    protocol,
    secure: protocol === 'https',
    hostname,
    port,
    host,
    serverName: serverValue ?? hostname,
    prefix: prefixValue ?? '',
    applied: REGISTRY.filter((e) => applied.includes(e)).map((e) => e.name),
    rejected,
    hostAllowed,
    original: {
      remoteAddress: facts.peer,
      host: hostText,
      protocol: transport,
      headers: { ...facts.headers },
    },
  };

  if (facts.http2) return http2Outcome(facts, edits, info, addresses, peer);

  // R11 + R12: req.headers and req.rawHeaders afterwards.
  const headers: Record<string, string | string[] | undefined> = {};
  for (const key of Object.keys(facts.headers)) {
    const entry = entryOf(key);
    const edit = entry === undefined ? undefined : edits.get(entry);
    if (edit === null) continue;
    headers[key] = key === 'host' ? host : edit !== undefined ? edit : facts.headers[key];
  }
  if (!('host' in headers)) headers.host = host;

  let rawHeaders: string[] | undefined;
  if (facts.rawHeaders !== undefined) {
    rawHeaders = [];
    const written = new Set<Entry>();
    let hostSeen = false;
    for (let i = 0; i + 1 < facts.rawHeaders.length; i += 2) {
      const name = facts.rawHeaders[i]!;
      let value = facts.rawHeaders[i + 1]!;
      if (name.toLowerCase() === 'host') {
        hostSeen = true;
        value = host; /* R12: every Host line */
      } else {
        const entry = entryOf(name);
        const edit = entry === undefined ? undefined : edits.get(entry);
        if (edit === null) continue;
        if (edit !== undefined) {
          // A rewritten header keeps one line, where its first line was.
          if (written.has(entry!)) continue;
          written.add(entry!);
          value = edit;
        }
      }
      rawHeaders.push(name, value);
    }
    if (!hostSeen) rawHeaders.push('Host', host);
  }

  const ips = peer === undefined ? addresses : addresses.slice(0, -1);
  return { info, headers, rawHeaders, ips };
}

/**
 * R20 + R11 + R12 on HTTP/2: `:authority` and `host` become info.host (`:authority` added when
 * neither was sent), `:scheme` becomes info.protocol, registry edits as on HTTP/1.
 */
function http2Outcome(
  facts: ModelFacts,
  edits: Map<Entry, string | null>,
  info: ProxyInfo,
  addresses: string[],
  peer: string | undefined,
): ModelOutcome {
  const edited = (name: string, value: string): string | null => {
    if (name === ':authority' || name.toLowerCase() === 'host') return info.host;
    if (name === ':scheme') return info.protocol;
    const entry = entryOf(name);
    const edit = entry === undefined ? undefined : edits.get(entry);
    return edit === undefined ? value : edit;
  };
  const headers: Record<string, string | string[] | undefined> = {};
  for (const key of Object.keys(facts.headers)) {
    const value = facts.headers[key];
    const out = typeof value === 'string' ? edited(key, value) : value;
    if (out !== null) headers[key] = out;
  }
  if (!(':authority' in headers) && !('host' in headers)) headers[':authority'] = info.host;
  let rawHeaders: string[] | undefined;
  if (facts.rawHeaders !== undefined) {
    rawHeaders = [];
    const written = new Set<string>();
    let authority = false;
    for (let i = 0; i + 1 < facts.rawHeaders.length; i += 2) {
      const name = facts.rawHeaders[i]!;
      const out = edited(name, facts.rawHeaders[i + 1]!);
      if (name === ':authority' || name.toLowerCase() === 'host') authority = true;
      if (out === null) continue;
      const entry = entryOf(name);
      if (entry !== undefined && entry.name !== ':scheme' && edits.get(entry) !== undefined) {
        if (written.has(entry.name)) continue; /* one line, where the first was */
        written.add(entry.name);
      }
      rawHeaders.push(name, out);
    }
    if (!authority) rawHeaders.push(':authority', info.host);
  }
  return { info, headers, rawHeaders, ips: peer === undefined ? addresses : addresses.slice(0, -1) };
}

// ---------------------------------------------------------------------------------------------
// R15.

const URI_CHARS = `${PATH_CHARS}?`;

/**
 * R15: characters not allowed in a URI are percent-encoded (UTF-8; a lone surrogate as U+FFFD),
 * `%XX` escapes kept, nothing decoded. With `fragment`, the first `#` stays (a path argument
 * may carry a fragment); a request target's `#` is encoded.
 */
function encodePath(path: string, fragment: boolean): string {
  let out = '';
  let hashKept = false;
  const chars = [...path];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    const escaped =
      ch === '%' &&
      chars[i + 1] !== undefined &&
      chars[i + 2] !== undefined &&
      allIn(chars[i + 1]! + chars[i + 2]!, HEX);
    if (URI_CHARS.includes(ch) || escaped) out += ch;
    else if (ch === '#' && fragment && !hashKept) {
      hashKept = true;
      out += ch;
    } else {
      for (const byte of new TextEncoder().encode(ch))
        out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    }
  }
  return out;
}

/**
 * R15 for a request with ProxyInfo `info` (for one never processed: the info of a peer nobody
 * trusts). `target` is `req.originalUrl ?? req.url`; `path` is reconstructUrl's second argument.
 */
export function modelReconstructUrl(info: ProxyInfo, target: string, path?: string): string {
  const origin = `${info.protocol}://${info.host}${info.prefix}`;
  if (path !== undefined) {
    if (!path.startsWith('/') || path.startsWith('//') || path.startsWith('/\\'))
      throw new TypeError('path must start with a single /');
    return origin + encodePath(path, true);
  }
  let p: string;
  if (target.startsWith('/')) p = target;
  else if (target.indexOf('://') > 0) {
    // Absolute form: only the path and query count.
    const rest = target.slice(target.indexOf('://') + 3);
    const slash = rest.indexOf('/');
    const query = rest.indexOf('?');
    if (slash >= 0 && (query < 0 || slash < query)) p = rest.slice(slash);
    else p = query >= 0 ? `/${rest.slice(query)}` : '/';
  } else p = `/${target}`;
  return origin + encodePath(p, false);
}
