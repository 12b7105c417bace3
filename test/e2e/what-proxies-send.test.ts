// What each proxy forwards when the client forges every forwarding header (SPOOF_ALL): the table of
// docs/proxies.md, checked against the real servers. `original.headers` is req.headers as it arrived
// at the backend, before the package touched it (repeated lines joined by Node with ", ").
import { describe, expect, it } from 'vitest';
import { getApp, SPOOF_ALL, type Target, via } from './client.js';
import { APACHE, CLIENT, HAPROXY, NGINX } from './topology.js';

const HEADERS = [
  'host',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-server',
  'x-forwarded-port',
  'x-forwarded-proto',
  'x-forwarded-scheme',
  'x-forwarded-prefix',
  'forwarded',
  'x-real-ip',
  'x-client-ip',
] as const;

async function arrived(target: Target, host: string, path: string): Promise<Record<string, unknown>> {
  const reply = await getApp(target, host, path, SPOOF_ALL);
  const original = reply.info?.original.headers ?? {};
  return Object.fromEntries(HEADERS.map((name) => [name, original[name]]));
}

const FORGED_FORWARDED = 'for=9.9.9.9;host=evil.example;proto=https';

describe('what each proxy sends upstream', () => {
  it('Apache mod_proxy (article vhost on port 80): appends For/Host/Server, sets only what RequestHeader sets', async () => {
    expect(await arrived(via.apache, `blog.example.com:${APACHE.http}`, '/')).toEqual({
      host: '127.0.0.10:18002',
      'x-forwarded-for': `6.6.6.6, ${CLIENT}`,
      'x-forwarded-host': `evil.example, blog.example.com:${APACHE.http}`,
      'x-forwarded-server': 'evil-server.example, blog.example.com',
      'x-forwarded-port': String(APACHE.http),
      'x-forwarded-proto': 'https',
      'x-forwarded-scheme': 'https',
      'x-forwarded-prefix': '/evil',
      forwarded: FORGED_FORWARDED,
      'x-real-ip': '7.7.7.7',
      'x-client-ip': '8.8.8.8',
    });
  });

  it('Apache mod_proxy (fixed recipe): RequestHeader set overwrites scheme and port', async () => {
    const sent = await arrived(via.apacheFixed, `www.example.com:${APACHE.fixedHttp}`, '/');
    expect(sent['x-forwarded-scheme']).toBe('http');
    expect(sent['x-forwarded-port']).toBe(String(APACHE.fixedHttp));
  });

  it('nginx (usual proxy_set_header set, /app/): appends For, overwrites the rest it sets', async () => {
    expect(await arrived(via.nginx, `blog.example.com:${NGINX.http}`, '/app/')).toEqual({
      host: 'blog.example.com',
      'x-forwarded-for': `6.6.6.6, ${CLIENT}`,
      'x-forwarded-host': 'blog.example.com',
      'x-forwarded-server': 'evil-server.example',
      'x-forwarded-port': String(NGINX.http),
      'x-forwarded-proto': 'http',
      'x-forwarded-scheme': 'https',
      'x-forwarded-prefix': '/app',
      forwarded: FORGED_FORWARDED,
      'x-real-ip': CLIENT,
      'x-client-ip': '8.8.8.8',
    });
  });

  it('HAProxy (forwardfor, set-header Proto, Forwarded): adds its own lines after the client lines', async () => {
    const host = `blog.example.com:${HAPROXY.https}`;
    expect(await arrived(via.haproxyTls, host, '/')).toEqual({
      host,
      'x-forwarded-for': `6.6.6.6, ${CLIENT}`,
      'x-forwarded-host': 'evil.example',
      'x-forwarded-server': 'evil-server.example',
      'x-forwarded-port': '6666',
      'x-forwarded-proto': 'https',
      'x-forwarded-scheme': 'https',
      'x-forwarded-prefix': '/evil',
      forwarded: `${FORGED_FORWARDED}, proto=https;host="${host}";for=${CLIENT}`,
      'x-real-ip': '7.7.7.7',
      'x-client-ip': '8.8.8.8',
    });
  });

  it('chain nginx → Apache: both append to For and Host; Server and the rest come from one hop', async () => {
    expect(await arrived(via.edgeTls, `blog.example.com:${NGINX.edgeHttps}`, '/')).toEqual({
      host: '127.0.0.10:18006',
      'x-forwarded-for': `6.6.6.6, ${CLIENT}, ${NGINX.source}`,
      'x-forwarded-host': 'blog.example.com, blog.example.com',
      'x-forwarded-server': 'evil-server.example, blog.example.com',
      'x-forwarded-port': String(NGINX.edgeHttps),
      'x-forwarded-proto': 'https',
      'x-forwarded-scheme': 'https',
      'x-forwarded-prefix': undefined,
      forwarded: FORGED_FORWARDED,
      'x-real-ip': CLIENT,
      'x-client-ip': '8.8.8.8',
    });
  });
});
