/**
 * The command line's PROXY protocol flags (R21): --proxy-protocol with --proxy-protocol-from
 * (or TRUSTED_PROXY_PROTOCOL_FROM), the start line, and a real header over a real socket.
 */
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { runCli, startCli } from './helpers.js';

const BASE = ['--trust-proxy', '127.0.0.1', '--trust-proxy-header', 'X-Forwarded-For'];

/** Writes `bytes` on a new connection and returns what came back when the server closed it. */
function exchange(port: number, bytes: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(bytes));
    let data = '';
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => {
      data += d;
    });
    socket.on('error', () => {});
    socket.on('close', () => resolve(data));
  });
}

const GET = 'GET /x HTTP/1.1\r\nHost: app.test\r\nAccept: application/json\r\nConnection: close\r\n\r\n';

function json(response: string): { proxyInfo: Record<string, unknown> } {
  return JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4));
}

describe('trusted-proxy CLI › --proxy-protocol', () => {
  it('reads the header from the load balancer and says so in the start line', async () => {
    const cli = await startCli([
      ...BASE,
      '--proxy-protocol',
      '--proxy-protocol-from',
      '127.0.0.0/8',
      '--log-rejections',
    ]);
    try {
      expect(cli.startLine).toContain(
        'proxy protocol: v1/v2 header required from 127.0.0.0/8 [--proxy-protocol-from], other peers refused',
      );
      const response = await exchange(cli.port, `PROXY TCP4 198.51.100.7 192.0.2.1 40000 443\r\n${GET}`);
      expect(response).toMatch(/^HTTP\/1\.1 200 /);
      const info = json(response).proxyInfo;
      expect(info.remoteAddress).toBe('198.51.100.7');
      expect(info.original).toMatchObject({ remoteAddress: '127.0.0.1' });
      expect(info.transport).toEqual({
        version: 1,
        sourceAddress: '198.51.100.7',
        sourcePort: 40000,
        destinationAddress: '192.0.2.1',
        destinationPort: 443,
        proxyAddress: '127.0.0.1',
      });
      // A request without the header is not served, and --log-rejections says why.
      expect(await exchange(cli.port, GET)).toBe('');
      // The log line travels through a pipe: wait for it (bounded) rather than race it.
      const line = '"reason":"not-proxy-protocol","peer":"127.0.0.1"';
      for (let i = 0; i < 100 && !cli.stderr().includes(line); i++)
        await new Promise((r) => setTimeout(r, 20));
      expect(cli.stderr()).toContain(line);
    } finally {
      await cli.stop();
    }
  });

  it('takes the load balancers from TRUSTED_PROXY_PROTOCOL_FROM, which turns it on', async () => {
    const cli = await startCli(BASE, { TRUSTED_PROXY_PROTOCOL_FROM: 'loopback' });
    try {
      expect(cli.startLine).toContain('required from loopback [TRUSTED_PROXY_PROTOCOL_FROM]');
      const response = await exchange(cli.port, `PROXY TCP6 2001:db8::7 2001:db8::1 1 443\r\n${GET}`);
      expect(json(response).proxyInfo.remoteAddress).toBe('2001:db8::7');
    } finally {
      await cli.stop();
    }
  });

  it('refuses a connection from a peer outside --proxy-protocol-from, header or not', async () => {
    const cli = await startCli([...BASE, '--proxy-protocol', '--proxy-protocol-from', '10.0.0.0/8']);
    try {
      expect(await exchange(cli.port, `PROXY TCP4 198.51.100.7 192.0.2.1 1 443\r\n${GET}`)).toBe('');
    } finally {
      await cli.stop();
    }
  });

  it('without the flag, a PROXY line is just a bad request', async () => {
    const cli = await startCli(BASE);
    try {
      expect(cli.startLine).not.toContain('proxy protocol');
      expect(await exchange(cli.port, `PROXY TCP4 198.51.100.7 192.0.2.1 1 443\r\n${GET}`)).toMatch(
        /^HTTP\/1\.1 400 /,
      );
    } finally {
      await cli.stop();
    }
  });

  it.each([
    [['--proxy-protocol'], {}, /--proxy-protocol needs the load balancers/],
    [['--proxy-protocol-from', '10.0.0.1'], {}, /--proxy-protocol-from needs --proxy-protocol/],
    [
      ['--proxy-protocol', '--proxy-protocol-from', '10.0.0.999'],
      {},
      /--proxy-protocol-from: invalid IP address in proxy protocol `from`/,
    ],
    [['--proxy-protocol', '--proxy-protocol-from', '2'], {}, /--proxy-protocol-from: invalid IP address/],
    [
      [],
      { TRUSTED_PROXY_PROTOCOL_FROM: 'lb.internal' },
      /TRUSTED_PROXY_PROTOCOL_FROM: hostnames are not allowed/,
    ],
  ])('exits 2 for %j %j', async (flags, env, message) => {
    const run = await runCli([...BASE, ...flags], env as Record<string, string>);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });

  it('lists the flags in --help', async () => {
    const run = await runCli(['--help']);
    expect(run.stdout).toContain('--proxy-protocol ');
    expect(run.stdout).toContain('--proxy-protocol-from ADDR');
    expect(run.stdout).toContain('TRUSTED_PROXY_PROTOCOL_FROM');
  });
});
