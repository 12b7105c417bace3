#!/usr/bin/env node
// The trusted-proxy command line (SPEC R16): the Node counterpart of `mod_wsgi-express
// start-server` in a container's CMD. ESM only: it is the package's `bin`.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describeConfig, parseCommand, USAGE, UsageError } from './cli/args.js';
import { demoListener } from './cli/demo.js';
import { type AppListener, loadApp } from './cli/load-app.js';
import { TrustedProxyConfigError } from './core/errors.js';
import type { RejectEvent } from './core/types.js';
import { trustedProxy } from './index.js';
import { acceptProxyProtocol, type ProxyProtocolRejectEvent } from './proxy-protocol/index.js';

/** How long in-flight requests may take after SIGTERM/SIGINT before connections are cut. */
const SHUTDOWN_TIMEOUT_MS = 10_000;
// Keep-alive sockets become idle when their in-flight response ends: close them as they do.
const IDLE_SWEEP_MS = 100;

function fail(message: string, code: number): never {
  process.stderr.write(`trusted-proxy: error: ${message}\n`);
  if (code === 2) process.stderr.write("Run 'trusted-proxy --help' for usage.\n");
  process.exit(code);
}

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version?: unknown;
    };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

// One JSON line per rejected value; JSON.stringify escapes whatever the client sent.
function logRejection(event: RejectEvent, req: IncomingMessage): void {
  const url = typeof req.url === 'string' ? req.url.slice(0, 256) : undefined;
  const line = JSON.stringify({
    time: new Date().toISOString(),
    level: 'warn',
    msg: 'rejected forwarding header',
    header: event.header,
    reason: event.reason,
    value: event.value,
    peer: req.socket.remoteAddress,
    method: req.method,
    url,
  });
  process.stderr.write(`${line}\n`);
}

// One JSON line per connection the PROXY protocol receiver closed (R21).
function logProxyProtocolRejection(event: ProxyProtocolRejectEvent): void {
  const line = JSON.stringify({
    time: new Date().toISOString(),
    level: 'warn',
    msg: 'connection closed by the PROXY protocol receiver',
    reason: event.reason,
    peer: event.peer,
  });
  process.stderr.write(`${line}\n`);
}

function urlOf(address: AddressInfo): string {
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}

function installShutdown(server: Server, state: { closing: boolean }): void {
  const shutdown = (signal: NodeJS.Signals): void => {
    if (state.closing) {
      // A second signal: stop waiting.
      process.stderr.write(`trusted-proxy: ${signal} again, closing all connections now\n`);
      server.closeAllConnections();
      process.exit(1);
    }
    state.closing = true;
    server.close(() => {
      process.stdout.write('trusted-proxy: closed\n');
      process.exit(0);
    });
    server.closeIdleConnections();
    setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS).unref();
    setTimeout(() => {
      process.stderr.write(
        `trusted-proxy: requests still running after ${SHUTDOWN_TIMEOUT_MS} ms, closing their connections\n`,
      );
      server.closeAllConnections();
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS).unref();
    process.stdout.write(`trusted-proxy: ${signal} received, finishing in-flight requests\n`);
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

async function main(argv: readonly string[]): Promise<void> {
  let command: ReturnType<typeof parseCommand>;
  try {
    command = parseCommand(argv, process.env);
  } catch (err) {
    if (err instanceof UsageError || err instanceof TrustedProxyConfigError) fail(err.message, 2);
    throw err;
  }
  if (command.kind === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  if (command.kind === 'version') {
    process.stdout.write(`${version()}\n`);
    return;
  }
  const { config } = command;

  let proxy: ReturnType<typeof trustedProxy>;
  try {
    proxy = trustedProxy({
      ...config.options,
      rewriteLocation: config.rewriteLocation,
      onReject: config.logRejections ? logRejection : undefined,
    });
  } catch (err) {
    if (err instanceof TrustedProxyConfigError) fail(err.message, 2);
    throw err;
  }

  let app: AppListener = demoListener;
  if (config.app !== undefined) {
    try {
      app = await loadApp(config.app);
    } catch (err) {
      if (err instanceof UsageError) fail(err.message, 2);
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
      onReject: config.logRejections ? logProxyProtocolRejection : undefined,
    });
  }
  server.once('error', (err: NodeJS.ErrnoException) => {
    fail(`cannot listen on ${config.host}:${config.port}: ${err.code ?? err.message}`, 1);
  });
  server.listen(config.port, config.host, () => {
    const address = server.address() as AddressInfo;
    process.stdout.write(`${describeConfig(config, urlOf(address))}\n`);
    installShutdown(server, state);
  });
}

main(process.argv.slice(2)).catch((err: unknown) => {
  fail(err instanceof Error ? (err.stack ?? err.message) : String(err), 1);
});
