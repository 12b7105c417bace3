/**
 * Option validation (R1, R2). Everything is checked and compiled here, once; a mistake
 * throws `TrustedProxyConfigError` naming the value. The per-request path never validates
 * configuration again.
 */

import type { IncomingMessage } from 'node:http';
import { configError } from './errors.js';
import { type ParsedIp, parseIp } from './ip.js';
import { type CompiledProof, compileProof } from './proof.js';
import {
  findHeader,
  GROUP_COUNT,
  GROUP_SCHEME,
  type HeaderDef,
  PSEUDO_SCHEME,
  REGISTRY,
  TRUSTABLE_NAMES,
} from './registry.js';
import { compileTrust, type Trust } from './trust.js';
import type { RejectEvent, TrustedProxyOptions } from './types.js';
import { type HostValue, parseHost } from './values.js';

/** `allowedHosts` compiled: exact names and `*.suffix` patterns, all canonical. */
export type HostMatcher = (hostname: string) => boolean;

/**
 * One-entry caches, per compiled options: keep-alive requests from one proxy repeat the peer
 * and the Host. Only pure decisions are cached (never a user's trust function).
 */
export interface RequestCaches {
  peerText: string | undefined;
  peerIp: ParsedIp | undefined;
  peerTrusted: boolean;
  hostText: string | undefined;
  hostValue: HostValue | undefined;
}

export function createCaches(): RequestCaches {
  return {
    peerText: undefined,
    peerIp: undefined,
    peerTrusted: false,
    hostText: undefined,
    hostValue: undefined,
  };
}

/** The result of {@link compileOptions}: what the per-request code reads. */
export interface CompiledOptions {
  readonly trust: Trust;
  /** Indexed by registry id: is this header in `trustedHeaders`? */
  readonly trusted: readonly boolean[];
  /** Trusted headers per group, in priority order. */
  readonly groups: readonly (readonly HeaderDef[])[];
  /** The trusted headers in the order given, canonical case (for display). */
  readonly trustedHeaders: readonly string[];
  readonly allowedHost: HostMatcher | undefined;
  readonly rewriteLocation: boolean;
  readonly onReject: ((event: RejectEvent, req: IncomingMessage) => void) | undefined;
  readonly caches: RequestCaches;
  /** `requireProof` compiled (R22), or undefined. */
  readonly proof?: CompiledProof | undefined;
}

const KNOWN_OPTIONS = new Set([
  'trustedHeaders',
  'trustedProxies',
  'allowedHosts',
  'rewriteLocation',
  'onReject',
  'requireProof',
]);

function knownNames(): string {
  return TRUSTABLE_NAMES.join(', ');
}

function compileHeaders(value: unknown): { trusted: boolean[]; groups: HeaderDef[][]; names: string[] } {
  if (!Array.isArray(value)) {
    throw configError(
      `trustedHeaders must be a non-empty array of header names (known: ${knownNames()})`,
      value,
    );
  }
  if (value.length === 0) {
    throw configError(
      `trustedHeaders is empty; name the headers your proxies set (known: ${knownNames()})`,
      value,
    );
  }
  const trusted: boolean[] = REGISTRY.map(() => false);
  const groups: HeaderDef[][] = Array.from({ length: GROUP_COUNT }, () => []);
  const names: string[] = [];
  for (const name of value as unknown[]) {
    if (typeof name !== 'string') throw configError('trustedHeaders entries must be strings', name);
    const def = findHeader(name.trim());
    if (def === undefined)
      throw configError(`unknown header in trustedHeaders (known: ${knownNames()})`, name);
    if (def.kind === 'never') {
      throw configError(
        'this header can never be trusted: it lets a client choose the URL the app routes',
        name,
      );
    }
    if (trusted[def.id]) continue; /* duplicates are ignored */
    trusted[def.id] = true;
    names.push(def.canonical);
    for (const group of def.groups) groups[group]!.push(def);
  }
  if (trusted[PSEUDO_SCHEME.id]) {
    // R20: a client's :scheme is the lowest-priority scheme value, wherever it was listed.
    const scheme = groups[GROUP_SCHEME]!;
    scheme.push(scheme.splice(scheme.indexOf(PSEUDO_SCHEME), 1)[0]!);
  }
  return { trusted, groups, names };
}

/** Canonical form of an allowedHosts entry or a hostname: lower case, no trailing dot, IPv6 bracketed. */
function canonicalHostname(text: string): string | undefined {
  let name = text;
  if (name.length > 1 && name.charCodeAt(name.length - 1) === 0x2e) name = name.slice(0, -1);
  if (name.indexOf('%') >= 0) return undefined; /* a zone id names no host (R2) */
  if (name.charCodeAt(0) !== 0x5b /* [ */ && name.indexOf(':') >= 0) {
    const ip = parseIp(name, 0, name.length, false);
    if (ip === undefined || ip.family !== 6) return undefined;
    return `[${ip.text}]`;
  }
  // One trailing dot is ignored; a second is an empty label (`example..`, R2, R9).
  if (name.charCodeAt(name.length - 1) === 0x2e && name !== text) return undefined;
  const host = parseHost(name);
  if (host === undefined || host.port !== 0) return undefined;
  return host.hostname;
}

function compileAllowedHosts(value: unknown): HostMatcher | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0) {
    throw configError('allowedHosts must be a non-empty array of hostnames or *.domain patterns', value);
  }
  const exact = new Set<string>();
  const suffixes: string[] = [];
  for (const pattern of value as unknown[]) {
    if (typeof pattern !== 'string') throw configError('allowedHosts entries must be strings', pattern);
    const wildcard = pattern.startsWith('*.');
    const canonical = canonicalHostname(wildcard ? pattern.slice(2) : pattern);
    if (canonical === undefined || (wildcard && canonical.startsWith('['))) {
      throw configError(
        'invalid allowedHosts pattern (a hostname, an IP literal or *.example.com; no ports, no other wildcards)',
        pattern,
      );
    }
    if (wildcard) suffixes.push(`.${canonical}`);
    else exact.add(canonical);
  }
  return (hostname) => {
    const name =
      hostname.length > 1 && hostname.charCodeAt(hostname.length - 1) === 0x2e
        ? hostname.slice(0, -1)
        : hostname;
    if (exact.has(name)) return true;
    for (const suffix of suffixes) {
      if (name.length > suffix.length && name.endsWith(suffix)) return true;
    }
    return false;
  };
}

/**
 * Validates options and compiles them (R1, R2). Throws `TrustedProxyConfigError`.
 */
export function compileOptions(options: TrustedProxyOptions): CompiledOptions {
  if (options === null || typeof options !== 'object') {
    throw configError(
      'trustedProxy() needs an options object with trustedHeaders and trustedProxies',
      options,
    );
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) {
      throw configError(`unknown option (known: ${[...KNOWN_OPTIONS].join(', ')})`, key);
    }
  }
  if (options.trustedHeaders === undefined) {
    throw configError(`trustedHeaders is required (known: ${knownNames()})`, undefined);
  }
  if (options.trustedProxies === undefined || options.trustedProxies === null) {
    throw configError(
      'trustedProxies is required: the addresses or CIDR ranges of your proxies',
      options.trustedProxies,
    );
  }
  const headers = compileHeaders(options.trustedHeaders);
  const trust = compileTrust(options.trustedProxies);
  const allowedHost = compileAllowedHosts(options.allowedHosts);
  const { rewriteLocation, onReject } = options;
  if (rewriteLocation !== undefined && typeof rewriteLocation !== 'boolean') {
    throw configError('rewriteLocation must be a boolean', rewriteLocation);
  }
  if (onReject !== undefined && typeof onReject !== 'function') {
    throw configError('onReject must be a function', onReject);
  }
  return {
    trust,
    trusted: headers.trusted,
    groups: headers.groups,
    trustedHeaders: headers.names,
    allowedHost,
    rewriteLocation: rewriteLocation === true,
    onReject,
    caches: createCaches(),
    proof: compileProof(options.requireProof),
  };
}
