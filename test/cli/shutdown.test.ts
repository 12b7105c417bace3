import { Agent, get } from 'node:http';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { fetchLocal, startCli } from './helpers.js';

const TRUST = ['--trust-proxy', 'loopback', '--trust-proxy-header', 'X-Forwarded-For'];
const APP = 'test/fixtures/cli/esm-express-app.mjs';

/** Resolves with the error code of a TCP connection attempt, or 'connected'. */
function tryConnect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.on('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
  });
}

describe('trusted-proxy CLI › graceful shutdown', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`finishes a request in flight on ${signal}, refuses new connections, and exits 0`, async () => {
      const cli = await startCli([...TRUST, APP]);
      const inFlight = fetchLocal(cli.port, '/slow?ms=400');
      await cli.waitForStdout('slow request started\n');
      cli.child.kill(signal);
      await cli.waitForStdout(`${signal} received`);
      expect(await tryConnect(cli.port)).toBe('ECONNREFUSED');
      const answer = await inFlight;
      expect(answer.status).toBe(200);
      expect(answer.body).toBe('slow done\n');
      expect(await cli.exited).toEqual({ code: 0, signal: null });
      expect(cli.stdout()).toContain('trusted-proxy: closed\n');
    });
  }

  it('does not wait for idle keep-alive connections', async () => {
    const cli = await startCli(TRUST);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const status = await new Promise<number | undefined>((resolve, reject) => {
        get({ host: '127.0.0.1', port: cli.port, path: '/', agent }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode));
        }).on('error', reject);
      });
      expect(status).toBe(200);
      // The socket now sits idle in the agent's pool; the server must close it, not time out (exit 1).
      cli.child.kill('SIGTERM');
      expect(await cli.exited).toEqual({ code: 0, signal: null });
    } finally {
      agent.destroy();
    }
  });

  it('closes a keep-alive connection once its in-flight response is done, and exits 0', async () => {
    const cli = await startCli([...TRUST, APP]);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const answer = new Promise<{ status: number | undefined }>((resolve, reject) => {
        get({ host: '127.0.0.1', port: cli.port, path: '/slow?ms=300', agent }, (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode }));
        }).on('error', reject);
      });
      await cli.waitForStdout('slow request started\n');
      cli.child.kill('SIGTERM');
      expect((await answer).status).toBe(200);
      expect(await cli.exited).toEqual({ code: 0, signal: null });
    } finally {
      agent.destroy();
    }
  });
});
