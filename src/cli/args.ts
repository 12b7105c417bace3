import { parseArgs } from 'node:util';
import { TrustedProxyConfigError } from '../core/errors.js';
import type { TrustedProxyOptions } from '../core/types.js';
import {
  type ConfigSource,
  ENV_ALLOWED_HOSTS,
  ENV_HEADERS,
  ENV_PROOF_HEADER,
  ENV_PROOF_SECRETS_FILE,
  ENV_PROXIES,
  ENV_PROXY_PROTOCOL_FROM,
  optionsFromSources,
  proofFromSources,
  proofSecretsFromEnv,
  readSecretsFile,
  splitList,
} from '../env.js';
import { compileFrom } from '../proxy-protocol/receiver.js';

/** A mistake in the command line or its configuration: reported on stderr, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const DEFAULT_PORT = 8000;
// Loopback by default: a server that trusts forwarding headers should not face the network by
// accident. Containers pass `--host 0.0.0.0`.
export const DEFAULT_HOST = '127.0.0.1';

export const USAGE = `Usage: trusted-proxy [flags] [APP]

Serves APP (a module whose default export is an Express/Connect app or a (req, res)
listener) behind the trusted-proxy middleware. Without APP, serves a demo page that
shows what each request resolved to.

Flags:
  --trust-proxy-header NAME  a forwarding header your proxy sets (repeatable)
                             env: ${ENV_HEADERS}
  --trust-proxy ADDR         a proxy allowed to set it: IP, CIDR, loopback, private,
                             unix ... (repeatable); a lone integer is a hop count
                             env: ${ENV_PROXIES}
  --allowed-host HOST        refuse other hosts with 400 (repeatable; *.example.com)
                             env: ${ENV_ALLOWED_HOSTS}
  --proof-header NAME        require this header with a secret from the CDN (R22)
                             env: ${ENV_PROOF_HEADER}
  --proof-secrets-file PATH  the secrets, one a line (one, or two while rotating);
                             never on the command line, where ps shows it
                             env: ${ENV_PROOF_SECRETS_FILE} (or TRUSTED_PROXY_PROOF_SECRETS)
  --proxy-protocol           read a PROXY protocol v1/v2 header on every connection
                             (TCP load balancers: AWS NLB, HAProxy mode tcp, nginx
                             stream); connections from anyone else are refused
  --proxy-protocol-from ADDR a load balancer that sends it: IP, CIDR, private ...
                             (repeatable; required with --proxy-protocol)
                             env: ${ENV_PROXY_PROTOCOL_FROM} (setting it also turns it on)
  --port PORT                port to listen on (default ${DEFAULT_PORT}; 0 picks a free one)
  --host HOST                address to listen on (default ${DEFAULT_HOST}; 0.0.0.0 in a container)
  --rewrite-location         rewrite Location headers that point at the internal origin
  --log-rejections           log each rejected forwarding value as a JSON line on stderr
  -h, --help                 show this help
  --version                  show the version

Flag values may be comma or space separated lists. Flags override the environment.
Example:
  trusted-proxy --trust-proxy 192.168.59.0/24 --trust-proxy-header X-Forwarded-For \\
    --trust-proxy-header X-Forwarded-Host --trust-proxy-header X-Forwarded-Port app.mjs
`;

/** Everything the command line resolved to. */
export interface CliConfig {
  /** Path of the app module as given, or `undefined` for the demo. */
  app: string | undefined;
  port: number;
  host: string;
  /** Validated trustedHeaders, trustedProxies and allowedHosts. */
  options: TrustedProxyOptions;
  /** Where each setting came from (a flag or a variable), for the start line. */
  sources: {
    headers: string;
    proxies: string;
    allowedHosts: string | undefined;
    /** Where `requireProof` came from (flag or variable names), or undefined. */
    proof?: string | undefined;
  };
  rewriteLocation: boolean;
  logRejections: boolean;
  /** R21: read a PROXY protocol header from these load balancers; undefined when off. */
  proxyProtocol?: { from: string[]; source: string } | undefined;
}

export type ParsedCommand = { kind: 'help' } | { kind: 'version' } | { kind: 'run'; config: CliConfig };

function parsePort(text: string): number {
  // Decimal digits only: no sign, exponent or hex.
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) {
    throw new UsageError(`--port: expected 0-65535, got ${JSON.stringify(text)}`);
  }
  return Number(text);
}

// A flag given at least once replaces the variable; otherwise the variable fills in.
function pick(
  flag: string,
  values: string[] | undefined,
  variable: string,
  env: Record<string, string | undefined>,
): ConfigSource {
  if (values !== undefined && values.length > 0) {
    return { name: flag, entries: values.flatMap((v) => splitList(v)) };
  }
  return { name: variable, entries: splitList(env[variable]) };
}

/** Parses argv (without `node` and the script) and the environment. Throws {@link UsageError}. */
export function parseCommand(
  argv: readonly string[],
  env: Record<string, string | undefined>,
): ParsedCommand {
  let parsed: ReturnType<typeof parseFlags>;
  try {
    parsed = parseFlags(argv);
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };
  if (positionals.length > 1) {
    throw new UsageError(`expected at most one APP, got ${positionals.length}: ${positionals.join(' ')}`);
  }
  const host = values.host ?? DEFAULT_HOST;
  if (host === '') throw new UsageError('--host: expected an address, got ""');

  const headers = pick('--trust-proxy-header', values['trust-proxy-header'], ENV_HEADERS, env);
  const proxies = pick('--trust-proxy', values['trust-proxy'], ENV_PROXIES, env);
  const allowedHosts = pick('--allowed-host', values['allowed-host'], ENV_ALLOWED_HOSTS, env);
  if (headers.entries?.length === 0) {
    throw new UsageError(
      `no trusted headers: give --trust-proxy-header NAME (repeatable) or set ${ENV_HEADERS}, e.g. --trust-proxy-header X-Forwarded-For`,
    );
  }
  if (proxies.entries?.length === 0) {
    throw new UsageError(
      `no trusted proxies: give --trust-proxy ADDR (repeatable) or set ${ENV_PROXIES}, e.g. --trust-proxy 192.168.59.0/24`,
    );
  }
  // Throws TrustedProxyConfigError naming the flag or variable.
  const options = optionsFromSources(headers, proxies, allowedHosts);
  // R22: the header name from a flag or the environment; the secrets only from a file or the
  // environment, never from a flag (the command line shows in ps).
  const proofHeader = values['proof-header'];
  const secretsFile = values['proof-secrets-file'];
  const proofSources = {
    header:
      proofHeader === undefined
        ? { name: ENV_PROOF_HEADER, value: env[ENV_PROOF_HEADER] }
        : { name: '--proof-header', value: proofHeader },
    secrets:
      secretsFile === undefined
        ? proofSecretsFromEnv(env)
        : { name: '--proof-secrets-file', list: readSecretsFile(secretsFile, '--proof-secrets-file') },
  };
  const requireProof = proofFromSources(proofSources);
  if (requireProof !== undefined) options.requireProof = requireProof;
  const proxyProtocol = proxyProtocolFrom(
    values['proxy-protocol'] === true,
    values['proxy-protocol-from'],
    env,
  );
  return {
    kind: 'run',
    config: {
      app: positionals[0],
      port: values.port === undefined ? DEFAULT_PORT : parsePort(values.port),
      host,
      options,
      sources: {
        headers: headers.name,
        proxies: proxies.name,
        allowedHosts: options.allowedHosts === undefined ? undefined : allowedHosts.name,
        proof:
          requireProof === undefined
            ? undefined
            : `${proofSources.header.name}, ${proofSources.secrets.name}`,
      },
      rewriteLocation: values['rewrite-location'] === true,
      logRejections: values['log-rejections'] === true,
      proxyProtocol,
    },
  };
}

/**
 * R21: `--proxy-protocol` with `--proxy-protocol-from` (or TRUSTED_PROXY_PROTOCOL_FROM, which
 * alone also turns it on, for containers configured by the environment). The list is checked
 * now, with errors that name the flag or variable.
 */
function proxyProtocolFrom(
  enabled: boolean,
  flags: string[] | undefined,
  env: Record<string, string | undefined>,
): CliConfig['proxyProtocol'] {
  const source = pick('--proxy-protocol-from', flags, ENV_PROXY_PROTOCOL_FROM, env);
  const from = source.entries ?? [];
  if (flags !== undefined && flags.length > 0 && !enabled) {
    throw new UsageError(
      '--proxy-protocol-from needs --proxy-protocol (the header is never read by default)',
    );
  }
  if (!enabled && from.length === 0) return undefined;
  if (from.length === 0) {
    throw new UsageError(
      `--proxy-protocol needs the load balancers that send the header: give --proxy-protocol-from ADDR (repeatable) or set ${ENV_PROXY_PROTOCOL_FROM}, e.g. --proxy-protocol-from 10.0.0.0/8`,
    );
  }
  try {
    compileFrom([...from]);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new TrustedProxyConfigError(`${source.name}: ${message}`);
  }
  return { from: [...from], source: source.name };
}

function parseFlags(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: true,
    options: {
      'trust-proxy-header': { type: 'string', multiple: true },
      'trust-proxy': { type: 'string', multiple: true },
      'allowed-host': { type: 'string', multiple: true },
      'proof-header': { type: 'string' },
      'proof-secrets-file': { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      'rewrite-location': { type: 'boolean' },
      'log-rejections': { type: 'boolean' },
      'proxy-protocol': { type: 'boolean' },
      'proxy-protocol-from': { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean' },
    },
  });
}

/** The one line printed when the server listens: where, and what it trusts. */
export function describeConfig(config: CliConfig, url: string): string {
  const { options, sources } = config;
  const proxies =
    typeof options.trustedProxies === 'number'
      ? `${options.trustedProxies} hop${options.trustedProxies === 1 ? '' : 's'} (hop count)`
      : Array.isArray(options.trustedProxies)
        ? options.trustedProxies.join(', ')
        : String(options.trustedProxies);
  const parts = [
    `app: ${config.app ?? 'built-in demo'}`,
    `trusted proxies: ${proxies} [${sources.proxies}]`,
    `trusted headers: ${options.trustedHeaders.join(', ')} [${sources.headers}]`,
    `allowed hosts: ${options.allowedHosts === undefined ? 'any' : `${options.allowedHosts.join(', ')} [${sources.allowedHosts}]`}`,
    `rewrite location: ${config.rewriteLocation ? 'on' : 'off'}`,
    `log rejections: ${config.logRejections ? 'on' : 'off'}`,
  ];
  const proof = options.requireProof;
  if (proof !== undefined) {
    // The header's name and how many secrets: never a secret.
    const count = proof.secrets.length;
    parts.push(`proof: header ${proof.header}, ${count} secret${count === 1 ? '' : 's'} [${sources.proof}]`);
  }
  if (config.proxyProtocol !== undefined) {
    // What is expected from whom: the header is required from these peers, others are refused.
    parts.push(
      `proxy protocol: v1/v2 header required from ${config.proxyProtocol.from.join(', ')} [${config.proxyProtocol.source}], other peers refused`,
    );
  }
  return `trusted-proxy listening on ${url} (${parts.join('; ')})`;
}
