/**
 * R22 "done when", through real servers: `trustedProxies: 'cloudflare'` with `requireProof`
 * on node:http (.wrap), Express 4 and Express 5, and the demo page.
 *
 * A test cannot own a Cloudflare address, so the peer is mapped at the connection: the client
 * binds its own loopback address (127.0.0.x) and the server's `connection` listener gives that
 * socket the address it stands for. Everything above the socket — Node's HTTP parser, the
 * frameworks, the middleware — is real.
 */
import http, { type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import express4 from 'express4';
import express5 from 'express5';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoListener } from '../../src/cli/demo.js';
import { type ProxyInfo, proxyInfo, type RejectEvent, trustedProxy } from '../../src/index.js';

const SECRET = 'our-zone-5f0c2d9e8b7a41c3a2f1e0d9c8b7a6f5';
const NEXT = 'rotated-9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d';
const OTHER = 'their-zone-0000000000000000000000000000';
const PROOF = 'X-Origin-Auth';

/** The client's loopback address → the peer address the server sees. */
const PEERS: Record<string, string> = {
  '127.0.0.2': '104.16.0.1' /* Cloudflare (104.16.0.0/13) */,
  '127.0.0.3': '104.28.0.1' /* stale: only in the old 104.16.0.0/12 */,
  '127.0.0.4': '2606:4700:10::6816:1' /* Cloudflare IPv6 */,
  '127.0.0.5': '::ffff:172.64.1.1' /* Cloudflare, IPv4-mapped as a dual-stack server reports it */,
};
const CLIENT = '127.0.0.1'; /* a client on the internet: not Cloudflare */
const CLOUDFLARE = '127.0.0.2';
const STALE = '127.0.0.3';
const CLOUDFLARE_V6 = '127.0.0.4';
const CLOUDFLARE_MAPPED = '127.0.0.5';

function mapPeers(server: http.Server): void {
  server.on('connection', (socket: Socket) => {
    const mapped = PEERS[socket.remoteAddress ?? ''];
    if (mapped !== undefined) Object.defineProperty(socket, 'remoteAddress', { value: mapped });
  });
}

interface Echo {
  ip: string | undefined;
  info: ProxyInfo;
  headers: Record<string, string>;
  rawHeaders: string[];
}

function echo(req: IncomingMessage, res: ServerResponse): void {
  const body = JSON.stringify({
    ip: (req as IncomingMessage & { ip?: string }).ip,
    info: proxyInfo(req),
    headers: req.headers,
    rawHeaders: req.rawHeaders,
  });
  res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

interface Reply {
  status: number;
  body: string;
}

function get(port: number, from: string, headers: Record<string, string>, path = '/'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path,
        localAddress: from,
        agent: false,
        headers: { Host: 'app.example', ...headers },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const options = (events: RejectEvent[], secrets: string[]) => ({
  trustedHeaders: ['CF-Connecting-IP', 'X-Forwarded-Proto'],
  trustedProxies: 'cloudflare',
  requireProof: { header: PROOF, secrets },
  onReject: (event: RejectEvent) => {
    events.push(event);
  },
});

type Host = { name: string; listener: (events: RejectEvent[], secrets: string[]) => RequestListener };

const HOSTS: Host[] = [
  {
    name: 'node:http (.wrap)',
    listener: (events, secrets) => trustedProxy(options(events, secrets)).wrap(echo),
  },
  {
    name: 'Express 4',
    listener: (events, secrets) => {
      const app = express4();
      app.use(trustedProxy(options(events, secrets)));
      app.get('/', (req, res) => echo(req, res));
      return app as unknown as RequestListener;
    },
  },
  {
    name: 'Express 5',
    listener: (events, secrets) => {
      const app = express5();
      app.use(trustedProxy(options(events, secrets)));
      app.get('/', (req, res) => echo(req, res));
      return app as unknown as RequestListener;
    },
  },
];

const servers: http.Server[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
});

async function start(listener: RequestListener): Promise<number> {
  const server = http.createServer(listener);
  mapPeers(server);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

describe.each(HOSTS)("trustedProxies: 'cloudflare' + requireProof › $name", ({ listener }) => {
  const events: RejectEvent[] = [];
  let port = 0;
  beforeAll(async () => {
    port = await start(listener(events, [SECRET, NEXT]));
  });

  async function send(from: string, headers: Record<string, string>): Promise<Echo> {
    events.length = 0;
    const reply = await get(port, from, headers);
    expect(reply.status).toBe(200);
    // The secret never comes back, whatever happened.
    for (const secret of [SECRET, NEXT, OTHER]) expect(reply.body).not.toContain(secret);
    return JSON.parse(reply.body) as Echo;
  }

  it('a client on the internet cannot set CF-Connecting-IP, even with the right proof', async () => {
    const echoed = await send(CLIENT, { 'CF-Connecting-IP': '198.51.100.7', [PROOF]: SECRET });
    expect(echoed.info.trusted).toBe(false);
    expect(echoed.info.remoteAddress).toBe('127.0.0.1');
    expect(echoed.ip).toBe('127.0.0.1');
    expect(echoed.headers).not.toHaveProperty('cf-connecting-ip');
    expect(echoed.headers).not.toHaveProperty('x-origin-auth');
    expect(echoed.info.rejected).toEqual([
      { header: 'cf-connecting-ip', value: '198.51.100.7', reason: 'untrusted-peer' },
    ]);
  });

  it('through our zone (Cloudflare address + our secret): the client is CF-Connecting-IP', async () => {
    const echoed = await send(CLOUDFLARE, {
      'CF-Connecting-IP': '198.51.100.7',
      'X-Forwarded-Proto': 'https',
      [PROOF]: SECRET,
    });
    expect(echoed.info.trusted).toBe(true);
    expect(echoed.info.peerAddress).toBe('104.16.0.1');
    expect(echoed.info.remoteAddress).toBe('198.51.100.7');
    expect(echoed.ip).toBe('198.51.100.7');
    expect(echoed.info.protocol).toBe('https');
    expect(echoed.info.rejected).toEqual([]);
    expect(events).toEqual([]);
    expect(echoed.headers['cf-connecting-ip']).toBe('198.51.100.7');
  });

  it("through someone else's zone (Cloudflare address, their secret): proof-failed, CF-Connecting-IP stripped", async () => {
    const echoed = await send(CLOUDFLARE, { 'CF-Connecting-IP': '198.51.100.7', [PROOF]: OTHER });
    expect(echoed.info.trusted).toBe(false);
    expect(echoed.info.remoteAddress).toBe('104.16.0.1');
    expect(echoed.ip).toBe('104.16.0.1');
    expect(echoed.headers).not.toHaveProperty('cf-connecting-ip');
    const expected = [
      { header: 'x-origin-auth', value: '[redacted]', reason: 'proof-failed' },
      { header: 'cf-connecting-ip', value: '198.51.100.7', reason: 'untrusted-peer' },
    ];
    expect(echoed.info.rejected).toEqual(expected);
    expect(events).toEqual(expected);
  });

  it("through someone else's zone without any proof header: proof-failed", async () => {
    const echoed = await send(CLOUDFLARE_V6, { 'CF-Connecting-IP': '198.51.100.7' });
    expect(echoed.info.trusted).toBe(false);
    expect(echoed.info.remoteAddress).toBe('2606:4700:10::6816:1');
    expect(echoed.info.rejected[0]).toEqual({ header: 'x-origin-auth', value: '', reason: 'proof-failed' });
    expect(echoed.headers).not.toHaveProperty('cf-connecting-ip');
  });

  it('a stale range (104.28.0.1, outside the snapshot) is not trusted, proof or not', async () => {
    const echoed = await send(STALE, { 'CF-Connecting-IP': '198.51.100.7', [PROOF]: SECRET });
    expect(echoed.info.trusted).toBe(false);
    expect(echoed.info.remoteAddress).toBe('104.28.0.1');
    expect(echoed.info.rejected).toEqual([
      { header: 'cf-connecting-ip', value: '198.51.100.7', reason: 'untrusted-peer' },
    ]);
  });

  it('rotation: the second secret works too, IPv6 and IPv4-mapped peers alike', async () => {
    const v6 = await send(CLOUDFLARE_V6, { 'CF-Connecting-IP': '2001:db8::7', [PROOF]: NEXT });
    expect(v6.info.trusted).toBe(true);
    expect(v6.info.remoteAddress).toBe('2001:db8::7');
    const mapped = await send(CLOUDFLARE_MAPPED, { 'CF-Connecting-IP': '198.51.100.8', [PROOF]: SECRET });
    expect(mapped.info.peerAddress).toBe('172.64.1.1');
    expect(mapped.info.remoteAddress).toBe('198.51.100.8');
  });

  it('the proof header is gone from headers, rawHeaders, ProxyInfo and original.headers, in any case', async () => {
    for (const name of [PROOF, 'x-origin-auth', 'X-ORIGIN-AUTH']) {
      const echoed = await send(CLOUDFLARE, { 'CF-Connecting-IP': '198.51.100.7', [name]: SECRET });
      expect(echoed.info.trusted).toBe(true);
      expect(echoed.headers).not.toHaveProperty('x-origin-auth');
      expect(echoed.rawHeaders.map((h) => h.toLowerCase())).not.toContain('x-origin-auth');
      expect(echoed.info.original.headers).not.toHaveProperty('x-origin-auth');
      expect(echoed.rawHeaders).toContain('CF-Connecting-IP');
    }
  });
});

describe('requireProof › the demo page never shows the proof', () => {
  let port = 0;
  beforeAll(async () => {
    const events: RejectEvent[] = [];
    port = await start(trustedProxy(options(events, [SECRET])).wrap(demoListener));
  });

  it.each(['text/plain', 'text/html', 'application/json'])(
    '%s, with a right and a wrong proof',
    async (accept) => {
      for (const proof of [SECRET, OTHER, `${SECRET}0`]) {
        const reply = await get(port, CLOUDFLARE, {
          Accept: accept,
          'CF-Connecting-IP': '198.51.100.7',
          [PROOF]: proof,
        });
        expect(reply.status).toBe(200);
        expect(reply.body).toContain(proof === SECRET ? '198.51.100.7' : '104.16.0.1');
        expect(reply.body).not.toContain(SECRET);
        expect(reply.body).not.toContain(OTHER);
        // Only the proof-failed event names the header (never its value); no header list shows it.
        if (accept === 'application/json') {
          const report = JSON.parse(reply.body) as {
            stripped: string[];
            headers: Record<string, string>;
            proxyInfo: ProxyInfo;
          };
          expect(report.stripped).not.toContain('x-origin-auth');
          expect(report.headers).not.toHaveProperty('x-origin-auth');
          expect(report.proxyInfo.original.headers).not.toHaveProperty('x-origin-auth');
        } else {
          expect(reply.body).not.toMatch(/stripped:[^\n]*x-origin-auth/);
        }
      }
    },
  );
});
