/**
 * acceptProxyProtocol() over real sockets: http, https, HTTP/2 over TLS and h2c. The header
 * is written whole, glued to the first TLS/HTTP bytes in one write, or one byte at a time,
 * and the request after it must reach the server intact.
 */
import { rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { proxyInfo, TrustedProxyConfigError, trustedProxy } from '../../src/index.js';
import {
  acceptProxyProtocol,
  type ProxyProtocolRejectEvent,
  transportOf,
} from '../../src/proxy-protocol/index.js';
import { tlv, v1, v2 } from './headers.js';
import { CERT, KEY, type Kind, type Running, request, startServer } from './servers.js';

const running: Running[] = [];
const proxy = trustedProxy({ trustedHeaders: ['X-Forwarded-For'], trustedProxies: 'loopback' });
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.close()));
});

async function start(kind: Kind, options: Parameters<typeof startServer>[1]): Promise<Running> {
  const r = await startServer(kind, options);
  running.push(r);
  return r;
}

/** Connects, writes `bytes`, and resolves with what came back once the server closes. */
function exchange(
  port: number,
  bytes: Buffer | string,
  endAfterWrite = false,
): Promise<{ data: string; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let data = '';
    socket.setEncoding('latin1');
    socket.on('connect', () => {
      if (bytes.length > 0) socket.write(bytes);
      if (endAfterWrite) socket.end();
    });
    socket.on('data', (d: string) => {
      data += d;
    });
    socket.on('error', () => {});
    socket.on('close', () => resolve({ data, closed: true }));
  });
}

const KINDS: Kind[] = ['http', 'https', 'h2', 'h2c'];
const MODES = ['whole', 'together', 'split'] as const;

describe('acceptProxyProtocol() › the header source is the peer', () => {
  for (const kind of KINDS) {
    for (const mode of MODES) {
      for (const version of [1, 2] as const) {
        // The plain-HTTP "together" mode is the whole mode: header and request in one write.
        if (kind === 'http' && mode === 'together') continue;
        it(`${kind}, v${version}, header ${mode === 'split' ? 'one byte at a time' : mode === 'together' ? 'in one write with the first TLS/HTTP/2 bytes' : 'whole'}`, async () => {
          const server = await start(kind, { from: 'loopback' });
          const header =
            version === 1
              ? v1('198.51.100.7', '192.0.2.10', 40000, 443)
              : v2('2001:db8::7', '2001:db8::10', 40000, 443, {
                  tlvs: [tlv(0x02, 'app.example')],
                  crc: true,
                });
          const [reply] = await request(kind, server.port, header, {
            split: mode === 'split',
            together: mode === 'together',
            path: '/a?b=c',
          });
          expect(reply!.status).toBe(200);
          const { info, socketRemoteAddress, url } = reply!.body;
          expect(url).toBe('/a?b=c');
          expect(socketRemoteAddress).toBe('127.0.0.1'); /* req.socket.remoteAddress is left alone */
          expect(info.original.remoteAddress).toBe('127.0.0.1');
          const source = version === 1 ? '198.51.100.7' : '2001:db8::7';
          expect(info.peerAddress).toBe(source);
          expect(info.remoteAddress).toBe(source);
          expect(info.trusted).toBe(false);
          expect(info.transport).toEqual({
            version,
            sourceAddress: source,
            sourcePort: 40000,
            destinationAddress: version === 1 ? '192.0.2.10' : '2001:db8::10',
            destinationPort: 443,
            proxyAddress: '127.0.0.1',
            ...(version === 2 ? { authority: 'app.example' } : {}),
          });
          expect(info.protocol).toBe(kind === 'https' || kind === 'h2' ? 'https' : 'http');
        });
      }
    }
  }

  for (const kind of ['http', 'https', 'h2'] as Kind[]) {
    it(`${kind}: every keep-alive request on the connection gets it`, async () => {
      const server = await start(kind, { from: 'loopback' });
      const replies = await request(kind, server.port, v1('198.51.100.7', '192.0.2.10', 1, 443), {
        requests: 3,
      });
      expect(replies.map((r) => r.body.info.remoteAddress)).toEqual([
        '198.51.100.7',
        '198.51.100.7',
        '198.51.100.7',
      ]);
    });
  }

  it('a plain tls.Server: transportOf(tlsSocket) finds the header through the socket it wraps', async () => {
    const server = tls.createServer({ key: KEY, cert: CERT }, (secure) => {
      secure.end(`${transportOf(secure)?.sourceAddress} ${secure.remoteAddress}`);
    });
    acceptProxyProtocol(server, { from: 'loopback' });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    running.push({ server, port: 0, close: () => new Promise((resolve) => server.close(() => resolve())) });
    const raw = net.connect((server.address() as AddressInfo).port, '127.0.0.1');
    raw.write(v1('198.51.100.7', '192.0.2.10', 40000, 443));
    const secure = tls.connect({ socket: raw, rejectUnauthorized: false });
    const text = await new Promise<string>((resolve) => {
      let data = '';
      secure.setEncoding('utf8');
      secure.on('data', (d: string) => {
        data += d;
      });
      secure.on('end', () => resolve(data));
    });
    secure.destroy();
    expect(text).toBe('198.51.100.7 127.0.0.1');
  });

  it('is hop 0 of the walk: a trusted source lets X-Forwarded-For speak, an untrusted one does not', async () => {
    const server = await start('http', { from: 'loopback' });
    const ask = async (source: string) => {
      const header = v1(source, '192.0.2.10', 1, 80);
      const { data } = await exchange(
        server.port,
        Buffer.concat([
          header,
          Buffer.from(
            'GET / HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 192.0.2.99\r\nConnection: close\r\n\r\n',
          ),
        ]),
      );
      return JSON.parse(data.slice(data.indexOf('\r\n\r\n') + 4)).info;
    };
    // 203.0.113.0/24 is in trustedProxies (servers.ts): the walk continues past it.
    const trusted = await ask('203.0.113.5');
    expect(trusted.remoteAddress).toBe('192.0.2.99');
    expect(trusted.addresses).toEqual(['192.0.2.99', '203.0.113.5']);
    // A client address is not a proxy: its X-Forwarded-For is stripped, never believed.
    const client = await ask('198.51.100.7');
    expect(client.remoteAddress).toBe('198.51.100.7');
    expect(client.rejected).toEqual([
      { header: 'x-forwarded-for', value: '192.0.2.99', reason: 'untrusted-peer' },
    ]);
  });

  it('LOCAL (a health check) and UNKNOWN keep the socket addresses', async () => {
    const server = await start('http', { from: 'loopback' });
    for (const header of [v2(undefined, undefined, 0, 0, { command: 0 }), Buffer.from('PROXY UNKNOWN\r\n')]) {
      const [reply] = await request('http', server.port, header);
      expect(reply!.body.info.remoteAddress).toBe('127.0.0.1');
      expect(reply!.body.info.transport).toMatchObject({
        sourceAddress: '127.0.0.1',
        destinationAddress: '127.0.0.1',
        destinationPort: server.port,
        proxyAddress: '127.0.0.1',
      });
    }
  });
});

describe('acceptProxyProtocol() › what is refused', () => {
  function recorder() {
    const events: ProxyProtocolRejectEvent[] = [];
    return { events, onReject: (e: ProxyProtocolRejectEvent) => events.push(e) };
  }

  it('closes a connection with an invalid header at once; the app sees nothing', async () => {
    const { events, onReject } = recorder();
    const server = await start('http', { from: 'loopback', onReject });
    let requests = 0;
    server.server.on('request', () => requests++);
    for (const bad of [
      'PROXY TCP4 01.2.3.4 5.6.7.8 1 2\r\nGET / HTTP/1.1\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: a\r\n\r\n',
      v2('1.2.3.4', '5.6.7.8', 1, 2, { crc: 'wrong' }),
      `PROXY UNKNOWN ${'x'.repeat(92)}\r\n`,
    ]) {
      const { data } = await exchange(server.port, bad);
      expect(data).toBe('');
    }
    expect(requests).toBe(0);
    expect(events.map((e) => e.reason)).toEqual([
      'v1-address',
      'not-proxy-protocol',
      'v2-crc32c',
      'v1-too-long',
    ]);
  });

  it('reads one header only: a second one is the application protocol’s problem (400)', async () => {
    const server = await start('http', { from: 'loopback' });
    const { data } = await exchange(
      server.port,
      Buffer.concat([
        v2('198.51.100.7', '192.0.2.10', 1, 80),
        v1('6.6.6.6', '192.0.2.10', 1, 80),
        Buffer.from('GET / HTTP/1.1\r\nHost: a\r\n\r\n'),
      ]),
    );
    expect(data).toMatch(/^HTTP\/1\.1 400 /);
  });

  it('destroys a connection whose header is not complete by headerTimeout', async () => {
    const { events, onReject } = recorder();
    const server = await start('http', { from: 'loopback', headerTimeout: 200, onReject });
    const half = await exchange(server.port, 'PROXY TCP4 198.51.1');
    const nothing = await exchange(server.port, '');
    expect(half).toEqual({ data: '', closed: true });
    expect(nothing).toEqual({ data: '', closed: true });
    expect(events).toEqual([
      { reason: 'timeout', peer: '127.0.0.1' },
      { reason: 'timeout', peer: '127.0.0.1' },
    ]);
  });

  it('closes at once when the peer ends its side before the header is complete', async () => {
    // A 60 s deadline: only the end of the stream can close these in time for the test.
    const server = await start('http', { from: 'loopback', headerTimeout: 60_000 });
    expect(await exchange(server.port, 'PROXY TCP4 198.51.100.7', true)).toEqual({ data: '', closed: true });
    expect(await exchange(server.port, '', true)).toEqual({ data: '', closed: true });
  });

  it('matches an IPv4-mapped peer (a server on ::) against IPv4 ranges in `from`', async () => {
    const server = http.createServer(
      proxy.wrap((req, res) => res.end(String(proxyInfo(req)?.remoteAddress))),
    );
    acceptProxyProtocol(server, { from: '127.0.0.0/8' });
    await new Promise<void>((resolve) => server.listen(0, '::', resolve));
    running.push({ server, port: 0, close: () => new Promise((resolve) => server.close(() => resolve())) });
    const { data } = await exchange(
      (server.address() as AddressInfo).port,
      'PROXY TCP4 198.51.100.7 192.0.2.1 1 80\r\nGET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n',
    );
    expect(data.endsWith('\r\n198.51.100.7')).toBe(true);
  });

  it('server.close() destroys connections still waiting for their header instead of waiting for them', async () => {
    const server = http.createServer(() => {});
    const receiver = acceptProxyProtocol(server, { from: 'loopback', headerTimeout: 60_000 });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const socket = net.connect((server.address() as AddressInfo).port, '127.0.0.1');
    socket.on('error', () => {});
    await new Promise<void>((resolve) =>
      socket.on('connect', () => socket.write('PROXY TCP4 1.2.', () => resolve())),
    );
    while (receiver.pending === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    // With a 60 s deadline, only close() destroying the socket lets this finish in time.
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect(receiver.pending).toBe(0);
  });

  it('reads the header from a UNIX-socket peer only when `from` names unix', async () => {
    const path = join(tmpdir(), `tp-pp-${process.pid}.sock`);
    rmSync(path, { force: true });
    const server = http.createServer(
      proxy.wrap((req, res) => res.end(String(proxyInfo(req)?.remoteAddress))),
    );
    acceptProxyProtocol(server, { from: 'unix' });
    await new Promise<void>((resolve) => server.listen(path, resolve));
    running.push({ server, port: 0, close: () => new Promise((resolve) => server.close(() => resolve())) });
    const reply = await new Promise<string>((resolve) => {
      const socket = net.connect(path, () =>
        socket.write(
          'PROXY TCP4 198.51.100.7 192.0.2.1 1 80\r\nGET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n',
        ),
      );
      let data = '';
      socket.setEncoding('latin1');
      socket.on('data', (d: string) => {
        data += d;
      });
      socket.on('close', () => resolve(data));
    });
    expect(reply.endsWith('\r\n198.51.100.7')).toBe(true);
  });

  it("does not believe a header from a peer outside `from`: others 'reject' destroys the connection", async () => {
    const { events, onReject } = recorder();
    const server = await start('http', { from: '10.0.0.0/8', onReject });
    let requests = 0;
    server.server.on('request', () => requests++);
    const { data } = await exchange(
      server.port,
      Buffer.concat([v1('198.51.100.7', '1.1.1.1', 1, 80), Buffer.from('GET / HTTP/1.1\r\n\r\n')]),
    );
    expect(data).toBe('');
    expect(requests).toBe(0);
    expect(events).toEqual([{ reason: 'not-from', peer: '127.0.0.1' }]);
  });

  it("others 'direct' serves other peers without reading a header: their PROXY line is a bad request", async () => {
    const server = await start('http', { from: '10.0.0.0/8', others: 'direct' });
    const plain = await request('http', server.port, Buffer.alloc(0));
    expect(plain[0]!.body.info.remoteAddress).toBe('127.0.0.1');
    expect(plain[0]!.body.info.transport).toBeUndefined();
    const { data } = await exchange(
      server.port,
      Buffer.concat([v1('198.51.100.7', '1.1.1.1', 1, 80), Buffer.from('GET / HTTP/1.1\r\nHost: a\r\n\r\n')]),
    );
    expect(data).toMatch(/^HTTP\/1\.1 400 /);
  });

  it('accepts only the versions it is told to', async () => {
    const { events, onReject } = recorder();
    const server = await start('http', { from: 'loopback', versions: [2], onReject });
    await exchange(
      server.port,
      Buffer.concat([v1('198.51.100.7', '1.1.1.1', 1, 80), Buffer.from('GET / HTTP/1.1\r\n\r\n')]),
    );
    expect(events.map((e) => e.reason)).toEqual(['version-not-accepted']);
    const [reply] = await request('http', server.port, v2('198.51.100.7', '1.1.1.1', 1, 80));
    expect(reply!.body.info.remoteAddress).toBe('198.51.100.7');
  });

  it('reclaims stalled half-headers at the timeout: no pending state, no open sockets', async () => {
    const server = http.createServer(() => {});
    let timeouts = 0;
    const receiver = acceptProxyProtocol(server, {
      from: 'loopback',
      headerTimeout: 300,
      onReject: (e) => {
        if (e.reason === 'timeout') timeouts++;
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    running.push({ server, port, close: () => new Promise((resolve) => server.close(() => resolve())) });
    const count = 200;
    const closed: Promise<unknown>[] = [];
    const opened: Promise<void>[] = [];
    for (let i = 0; i < count; i++) {
      const socket = net.connect(port, '127.0.0.1');
      socket.on('error', () => {});
      opened.push(new Promise((resolve) => socket.on('connect', () => resolve())));
      socket.on('connect', () =>
        socket.write(i % 2 ? 'PROXY TCP6 2001:db8::' : v2('1.2.3.4', '5.6.7.8', 1, 2).subarray(0, 20)),
      );
      closed.push(new Promise((resolve) => socket.on('close', resolve)));
    }
    await Promise.all(opened);
    await Promise.all(closed);
    // Every one of them was waited for and then cut at the deadline; none is left behind.
    expect(timeouts).toBe(count);
    expect(receiver.pending).toBe(0);
    const connections = await new Promise<number>((resolve) => server.getConnections((_e, n) => resolve(n)));
    expect(connections).toBe(0);
  });
});

describe('acceptProxyProtocol() › configuration', () => {
  const server = () => http.createServer();
  it.each([
    ['no from', {}],
    ['a hop count', { from: 1 }],
    ['a function', { from: () => true }],
    ['*', { from: '*' }],
    ['a hostname', { from: 'lb.internal' }],
    ['a /0', { from: '0.0.0.0/0' }],
    ['an empty list', { from: [] }],
    ['versions []', { from: 'loopback', versions: [] }],
    ['versions [3]', { from: 'loopback', versions: [3] }],
    ['headerTimeout 0', { from: 'loopback', headerTimeout: 0 }],
    ['headerTimeout 1.5', { from: 'loopback', headerTimeout: 1.5 }],
    ['maxV2Length 70000', { from: 'loopback', maxV2Length: 70000 }],
    ["others 'accept'", { from: 'loopback', others: 'accept' }],
    ['an unknown option', { from: 'loopback', form: 'x' }],
  ])('throws TrustedProxyConfigError for %s', (_name, options) => {
    expect(() => acceptProxyProtocol(server(), options as never)).toThrow(TrustedProxyConfigError);
  });

  it('names `from` in the message, not trustedProxies', () => {
    expect(() => acceptProxyProtocol(server(), { from: '10.0.0.300' })).toThrow(
      /proxy protocol `from`: "10\.0\.0\.300"/,
    );
  });

  it('refuses to be installed twice on one server', () => {
    const s = server();
    acceptProxyProtocol(s, { from: 'loopback' });
    expect(() => acceptProxyProtocol(s, { from: 'loopback' })).toThrow(/already installed/);
  });

  it('describes what it expects from whom', () => {
    const receiver = acceptProxyProtocol(server(), { from: ['10.0.0.0/8', 'loopback'], versions: [2] });
    expect(receiver).toMatchObject({
      from: '10.0.0.0/8, 127.0.0.0/8, ::1/128',
      versions: [2],
      headerTimeout: 5000,
      others: 'reject',
      pending: 0,
    });
  });
});
