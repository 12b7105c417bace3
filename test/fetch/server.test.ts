/**
 * createResolver() behind a real node:http server: the server builds a Web Request from each
 * IncomingMessage and hands its socket address in as `peer`; a streamed request body reaches
 * the handler through the rebuilt Request.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { createResolver, proxyInfo, reconstructUrl } from '../../src/index.js';
import { toRequest } from '../edges/fetch-edge.js';

const resolve = createResolver({
  trustedHeaders: ['X-Forwarded-For', 'X-Forwarded-Proto', 'X-Forwarded-Host'],
  trustedProxies: '127.0.0.31',
});

const server = http.createServer(async (req: IncomingMessage, res: ServerResponse) => {
  const { request } = resolve(toRequest(req), { peer: req.socket.remoteAddress, rawHeaders: req.rawHeaders });
  const body = await request.text();
  const answer = new Response(
    JSON.stringify({
      url: request.url,
      full: reconstructUrl(request),
      ip: proxyInfo(request)?.remoteAddress,
      body,
    }),
    { headers: { 'content-type': 'application/json' } },
  );
  res.writeHead(answer.status, Object.fromEntries(answer.headers));
  res.end(await answer.text());
});
afterAll(() => new Promise<void>((done) => server.close(() => done())));

async function post(from: string, body: string): Promise<Record<string, string>> {
  await new Promise<void>((done) => (server.listening ? done() : server.listen(0, '127.0.0.1', done)));
  const { port } = server.address() as { port: number };
  return new Promise((done, fail) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        localAddress: from,
        method: 'POST',
        path: '/upload?x=1',
        headers: {
          'X-Forwarded-For': '203.0.113.8',
          'X-Forwarded-Proto': 'https',
          'X-Forwarded-Host': 'pub.example',
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => done(JSON.parse(text) as Record<string, string>));
      },
    );
    req.on('error', fail);
    // Chunked: the body arrives as a stream, written in two parts.
    req.write(body.slice(0, 5));
    setTimeout(() => req.end(body.slice(5)), 10);
  });
}

describe('createResolver() › behind a real node:http server', () => {
  it('a trusted peer: public URL, client address, and the streamed body intact', async () => {
    const got = await post('127.0.0.31', 'hello, streamed world');
    expect(got).toEqual({
      url: 'https://pub.example/upload?x=1',
      full: 'https://pub.example/upload?x=1',
      ip: '203.0.113.8',
      body: 'hello, streamed world',
    });
  });

  it('an untrusted peer: the socket address and the raw Host, forwarding headers ignored', async () => {
    const got = await post('127.0.0.50', 'x');
    expect(got.ip).toBe('127.0.0.50');
    expect(got.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/upload\?x=1$/);
    expect(got.body).toBe('x');
  });
});
