import { readFileSync } from 'node:fs';
import { quoteValue, TrustedProxyConfigError } from './core/errors.js';
import { compileOptions } from './core/options.js';
import { compileProof } from './core/proof.js';
import { splitList as splitEntries } from './core/trust.js';
import type { RequireProof, TrustedProxies, TrustedProxyOptions } from './core/types.js';

/** The environment variables read by {@link optionsFromEnv} (SPEC R16). */
export const ENV_HEADERS = 'TRUSTED_PROXY_HEADERS';
export const ENV_PROXIES = 'TRUSTED_PROXIES';
export const ENV_ALLOWED_HOSTS = 'TRUSTED_PROXY_ALLOWED_HOSTS';
/** R22: the `requireProof` header name, and its secrets inline or in a file (one a line). */
export const ENV_PROOF_HEADER = 'TRUSTED_PROXY_PROOF_HEADER';
export const ENV_PROOF_SECRETS = 'TRUSTED_PROXY_PROOF_SECRETS';
export const ENV_PROOF_SECRETS_FILE = 'TRUSTED_PROXY_PROOF_SECRETS_FILE';
/** R21: the load balancers that send a PROXY protocol header (the command line's `--proxy-protocol-from`). */
export const ENV_PROXY_PROTOCOL_FROM = 'TRUSTED_PROXY_PROTOCOL_FROM';

/**
 * Reads proof secrets from a file: one a line, blank lines and `#` comments ignored. The
 * message of a failure names the file, never its content.
 * @internal
 */
export function readSecretsFile(path: string, source: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new TrustedProxyConfigError(
      `${source}: cannot read the secrets file ${quoteValue(path)} (${code})`,
    );
  }
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0 && !line.startsWith('#'));
}

/** Where the proof's parts came from (a variable or a flag), for messages. @internal */
export interface ProofSources {
  header: { name: string; value: string | undefined };
  secrets: { name: string; list: readonly string[] | undefined };
}

/**
 * Builds and validates `requireProof` from a header name and secrets (R22), or undefined when
 * neither is given. Errors name the variables or flags, never a secret.
 * @internal
 */
export function proofFromSources(sources: ProofSources): RequireProof | undefined {
  const { header, secrets } = sources;
  const name = header.value?.trim() || undefined;
  if (name === undefined && secrets.list === undefined) return undefined;
  if (name === undefined) {
    throw new TrustedProxyConfigError(
      `${secrets.name} is set but ${header.name} is not: name the proof header`,
    );
  }
  if (secrets.list === undefined || secrets.list.length === 0) {
    throw new TrustedProxyConfigError(
      `${header.name} is set but there is no secret: set ${ENV_PROOF_SECRETS_FILE} (a file, one secret a line) or ${ENV_PROOF_SECRETS}`,
    );
  }
  const proof: RequireProof = { header: name, secrets: [...secrets.list] };
  try {
    compileProof(proof);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new TrustedProxyConfigError(`${header.name} / ${secrets.name}: ${message}`);
  }
  return proof;
}

/** The proof secrets named by the environment: inline or from a file, not both. @internal */
export function proofSecretsFromEnv(env: Record<string, string | undefined>): ProofSources['secrets'] {
  const inline = env[ENV_PROOF_SECRETS];
  const file = env[ENV_PROOF_SECRETS_FILE];
  if (inline !== undefined && inline !== '' && file !== undefined && file !== '') {
    throw new TrustedProxyConfigError(`set ${ENV_PROOF_SECRETS} or ${ENV_PROOF_SECRETS_FILE}, not both`);
  }
  if (file !== undefined && file !== '') {
    return { name: ENV_PROOF_SECRETS_FILE, list: readSecretsFile(file, ENV_PROOF_SECRETS_FILE) };
  }
  if (inline !== undefined && inline !== '') return { name: ENV_PROOF_SECRETS, list: splitList(inline) };
  return { name: ENV_PROOF_SECRETS, list: undefined };
}

/**
 * One configuration value and where it came from, so an error can name its source
 * (`TRUSTED_PROXIES` or `--trust-proxy`).
 * @internal
 */
export interface ConfigSource {
  /** The variable or flag name used in error messages. */
  name: string;
  /** The list entries, already split; `undefined` or empty when not given. */
  entries: readonly string[] | undefined;
}

/**
 * Splits a comma or space separated list, dropping empty entries.
 * @internal
 */
export function splitList(value: string | undefined): string[] {
  return value === undefined ? [] : splitEntries(value);
}

// A lone integer is a hop count (Express's `trust proxy: n`); `-1` is read as a number too, so
// the error says "hop count" instead of "malformed IP address".
const INTEGER = /^[+-]?\d{1,15}$/;

function toTrustedProxies(entries: readonly string[]): TrustedProxies {
  if (entries.length === 1 && INTEGER.test(entries[0]!)) return Number(entries[0]);
  return [...entries];
}

// Known-good partners, so each source is validated on its own and an error names the right one.
const PROBE_HEADERS = ['X-Forwarded-For'];
const PROBE_PROXIES = 'loopback';

function check(name: string, options: TrustedProxyOptions): void {
  try {
    compileOptions(options);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new TrustedProxyConfigError(`${name}: ${message}`);
  }
}

/**
 * Builds and validates options from three sources (environment variables or CLI flags).
 * Headers and proxies are required; every error is a `TrustedProxyConfigError` naming the source.
 * @internal
 */
export function optionsFromSources(
  headers: ConfigSource,
  proxies: ConfigSource,
  allowedHosts: ConfigSource,
): TrustedProxyOptions {
  if (headers.entries === undefined || headers.entries.length === 0) {
    throw new TrustedProxyConfigError(
      `${headers.name} is required: a comma or space separated list of header names, e.g. "X-Forwarded-For,X-Forwarded-Proto"`,
    );
  }
  if (proxies.entries === undefined || proxies.entries.length === 0) {
    throw new TrustedProxyConfigError(
      `${proxies.name} is required: a comma or space separated list of IPs, CIDRs or named ranges (loopback, private, unix …), or a hop count`,
    );
  }
  const trustedHeaders = [...headers.entries];
  const trustedProxies = toTrustedProxies(proxies.entries);
  check(headers.name, { trustedHeaders, trustedProxies: PROBE_PROXIES });
  check(proxies.name, { trustedHeaders: PROBE_HEADERS, trustedProxies });
  const options: TrustedProxyOptions = { trustedHeaders, trustedProxies };
  if (allowedHosts.entries !== undefined && allowedHosts.entries.length > 0) {
    options.allowedHosts = [...allowedHosts.entries];
    check(allowedHosts.name, {
      trustedHeaders: PROBE_HEADERS,
      trustedProxies: PROBE_PROXIES,
      allowedHosts: options.allowedHosts,
    });
  }
  return options;
}

/**
 * Reads {@link TrustedProxyOptions} from environment variables (SPEC R16), for containers and
 * twelve-factor deployments:
 *
 * - `TRUSTED_PROXY_HEADERS` (required): header names, comma or space separated.
 * - `TRUSTED_PROXIES` (required): IPs, CIDRs, named ranges (`loopback`, `private`, `unix` …),
 *   comma or space separated; a bare integer is a hop count.
 * - `TRUSTED_PROXY_ALLOWED_HOSTS` (optional): hostnames or `*.example.com` patterns.
 * - `TRUSTED_PROXY_PROOF_HEADER` (optional, R22): the `requireProof` header name, with its
 *   secrets in `TRUSTED_PROXY_PROOF_SECRETS_FILE` (a file, one secret a line; preferred) or
 *   `TRUSTED_PROXY_PROOF_SECRETS` (one or two, comma or space separated).
 *
 * The result is validated now: a missing or invalid variable throws `TrustedProxyConfigError`
 * whose message starts with the variable's name.
 *
 * Security: a bare integer in `TRUSTED_PROXIES` is a hop count, the weakest form — it trusts
 * whatever connects directly, so a client that can reach the app without the proxy chooses
 * its own address. Prefer addresses or CIDR ranges.
 *
 * @param env The variables to read.
 * @default env process.env
 * @example
 * app.use(trustedProxy({ ...optionsFromEnv(), rewriteLocation: true }));
 */
export function optionsFromEnv(
  env: NodeJS.ProcessEnv | Record<string, string | undefined> = process.env,
): TrustedProxyOptions {
  const options = optionsFromSources(
    { name: ENV_HEADERS, entries: splitList(env[ENV_HEADERS]) },
    { name: ENV_PROXIES, entries: splitList(env[ENV_PROXIES]) },
    { name: ENV_ALLOWED_HOSTS, entries: splitList(env[ENV_ALLOWED_HOSTS]) },
  );
  const requireProof = proofFromSources({
    header: { name: ENV_PROOF_HEADER, value: env[ENV_PROOF_HEADER] },
    secrets: proofSecretsFromEnv(env),
  });
  if (requireProof !== undefined) options.requireProof = requireProof;
  return options;
}
