/**
 * Real Bun and Deno, from their npm packages (no download): spawns `runtime-server.mjs` in the
 * runtime and asks it for servers. The package under test is the built one in dist/.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EdgeServer, Listen } from './runner.js';
import { TLS_CERT, TLS_KEY } from './runner.js';
import type { ScenarioOptions } from './scenarios.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SCRIPT = fileURLToPath(new URL('./runtime-server.mjs', import.meta.url));

export const BUN = join(ROOT, 'node_modules/@oven/bun-linux-x64/bin/bun');
export const DENO = join(ROOT, 'node_modules/@deno/linux-x64-glibc/deno');

export type RuntimeName = 'bun' | 'deno';
export type ServerKind = 'fetch' | 'hono' | 'hono-wrap';

export interface Runtime {
  start(kind: ServerKind, options: ScenarioOptions, listen: Listen): Promise<EdgeServer>;
  stop(): Promise<void>;
}

/** Starts the runtime with a private cache directory and no network beyond loopback. */
export function spawnRuntime(name: RuntimeName): Runtime {
  const cache = mkdtempSync(join(tmpdir(), `trusted-proxy-${name}-`));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: cache,
    NO_COLOR: '1',
    DENO_DIR: cache,
    DENO_NO_UPDATE_CHECK: '1',
    DENO_NO_PROMPT: '1',
    BUN_INSTALL_CACHE_DIR: cache,
    BUN_RUNTIME_TRANSPILER_CACHE_PATH: '0',
  };
  const args =
    name === 'deno'
      ? ['run', '--no-config', '--no-lock', '--no-npm', '--allow-net', '--allow-read', SCRIPT]
      : ['--no-install', 'run', SCRIPT];
  const child: ChildProcess = spawn(name === 'deno' ? DENO : BUN, args, { cwd: ROOT, env, stdio: 'pipe' });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const waiting = new Map<number, (answer: { port?: number; error?: string }) => void>();
  let ready: () => void;
  let failed: (err: Error) => void;
  const started = new Promise<void>((done, fail) => {
    ready = done;
    failed = fail;
  });
  let buffered = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    for (let newline = buffered.indexOf('\n'); newline >= 0; newline = buffered.indexOf('\n')) {
      const answer = JSON.parse(buffered.slice(0, newline)) as { id?: number; ready?: string; port?: number };
      buffered = buffered.slice(newline + 1);
      if (answer.ready !== undefined) ready();
      else waiting.get(answer.id!)?.(answer);
    }
  });
  const exited = new Promise<void>((done) => {
    child.once('exit', (code) => {
      failed(new Error(`${name} exited (${code}) before it was ready:\n${stderr}`));
      for (const answer of waiting.values()) answer({ error: `${name} exited: ${stderr}` });
      done();
    });
  });
  let next = 0;
  return {
    async start(kind, options, listen) {
      await started;
      const id = next++;
      const answer = await new Promise<{ port?: number; error?: string }>((done) => {
        waiting.set(id, done);
        const command = { id, kind, options, listen, key: TLS_KEY.toString(), cert: TLS_CERT.toString() };
        child.stdin!.write(`${JSON.stringify(command)}\n`);
      });
      if (answer.error !== undefined) throw new Error(`${name}: ${answer.error}`);
      // Servers live as long as the runtime; stop() ends them all.
      return { port: answer.port!, close: async () => {} };
    },
    async stop() {
      child.stdin!.end();
      child.kill('SIGTERM');
      await exited;
      rmSync(cache, { recursive: true, force: true });
    },
  };
}
