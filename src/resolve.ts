/**
 * Pure resolution (R5–R10): request facts in, a decision out. No Node objects, no mutation;
 * `apply.ts` carries the decision out on the request.
 */
import { type ForwardedElement, forwardedValue, parseForwardedLine } from './forwarded.js';
import { type ParsedIp, parseIp, parseNode } from './ip.js';
import type { CompiledOptions } from './options.js';
import {
  GROUP_CLIENT,
  GROUP_HOST,
  GROUP_PORT,
  GROUP_PREFIX,
  GROUP_SCHEME,
  GROUP_SERVER,
  type HeaderDef,
  lookupLowerCase,
  REGISTRY,
} from './registry.js';
import type { ProxyInfo, RejectEvent, RejectReason } from './types.js';
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
}

/** The decision: everything ProxyInfo says except `original.headers`, and the header edits. */
export interface Resolution {
  info: Omit<ProxyInfo, 'original'>;
  /** Header name → replacement value, or `undefined` to delete it (R11). */
  edits: Array<[name: string, value: string | undefined]>;
  /** The transport's own scheme. */
  transport: 'http' | 'https';
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

  /** R6: present in a group when an element carries its parameter or is malformed. */
  has(param: 'for' | 'host' | 'proto'): boolean {
    for (let k = 0; ; k++) {
      const element = this.at(k);
      if (element === undefined) return false;
      if (element.malformed || element[param] !== undefined) return true;
    }
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
      const name = raw[i]!;
      if (name.length === 9 && name.toLowerCase() === 'forwarded') lines.push(raw[i + 1]!);
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

function singleNode(value: string, header: string, events: RejectEvent[] | undefined): ClientResult {
  // X-Real-IP and friends name the client directly and hold exactly one node (R7).
  if (countEntries(value, 2) === 1 && previousEntry(value, value.length)) {
    const ip = parseNode(value, cursor.start, cursor.end);
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
 * Rewritten list value (R11): the entry used and every valid entry to its right, joined
 * with ", ". Undefined when that is exactly what the header already says.
 */
function rewriteFrom(value: string, from: number, kind: GroupKind): string | undefined {
  const parts: string[] = [];
  let end = value.length;
  while (previousEntry(value, end) && cursor.start >= from) {
    end = cursor.next;
    if (parseValue(kind, value, cursor.start, cursor.end) !== undefined) {
      parts.push(value.slice(cursor.start, cursor.end));
    }
  }
  parts.reverse();
  const joined = parts.join(', ');
  return joined === value ? undefined : joined;
}

/**
 * Resolves one request: who the client is, and the public scheme, host, port and prefix.
 * Never throws on request data.
 */
export function resolveRequest(options: CompiledOptions, facts: RequestFacts): Resolution {
  const headers = facts.headers;
  const transport: 'http' | 'https' = facts.encrypted ? 'https' : 'http';
  const peerIp = facts.peer === undefined ? undefined : parseIp(facts.peer);
  const peer = peerIp?.text;
  const rejected: RejectEvent[] = [];
  const applied: string[] = [];
  const edits: Array<[string, string | undefined]> = [];

  // Which registry headers the request carries (R4); most requests carry none.
  let present: Array<string | undefined> | undefined;
  let presentDefs: HeaderDef[] | undefined;
  for (const key in headers) {
    const def = lookupLowerCase(key);
    if (def === undefined) continue;
    const raw = headers[key];
    if (raw === undefined) continue;
    const value = typeof raw === 'string' ? raw : Array.isArray(raw) ? raw.join(', ') : String(raw);
    if (present === undefined) {
      present = [];
      presentDefs = [];
    }
    present[def.id] = value;
    presentDefs!.push(def);
  }

  // R5: the peer, and whether it may speak for anyone.
  let trusted: boolean;
  if (peerIp !== undefined) trusted = options.trust(peerIp, 0);
  else trusted = facts.peer === undefined && facts.unixSocket && options.trust(undefined, 0);

  let hops = 1;
  let chain: ParsedIp[] = [];
  let hostValue: string | undefined;
  let portValue: string | undefined;
  let serverValue: string | undefined;
  let schemeValue: 'http' | 'https' | undefined;
  let prefixValue: string | undefined;

  if (present !== undefined && !trusted) {
    // R11: nothing is trusted when the peer is not; every forwarding header goes.
    for (const def of presentDefs!) {
      reject(rejected, def.name, present[def.id]!, 'untrusted-peer');
      edits.push([def.name, undefined]);
    }
  } else if (present !== undefined) {
    for (const def of presentDefs!) {
      if (options.trusted[def.id] !== true) {
        reject(rejected, def.name, present[def.id]!, 'not-trusted-header');
        edits.push([def.name, undefined]);
      }
    }
    const forwardedValueText = options.trusted[FORWARDED.id] === true ? present[FORWARDED.id] : undefined;
    const forwarded =
      forwardedValueText === undefined
        ? undefined
        : new ForwardedChain(forwardedLines(facts, forwardedValueText));
    let forwardedUsed = false;
    let forwardedRewriteIndex = -1;
    const keep = new Set<HeaderDef>();

    // R6 + R7: the client group.
    let client: ClientResult | undefined;
    let clientDef: HeaderDef | undefined;
    for (const def of options.groups[GROUP_CLIENT]!) {
      const value = present[def.id];
      if (value === undefined) continue;
      const isPresent = def.kind === 'forwarded' ? forwarded!.has('for') : countEntries(value, 1) > 0;
      if (!isPresent) continue;
      const events = client === undefined ? rejected : undefined;
      const result =
        def.kind === 'forwarded'
          ? walkForwarded(forwarded!, options.trust, events)
          : def.kind === 'node-list'
            ? walkList(value, options.trust, def.name, events)
            : singleNode(value, def.name, events);
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
    if (client !== undefined && clientDef !== undefined) {
      hops = client.hops;
      chain = client.chain;
      if (client.used) {
        if (clientDef.kind === 'forwarded') {
          forwardedUsed = true;
          forwardedRewriteIndex = Math.max(forwardedRewriteIndex, client.forwardedIndex);
        } else {
          keep.add(clientDef);
          applied.push(clientDef.name);
          if (clientDef.kind === 'node-list') {
            // R11: the client and the trusted proxies after it, canonical, client first.
            let rewritten = chain[chain.length - 1]!.text;
            for (let i = chain.length - 2; i >= 0; i--) rewritten += `, ${chain[i]!.text}`;
            if (rewritten !== present[clientDef.id]) edits.push([clientDef.name, rewritten]);
          }
        }
      }
    }

    // R6 + R8 + R9: every other group, hop-aligned.
    const resolveGroup = (group: number, kindOf: (def: HeaderDef) => GroupKind): string | undefined => {
      let value: string | undefined;
      let primary = false;
      for (const def of options.groups[group]!) {
        const raw = present![def.id];
        if (raw === undefined) continue;
        let candidate: string | undefined;
        let source: string;
        let kind: GroupKind;
        if (def.kind === 'forwarded') {
          const param = FORWARDED_PARAM[group]!;
          if (!forwarded!.has(param)) continue;
          kind = param === 'host' ? 'host' : 'proto';
          const picked = forwarded!.pick(hops)!;
          const text = picked.element[param];
          if (picked.element.malformed) {
            if (!primary) forwarded!.reportMalformed(picked.element, rejected);
            source = picked.element.text;
          } else if (text === undefined) {
            source = picked.element.text;
          } else {
            source = text;
            candidate = parseValue(kind, text, 0, text.length);
          }
          if (!primary) {
            primary = true;
            if (candidate !== undefined) {
              value = candidate;
              forwardedUsed = true;
              forwardedRewriteIndex = Math.max(forwardedRewriteIndex, picked.index);
            } else if (text !== undefined && !picked.element.malformed) {
              reject(rejected, 'forwarded', text, INVALID_REASON[kind]);
            }
            continue;
          }
        } else {
          kind = kindOf(def);
          if (!pickEntry(raw, hops)) continue; /* only empty elements: not present (R6) */
          const from = cursor.start;
          source = raw.slice(cursor.start, cursor.end);
          candidate = parseValue(kind, raw, cursor.start, cursor.end);
          if (!primary) {
            primary = true;
            if (candidate === undefined) {
              reject(rejected, def.name, source, INVALID_REASON[kind]);
              edits.push([def.name, undefined]);
            } else {
              value = candidate;
              keep.add(def);
              applied.push(def.name);
              const rewritten = rewriteFrom(raw, from, kind);
              if (rewritten !== undefined) edits.push([def.name, rewritten]);
            }
            continue;
          }
          edits.push([def.name, undefined]);
        }
        if (value === undefined || candidate !== value) reject(rejected, def.name, source, 'conflict');
      }
      return value;
    };
    hostValue = resolveGroup(GROUP_HOST, () => 'host');
    portValue = resolveGroup(GROUP_PORT, () => 'port');
    serverValue = resolveGroup(GROUP_SERVER, () => 'server');
    schemeValue = resolveGroup(GROUP_SCHEME, (def) => (def.kind === 'flag' ? 'flag' : 'proto')) as
      | 'http'
      | 'https'
      | undefined;
    prefixValue = resolveGroup(GROUP_PREFIX, () => 'prefix');

    // Trusted headers that were present but not applied: empty, invalid, or lower priority.
    for (const def of presentDefs!) {
      if (options.trusted[def.id] !== true || keep.has(def)) continue;
      if (def === FORWARDED) {
        if (forwardedUsed) {
          applied.push(def.name);
          const rewritten = forwarded!.rewrite(forwardedRewriteIndex);
          if (rewritten !== present[def.id])
            edits.push([def.name, rewritten.length > 0 ? rewritten : undefined]);
          continue;
        }
      }
      if (!edits.some((edit) => edit[0] === def.name)) edits.push([def.name, undefined]);
    }
  }

  // R10: one coherent origin.
  const protocol = schemeValue ?? transport;
  const hostHeader = headers.host;
  const hostText =
    typeof hostHeader === 'string' ? hostHeader : Array.isArray(hostHeader) ? hostHeader[0] : undefined;
  let requestHost: HostValue | undefined;
  if (hostText !== undefined) {
    requestHost = parseHost(hostText);
    if (requestHost === undefined) reject(rejected, 'host', hostText, 'invalid-host');
  }
  let hostname: string;
  let port: number;
  const forwardedHost = hostValue === undefined ? undefined : parseHost(hostValue);
  if (forwardedHost !== undefined) hostname = forwardedHost.hostname;
  else if (requestHost !== undefined) hostname = requestHost.hostname;
  else if (serverValue !== undefined) hostname = serverValue;
  else hostname = localHostname(facts.localAddress, facts.unixSocket);

  if (forwardedHost !== undefined && forwardedHost.port !== 0) port = forwardedHost.port;
  else if (portValue !== undefined) port = Number(portValue);
  else if (forwardedHost !== undefined) port = defaultPort(protocol);
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

  const addresses: string[] = [];
  for (let i = chain.length - 1; i >= 0; i--) addresses.push(chain[i]!.text);
  if (peer !== undefined) addresses.push(peer);

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
      applied,
      rejected,
      hostAllowed,
    },
    edits,
    transport,
  };
}

/** The socket's local address as a hostname (R10's last resort); `localhost` on a UNIX socket. */
function localHostname(localAddress: string | undefined, unixSocket: boolean): string {
  const ip = localAddress === undefined || unixSocket ? undefined : parseIp(localAddress);
  return ip === undefined ? 'localhost' : bracket(ip);
}
