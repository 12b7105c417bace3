/**
 * acceptProxyProtocol() (src/proxy-protocol/receiver.ts) over real loopback sockets: the bytes
 * after the header reach the server's own 'connection' listener intact (in one write, split, or
 * late), the facts stored on the socket for each kind of header, the deadline, what is refused
 * and reported, what the patched emit() and close() still do, and the exact configuration errors.
 * A plain net.Server that echoes what it is handed shows the bytes; small deadlines keep it quick.
 */
import { rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Duplex } from 'node:stream';
import tls from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { TrustedProxyConfigError } from '../../../src/index.js';
import {
  acceptProxyProtocol,
  type ProxyProtocolOptions,
  type ProxyProtocolReceiver,
  type ProxyProtocolRejectEvent,
  type ProxyTransport,
  transportOf,
} from '../../../src/proxy-protocol/index.js';
import { sslTlv, tlv, v1, v2 } from '../../proxy-protocol/headers.js';
import { CERT, KEY } from '../../proxy-protocol/servers.js';

interface Echo {
  server: net.Server;
  port: number;
  receiver: ProxyProtocolReceiver;
  events: ProxyProtocolRejectEvent[];
  /** transportOf() of every socket handed to the server, in order. */
  handed: Array<ProxyTransport | undefined>;
}

const servers: net.Server[] = [];
afterEach(async () => {
  await Promise.all(
    servers
      .splice(0)
      .map((s) => new Promise<void>((resolve) => (s.listening ? s.close(() => resolve()) : resolve()))),
  );
});

/** A net.Server that echoes every byte it is handed, with the receiver installed. */
async function echo(options: Omit<ProxyProtocolOptions, 'onReject'>, listen?: string): Promise<Echo> {
  const handed: Array<ProxyTransport | undefined> = [];
  const events: ProxyProtocolRejectEvent[] = [];
  const server = net.createServer((socket) => {
    handed.push(transportOf(socket));
    socket.on('error', () => {});
    socket.pipe(socket);
  });
  const receiver = acceptProxyProtocol(server, { ...options, onReject: (e) => events.push(e) });
  servers.push(server);
  await new Promise<void>((resolve) =>
    listen === undefined ? server.listen(0, '127.0.0.1', resolve) : server.listen(listen, resolve),
  );
  const address = server.address();
  return {
    server,
    port: typeof address === 'string' ? 0 : (address as AddressInfo).port,
    receiver,
    events,
    handed,
  };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Connects, writes each part (pausing between them), ends, and resolves with every byte that
 * came back once the connection is closed, and the client's own port.
 */
function talk(
  target: number | string,
  parts: Array<Buffer | string>,
  gap = 15,
): Promise<{ data: Buffer; localPort: number | undefined }> {
  return new Promise((resolve) => {
    const socket = typeof target === 'number' ? net.connect(target, '127.0.0.1') : net.connect(target);
    socket.setNoDelay?.(true);
    const chunks: Buffer[] = [];
    let localPort: number | undefined;
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', () => {});
    socket.on('close', () => resolve({ data: Buffer.concat(chunks), localPort }));
    socket.on('connect', async () => {
      localPort = socket.localPort;
      for (let i = 0; i < parts.length; i++) {
        if (i > 0) await pause(gap);
        if (socket.destroyed) return;
        socket.write(parts[i]!);
      }
      socket.end();
    });
  });
}

const PAYLOAD = Buffer.from(
  'GET / HTTP/1.1\r\nHost: a\r\n\r\n\x00\xff after the header, byte for byte',
  'latin1',
);
const V1 = v1('198.51.100.7', '192.0.2.1', 40000, 443);
const V1_FACTS: ProxyTransport = {
  version: 1,
  sourceAddress: '198.51.100.7',
  sourcePort: 40000,
  destinationAddress: '192.0.2.1',
  destinationPort: 443,
  proxyAddress: '127.0.0.1',
};

describe('acceptProxyProtocol() › the bytes after the header', () => {
  it('hands them on in order when they share a write with the header', async () => {
    const e = await echo({ from: 'loopback' });
    const { data } = await talk(e.port, [Buffer.concat([V1, PAYLOAD])]);
    expect(data.equals(PAYLOAD)).toBe(true);
    expect(e.handed).toStrictEqual([V1_FACTS]);
    expect(e.events).toStrictEqual([]);
  });

  it('puts a header that arrives in pieces together, then hands on what follows', async () => {
    const e = await echo({ from: 'loopback' });
    const { data } = await talk(e.port, [
      V1.subarray(0, 7),
      V1.subarray(7, 20),
      Buffer.concat([V1.subarray(20), PAYLOAD]),
    ]);
    expect(data.equals(PAYLOAD)).toBe(true);
    expect(e.handed).toStrictEqual([V1_FACTS]);
  });

  it('hands on a connection whose header came alone, and keeps it past the deadline', async () => {
    const e = await echo({ from: 'loopback', headerTimeout: 40 });
    const { data } = await talk(e.port, [V1, PAYLOAD], 120);
    expect(data.equals(PAYLOAD)).toBe(true);
    expect(e.events).toStrictEqual([]);
    expect(e.receiver.pending).toBe(0);
  });

  it('hands on a v2 header with its TLVs, and without them no TLV fields at all', async () => {
    const e = await echo({ from: 'loopback' });
    const header = v2('2001:db8::7', '2001:db8::1', 1, 2, {
      tlvs: [
        tlv(0x02, 'www.example.com'),
        tlv(0x05, 'ID-1'),
        sslTlv(0x01, 0, [tlv(0x21, 'TLSv1.3')]),
        tlv(0xea, Buffer.concat([Buffer.from([0x01]), Buffer.from('vpce-1')])),
        tlv(0xee, Buffer.from([0x01, 0x02, 0, 0, 0])),
        tlv(0xe0, Buffer.from([0, 0, 0, 0, 0, 0, 0, 7])),
      ],
    });
    const first = await talk(e.port, [Buffer.concat([header, PAYLOAD])]);
    const second = await talk(e.port, [Buffer.concat([v2('::ffff:c633:6408', '::1', 3, 4), PAYLOAD])]);
    expect(first.data.equals(PAYLOAD)).toBe(true);
    expect(second.data.equals(PAYLOAD)).toBe(true);
    expect(e.handed).toStrictEqual([
      {
        version: 2,
        sourceAddress: '2001:db8::7',
        sourcePort: 1,
        destinationAddress: '2001:db8::1',
        destinationPort: 2,
        proxyAddress: '127.0.0.1',
        authority: 'www.example.com',
        uniqueId: 'ID-1',
        ssl: {
          tls: true,
          certificateOnConnection: false,
          certificateOnSession: false,
          verified: true,
          version: 'TLSv1.3',
        },
        awsVpceId: 'vpce-1',
        azureLinkId: 2,
        gcpPscConnectionId: '7',
      },
      {
        version: 2,
        sourceAddress: '198.51.100.8',
        sourcePort: 3,
        destinationAddress: '::1',
        destinationPort: 4,
        proxyAddress: '127.0.0.1',
      },
    ]);
  });

  it('takes the socket’s own addresses for LOCAL and UNKNOWN', async () => {
    const e = await echo({ from: 'loopback' });
    const local = await talk(e.port, [
      Buffer.concat([v2(undefined, undefined, 0, 0, { command: 0 }), PAYLOAD]),
    ]);
    const unknown = await talk(e.port, [Buffer.concat([Buffer.from('PROXY UNKNOWN\r\n'), PAYLOAD])]);
    expect(local.data.equals(PAYLOAD)).toBe(true);
    expect(unknown.data.equals(PAYLOAD)).toBe(true);
    const own = (version: 1 | 2, sourcePort: number | undefined): ProxyTransport => ({
      version,
      sourceAddress: '127.0.0.1',
      sourcePort,
      destinationAddress: '127.0.0.1',
      destinationPort: e.port,
      proxyAddress: '127.0.0.1',
    });
    expect(e.handed).toStrictEqual([own(2, local.localPort), own(1, unknown.localPort)]);
  });
});

describe('acceptProxyProtocol() › v2 length and versions', () => {
  /** A v2 TCP4 header whose `len` is exactly `len` (a NOOP TLV fills the rest). */
  const ofLength = (len: number) =>
    v2('1.2.3.4', '5.6.7.8', 1, 2, { tlvs: [tlv(0x04, Buffer.alloc(len - 12 - 3))] });

  it('takes len 4096 by default and refuses 4097', async () => {
    const e = await echo({ from: 'loopback' });
    expect((await talk(e.port, [Buffer.concat([ofLength(4096), PAYLOAD])])).data.equals(PAYLOAD)).toBe(true);
    expect((await talk(e.port, [Buffer.concat([ofLength(4097), PAYLOAD])])).data.length).toBe(0);
    expect(e.events).toStrictEqual([{ reason: 'v2-too-long', peer: '127.0.0.1' }]);
  });

  it('takes len up to maxV2Length', async () => {
    const e = await echo({ from: 'loopback', maxV2Length: 20 });
    expect((await talk(e.port, [Buffer.concat([ofLength(20), PAYLOAD])])).data.equals(PAYLOAD)).toBe(true);
    expect((await talk(e.port, [Buffer.concat([ofLength(21), PAYLOAD])])).data.length).toBe(0);
    expect(e.events).toStrictEqual([{ reason: 'v2-too-long', peer: '127.0.0.1' }]);
  });

  it('takes only version 2 when told so', async () => {
    const e = await echo({ from: 'loopback', versions: [2] });
    expect((await talk(e.port, [Buffer.concat([V1, PAYLOAD])])).data.length).toBe(0);
    expect((await talk(e.port, [Buffer.concat([ofLength(15), PAYLOAD])])).data.equals(PAYLOAD)).toBe(true);
    expect(e.events).toStrictEqual([{ reason: 'version-not-accepted', peer: '127.0.0.1' }]);
  });

  it('takes only version 1 when told so', async () => {
    const e = await echo({ from: 'loopback', versions: [1] });
    expect((await talk(e.port, [Buffer.concat([V1, PAYLOAD])])).data.equals(PAYLOAD)).toBe(true);
    expect((await talk(e.port, [Buffer.concat([ofLength(15), PAYLOAD])])).data.length).toBe(0);
    expect(e.events).toStrictEqual([{ reason: 'version-not-accepted', peer: '127.0.0.1' }]);
    expect(e.receiver.versions).toStrictEqual([1]);
  });
});

describe('acceptProxyProtocol() › what is refused and reported', () => {
  it('reports a bad header with its reason and peer, and hands nothing on', async () => {
    const e = await echo({ from: 'loopback' });
    const { data } = await talk(e.port, ['PROXY TCP4 1.2.3.4 5.6.7.8 1 99999\r\nGET']);
    expect(data.length).toBe(0);
    expect(e.handed).toStrictEqual([]);
    expect(e.events).toStrictEqual([{ reason: 'v1-port', peer: '127.0.0.1' }]);
  });

  it('reports a header late for the deadline as timeout', async () => {
    const e = await echo({ from: 'loopback', headerTimeout: 30 });
    const { data } = await talk(e.port, ['PROXY TCP4 1.2', '.3.4 5.6.7.8 1 2\r\n'], 300);
    expect(data.length).toBe(0);
    expect(e.handed).toStrictEqual([]);
    expect(e.events).toStrictEqual([{ reason: 'timeout', peer: '127.0.0.1' }]);
  });

  it('closes without a report when the peer ends before its header is complete', async () => {
    const e = await echo({ from: 'loopback', headerTimeout: 60_000 });
    const { data } = await talk(e.port, ['PROXY TCP4 1.2.3.4']);
    expect(data.length).toBe(0);
    expect(e.handed).toStrictEqual([]);
    expect(e.events).toStrictEqual([]);
    expect(e.receiver.pending).toBe(0);
  });

  it('counts a waiting connection as pending and forgets it when the peer resets', async () => {
    const e = await echo({ from: 'loopback', headerTimeout: 60_000 });
    const socket = net.connect(e.port, '127.0.0.1');
    socket.on('error', () => {});
    await new Promise<void>((resolve) =>
      socket.on('connect', () => socket.write('PROXY TCP4', () => resolve())),
    );
    while (e.receiver.pending === 0) await pause(5);
    expect(e.receiver.pending).toBe(1);
    // Let the server read what was sent, so the reset arrives as ECONNRESET rather than an end.
    await pause(30);
    socket.resetAndDestroy();
    while (e.receiver.pending !== 0) await pause(5);
    expect(e.events).toStrictEqual([]);
    expect(e.handed).toStrictEqual([]);
    // The server still serves the next connection.
    expect((await talk(e.port, [Buffer.concat([V1, PAYLOAD])])).data.equals(PAYLOAD)).toBe(true);
  });

  it('reports other peers as not-from, or serves them as they are with others direct', async () => {
    const reject = await echo({ from: '10.0.0.0/8' });
    expect((await talk(reject.port, [Buffer.concat([V1, PAYLOAD])])).data.length).toBe(0);
    expect(reject.events).toStrictEqual([{ reason: 'not-from', peer: '127.0.0.1' }]);
    expect(reject.receiver.others).toBe('reject');
    const direct = await echo({ from: '10.0.0.0/8', others: 'direct' });
    const sent = Buffer.concat([V1, PAYLOAD]);
    expect((await talk(direct.port, [sent])).data.equals(sent)).toBe(true);
    expect(direct.handed).toStrictEqual([undefined]);
    expect(direct.events).toStrictEqual([]);
    expect(direct.receiver.others).toBe('direct');
  });

  it('never hands on a socket that has no peer address on a TCP server, even with others direct', async () => {
    for (const others of ['direct', 'reject'] as const) {
      const e = await echo({ from: 'loopback', others });
      const gone = new net.Socket();
      expect(gone.remoteAddress).toBeUndefined();
      expect(e.server.emit('connection', gone)).toBe(true);
      expect(gone.destroyed).toBe(true);
      expect(e.handed).toStrictEqual([]);
      expect(e.events).toStrictEqual([{ reason: 'not-from', peer: undefined }]);
    }
  });

  it('on a UNIX socket: serves with others direct, refuses otherwise, reads the header from unix', async () => {
    const path = join(tmpdir(), `tp-pp-kill-${process.pid}.sock`);
    const sent = Buffer.concat([V1, PAYLOAD]);
    for (const [options, expected, events] of [
      [{ from: 'loopback', others: 'direct' }, sent, []],
      [{ from: 'loopback' }, Buffer.alloc(0), [{ reason: 'not-from', peer: undefined }]],
      [{ from: 'unix' }, PAYLOAD, []],
    ] as const) {
      rmSync(path, { force: true });
      const e = await echo(options, path);
      expect((await talk(path, [sent])).data.equals(expected)).toBe(true);
      expect(e.events).toStrictEqual(events);
      await new Promise<void>((resolve) => e.server.close(() => resolve()));
    }
    rmSync(path, { force: true });
  });

  it('close() destroys a connection still waiting for its header, without a report', async () => {
    const e = await echo({ from: 'loopback', headerTimeout: 60_000 });
    const socket = net.connect(e.port, '127.0.0.1');
    socket.on('error', () => {});
    const closed = new Promise((resolve) => socket.on('close', resolve));
    await new Promise<void>((resolve) =>
      socket.on('connect', () => socket.write('PROXY TCP6 ::1', () => resolve())),
    );
    while (e.receiver.pending === 0) await pause(5);
    const shut = new Promise<void>((resolve) => e.server.close(() => resolve()));
    await closed;
    await shut;
    expect(e.receiver.pending).toBe(0);
    expect(e.events).toStrictEqual([]);
    expect(e.handed).toStrictEqual([]);
  });

  it('a LOCAL kind of header from a UNIX-socket peer has no addresses at all', async () => {
    const path = join(tmpdir(), `tp-pp-kill-local-${process.pid}.sock`);
    rmSync(path, { force: true });
    const e = await echo({ from: 'unix' }, path);
    const { data } = await talk(path, [Buffer.concat([Buffer.from('PROXY UNKNOWN\r\n'), PAYLOAD])]);
    expect(data.equals(PAYLOAD)).toBe(true);
    expect(e.handed).toStrictEqual([
      {
        version: 1,
        sourceAddress: undefined,
        sourcePort: undefined,
        destinationAddress: undefined,
        destinationPort: undefined,
        proxyAddress: undefined,
      },
    ]);
    await new Promise<void>((resolve) => e.server.close(() => resolve()));
    rmSync(path, { force: true });
  });

  it('swallows an exception thrown by onReject and keeps serving', async () => {
    const server = net.createServer((socket) => socket.pipe(socket));
    const seen: string[] = [];
    acceptProxyProtocol(server, {
      from: 'loopback',
      onReject: (e) => {
        seen.push(e.reason);
        throw new Error('a broken logger');
      },
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    expect((await talk(port, ['GET / HTTP/1.1\r\n\r\n'])).data.length).toBe(0);
    expect((await talk(port, [Buffer.concat([V1, PAYLOAD])])).data.equals(PAYLOAD)).toBe(true);
    expect(seen).toStrictEqual(['not-proxy-protocol']);
  });

  it('works without onReject', async () => {
    const server = net.createServer((socket) => socket.pipe(socket));
    acceptProxyProtocol(server, { from: 'loopback' });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    expect((await talk(port, ['XYZ'])).data.length).toBe(0);
    expect((await talk(port, [Buffer.concat([V1, PAYLOAD])])).data.equals(PAYLOAD)).toBe(true);
  });
});

describe('acceptProxyProtocol() › the patched server', () => {
  it('forwards every other event with all its arguments and emit()’s answer', () => {
    const server = net.createServer();
    acceptProxyProtocol(server, { from: 'loopback' });
    const got: unknown[][] = [];
    server.on('custom', (...args: unknown[]) => got.push(args));
    expect(server.emit('custom', 1, 'two', 3)).toBe(true);
    expect(server.emit('nobody-listens', 1)).toBe(false);
    expect(got).toStrictEqual([[1, 'two', 3]]);
  });

  it('close() still returns the server and calls back', async () => {
    const server = net.createServer();
    acceptProxyProtocol(server, { from: 'loopback' });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    let returned: unknown;
    await new Promise<void>((resolve) => {
      returned = server.close(() => resolve());
    });
    expect(returned).toBe(server);
  });

  it('describes itself, sorting versions without touching the caller’s list', () => {
    const versions: (1 | 2)[] = [2, 1];
    const receiver = acceptProxyProtocol(net.createServer(), {
      from: ['10.0.0.0/8'],
      versions,
      headerTimeout: 2147483647,
      maxV2Length: 65535,
      others: 'direct',
    });
    expect(versions).toStrictEqual([2, 1]);
    expect({ ...receiver }).toStrictEqual({
      from: '10.0.0.0/8',
      versions: [1, 2],
      headerTimeout: 2147483647,
      others: 'direct',
      pending: 0,
    });
    expect(acceptProxyProtocol(net.createServer(), { from: 'loopback' }).headerTimeout).toBe(5000);
    const defaults = acceptProxyProtocol(net.createServer(), {
      from: 'loopback',
      maxV2Length: 1,
      headerTimeout: 1,
    });
    expect({ ...defaults }).toStrictEqual({
      from: '127.0.0.0/8, ::1/128',
      versions: [1, 2],
      headerTimeout: 1,
      others: 'reject',
      pending: 0,
    });
  });
});

describe('acceptProxyProtocol() › configuration errors', () => {
  function errorOf(server: unknown, options: unknown): string {
    try {
      acceptProxyProtocol(server as net.Server, options as ProxyProtocolOptions);
    } catch (err) {
      expect(err).toBeInstanceOf(TrustedProxyConfigError);
      return (err as Error).message;
    }
    throw new Error('no config error');
  }
  const fresh = () => net.createServer();

  it.each([
    [null, '"null"'],
    [{}, '"[object Object]"'],
    [{ emit: 'x' }, '"[object Object]"'],
    [Object.assign(() => {}, { emit() {} }), '"() => {}"'],
    ['server', '"server"'],
  ])('needs a net.Server, not %j', (server, shown) => {
    expect(errorOf(server, { from: 'loopback' })).toBe(
      `acceptProxyProtocol() needs a net.Server (http, https, http2 or tls): ${shown}`,
    );
  });

  it.each([
    [{ from: 'loopback', form: 'x' }, 'unknown proxy protocol option: "form"'],
    [null, 'acceptProxyProtocol() needs options with `from`: "null"'],
    ['loopback', 'acceptProxyProtocol() needs options with `from`: "loopback"'],
    [{}, 'proxy protocol `from` is required: name the load balancers that send the header: "undefined"'],
    [
      { from: null },
      'proxy protocol `from` is required: name the load balancers that send the header: "null"',
    ],
    [{ from: 2 }, 'proxy protocol `from` takes addresses and ranges, not a hop count or a function: "2"'],
    [
      { from: () => true },
      'proxy protocol `from` takes addresses and ranges, not a hop count or a function: "() => true"',
    ],
    [
      { from: 'loopback', versions: 2 },
      'proxy protocol `versions` must be a non-empty array of 1 and/or 2: "2"',
    ],
    [
      { from: 'loopback', versions: [] },
      'proxy protocol `versions` must be a non-empty array of 1 and/or 2: ""',
    ],
    [{ from: 'loopback', versions: [1, 3] }, 'proxy protocol `versions` may hold only 1 and 2: "3"'],
    [{ from: 'loopback', versions: ['1'] }, 'proxy protocol `versions` may hold only 1 and 2: "1"'],
    [
      { from: 'loopback', maxV2Length: 0 },
      'proxy protocol `maxV2Length` must be an integer from 1 to 65535: "0"',
    ],
    [
      { from: 'loopback', maxV2Length: 65536 },
      'proxy protocol `maxV2Length` must be an integer from 1 to 65535: "65536"',
    ],
    [
      { from: 'loopback', maxV2Length: '100' },
      'proxy protocol `maxV2Length` must be an integer from 1 to 65535: "100"',
    ],
    [
      { from: 'loopback', maxV2Length: 1.5 },
      'proxy protocol `maxV2Length` must be an integer from 1 to 65535: "1.5"',
    ],
    [
      { from: 'loopback', headerTimeout: 2147483648 },
      'proxy protocol `headerTimeout` must be an integer from 1 to 2147483647: "2147483648"',
    ],
    [
      { from: 'loopback', headerTimeout: 0 },
      'proxy protocol `headerTimeout` must be an integer from 1 to 2147483647: "0"',
    ],
    [
      { from: 'loopback', others: 'accept' },
      "proxy protocol `others` must be 'reject' or 'direct': \"accept\"",
    ],
    [{ from: 'loopback', onReject: 'log' }, 'proxy protocol `onReject` must be a function: "log"'],
  ])('refuses %j', (options, message) => {
    expect(errorOf(fresh(), options)).toBe(message);
  });

  it('names `from` where trustedProxies would be named', () => {
    expect(errorOf(fresh(), { from: ['10.0.0.300'] })).toBe(
      'invalid IP address in proxy protocol `from`: "10.0.0.300"',
    );
  });

  it('refuses a second install, and an install after a refused one still works', () => {
    const server = fresh();
    expect(errorOf(server, { from: 'loopback', versions: [3] })).toContain('versions');
    acceptProxyProtocol(server, { from: 'loopback' });
    expect(errorOf(server, { from: 'loopback' })).toBe(
      'acceptProxyProtocol() is already installed on this server: "server"',
    );
  });
});

describe('transportOf() › where the facts are found', () => {
  /** A tls.Server behind the receiver; resolves with transportOf() of the TLS socket. */
  async function overTls(options: ProxyProtocolOptions, header: Buffer): Promise<ProxyTransport | undefined> {
    let seen: ProxyTransport | undefined;
    const server = tls.createServer({ key: KEY, cert: CERT }, (secure) => {
      seen = transportOf(secure);
      secure.end('ok');
    });
    acceptProxyProtocol(server, options);
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const raw = net.connect((server.address() as AddressInfo).port, '127.0.0.1');
    if (header.length > 0) raw.write(header);
    const secure = tls.connect({ socket: raw, rejectUnauthorized: false });
    await new Promise<void>((resolve) => {
      secure.on('data', () => {});
      secure.on('end', () => resolve());
    });
    secure.destroy();
    return seen;
  }

  it('finds a TLS socket’s facts on the socket it wraps', async () => {
    expect(await overTls({ from: 'loopback' }, V1)).toStrictEqual(V1_FACTS);
  });

  it('finds none for a TLS socket over a connection served directly', async () => {
    expect(await overTls({ from: '10.0.0.0/8', others: 'direct' }, Buffer.alloc(0))).toBeUndefined();
  });

  it('finds none where there is no socket, or a socket the receiver never saw', () => {
    expect(transportOf(null)).toBeUndefined();
    expect(transportOf(undefined)).toBeUndefined();
    const plain = new net.Socket();
    expect((plain as unknown as { _parent: unknown })._parent).toBeNull();
    expect(transportOf(plain)).toBeUndefined();
    expect(transportOf(new tls.TLSSocket(plain))).toBeUndefined();
    // An injected request's socket (light-my-request, as Fastify's inject uses) is a plain stream.
    expect(transportOf(new Duplex())).toBeUndefined();
  });
});
