// The trusted-proxy command line (SPEC R16): the Node counterpart of `mod_wsgi-express
// start-server` in a container's CMD. src/cli.ts (the package's `bin`) runs it on `process`;
// tests run it in process with their own streams, exit and signal registration.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TrustedProxyConfigError } from '../core/errors.js';
import type { RejectEvent } from '../core/types.js';
import { trustedProxy } from '../index.js';
import { acceptProxyProtocol, type ProxyProtocolRejectEvent } from '../proxy-protocol/index.js';
import { describeConfig, parseCommand, USAGE, UsageError } from './args.js';
import { demoListener } from './demo.js';
import { type AppListener, loadApp } from './load-app.js';

/** What the command line uses of the process it runs in: `process` itself in the `bin`. */
export interface CliProcess {
  readonly env: Record<string, string | undefined>;
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  /** Ends the process; never returns. */
  exit(code: number): never;
  /** Registers the shutdown handler for SIGTERM and SIGINT. */
  on(event: 'SIGTERM' | 'SIGINT', listener: (signal: NodeJS.Signals) => void): unknown;
}

/** The package's own package.json, relative to the built dist/esm/cli/main.js (for `--version`). */
const PACKAGE_JSON = new URL('../../../package.json', import.meta.url);

/** How long in-flight requests may take after SIGTERM/SIGINT before connections are cut. */
const SHUTDOWN_TIMEOUT_MS = 10_000;
// Keep-alive sockets become idle when their in-flight response ends: close them as they do.
const IDLE_SWEEP_MS = 100;

/** Where `--version` reads the version, and the shutdown timings (defaults: the package's own, 10 s, 100 ms). */
export interface CliSettings {
  packageJson?: URL | undefined;
  shutdownTimeoutMs?: number | undefined;
  idleSweepMs?: number | undefined;
}

/** Writes the error line (and the usage hint for code 2) to stderr and exits with `code`. */
export function fail(proc: CliProcess, message: string, code: number): never {
  proc.stderr.write(`trusted-proxy: error: ${message}\n`);
  if (code === 2) proc.stderr.write("Run 'trusted-proxy --help' for usage.\n");
  return proc.exit(code);
}

function version(packageJson: URL): string {
  try {
    const pkg = JSON.parse(readFileSync(packageJson, 'utf8')) as {
      version?: unknown;
    };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

/** One JSON warning line on stderr; JSON.stringify escapes whatever the client sent. */
function warn(proc: CliProcess, msg: string, fields: Record<string, unknown>): void {
  const line = JSON.stringify({ time: new Date().toISOString(), level: 'warn', msg, ...fields });
  proc.stderr.write(`${line}\n`);
}

// One line per rejected value.
function logRejection(proc: CliProcess, event: RejectEvent, req: IncomingMessage): void {
  warn(proc, 'rejected forwarding header', {
    header: event.header,
    reason: event.reason,
    value: event.value,
    peer: req.socket.remoteAddress,
    method: req.method,
    url: typeof req.url === 'string' ? req.url.slice(0, 256) : undefined,
  });
}

// One line per connection the PROXY protocol receiver closed (R21).
function logProxyProtocolRejection(proc: CliProcess, event: ProxyProtocolRejectEvent): void {
  warn(proc, 'connection closed by the PROXY protocol receiver', {
    reason: event.reason,
    peer: event.peer,
  });
}

function urlOf(address: AddressInfo): string {
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}

function installShutdown(
  proc: CliProcess,
  server: Server,
  state: { closing: boolean },
  shutdownTimeoutMs: number,
  idleSweepMs: number,
): void {
  const shutdown = (signal: NodeJS.Signals): void => {
    if (state.closing) {
      // A second signal: stop waiting.
      proc.stderr.write(`trusted-proxy: ${signal} again, closing all connections now\n`);
      server.closeAllConnections();
      proc.exit(1);
    }
    state.closing = true;
    server.close(() => {
      proc.stdout.write('trusted-proxy: closed\n');
      proc.exit(0);
    });
    server.closeIdleConnections();
    setInterval(() => server.closeIdleConnections(), idleSweepMs).unref();
    setTimeout(() => {
      proc.stderr.write(
        `trusted-proxy: requests still running after ${shutdownTimeoutMs} ms, closing their connections\n`,
      );
      server.closeAllConnections();
      proc.exit(1);
    }, shutdownTimeoutMs).unref();
    proc.stdout.write(`trusted-proxy: ${signal} received, finishing in-flight requests\n`);
  };
  proc.on('SIGTERM', shutdown);
  proc.on('SIGINT', shutdown);
}

/**
 * Runs the command line on `argv` (without the node and script paths): prints the help or the
 * version, or starts the server and installs the SIGTERM/SIGINT shutdown. A usage or
 * configuration error exits with 2, a listen error with 1 (through `proc.exit`).
 */
export async function main(
  argv: readonly string[],
  proc: CliProcess = process,
  settings: CliSettings = {},
): Promise<void> {
  let command: ReturnType<typeof parseCommand>;
  try {
    command = parseCommand(argv, proc.env);
  } catch (err) {
    if (err instanceof UsageError || err instanceof TrustedProxyConfigError) fail(proc, err.message, 2);
    throw err;
  }
  if (command.kind === 'help') {
    proc.stdout.write(USAGE);
    return;
  }
  if (command.kind === 'version') {
    proc.stdout.write(`${version(settings.packageJson ?? PACKAGE_JSON)}\n`);
    return;
  }
  const { config } = command;

  let proxy: ReturnType<typeof trustedProxy>;
  try {
    proxy = trustedProxy({
      ...config.options,
      rewriteLocation: config.rewriteLocation,
      onReject: config.logRejections ? (event, req) => logRejection(proc, event, req) : undefined,
    });
  } catch (err) {
    if (err instanceof TrustedProxyConfigError) fail(proc, err.message, 2);
    throw err;
  }

  let app: AppListener = demoListener;
  if (config.app !== undefined) {
    try {
      app = await loadApp(config.app);
    } catch (err) {
      if (err instanceof UsageError) fail(proc, err.message, 2);
      throw err;
    }
  }

  const state = { closing: false };
  const handler = proxy.wrap(app);
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    // While shutting down, do not keep connections alive for another request.
    if (state.closing) res.setHeader('Connection', 'close');
    handler(req, res);
  });
  if (config.proxyProtocol !== undefined) {
    acceptProxyProtocol(server, {
      from: config.proxyProtocol.from,
      onReject: config.logRejections ? (event) => logProxyProtocolRejection(proc, event) : undefined,
    });
  }
  server.once('error', (err: NodeJS.ErrnoException) => {
    fail(proc, `cannot listen on ${config.host}:${config.port}: ${err.code ?? err.message}`, 1);
  });
  server.listen(config.port, config.host, () => {
    const address = server.address() as AddressInfo;
    proc.stdout.write(`${describeConfig(config, urlOf(address))}\n`);
    installShutdown(
      proc,
      server,
      state,
      settings.shutdownTimeoutMs ?? SHUTDOWN_TIMEOUT_MS,
      settings.idleSweepMs ?? IDLE_SWEEP_MS,
    );
  });
}

/** main(), with anything it throws reported as an error line and exit code 1. */
export function run(
  argv: readonly string[],
  proc: CliProcess = process,
  settings: CliSettings = {},
): Promise<void> {
  return main(argv, proc, settings).catch((err: unknown) => {
    fail(proc, err instanceof Error ? (err.stack ?? err.message) : String(err), 1);
  });
}

/** What the bin needs of `process`: the command line's own arguments as well. */
export interface CliStartProcess extends CliProcess {
  readonly argv: readonly string[];
}

/** The bin (`trusted-proxy …`): run() with the arguments after `node` and the script. */
export function start(proc: CliStartProcess = process, settings: CliSettings = {}): Promise<void> {
  return run(proc.argv.slice(2), proc, settings);
}
