// Scenario 4: nginx (edge, TLS) → Apache (inner, bare ProxyPass vhosts, which only append) → backend.
import { describe, expect, it } from 'vitest';
import { getApp, via } from './client.js';
import { APACHE, CLIENT, NGINX } from './topology.js';

describe('chain nginx → Apache → backend', () => {
  it('both trusted: the real client, and the edge host and scheme', async () => {
    const host = `blog.example.com:${NGINX.edgeHttps}`;
    const reply = await getApp(via.edgeTls, host, '/path?q=1');
    expect(reply.info?.original.headers['x-forwarded-for']).toBe(`${CLIENT}, ${NGINX.source}`);
    expect(reply.info).toMatchObject({
      peerAddress: APACHE.source,
      remoteAddress: CLIENT,
      addresses: [CLIENT, NGINX.source, APACHE.source],
      protocol: 'https',
    });
    expect(reply.url).toBe(`https://${host}/path?q=1`);
    expect(reply.ip).toBe(CLIENT);
  });

  it("both trusted: takes the edge's X-Forwarded-Host entry, not the inner proxy's", async () => {
    // The www edge sends $host:$server_port; Apache then appends the Host nginx sent ($host, no port).
    const host = `www.example.com:${NGINX.edgeHttp}`;
    const reply = await getApp(via.edge, host, '/path');
    expect(reply.info?.original.headers['x-forwarded-host']).toBe(`${host}, www.example.com`);
    expect(reply.url).toBe(`http://${host}/path`);
    expect(reply.info?.remoteAddress).toBe(CLIENT);
  });

  it("only the inner proxy trusted: the edge's address is the client", async () => {
    const host = `wiki.example.com:${NGINX.edgeHttps}`;
    const reply = await getApp(via.edgeTls, host, '/path');
    expect(reply.info).toMatchObject({
      peerAddress: APACHE.source,
      remoteAddress: NGINX.source,
      addresses: [NGINX.source, APACHE.source],
      hostname: 'wiki.example.com',
    });
    expect(reply.ip).toBe(NGINX.source);
    // Headers only the (untrusted) edge set still have one entry, and R8 clamps to it.
    expect(reply.url).toBe(`https://${host}/path`);
  });
});
