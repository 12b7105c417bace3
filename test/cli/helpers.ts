// Spawns the built command line (dist/esm/cli.js; `npm test` builds it first) and talks to it
// over loopback. Never mocks: real processes, real sockets.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI = join(ROOT, 'dist', 'esm', 'cli.js');
export const FIXTURES = join(ROOT, 'test', 'fixtures', 'cli');

/** The flags `npm start` passes, read from package.json's "start" script. */
export const NPM_START_FLAGS: string[] = (() => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } };
  const words = pkg.scripts.start.split(/\s+/);
  if (words[0] !== 'node' || words[1] !== 'dist/esm/cli.js')
    throw new Error(`unexpected start script: ${pkg.scripts.start}`);
  return words.slice(2);
})();

/** The parent's environment without any TRUSTED_PROXY* variable, plus `extra`. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('TRUSTED_PROX')) env[key] = value;
  }
  return { ...env, ...extra };
}

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI to completion (for --help, --version and errors). */
export function runCli(args: string[], env: Record<string, string> = {}, cwd = ROOT): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env: cleanEnv(env), stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

export interface Running {
  child: ChildProcess;
  port: number;
  /** The start line. */
  startLine: string;
  /** Everything printed so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves when stdout contains `text`. */
  waitForStdout(text: string): Promise<void>;
  /** Resolves with the exit status. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM and wait for exit (safe to call twice). */
  stop(): Promise<void>;
}

const LISTENING = /^trusted-proxy listening on http:\/\/(?:\[[^\]]+\]|[^:/\s]+):(\d+) /m;

/** Starts the CLI on a free port and resolves once it printed its start line. */
export function startCli(args: string[], env: Record<string, string> = {}, cwd = ROOT): Promise<Running> {
  const child = spawn(process.execPath, [CLI, '--port', '0', ...args], {
    cwd,
    env: cleanEnv(env),
    stdio: 'pipe',
  });
  let stdout = '';
  let stderr = '';
  const waiters: { text: string; resolve: () => void }[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
    for (const w of waiters.splice(0)) {
      if (stdout.includes(w.text)) w.resolve();
      else waiters.push(w);
    }
  });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  const waitForStdout = (text: string): Promise<void> =>
    stdout.includes(text) ? Promise.resolve() : new Promise((resolve) => waiters.push({ text, resolve }));

  return new Promise((resolve, reject) => {
    exited.then(({ code }) => reject(new Error(`CLI exited with ${code} before listening:\n${stderr}`)));
    waitForStdout('\n').then(() => {
      const match = LISTENING.exec(stdout);
      if (!match) {
        reject(new Error(`unexpected start line: ${stdout}`));
        return;
      }
      const startLine = stdout.split('\n')[0]!;
      resolve({
        child,
        port: Number(match[1]),
        startLine,
        stdout: () => stdout,
        stderr: () => stderr,
        waitForStdout,
        exited,
        stop: async () => {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          await exited;
        },
      });
    });
  });
}

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One request to 127.0.0.1:port on a fresh connection. */
export function fetchLocal(
  port: number,
  path = '/',
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        body += d;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}
