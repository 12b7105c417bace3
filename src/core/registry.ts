/**
 * The header registry (SPEC §2, R4): every forwarding header this package knows, its group
 * and the form of its value. Anything listed here and not applied is stripped (R11).
 */

export const GROUP_CLIENT = 0;
export const GROUP_HOST = 1;
export const GROUP_PORT = 2;
export const GROUP_SERVER = 3;
export const GROUP_SCHEME = 4;
export const GROUP_PREFIX = 5;
export const GROUP_COUNT = 6;
export const GROUP_NAMES = ['client', 'host', 'port', 'server', 'scheme', 'prefix'] as const;

/** How a header's value is read. */
export type ValueKind =
  | 'node-list' /* X-Forwarded-For: one node per hop, walked right to left (R7) */
  | 'node' /* X-Real-IP and friends: exactly one node naming the client */
  | 'viewer-address' /* CloudFront-Viewer-Address: ip:port, IPv6 unbracketed, split at the last colon */
  | 'forwarded' /* RFC 7239: for=, host=, proto= */
  | 'host'
  | 'port'
  | 'server'
  | 'proto' /* http / https */
  | 'flag' /* on/true/1 = https, off/false/0 = http */
  | 'prefix'
  | 'never'; /* X-Original-URL, X-Rewrite-URL: never trustable */

export interface HeaderDef {
  /** Lower-case name, as in `req.headers`. */
  readonly name: string;
  /** Canonical case, for docs and messages. */
  readonly canonical: string;
  /** Groups it belongs to (Forwarded: client, host and scheme). */
  readonly groups: readonly number[];
  readonly kind: ValueKind;
  /** Position in {@link REGISTRY}. */
  readonly id: number;
}

const DEFS: ReadonlyArray<Omit<HeaderDef, 'id'>> = [
  {
    name: 'x-forwarded-for',
    canonical: 'X-Forwarded-For',
    groups: [GROUP_CLIENT],
    kind: 'node-list',
  },
  {
    name: 'forwarded',
    canonical: 'Forwarded',
    groups: [GROUP_CLIENT, GROUP_HOST, GROUP_SCHEME],
    kind: 'forwarded',
  },
  { name: 'x-real-ip', canonical: 'X-Real-IP', groups: [GROUP_CLIENT], kind: 'node' },
  { name: 'x-client-ip', canonical: 'X-Client-IP', groups: [GROUP_CLIENT], kind: 'node' },
  { name: 'true-client-ip', canonical: 'True-Client-IP', groups: [GROUP_CLIENT], kind: 'node' },
  {
    name: 'cf-connecting-ip',
    canonical: 'CF-Connecting-IP',
    groups: [GROUP_CLIENT],
    kind: 'node',
  },
  {
    name: 'fastly-client-ip',
    canonical: 'Fastly-Client-IP',
    groups: [GROUP_CLIENT],
    kind: 'node',
  },
  {
    name: 'x-cluster-client-ip',
    canonical: 'X-Cluster-Client-IP',
    groups: [GROUP_CLIENT],
    kind: 'node',
  },
  {
    name: 'cloudfront-viewer-address',
    canonical: 'CloudFront-Viewer-Address',
    groups: [GROUP_CLIENT],
    kind: 'viewer-address',
  },
  { name: 'fly-client-ip', canonical: 'Fly-Client-IP', groups: [GROUP_CLIENT], kind: 'node' },
  { name: 'x-forwarded-host', canonical: 'X-Forwarded-Host', groups: [GROUP_HOST], kind: 'host' },
  { name: 'x-host', canonical: 'X-Host', groups: [GROUP_HOST], kind: 'host' },
  { name: 'x-original-host', canonical: 'X-Original-Host', groups: [GROUP_HOST], kind: 'host' },
  { name: 'x-forwarded-port', canonical: 'X-Forwarded-Port', groups: [GROUP_PORT], kind: 'port' },
  {
    name: 'x-forwarded-server',
    canonical: 'X-Forwarded-Server',
    groups: [GROUP_SERVER],
    kind: 'server',
  },
  {
    name: 'x-forwarded-proto',
    canonical: 'X-Forwarded-Proto',
    groups: [GROUP_SCHEME],
    kind: 'proto',
  },
  {
    name: 'x-forwarded-scheme',
    canonical: 'X-Forwarded-Scheme',
    groups: [GROUP_SCHEME],
    kind: 'proto',
  },
  { name: 'x-scheme', canonical: 'X-Scheme', groups: [GROUP_SCHEME], kind: 'proto' },
  { name: 'x-url-scheme', canonical: 'X-Url-Scheme', groups: [GROUP_SCHEME], kind: 'proto' },
  {
    name: 'x-forwarded-https',
    canonical: 'X-Forwarded-HTTPS',
    groups: [GROUP_SCHEME],
    kind: 'flag',
  },
  {
    name: 'x-forwarded-ssl',
    canonical: 'X-Forwarded-SSL',
    groups: [GROUP_SCHEME],
    kind: 'flag',
  },
  { name: 'x-https', canonical: 'X-HTTPS', groups: [GROUP_SCHEME], kind: 'flag' },
  {
    name: 'front-end-https',
    canonical: 'Front-End-Https',
    groups: [GROUP_SCHEME],
    kind: 'flag',
  },
  {
    name: 'x-forwarded-prefix',
    canonical: 'X-Forwarded-Prefix',
    groups: [GROUP_PREFIX],
    kind: 'prefix',
  },
  { name: 'x-script-name', canonical: 'X-Script-Name', groups: [GROUP_PREFIX], kind: 'prefix' },
  {
    name: 'x-forwarded-script-name',
    canonical: 'X-Forwarded-Script-Name',
    groups: [GROUP_PREFIX],
    kind: 'prefix',
  },
  { name: 'x-original-url', canonical: 'X-Original-URL', groups: [], kind: 'never' },
  { name: 'x-rewrite-url', canonical: 'X-Rewrite-URL', groups: [], kind: 'never' },
  // R20: an HTTP/2 request's own scheme. Not a forwarding header: it counts only when trusted
  // (peer and name), always last in the scheme group; the node edge rewrites it, never strips it.
  { name: ':scheme', canonical: ':scheme', groups: [GROUP_SCHEME], kind: 'proto' },
];

/** Every registry header, in SPEC §2 order. */
export const REGISTRY: readonly HeaderDef[] = DEFS.map((def, id) => Object.freeze({ ...def, id }));

const BY_NAME: ReadonlyMap<string, HeaderDef> = new Map(REGISTRY.map((def) => [def.name, def]));

/** `:scheme` (R20): trusted only from a trusted peer that names it; the lowest scheme priority. */
export const PSEUDO_SCHEME: HeaderDef = REGISTRY.find((def) => def.name === ':scheme')!;

/** Looks a header name up case-insensitively. */
export function findHeader(name: string): HeaderDef | undefined {
  return BY_NAME.get(name.toLowerCase());
}

/** Canonical names of the headers that may be trusted, for error messages and docs. */
export const TRUSTABLE_NAMES: readonly string[] = REGISTRY.filter((d) => d.kind !== 'never').map(
  (d) => d.canonical,
);

/**
 * Registry entries by name length. A `req.headers` key is an internalised string, so comparing
 * it with a name literal is a pointer comparison: cheaper than hashing it for a map lookup.
 */
const BY_LENGTH: ReadonlyArray<readonly HeaderDef[] | undefined> = (() => {
  const table: HeaderDef[][] = [];
  for (const def of REGISTRY) {
    const bucket = table[def.name.length] ?? [];
    bucket.push(def);
    table[def.name.length] = bucket;
  }
  return table;
})();

/** Can a name starting with this lower-case char code be registered? (x-…, forwarded, true-client-ip, cf-…, :…) */
function registeredFirst(c: number): boolean {
  return (
    c === 0x78 /* x */ || c === 0x66 /* f */ || c === 0x74 /* t */ || c === 0x63 /* c */ || c === 0x3a /* : */
  );
}

/**
 * Finds a registry entry for a header name already in lower case (a `req.headers` key).
 * Most request headers (Accept, User-Agent, Cookie, …) are rejected by length and first char.
 */
export function lookupLowerCase(name: string): HeaderDef | undefined {
  const bucket = BY_LENGTH[name.length];
  if (bucket === undefined) return undefined;
  const c = name.charCodeAt(0);
  if (!registeredFirst(c)) return undefined;
  for (let i = 0; i < bucket.length; i++) {
    const def = bucket[i]!;
    if (def.name === name) return def;
  }
  return undefined;
}

/**
 * Finds a registry entry for a header name in any case (a `rawHeaders` name) without
 * allocating a lower-case copy; only letters are folded.
 */
export function lookupAnyCase(name: string): HeaderDef | undefined {
  const bucket = BY_LENGTH[name.length];
  if (bucket === undefined) return undefined;
  const c = name.charCodeAt(0) | 0x20;
  if (!registeredFirst(c)) return undefined;
  for (let i = 0; i < bucket.length; i++) {
    const def = bucket[i]!;
    const lower = def.name;
    let j = 0;
    for (; j < lower.length; j++) {
      const l = lower.charCodeAt(j);
      const c = name.charCodeAt(j);
      if (c !== l && !(l >= 0x61 && l <= 0x7a && (c | 0x20) === l)) break;
    }
    if (j === lower.length) return def;
  }
  return undefined;
}

/** True for `Host` in any case. */
export function isHostName(name: string): boolean {
  return (
    name.length === 4 &&
    (name.charCodeAt(0) | 0x20) === 0x68 &&
    (name.charCodeAt(1) | 0x20) === 0x6f &&
    (name.charCodeAt(2) | 0x20) === 0x73 &&
    (name.charCodeAt(3) | 0x20) === 0x74
  );
}
