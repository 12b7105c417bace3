/**
 * The command line in process (src/cli/main.ts; the test/cli suites spawn the built dist/,
 * which a mutant never reaches): main() and run() on a stand-in for `process` that records
 * stdout, stderr, exit codes and the SIGTERM/SIGINT handlers, with real servers on loopback
 * port 0 and real client sockets.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { USAGE, UsageError } from '../../../src/cli/args.js';
import { type CliProcess, type CliSettings, main, run, start as startBin } from '../../../src/cli/main.js';
import { TrustedProxyConfigError } from '../../../src/index.js';

const HOOK = Symbol.for('trusted-proxy.test.cli-hook');
const HOOK_APP = 'test/fixtures/cli/hook-listener.mjs';
const TRUST = ['--trust-proxy-header', 'X-Forwarded-For', '--trust-proxy', 'loopback'];

type Hook = (req: IncomingMessage, res: ServerResponse) => void;
function setHook(hook: Hook | undefined): void {
  (globalThis as Record<symbol, unknown>)[HOOK] = hook;
}

class Exited extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

/** A stand-in for `process`: exit records the code (and throws only when asked to). */
class Proc implements CliProcess {
  out = '';
  err = '';
  codes: number[] = [];
  throwOnExit = false;
  readonly handlers = new Map<string, (signal: NodeJS.Signals) => void>();
  private waiters: Array<() => void> = [];
  readonly stdout = {
    write: (text: string): boolean => {
      this.out += text;
      this.wake();
      return true;
    },
  };
  readonly stderr = {
    write: (text: string): boolean => {
      this.err += text;
      this.wake();
      return true;
    },
  };
  constructor(readonly env: Record<string, string | undefined> = {}) {}
  exit(code: number): never {
    this.codes.push(code);
    this.wake();
    if (this.throwOnExit) throw new Exited(code);
    return undefined as never;
  }
  on(event: 'SIGTERM' | 'SIGINT', listener: (signal: NodeJS.Signals) => void): this {
    this.handlers.set(event, listener);
    this.wake();
    return this;
  }
  signal(name: 'SIGTERM' | 'SIGINT'): void {
    const handler = this.handlers.get(name);
    if (handler === undefined) throw new Error(`no ${name} handler`);
    handler(name);
  }
  /** Resolves once `done()` holds (checked after every write, exit and registration). */
  until(done: () => boolean): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve) => {
      const check = () => {
        if (done()) resolve();
        else this.waiters.push(check);
      };
      this.waiters.push(check);
    });
  }
  private wake(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }
}

const started: Proc[] = [];

/** Starts main() on port 0 and resolves with the port once the start line is out. */
async function start(
  argv: string[],
  settings: CliSettings = {},
  env = {},
): Promise<{ proc: Proc; port: number }> {
  const proc = new Proc(env);
  started.push(proc);
  await main(['--port', '0', ...argv], proc, settings);
  await proc.until(() => proc.handlers.size === 2);
  const match = /listening on http:\/\/(?:\[[^\]]+\]|[^:/\s]+):(\d+) /.exec(proc.out);
  if (match === null) throw new Error(`no start line: ${proc.out}${proc.err}`);
  return { proc, port: Number(match[1]) };
}

afterEach(async () => {
  setHook(undefined);
  for (const proc of started.splice(0)) {
    proc.throwOnExit = false;
    if (!proc.out.includes('received, finishing')) proc.signal('SIGTERM');
    await proc.until(() => proc.codes.length > 0);
  }
});

/** A raw HTTP/1.1 connection to 127.0.0.1:port collecting everything the server sends. */
function open(port: number): Promise<{ socket: Socket; data: () => string; ended: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let data = '';
    socket.setEncoding('utf8').on('data', (d: string) => {
      data += d;
    });
    const ended = new Promise<void>((done) => socket.on('close', () => done()));
    socket.on('error', () => {});
    socket.once('connect', () => resolve({ socket, data: () => data, ended }));
    socket.once('error', reject);
  });
}

function get(path: string, headers: Record<string, string> = {}): string {
  const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`);
  return `GET ${path} HTTP/1.1\r\nHost: app.test\r\n${lines.join('')}\r\n`;
}

/** Waits until `data()` satisfies `done` (polling the socket's collected text). */
async function waitFor(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((r) => setTimeout(r, 5));
}

function tmpFile(name: string, text: string): URL {
  const dir = mkdtempSync(join(tmpdir(), 'tp-cli-main-'));
  const file = join(dir, name);
  writeFileSync(file, text);
  return pathToFileURL(file);
}

describe('start: the bin', () => {
  it('reads the arguments after node and the script from the process', async () => {
    // Neither `node` nor the script is an APP: what is missing is the trusted proxies.
    const proc = Object.assign(new Proc(), {
      argv: ['/usr/bin/node', '/app/dist/esm/cli.js', '--trust-proxy-header', 'X-Forwarded-For'],
    });
    await startBin(proc);
    expect(proc.err).toContain('trusted-proxy: error: no trusted proxies');
    expect(proc.err).not.toContain('APP');
    expect(proc.codes[0]).toBe(2);
  });
});

describe('main: help, version, usage errors', () => {
  it('--help prints the usage and nothing else', async () => {
    const proc = new Proc();
    await main(['--help'], proc);
    expect(proc.out).toBe(USAGE);
    expect(proc.err).toBe('');
    expect(proc.codes).toEqual([]);
    expect(proc.handlers.size).toBe(0);
  });

  it('--version prints the version from package.json, or unknown', async () => {
    const cases: Array<[URL, string]> = [
      [tmpFile('package.json', '{"name":"x","version":"7.8.9-rc.1"}'), '7.8.9-rc.1\n'],
      [tmpFile('package.json', '{"version":7}'), 'unknown\n'],
      [tmpFile('package.json', '{"name":"x"}'), 'unknown\n'],
      [tmpFile('package.json', 'not json'), 'unknown\n'],
      [new URL('file:///nonexistent-trusted-proxy-dir/package.json'), 'unknown\n'],
    ];
    for (const [packageJson, printed] of cases) {
      const proc = new Proc();
      await main(['--version'], proc, { packageJson });
      expect(proc.out).toBe(printed);
      expect(proc.err).toBe('');
      expect(proc.codes).toEqual([]);
    }
  });

  it('a usage error: the message, the --help hint, exit 2', async () => {
    const proc = new Proc();
    const err = await main(['--bogus'], proc).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect(proc.err).toBe(
      `trusted-proxy: error: ${(err as Error).message}\nRun 'trusted-proxy --help' for usage.\n`,
    );
    expect(proc.codes).toEqual([2]);
    expect(proc.out).toBe('');
  });

  it('a configuration error: the message naming the flag, the hint, exit 2', async () => {
    const proc = new Proc();
    const err = await main(['--trust-proxy-header', 'X-Forwarded-For', '--trust-proxy', '0'], proc).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TrustedProxyConfigError);
    expect(proc.err).toBe(
      'trusted-proxy: error: --trust-proxy: a hop count in trustedProxies must be an integer >= 1: "0"\n' +
        "Run 'trusted-proxy --help' for usage.\n",
    );
    expect(proc.codes).toEqual([2]);
  });

  it('reads the environment it is given, not process.env', async () => {
    const proc = new Proc({ TRUSTED_PROXY_HEADERS: 'X-Forwarded-For' });
    await main([], proc).catch(() => undefined);
    expect(proc.err).toContain('trusted-proxy: error: no trusted proxies');
    expect(proc.codes).toEqual([2]);
  });

  it('an app that cannot be loaded: exit 2 with the reason', async () => {
    for (const app of ['test/fixtures/cli/no-such-app.mjs', 'test/fixtures/cli/throws-on-load.mjs']) {
      const proc = new Proc();
      const err = await main([...TRUST, '--port', '0', app], proc).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UsageError);
      expect(proc.err).toBe(
        `trusted-proxy: error: ${(err as Error).message}\nRun 'trusted-proxy --help' for usage.\n`,
      );
      expect((err as Error).message).toContain(`cannot load app ${JSON.stringify(app)}`);
      expect(proc.codes).toEqual([2]);
      expect(proc.handlers.size).toBe(0);
    }
  });

  it('a port in use: exit 1 with the address and the code, no usage hint', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      const proc = new Proc();
      await main([...TRUST, '--port', String(port)], proc);
      await proc.until(() => proc.codes.length > 0);
      expect(proc.err).toBe(`trusted-proxy: error: cannot listen on 127.0.0.1:${port}: EADDRINUSE\n`);
      expect(proc.codes).toEqual([1]);
      expect(proc.out).toBe('');
      expect(proc.handlers.size).toBe(0);
    } finally {
      taken.close();
    }
  });
});

describe('run: what main throws is an error line and exit 1', () => {
  function throwing(thrown: unknown): Proc {
    const proc = new Proc();
    (proc.stdout as { write: (text: string) => boolean }).write = () => {
      throw thrown;
    };
    return proc;
  }

  it('an Error: its stack', async () => {
    const error = new Error('stdout is gone');
    const proc = throwing(error);
    await run(['--help'], proc);
    expect(proc.err).toBe(`trusted-proxy: error: ${error.stack}\n`);
    expect(proc.codes).toEqual([1]);
  });

  it('an Error without a stack: its message', async () => {
    const error = new Error('stdout is gone');
    (error as { stack?: string | undefined }).stack = undefined;
    const proc = throwing(error);
    await run(['--help'], proc);
    expect(proc.err).toBe('trusted-proxy: error: stdout is gone\n');
    expect(proc.codes).toEqual([1]);
  });

  it('anything else: as a string', async () => {
    const proc = throwing('EPIPE');
    await run(['--version'], proc, { packageJson: new URL('file:///nonexistent/package.json') });
    expect(proc.err).toBe('trusted-proxy: error: EPIPE\n');
    expect(proc.codes).toEqual([1]);
  });

  it('nothing thrown: nothing written, no exit', async () => {
    const proc = new Proc();
    await run(['--help'], proc);
    expect(proc.out).toBe(USAGE);
    expect(proc.err).toBe('');
    expect(proc.codes).toEqual([]);
  });
});

describe('main: serving', () => {
  it('prints the start line with the real port, serves the demo, keeps connections alive', async () => {
    const { proc, port } = await start(TRUST);
    expect(proc.out).toMatch(
      new RegExp(`^trusted-proxy listening on http://127\\.0\\.0\\.1:${port} \\([^\\n]*\\)\\n$`),
    );
    const client = await open(port);
    client.socket.write(get('/a?b=1', { 'X-Forwarded-For': '203.0.113.7' }));
    await waitFor(() => client.data().includes('\r\n\r\n') && client.data().includes('203.0.113.7'));
    expect(client.data()).toMatch(/^HTTP\/1\.1 200 /);
    expect(client.data().toLowerCase()).not.toContain('connection: close');
    expect(client.data()).toContain('http://app.test/a?b=1');
    expect(proc.err).toBe('');
    client.socket.destroy();
  });

  it('an IPv6 address is bracketed in the start line', async () => {
    const { proc, port } = await start([...TRUST, '--host', '::1']);
    expect(proc.out).toContain(`listening on http://[::1]:${port} (`);
  });

  it('reads its configuration from the environment it is given', async () => {
    const { proc } = await start(
      [],
      {},
      { TRUSTED_PROXY_HEADERS: 'X-Forwarded-For', TRUSTED_PROXIES: 'loopback' },
    );
    expect(proc.out).toContain('TRUSTED_PROXIES');
  });

  it('--log-rejections: one JSON line per rejected value, the URL cut at 256 characters', async () => {
    const { proc, port } = await start([...TRUST, '--log-rejections']);
    const path = `/${'p'.repeat(300)}`;
    const client = await open(port);
    client.socket.write(get(path, { 'X-Forwarded-For': 'not-an-address' }));
    await proc.until(() => proc.err.includes('\n'));
    const lines = proc.err.split('\n');
    expect(lines).toHaveLength(2);
    const line = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(Object.keys(line)).toEqual([
      'time',
      'level',
      'msg',
      'header',
      'reason',
      'value',
      'peer',
      'method',
      'url',
    ]);
    expect(line.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(line).toMatchObject({
      level: 'warn',
      msg: 'rejected forwarding header',
      header: 'x-forwarded-for',
      value: 'not-an-address',
      peer: '127.0.0.1',
      method: 'GET',
      url: path.slice(0, 256),
    });
    expect(typeof line.reason).toBe('string');
    client.socket.destroy();
  });

  it('without --log-rejections nothing is logged', async () => {
    const { proc, port } = await start(TRUST);
    const client = await open(port);
    client.socket.write(get('/', { 'X-Forwarded-For': 'not-an-address' }));
    await waitFor(() => client.data().includes('\r\n\r\n'));
    expect(proc.err).toBe('');
    client.socket.destroy();
  });

  it('--proxy-protocol: a peer outside --proxy-protocol-from is closed, and logged with --log-rejections', async () => {
    for (const log of [true, false]) {
      const flags = [...TRUST, '--proxy-protocol', '--proxy-protocol-from', '10.9.8.7'];
      const { proc, port } = await start(log ? [...flags, '--log-rejections'] : flags);
      expect(proc.out).toContain('--proxy-protocol-from');
      const client = await open(port);
      client.socket.write(get('/'));
      await client.ended;
      expect(client.data()).toBe('');
      if (log) {
        await proc.until(() => proc.err.includes('\n'));
        const line = JSON.parse(proc.err) as Record<string, unknown>;
        expect(Object.keys(line)).toEqual(['time', 'level', 'msg', 'reason', 'peer']);
        expect(line.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
        expect(line).toMatchObject({
          level: 'warn',
          msg: 'connection closed by the PROXY protocol receiver',
          peer: '127.0.0.1',
        });
        expect(typeof line.reason).toBe('string');
      } else {
        expect(proc.err).toBe('');
      }
    }
  });
});

describe('main: shutdown', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal}: stops listening, says so, closes and exits 0`, async () => {
      const { proc, port } = await start(TRUST);
      const startLine = proc.out;
      proc.signal(signal);
      expect(proc.out).toBe(`${startLine}trusted-proxy: ${signal} received, finishing in-flight requests\n`);
      await proc.until(() => proc.codes.length > 0);
      expect(proc.out).toBe(
        `${startLine}trusted-proxy: ${signal} received, finishing in-flight requests\ntrusted-proxy: closed\n`,
      );
      expect(proc.codes).toEqual([0]);
      expect(proc.err).toBe('');
      const refused = await open(port).then(
        (c) => {
          c.socket.destroy();
          return 'connected';
        },
        (e: NodeJS.ErrnoException) => e.code,
      );
      expect(refused).toBe('ECONNREFUSED');
    });
  }

  it('closes an idle keep-alive connection at once', async () => {
    const { proc, port } = await start(TRUST, { shutdownTimeoutMs: 60_000, idleSweepMs: 60_000 });
    const client = await open(port);
    client.socket.write(get('/'));
    await waitFor(() => client.data().includes('\r\n\r\n'));
    proc.signal('SIGTERM');
    await client.ended;
    await proc.until(() => proc.codes.length > 0);
    expect(proc.codes).toEqual([0]);
  });

  it('answers a request that arrives on a busy connection with Connection: close, then closes', async () => {
    const held: ServerResponse[] = [];
    const seen: string[] = [];
    setHook((req, res) => {
      seen.push(req.url!);
      if (req.url === '/hold') held.push(res);
      else res.end(`done ${req.url}\n`);
    });
    const { proc, port } = await start([...TRUST, HOOK_APP], { shutdownTimeoutMs: 60_000 });
    const client = await open(port);
    client.socket.write(get('/hold'));
    await waitFor(() => held.length === 1);
    proc.signal('SIGTERM');
    client.socket.write(get('/second'));
    // The second request reaches the app while the first is still being answered.
    await waitFor(() => seen.length === 2);
    held[0]!.end('first\n');
    await client.ended;
    const [first, second] = client.data().split(/(?=HTTP\/1\.1 )/);
    expect(first).toContain('first\n');
    expect(first!.toLowerCase()).not.toContain('connection: close');
    expect(second).toContain('done /second\n');
    expect(second!.toLowerCase()).toContain('connection: close');
    await proc.until(() => proc.codes.length > 0);
    expect(proc.codes).toEqual([0]);
    expect(proc.out).toContain('trusted-proxy: closed\n');
  });

  // Node itself would close the connection only after its 5 s keep-alive timeout, later than
  // the 2 s shutdown timeout here: the sweep closes it first, and the exit is 0.
  it('closes a keep-alive connection when its in-flight response ends', async () => {
    const held: ServerResponse[] = [];
    setHook((_req, res) => held.push(res));
    const { proc, port } = await start([...TRUST, HOOK_APP], { shutdownTimeoutMs: 2_000, idleSweepMs: 5 });
    const client = await open(port);
    client.socket.write(get('/'));
    await waitFor(() => held.length === 1);
    proc.signal('SIGTERM');
    held[0]!.end('late\n');
    await client.ended;
    expect(client.data()).toContain('late\n');
    await proc.until(() => proc.codes.length > 0);
    expect(proc.codes).toEqual([0]);
    expect(proc.err).toBe('');
  });

  it('cuts requests still running after the timeout: the message, exit 1', async () => {
    let seen = 0;
    setHook(() => {
      seen += 1;
    });
    const { proc, port } = await start([...TRUST, HOOK_APP], { shutdownTimeoutMs: 30, idleSweepMs: 60_000 });
    const client = await open(port);
    client.socket.write(get('/'));
    await waitFor(() => seen === 1);
    proc.signal('SIGTERM');
    await client.ended;
    await proc.until(() => proc.codes.length > 0);
    expect(proc.err).toBe('trusted-proxy: requests still running after 30 ms, closing their connections\n');
    expect(proc.codes[0]).toBe(1);
    expect(client.data()).toBe('');
  });

  it('a second signal closes every connection now: exit 1', async () => {
    const held: ServerResponse[] = [];
    setHook((_req, res) => held.push(res));
    const { proc, port } = await start([...TRUST, HOOK_APP], { shutdownTimeoutMs: 60_000 });
    const client = await open(port);
    client.socket.write(get('/'));
    await waitFor(() => held.length === 1);
    proc.signal('SIGTERM');
    proc.throwOnExit = true;
    expect(() => proc.signal('SIGINT')).toThrow(Exited);
    proc.throwOnExit = false;
    expect(proc.err).toBe('trusted-proxy: SIGINT again, closing all connections now\n');
    expect(proc.codes).toEqual([1]);
    await client.ended;
    expect(client.data()).toBe('');
    await proc.until(() => proc.codes.length > 1);
  });
});
