// Child processes the suite starts: each server runs in the foreground as a direct child, with its
// stdout and stderr in a log file, and is stopped by its own process id.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';

export interface Server {
  name: string;
  child: ChildProcess;
  /** Files worth printing when something fails: the child's own output first. */
  logs: string[];
  exit: Promise<number | string>;
  exited: boolean;
}

const running = new Set<Server>();

// Last resort: a crashed or interrupted run must not leave proxies holding the ports.
process.on('exit', () => {
  for (const server of running) if (!server.exited) server.child.kill('SIGKILL');
});

export function startServer(
  name: string,
  command: string,
  args: string[],
  options: { logFile: string; extraLogs?: string[]; env?: NodeJS.ProcessEnv; cwd?: string },
): Server {
  const fd = openSync(options.logFile, 'a');
  const child = spawn(command, args, {
    stdio: ['ignore', fd, fd],
    env: options.env ?? process.env,
    cwd: options.cwd,
  });
  closeSync(fd);
  const server: Server = {
    name,
    child,
    logs: [options.logFile, ...(options.extraLogs ?? [])],
    exited: false,
    exit: new Promise((resolve) => {
      child.once('error', (err) => {
        server.exited = true;
        resolve(`spawn error: ${err.message}`);
      });
      child.once('exit', (code, signal) => {
        server.exited = true;
        running.delete(server);
        resolve(code ?? signal ?? 'unknown');
      });
    }),
  };
  running.add(server);
  return server;
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Waits until every endpoint accepts connections; fails early, with the logs, if the server exits. */
export async function waitForListening(
  server: Server,
  endpoints: ReadonlyArray<{ host: string; port: number }>,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const { host, port } of endpoints) {
    for (;;) {
      if (server.exited) {
        const status = await server.exit;
        throw new Error(`${server.name} exited (${status}) before listening\n${describeLogs(server)}`);
      }
      if (await canConnect(host, port)) break;
      if (Date.now() > deadline) {
        throw new Error(
          `${server.name} not listening on ${host}:${port} after ${timeoutMs} ms\n${describeLogs(server)}`,
        );
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** SIGTERM by pid, then SIGKILL if it has not exited after a grace period. */
export async function stopServer(server: Server, graceMs = 5000): Promise<void> {
  if (server.exited) return;
  server.child.kill('SIGTERM');
  const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), graceMs).unref());
  if ((await Promise.race([server.exit, timer])) === 'timeout') {
    server.child.kill('SIGKILL');
    await server.exit;
  }
}

export function tail(file: string, lines = 40): string {
  if (!existsSync(file)) return '(no such file)';
  const text = readFileSync(file, 'utf8').trimEnd();
  if (text === '') return '(empty)';
  return text.split('\n').slice(-lines).join('\n');
}

export function describeLogs(server: Pick<Server, 'name' | 'logs'>, lines = 40): string {
  return server.logs
    .map((file) => `--- ${server.name}: ${file} (last ${lines} lines)\n${tail(file, lines)}`)
    .join('\n');
}
