// Scenario 3: HAProxy with option forwardfor, TLS termination, X-Forwarded-Proto from ssl_fc, and an
// RFC 7239 Forwarded header (2.8's `option forwarded`, emulated with add-header on 2.6). One backend
// trusts only Forwarded; a second one trusts X-Forwarded-For + X-Forwarded-Proto.
import { describe, expect, it } from 'vitest';
import { getApp, via } from './client.js';
import { CLIENT, HAPROXY } from './topology.js';

describe('HAProxy with Forwarded (RFC 7239)', () => {
  it('reconstructs the public URL over HTTP from Forwarded alone', async () => {
    const host = `blog.example.com:${HAPROXY.http}`;
    const reply = await getApp(via.haproxy, host, '/path?q=1');
    expect(reply.info?.original.headers.forwarded).toBe(`proto=http;host="${host}";for=${CLIENT}`);
    expect(reply.url).toBe(`http://${host}/path?q=1`);
    expect(reply.info).toMatchObject({ trusted: true, peerAddress: HAPROXY.source, remoteAddress: CLIENT });
    expect(reply.info?.applied).toContain('forwarded');
    expect(reply.ip).toBe(CLIENT);
  });

  it('reconstructs the public URL over HTTPS (TLS terminated by HAProxy)', async () => {
    const host = `blog.example.com:${HAPROXY.https}`;
    const reply = await getApp(via.haproxyTls, host, '/path?q=1');
    expect(reply.url).toBe(`https://${host}/path?q=1`);
    expect(reply.info).toMatchObject({ remoteAddress: CLIENT, protocol: 'https', secure: true });
  });

  it('strips X-Forwarded-For and X-Forwarded-Proto, which this backend does not trust', async () => {
    const reply = await getApp(via.haproxyTls, `blog.example.com:${HAPROXY.https}`, '/');
    expect(reply.info?.original.headers['x-forwarded-for']).toBe(CLIENT);
    expect(reply.info?.original.headers['x-forwarded-proto']).toBe('https');
    expect(reply.headers['x-forwarded-for']).toBeUndefined();
    expect(reply.headers['x-forwarded-proto']).toBeUndefined();
  });

  it("keeps HAProxy's own element when the client sends a malformed Forwarded line", async () => {
    const reply = await getApp(via.haproxy, `blog.example.com:${HAPROXY.http}`, '/', {
      Forwarded: 'for="unterminated',
    });
    expect(reply.info?.remoteAddress).toBe(CLIENT);
    expect(reply.info?.protocol).toBe('http');
  });
});

describe('HAProxy with X-Forwarded-For and X-Forwarded-Proto', () => {
  it('reads the client from its own x-forwarded-for line after the client lines', async () => {
    const reply = await getApp(via.haproxyXff, `blog.example.com:${HAPROXY.xffHttp}`, '/path', {
      'X-Forwarded-For': ['1.1.1.1', '2.2.2.2'],
    });
    const raw = reply.info?.original.headers['x-forwarded-for'];
    expect(raw).toBe(`1.1.1.1, 2.2.2.2, ${CLIENT}`);
    expect(reply.info?.remoteAddress).toBe(CLIENT);
    expect(reply.url).toBe(`http://blog.example.com:${HAPROXY.xffHttp}/path`);
  });

  it('overwrites a plain-HTTP client X-Forwarded-Proto with %[ssl_fc,iif(https,http)]', async () => {
    const reply = await getApp(via.haproxyXff, `blog.example.com:${HAPROXY.xffHttp}`, '/', {
      'X-Forwarded-Proto': 'https',
    });
    expect(reply.info?.original.headers['x-forwarded-proto']).toBe('http');
    expect(reply.info?.protocol).toBe('http');
  });

  it('reports https over TLS', async () => {
    const host = `blog.example.com:${HAPROXY.xffHttps}`;
    const reply = await getApp(via.haproxyXffTls, host, '/path');
    expect(reply.url).toBe(`https://${host}/path`);
    expect(reply.info?.remoteAddress).toBe(CLIENT);
  });
});
