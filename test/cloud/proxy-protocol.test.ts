// R22 with R21: behind a TCP load balancer that speaks the PROXY protocol, the header's source is
// the peer, so a real socket can carry a Cloudflare address end to end. And `from` accepts the
// named sets too.
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { proxyInfo, trustedProxy } from '../../src/index.js';
import { acceptProxyProtocol } from '../../src/proxy-protocol/index.js';

const SECRET = 'pp-origin-secret-4e3d2c1b0a9f8e7d';

/** Sends a PROXY v1 line and one HTTP request on a raw loopback connection; resolves with the body. */
function send(port: number, source: string, headers: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      const family = source.includes(':') ? 'TCP6' : 'TCP4';
      const destination = family === 'TCP6' ? '::1' : '127.0.0.1';
      socket.write(`PROXY ${family} ${source} ${destination} 50123 80\r\n`);
      socket.write(
        ['GET / HTTP/1.1', 'Host: app.example', 'Connection: close', ...headers, '', ''].join('\r\n'),
      );
    });
    let data = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      data += chunk;
    });
    socket.on('end', () => resolve(data.slice(data.indexOf('\r\n\r\n') + 4)));
    socket.on('error', reject);
  });
}

describe("PROXY protocol source + trustedProxies: 'cloudflare' + requireProof", () => {
  let server: http.Server;
  let port = 0;
  beforeAll(async () => {
    const proxy = trustedProxy({
      trustedHeaders: ['CF-Connecting-IP'],
      trustedProxies: 'cloudflare',
      requireProof: { header: 'X-Origin-Auth', secrets: [SECRET] },
    });
    server = http.createServer(
      proxy.wrap((req, res) => {
        res.end(JSON.stringify({ info: proxyInfo(req), headers: req.headers }));
      }),
    );
    acceptProxyProtocol(server, { from: 'loopback' });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('a Cloudflare source with the proof: the visitor from CF-Connecting-IP', async () => {
    const body = JSON.parse(
      await send(port, '104.16.0.1', ['CF-Connecting-IP: 198.51.100.7', `X-Origin-Auth: ${SECRET}`]),
    );
    expect(body.info.peerAddress).toBe('104.16.0.1');
    expect(body.info.remoteAddress).toBe('198.51.100.7');
    expect(body.headers).not.toHaveProperty('x-origin-auth');
  });

  it('a stale-range source (104.28.0.1) is not trusted', async () => {
    const body = JSON.parse(
      await send(port, '104.28.0.1', ['CF-Connecting-IP: 198.51.100.7', `X-Origin-Auth: ${SECRET}`]),
    );
    expect(body.info.trusted).toBe(false);
    expect(body.info.remoteAddress).toBe('104.28.0.1');
    expect(body.headers).not.toHaveProperty('cf-connecting-ip');
  });

  it('a Cloudflare source without the proof: proof-failed', async () => {
    const body = JSON.parse(await send(port, '2606:4700::6810:1', ['CF-Connecting-IP: 198.51.100.7']));
    expect(body.info.trusted).toBe(false);
    expect(body.info.rejected[0]).toEqual({ header: 'x-origin-auth', value: '', reason: 'proof-failed' });
  });
});

describe('acceptProxyProtocol() › from accepts the named cloud sets', () => {
  it('compiles them, and an unknown name is a config error', () => {
    const receiver = acceptProxyProtocol(net.createServer(), { from: ['gcp-lb', '10.0.0.0/8'] });
    expect(receiver.from).toContain('gcp-lb');
    expect(() => acceptProxyProtocol(net.createServer(), { from: 'cloudflair' })).toThrow(/cloudflair/);
  });
});
