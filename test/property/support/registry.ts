/** The header registry of SPEC §2, written out again here so tests do not trust src/registry.ts. */

export const CLIENT_LIST = ['x-forwarded-for', 'forwarded'] as const;
export const CLIENT_SINGLE = [
  'x-real-ip',
  'x-client-ip',
  'true-client-ip',
  'cf-connecting-ip',
  'fastly-client-ip',
  'x-cluster-client-ip',
] as const;
/** R22: CDN client headers (CloudFront-Viewer-Address is `ip:port`; Fly-Client-IP one node). */
export const CLIENT_CDN = ['cloudfront-viewer-address', 'fly-client-ip'] as const;
export const HOST_HEADERS = ['x-forwarded-host', 'forwarded', 'x-host', 'x-original-host'] as const;
export const PORT_HEADERS = ['x-forwarded-port'] as const;
export const SERVER_HEADERS = ['x-forwarded-server'] as const;
export const SCHEME_NAMES = [
  'x-forwarded-proto',
  'forwarded',
  'x-forwarded-scheme',
  'x-scheme',
  'x-url-scheme',
] as const;
export const SCHEME_FLAGS = ['x-forwarded-https', 'x-forwarded-ssl', 'x-https', 'front-end-https'] as const;
export const PREFIX_HEADERS = ['x-forwarded-prefix', 'x-script-name', 'x-forwarded-script-name'] as const;
export const NEVER_TRUSTED = ['x-original-url', 'x-rewrite-url'] as const;

/** Headers proxies append to (SPEC §2 "(list)"), `Forwarded` included. */
export const LIST_HEADERS = [
  'x-forwarded-for',
  'forwarded',
  'x-forwarded-host',
  'x-forwarded-port',
  'x-forwarded-server',
  'x-forwarded-proto',
  'x-forwarded-prefix',
] as const;

export const TRUSTABLE: readonly string[] = [
  ...new Set<string>([
    ...CLIENT_LIST,
    ...CLIENT_SINGLE,
    ...CLIENT_CDN,
    ...HOST_HEADERS,
    ...PORT_HEADERS,
    ...SERVER_HEADERS,
    ...SCHEME_NAMES,
    ...SCHEME_FLAGS,
    ...PREFIX_HEADERS,
  ]),
];

export const REGISTRY: readonly string[] = [...TRUSTABLE, ...NEVER_TRUSTED];
const REGISTRY_SET = new Set(REGISTRY);

export function isRegistryHeader(name: string): boolean {
  return REGISTRY_SET.has(name.toLowerCase());
}

export type Group = 'client' | 'host' | 'port' | 'server' | 'scheme' | 'prefix';

export function groupsOf(name: string): Group[] {
  const n = name.toLowerCase();
  const out: Group[] = [];
  if (
    (CLIENT_LIST as readonly string[]).includes(n) ||
    (CLIENT_SINGLE as readonly string[]).includes(n) ||
    (CLIENT_CDN as readonly string[]).includes(n)
  ) {
    out.push('client');
  }
  if ((HOST_HEADERS as readonly string[]).includes(n)) out.push('host');
  if ((PORT_HEADERS as readonly string[]).includes(n)) out.push('port');
  if ((SERVER_HEADERS as readonly string[]).includes(n)) out.push('server');
  if ((SCHEME_NAMES as readonly string[]).includes(n) || (SCHEME_FLAGS as readonly string[]).includes(n)) {
    out.push('scheme');
  }
  if ((PREFIX_HEADERS as readonly string[]).includes(n)) out.push('prefix');
  return out;
}

/** Canonical-case spelling for configuration (names are case-insensitive). */
export function displayName(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());
}
