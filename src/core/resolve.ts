/**
 * Pure resolution (R5–R10): request facts in, a decision out. No Node objects, no mutation;
 * `apply.ts` carries the decision out on the request.
 */
import { type ForwardedElement, forwardedValue, parseForwardedLine } from './forwarded.js';
import { type ParsedIp, parseIp, parseNode, parseViewerAddress } from './ip.js';
import type { CompiledOptions } from './options.js';
import {
  GROUP_CLIENT,
  GROUP_HOST,
  GROUP_PORT,
  GROUP_PREFIX,
  GROUP_SCHEME,
  GROUP_SERVER,
  type HeaderDef,
  lookupAnyCase,
  lookupLowerCase,
  PSEUDO_SCHEME,
  REGISTRY,
} from './registry.js';
import type { ProxyInfo, ProxyTransport, RejectEvent, RejectReason } from './types.js';
import {
  countEntries,
  cursor,
  type HostValue,
  parseFlag,
  parseHost,
  parsePort,
  parsePrefix,
  parseProto,
  parseServerName,
  pickEntry,
  previousEntry,
} from './values.js';

/** What resolution needs to know about a request; plain data, so any framework can supply it. */
export interface RequestFacts {
  /** `socket.remoteAddress` as it is. */
  peer: string | undefined;
  /** The server listens on a UNIX domain socket (consulted only when `peer` is undefined). */
  unixSocket: boolean;
  /** The hop that reached this server was TLS. */
  encrypted: boolean;
  localAddress: string | undefined;
  localPort: number | undefined;
  /** Lower-case header names, as `req.headers`. */
  headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Wire-order name/value pairs, as `req.rawHeaders`; `Forwarded` is read from here line by line. */
  rawHeaders: readonly string[] | undefined;
  /** The connection's PROXY protocol header (R21): its source replaces `peer` as hop 0. */
  transport?: ProxyTransport | undefined;
  /** HTTP/2 `:authority` (R20): the request's Host when present, before a `host` header. */
  authority?: string | undefined;
}

/** The decision: the ProxyInfo (its `original.headers` is the headers object it read), and the edits. */
export interface Resolution {
  info: ProxyInfo;
  /** Header edits by registry id (R11); undefined when no registry header was present. */
  edits: Edits | undefined;
  /** The Host header differs from `info.host` (R12). */
  hostChanged: boolean;
  /**
   * R22: the `requireProof` header (lower-case) when the request carries it. Every edge
   * removes it from the request's headers and raw header lines, whatever else happens; it is
   * already absent from `info.original.headers`, and `edits` is then defined.
   */
  proofHeader?: string | undefined;
  /**
   * The keys of `facts.headers` in `for…in` order, when the resolution enumerated a large
   * headers object: the edit (editHeaderRecord) need not enumerate it again.
   */
  headerKeys?: readonly string[] | undefined;
}

const FORWARDED = REGISTRY.find((d) => d.kind === 'forwarded')!;
const EVENT_VALUE_LIMIT = 256;

function reject(events: RejectEvent[], header: string, value: string, reason: RejectReason): void {
  const cut = value.length > EVENT_VALUE_LIMIT ? `${value.slice(0, EVENT_VALUE_LIMIT - 1)}…` : value;
  events.push({ header, value: cut, reason });
}

function defaultPort(protocol: 'http' | 'https'): number {
  return protocol === 'https' ? 443 : 80;
}

function bracket(ip: ParsedIp): string {
  return ip.family === 6 ? `[${ip.text}]` : ip.text;
}

/** The `Forwarded` elements of a request, parsed lazily from the right, line by line (R7, R17). */
class ForwardedChain {
  private readonly lines: readonly string[];
  private nextLine: number;
  private readonly fromRight: ForwardedElement[] = [];
  private readonly reported = new Set<ForwardedElement>();

  constructor(lines: readonly string[]) {
    this.lines = lines;
    this.nextLine = lines.length - 1;
  }

  /** The k-th element from the right (0-based). */
  at(k: number): ForwardedElement | undefined {
    while (this.fromRight.length <= k && this.nextLine >= 0) {
      const elements = parseForwardedLine(this.lines[this.nextLine--]!);
      for (let i = elements.length - 1; i >= 0; i--) this.fromRight.push(elements[i]!);
    }
    return this.fromRight[k];
  }

  /** v[max(0, L − hops)] (R8). */
  pick(hops: number): { element: ForwardedElement; index: number } | undefined {
    const element = this.at(hops - 1);
    if (element !== undefined) return { element, index: hops - 1 };
    const last = this.fromRight.length - 1;
    return last < 0 ? undefined : { element: this.fromRight[last]!, index: last };
  }

  /**
   * R6: present in a group when an element carries its parameter or is malformed — counting
   * only the `depth` rightmost elements, the ones trusted proxies added (R17: nothing left of
   * the client is read). A client's own element can thus never switch a group away from a
   * lower-priority header that the proxy did set.
   */
  has(param: 'for' | 'host' | 'proto', depth: number): boolean {
    for (let k = 0; k < depth; k++) {
      const element = this.at(k);
      if (element === undefined) return false;
      if (element.malformed || element[param] !== undefined) return true;
    }
    return false;
  }

  /** Reports a malformed element once, however many groups look at it. */
  reportMalformed(element: ForwardedElement, events: RejectEvent[] | undefined): void {
    if (events === undefined || this.reported.has(element)) return;
    this.reported.add(element);
    reject(events, 'forwarded', element.text, 'malformed-forwarded');
  }

  /** Elements from the one at `index` (from the right) to the rightmost, serialised with only valid parameters. */
  rewrite(index: number): string {
    const parts: string[] = [];
    for (let k = index; k >= 0; k--) {
      const element = this.fromRight[k]!;
      if (element.malformed) continue;
      const pairs: string[] = [];
      const node =
        element.for === undefined ? undefined : parseNode(element.for, 0, element.for.length, true);
      if (node !== undefined) pairs.push(`for=${forwardedValue(bracket(node))}`);
      const host = element.host === undefined ? undefined : parseHost(element.host);
      if (host !== undefined) pairs.push(`host=${forwardedValue(formatHost(host))}`);
      const proto = element.proto === undefined ? undefined : parseProto(element.proto);
      if (proto !== undefined) pairs.push(`proto=${proto}`);
      if (pairs.length > 0) parts.push(pairs.join(';'));
    }
    return parts.join(', ');
  }
}

function formatHost(host: HostValue): string {
  return host.port === 0 ? host.hostname : `${host.hostname}:${host.port}`;
}

function forwardedLines(facts: RequestFacts, joined: string): string[] {
  const raw = facts.rawHeaders;
  const lines: string[] = [];
  if (raw !== undefined) {
    for (let i = 0; i + 1 < raw.length; i += 2) {
      if (lookupAnyCase(raw[i]!) === FORWARDED) lines.push(raw[i + 1]!);
    }
  }
  // A request built by hand (or edited by earlier middleware) may have no raw lines.
  return lines.length > 0 ? lines : [joined];
}

/** The client group's outcome (R7). */
interface ClientResult {
  /** Trusted hops walked: the `hops` of R8. */
  hops: number;
  /** a_1 … a_c, the addresses read from the header, nearest first. */
  chain: ParsedIp[];
  /** The header supplied the client (false: the group kept the peer). */
  used: boolean;
  /** For Forwarded: the element index (from the right) of the client's element. */
  forwardedIndex: number;
}

function walkList(
  value: string,
  trust: CompiledOptions['trust'],
  header: string,
  events: RejectEvent[] | undefined,
) {
  const chain: ParsedIp[] = [];
  let end = value.length;
  let invalid = false;
  while (previousEntry(value, end)) {
    end = cursor.next;
    const ip = parseNode(value, cursor.start, cursor.end);
    if (ip === undefined) {
      // A non-IP node (unknown, garbage) stops the walk; the proxy that reported it is the client.
      if (events !== undefined)
        reject(events, header, value.slice(cursor.start, cursor.end), 'invalid-address');
      invalid = true;
      break;
    }
    chain.push(ip);
    if (!trust(ip, chain.length)) break;
  }
  return finishWalk(chain, invalid, -1);
}

function walkForwarded(
  forwarded: ForwardedChain,
  trust: CompiledOptions['trust'],
  events: RejectEvent[] | undefined,
): ClientResult {
  const chain: ParsedIp[] = [];
  let invalid = false;
  for (let k = 0; ; k++) {
    const element = forwarded.at(k);
    if (element === undefined) break;
    let ip: ParsedIp | undefined;
    if (element.malformed) forwarded.reportMalformed(element, events);
    else if (element.for === undefined) {
      if (events !== undefined) reject(events, 'forwarded', element.text, 'invalid-address');
    } else {
      ip = parseNode(element.for, 0, element.for.length, true);
      if (ip === undefined && events !== undefined)
        reject(events, 'forwarded', element.for, 'invalid-address');
    }
    if (ip === undefined) {
      invalid = true;
      break;
    }
    chain.push(ip);
    if (!trust(ip, chain.length)) break;
  }
  return finishWalk(chain, invalid, chain.length - 1);
}

function finishWalk(chain: ParsedIp[], invalid: boolean, forwardedIndex: number): ClientResult {
  return {
    hops: invalid ? chain.length + 1 : Math.max(1, chain.length),
    chain,
    used: chain.length > 0,
    forwardedIndex,
  };
}

function singleNode(
  value: string,
  header: string,
  events: RejectEvent[] | undefined,
  viewerAddress: boolean,
): ClientResult {
  // X-Real-IP and friends name the client directly and hold exactly one node (R7).
  if (countEntries(value, 2) === 1 && previousEntry(value, value.length)) {
    const ip = viewerAddress
      ? parseViewerAddress(value, cursor.start, cursor.end)
      : parseNode(value, cursor.start, cursor.end);
    if (ip !== undefined) return { hops: 1, chain: [ip], used: true, forwardedIndex: -1 };
  }
  if (events !== undefined) reject(events, header, value, 'invalid-address');
  return { hops: 1, chain: [], used: false, forwardedIndex: -1 };
}

type GroupKind = 'host' | 'port' | 'server' | 'proto' | 'flag' | 'prefix';

/** Validates `s[start, end)` for a group and returns its canonical meaning, or undefined (R9). */
function parseValue(kind: GroupKind, s: string, start: number, end: number): string | undefined {
  switch (kind) {
    case 'host': {
      const host = parseHost(s, start, end);
      return host === undefined ? undefined : formatHost(host);
    }
    case 'port': {
      const port = parsePort(s, start, end);
      return port < 0 ? undefined : String(port);
    }
    case 'server':
      return parseServerName(s, start, end);
    case 'proto':
      return parseProto(s, start, end);
    case 'flag':
      return parseFlag(s, start, end);
    case 'prefix':
      return parsePrefix(s, start, end);
  }
}

const INVALID_REASON: Record<GroupKind, RejectReason> = {
  host: 'invalid-host',
  port: 'invalid-port',
  server: 'invalid-host',
  proto: 'invalid-scheme',
  flag: 'invalid-scheme',
  prefix: 'invalid-prefix',
};

const FORWARDED_PARAM: Record<number, 'host' | 'proto'> = { [GROUP_HOST]: 'host', [GROUP_SCHEME]: 'proto' };

/**
 * Rewritten list value (R11): the entry used (`value[from, end)`) and every valid entry to
 * its right, joined with ", ". Undefined when that is exactly what the header already says.
 */
function rewriteFrom(value: string, from: number, end: number, kind: GroupKind): string | undefined {
  if (value.indexOf(',') < 0) {
    // One entry: the common case, no list to rebuild.
    return from === 0 && end === value.length ? undefined : value.slice(from, end);
  }
  const parts: string[] = [];
  let stop = value.length;
  while (previousEntry(value, stop) && cursor.start >= from) {
    stop = cursor.next;
    if (parseValue(kind, value, cursor.start, cursor.end) !== undefined) {
      parts.push(value.slice(cursor.start, cursor.end));
    }
  }
  parts.reverse();
  const joined = parts.join(', ');
  return joined === value ? undefined : joined;
}

/** Header edits by registry id: a replacement value, `null` to delete, `undefined` to leave. */
export type Edits = Array<string | null | undefined>;

/** The state of one request that carries forwarding headers from a trusted peer. */
class Pass {
  /** Registry id → the header's value (repeated lines joined). */
  readonly present: Array<string | undefined>;
  readonly rejected: RejectEvent[];
  readonly applied: string[] = [];
  readonly edits: Edits = [];
  /** Registry ids whose values were used (a bit each; the registry has fewer than 32). */
  kept = 0;
  hops = 1;
  forwarded: ForwardedChain | undefined;
  forwardedUsed = false;
  forwardedIndex = -1;
  /** The applied host group value, parsed. */
  host: HostValue | undefined;

  constructor(present: Array<string | undefined>, rejected: RejectEvent[]) {
    this.present = present;
    this.rejected = rejected;
  }
}

/** The last host value parseValue('host', …) accepted, so callers need not parse it again. */
let lastHost: HostValue | undefined;

/**
 * The last whole header value validated as a host, its parse and its canonical text: a front
 * end sends the same few host names over and over, and comparing a string is cheaper than
 * validating it (parseHost is pure; a HostValue is never mutated). One entry: bounded.
 */
let cachedHostText: string | undefined;
let cachedHost: HostValue | undefined;
let cachedHostCanonical: string | undefined;

function parseGroupValue(kind: GroupKind, s: string, start: number, end: number): string | undefined {
  if (kind !== 'host') return parseValue(kind, s, start, end);
  const whole = start === 0 && end === s.length;
  if (whole && s === cachedHostText) {
    lastHost = cachedHost;
    return cachedHostCanonical;
  }
  const host = parseHost(s, start, end);
  const canonical = host === undefined ? undefined : formatHost(host);
  lastHost = host;
  if (whole) {
    cachedHostText = s;
    cachedHost = host;
    cachedHostCanonical = canonical;
  }
  return canonical;
}

/** R6 + R8 + R9 for one group other than the client: hop-aligned, validated, first present wins. */
function resolveGroup(pass: Pass, options: CompiledOptions, group: number): string | undefined {
  let value: string | undefined;
  let primary = false;
  /** The first header's text when it was invalid: an equal invalid value is no conflict (R6). */
  let invalidText: string | undefined;
  const { present, rejected, edits, hops } = pass;
  for (const def of options.groups[group]!) {
    const raw = present[def.id];
    if (raw === undefined) continue;
    let candidate: string | undefined;
    if (def.kind === 'forwarded') {
      const param = FORWARDED_PARAM[group]!;
      const forwarded = pass.forwarded!;
      if (!forwarded.has(param, hops)) continue;
      const kind: GroupKind = param === 'host' ? 'host' : 'proto';
      const picked = forwarded.pick(hops)!;
      const element = picked.element;
      const text = element[param];
      if (!element.malformed && text !== undefined) candidate = parseGroupValue(kind, text, 0, text.length);
      if (!primary) {
        primary = true;
        if (candidate !== undefined) {
          value = candidate;
          if (group === GROUP_HOST) pass.host = lastHost;
          pass.forwardedUsed = true;
          if (picked.index > pass.forwardedIndex) pass.forwardedIndex = picked.index;
        } else if (element.malformed) {
          forwarded.reportMalformed(element, rejected);
        } else if (text !== undefined) {
          reject(rejected, 'forwarded', text, INVALID_REASON[kind]);
          invalidText = text;
        }
        continue;
      }
      if (differs(value, invalidText, candidate, element.malformed ? undefined : text)) {
        // A malformed element's parameters are not read: quote the element.
        reject(
          rejected,
          'forwarded',
          element.malformed || text === undefined ? element.text : text,
          'conflict',
        );
      }
      continue;
    }
    const kind = def.kind as GroupKind;
    if (!pickEntry(raw, hops)) continue; /* only empty elements: not present (R6) */
    const start = cursor.start;
    const end = cursor.end;
    candidate = parseGroupValue(kind, raw, start, end);
    if (!primary) {
      primary = true;
      if (candidate === undefined) {
        invalidText = raw.slice(start, end);
        reject(rejected, def.name, invalidText, INVALID_REASON[kind]);
        edits[def.id] = null;
      } else {
        value = candidate;
        if (group === GROUP_HOST) pass.host = lastHost;
        pass.kept |= 1 << def.id;
        pass.applied.push(def.name);
        const rewritten = rewriteFrom(raw, start, end, kind);
        if (rewritten !== undefined) edits[def.id] = rewritten;
      }
      continue;
    }
    // A lower-priority header: never consulted, reported when it says something else.
    edits[def.id] = null;
    const text = raw.slice(start, end);
    if (differs(value, invalidText, candidate, text)) reject(rejected, def.name, text, 'conflict');
  }
  return value;
}

/**
 * Does a lower-priority value say something else (R6)? Valid values are compared by meaning;
 * an invalid one equals only the same invalid text (`ftp` and `ftp`), never a valid one.
 */
function differs(
  value: string | undefined,
  invalidText: string | undefined,
  candidate: string | undefined,
  text: string | undefined,
): boolean {
  if (value !== undefined) return candidate !== value;
  return candidate !== undefined || invalidText === undefined || text !== invalidText;
}

/** R6 + R7: the client group. Sets `pass.hops`; returns the walked chain. */
function resolveClient(pass: Pass, options: CompiledOptions, peer: string | undefined): ParsedIp[] {
  let client: ClientResult | undefined;
  let clientDef: HeaderDef | undefined;
  const { present, rejected } = pass;
  for (const def of options.groups[GROUP_CLIENT]!) {
    const value = present[def.id];
    if (value === undefined) continue;
    // Forwarded: the element the peer added decides whether it speaks for the client.
    const isPresent = def.kind === 'forwarded' ? pass.forwarded!.has('for', 1) : countEntries(value, 1) > 0;
    if (!isPresent) continue;
    const events = client === undefined ? rejected : undefined;
    const result =
      def.kind === 'forwarded'
        ? walkForwarded(pass.forwarded!, options.trust, events)
        : def.kind === 'node-list'
          ? walkList(value, options.trust, def.name, events)
          : singleNode(value, def.name, events, def.kind === 'viewer-address');
    if (client === undefined) {
      client = result;
      clientDef = def;
      continue;
    }
    // A lower-priority client header: never consulted, reported when it disagrees.
    const mine = client.used ? client.chain[client.chain.length - 1]!.text : peer;
    const theirs = result.used ? result.chain[result.chain.length - 1]!.text : peer;
    if (mine !== theirs) reject(rejected, def.name, value, 'conflict');
  }
  if (client === undefined || clientDef === undefined) return [];
  pass.hops = client.hops;
  const chain = client.chain;
  if (!client.used) return chain;
  if (clientDef.kind === 'forwarded') {
    pass.forwardedUsed = true;
    if (client.forwardedIndex > pass.forwardedIndex) pass.forwardedIndex = client.forwardedIndex;
    return chain;
  }
  pass.kept |= 1 << clientDef.id;
  pass.applied.push(clientDef.name);
  if (clientDef.kind === 'node-list') {
    // R11: the client and the trusted proxies after it, canonical, client first.
    let rewritten = chain[chain.length - 1]!.text;
    for (let i = chain.length - 2; i >= 0; i--) rewritten += `, ${chain[i]!.text}`;
    if (rewritten !== present[clientDef.id]) pass.edits[clientDef.id] = rewritten;
  }
  return chain;
}

/**
 * Resolves one request: who the client is, and the public scheme, host, port and prefix.
 * Never throws on request data.
 */
export function resolveRequest(options: CompiledOptions, facts: RequestFacts): Resolution {
  const headers = facts.headers;
  const transport: 'http' | 'https' = facts.encrypted ? 'https' : 'http';
  const caches = options.caches;
  const rejected: RejectEvent[] = [];

  // R5: the peer, and whether it may speak for anyone.
  let peerIp: ParsedIp | undefined;
  let trusted: boolean;
  const peerText = facts.transport === undefined ? facts.peer : facts.transport.sourceAddress;
  if (peerText !== undefined && peerText === caches.peerText) {
    peerIp = caches.peerIp;
    trusted = caches.peerTrusted;
  } else if (peerText !== undefined) {
    peerIp = parseIp(peerText);
    trusted = peerIp !== undefined && options.trust(peerIp, 0);
    if (options.trust.pure) {
      caches.peerText = peerText;
      caches.peerIp = peerIp;
      caches.peerTrusted = trusted;
    }
  } else {
    trusted = facts.unixSocket && options.trust(undefined, 0);
  }
  // R22: a peer in trustedProxies must also carry the proof; never cached (it is per request).
  const proof = options.proof;
  let proofHeader: string | undefined;
  if (proof !== undefined) {
    const presented = headers[proof.header];
    if (presented !== undefined) proofHeader = proof.header;
    if (trusted && !proof.check(presented)) {
      trusted = false;
      rejected.push({
        header: proof.header,
        value: presented === undefined ? '' : '[redacted]',
        reason: 'proof-failed',
      });
    }
  }
  const peer = peerIp?.text;

  // Which registry headers the request carries (R4); most requests carry none.
  let present: Array<string | undefined> | undefined;
  // A request with many header lines has its headers object in V8's dictionary mode, where each
  // `for…in` collects and sorts the keys again (≈ 60 ns a key): keep them for the edit.
  const keys: string[] | undefined =
    facts.rawHeaders !== undefined && facts.rawHeaders.length > 2 * FAST_KEYS ? [] : undefined;
  for (const key in headers) {
    if (keys !== undefined) keys.push(key);
    const def = lookupLowerCase(key);
    if (def === undefined) continue;
    // R20: every HTTP/2 request has a :scheme; it is a claim only from a trusted peer that names it.
    if (def === PSEUDO_SCHEME && !(trusted && options.trusted[def.id] === true)) continue;
    const raw = headers[key];
    if (raw === undefined) continue;
    if (present === undefined) present = [];
    present[def.id] = typeof raw === 'string' ? raw : Array.isArray(raw) ? raw.join(', ') : String(raw);
  }

  let pass: Pass | undefined;
  let edits: Edits | undefined;
  let chain: ParsedIp[] = EMPTY_CHAIN;
  let hostValue: HostValue | undefined;
  let portValue: string | undefined;
  let serverValue: string | undefined;
  let schemeValue: 'http' | 'https' | undefined;
  let prefixValue: string | undefined;

  if (present !== undefined && !trusted) {
    // R11: nothing is trusted when the peer is not; every forwarding header goes.
    edits = [];
    for (let id = 0; id < present.length; id++) {
      const value = present[id];
      if (value === undefined) continue;
      reject(rejected, REGISTRY[id]!.name, value, 'untrusted-peer');
      edits[id] = null;
    }
  } else if (present !== undefined) {
    pass = new Pass(present, rejected);
    edits = pass.edits;
    for (let id = 0; id < present.length; id++) {
      const value = present[id];
      if (value === undefined || options.trusted[id] === true) continue;
      reject(rejected, REGISTRY[id]!.name, value, 'not-trusted-header');
      edits[id] = null;
    }
    const forwardedText = options.trusted[FORWARDED.id] === true ? present[FORWARDED.id] : undefined;
    if (forwardedText !== undefined)
      pass.forwarded = new ForwardedChain(forwardedLines(facts, forwardedText));

    chain = resolveClient(pass, options, peer);
    if (resolveGroup(pass, options, GROUP_HOST) !== undefined) hostValue = pass.host;
    portValue = resolveGroup(pass, options, GROUP_PORT);
    serverValue = resolveGroup(pass, options, GROUP_SERVER);
    schemeValue = resolveGroup(pass, options, GROUP_SCHEME) as 'http' | 'https' | undefined;
    prefixValue = resolveGroup(pass, options, GROUP_PREFIX);

    // Trusted headers present but not applied (empty, invalid, lower priority) go too.
    for (let id = 0; id < present.length; id++) {
      if (present[id] === undefined || options.trusted[id] !== true || (pass.kept & (1 << id)) !== 0)
        continue;
      if (id === FORWARDED.id && pass.forwardedUsed) {
        pass.applied.push(FORWARDED.name);
        const rewritten = pass.forwarded!.rewrite(pass.forwardedIndex);
        if (rewritten !== present[id]) edits[id] = rewritten.length > 0 ? rewritten : null;
        continue;
      }
      edits[id] = null;
    }
  }

  // R10: one coherent origin.
  const protocol = schemeValue ?? transport;
  const hostHeader = facts.authority ?? headers.host;
  const hostText =
    typeof hostHeader === 'string' ? hostHeader : Array.isArray(hostHeader) ? hostHeader[0] : undefined;
  let requestHost: HostValue | undefined;
  if (hostText !== undefined) {
    if (hostText === caches.hostText) requestHost = caches.hostValue;
    else {
      requestHost = parseHost(hostText);
      caches.hostText = hostText;
      caches.hostValue = requestHost;
    }
    if (requestHost === undefined) reject(rejected, 'host', hostText, 'invalid-host');
  }
  let hostname: string;
  let port: number;
  if (hostValue !== undefined) hostname = hostValue.hostname;
  else if (requestHost !== undefined) hostname = requestHost.hostname;
  else if (serverValue !== undefined) hostname = serverValue;
  else hostname = localHostname(facts.localAddress, facts.unixSocket);

  if (hostValue !== undefined && hostValue.port !== 0) port = hostValue.port;
  else if (portValue !== undefined) port = Number(portValue);
  else if (hostValue !== undefined) port = defaultPort(protocol);
  else if (requestHost !== undefined)
    port = requestHost.port !== 0 ? requestHost.port : defaultPort(protocol);
  else if (schemeValue !== undefined) port = defaultPort(protocol);
  else port = facts.localPort !== undefined && facts.localPort > 0 ? facts.localPort : defaultPort(protocol);

  const host = port === defaultPort(protocol) ? hostname : `${hostname}:${port}`;
  let hostAllowed = true;
  if (options.allowedHost !== undefined && !options.allowedHost(hostname)) {
    hostAllowed = false;
    reject(rejected, 'host', hostname, 'host-not-allowed');
  }

  // The arrays ProxyInfo keeps are exactly as long as their contents. An array grown by push
  // holds at least 17 slots; on Express the ProxyInfo of every request survives the next
  // scavenge (V8 keeps a WeakMap's values alive in young-generation GCs), so each spare slot
  // is copied and promoted, then collected by a full GC (docs/benchmarks.md).
  const addresses = new Array<string>(chain.length + (peer === undefined ? 0 : 1));
  let next = 0;
  for (let i = chain.length - 1; i >= 0; i--) addresses[next++] = chain[i]!.text;
  if (peer !== undefined) addresses[next] = peer;

  return {
    info: {
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
      // Copies without the spare capacity push left (see `addresses` above).
      applied: pass === undefined ? [] : pass.applied.slice(),
      rejected: rejected.slice(),
      hostAllowed,
      original: {
        remoteAddress: facts.peer,
        host: hostText,
        protocol: transport,
        headers: proofHeader === undefined ? headers : withoutHeader(headers, proofHeader),
      },
      transport: facts.transport,
    },
    edits: proofHeader === undefined ? edits : (edits ?? []),
    hostChanged: hostText !== host,
    proofHeader,
    headerKeys: keys,
  };
}

/** A copy of `headers` without `name`: the proof header never reaches ProxyInfo (R22). */
function withoutHeader(
  headers: Readonly<Record<string, string | string[] | undefined>>,
  name: string,
): Record<string, string | string[] | undefined> {
  const copy: Record<string, string | string[] | undefined> = {};
  for (const key in headers) if (key !== name) copy[key] = headers[key];
  return copy;
}

const EMPTY_CHAIN: ParsedIp[] = [];

/**
 * Keys a headers object built by keyed stores holds before V8 turns it into a dictionary
 * (4 in-object properties and 12 more).
 */
const FAST_KEYS = 16;

/** The socket's local address as a hostname (R10's last resort); `localhost` on a UNIX socket. */
function localHostname(localAddress: string | undefined, unixSocket: boolean): string {
  const ip = localAddress === undefined || unixSocket ? undefined : parseIp(localAddress);
  return ip === undefined ? 'localhost' : bracket(ip);
}
