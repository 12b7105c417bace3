// Scenario 2: nginx with the usual proxy_set_header set and a location /app/ that strips the
// prefix and sends X-Forwarded-Prefix. The backend trusts X-Forwarded-For, -Host, -Port, -Proto
// and -Prefix from nginx's proxy_bind address only.
import { describe, expect, it } from 'vitest';
import { getApp, via } from './client.js';
import { CLIENT, NGINX } from './topology.js';

describe('nginx with the usual proxy_set_header set', () => {
  it('keeps the /app prefix in the public URL while the app sees the stripped path (HTTP)', async () => {
    const reply = await getApp(via.nginx, `blog.example.com:${NGINX.http}`, '/app/path?q=1');
    expect(reply.path).toBe('/path?q=1');
    expect(reply.url).toBe(`http://blog.example.com:${NGINX.http}/app/path?q=1`);
    expect(reply.info).toMatchObject({
      trusted: true,
      peerAddress: NGINX.source,
      remoteAddress: CLIENT,
      prefix: '/app',
      protocol: 'http',
    });
    expect(reply.ip).toBe(CLIENT);
  });

  it('keeps the /app prefix in the public URL over HTTPS', async () => {
    const reply = await getApp(via.nginxTls, `blog.example.com:${NGINX.https}`, '/app/path?q=1');
    expect(reply.url).toBe(`https://blog.example.com:${NGINX.https}/app/path?q=1`);
    expect(reply.info).toMatchObject({
      remoteAddress: CLIENT,
      protocol: 'https',
      secure: true,
      prefix: '/app',
    });
  });

  it('gets the port from X-Forwarded-Port, because $host drops it', async () => {
    const reply = await getApp(via.nginx, `blog.example.com:${NGINX.http}`, '/path');
    expect(reply.info?.original.headers).toMatchObject({
      host: 'blog.example.com',
      'x-forwarded-host': 'blog.example.com',
      'x-forwarded-port': String(NGINX.http),
    });
    expect(reply.url).toBe(`http://blog.example.com:${NGINX.http}/path`);
  });

  it('has no prefix outside /app/, where X-Forwarded-Prefix "" drops a client value', async () => {
    const reply = await getApp(via.nginx, `blog.example.com:${NGINX.http}`, '/path', {
      'X-Forwarded-Prefix': '/evil',
    });
    expect(reply.info?.original.headers['x-forwarded-prefix']).toBeUndefined();
    expect(reply.info?.prefix).toBe('');
    expect(reply.url).toBe(`http://blog.example.com:${NGINX.http}/path`);
  });

  it('overwrites X-Real-IP, which the backend strips because it trusts X-Forwarded-For instead', async () => {
    const reply = await getApp(via.nginx, `blog.example.com:${NGINX.http}`, '/path', {
      'X-Real-IP': '7.7.7.7',
    });
    expect(reply.info?.original.headers['x-real-ip']).toBe(CLIENT);
    expect(reply.headers['x-real-ip']).toBeUndefined();
    expect(reply.info?.remoteAddress).toBe(CLIENT);
  });
});
