// Scenario 6: the app redirects to its internal absolute origin (`http://${original Host}/landed`);
// with --rewrite-location the client gets the public origin (and prefix) through every proxy.
import { describe, expect, it } from 'vitest';
import { get, type Target, via } from './client.js';
import { APACHE, HAPROXY, NGINX } from './topology.js';

interface Case {
  name: string;
  via: Target;
  host: string;
  path: string;
  /** What the app wrote: the origin it saw. */
  internal: string;
  /** What the client must get. */
  location: string;
}

const cases: Case[] = [
  {
    name: 'Apache article blog (HTTP)',
    via: via.apache,
    host: `blog.example.com:${APACHE.http}`,
    path: '/redirect',
    internal: 'http://127.0.0.10:18002/landed',
    location: `http://blog.example.com:${APACHE.http}/landed`,
  },
  {
    name: 'Apache article blog (HTTPS)',
    via: via.apacheTls,
    host: `blog.example.com:${APACHE.https}`,
    path: '/redirect',
    internal: 'http://127.0.0.10:18002/landed',
    location: `https://blog.example.com:${APACHE.https}/landed`,
  },
  {
    name: 'Apache fixed recipe www (HTTP, Host without port)',
    via: via.apacheFixed,
    host: 'www.example.com',
    path: '/redirect',
    internal: 'http://127.0.0.10:18001/landed',
    location: `http://www.example.com:${APACHE.fixedHttp}/landed`,
  },
  {
    name: 'nginx /app/ (HTTP)',
    via: via.nginx,
    host: `blog.example.com:${NGINX.http}`,
    path: '/app/redirect',
    internal: 'http://blog.example.com/landed',
    location: `http://blog.example.com:${NGINX.http}/app/landed`,
  },
  {
    name: 'nginx /app/ (HTTPS)',
    via: via.nginxTls,
    host: `blog.example.com:${NGINX.https}`,
    path: '/app/redirect',
    internal: 'http://blog.example.com/landed',
    location: `https://blog.example.com:${NGINX.https}/app/landed`,
  },
  {
    name: 'HAProxy Forwarded (HTTPS)',
    via: via.haproxyTls,
    host: `blog.example.com:${HAPROXY.https}`,
    path: '/redirect',
    internal: `http://blog.example.com:${HAPROXY.https}/landed`,
    location: `https://blog.example.com:${HAPROXY.https}/landed`,
  },
  {
    name: 'HAProxy X-Forwarded-For (HTTPS)',
    via: via.haproxyXffTls,
    host: `blog.example.com:${HAPROXY.xffHttps}`,
    path: '/redirect',
    internal: `http://blog.example.com:${HAPROXY.xffHttps}/landed`,
    location: `https://blog.example.com:${HAPROXY.xffHttps}/landed`,
  },
  {
    name: 'chain nginx → Apache, both trusted (HTTPS)',
    via: via.edgeTls,
    host: `blog.example.com:${NGINX.edgeHttps}`,
    path: '/redirect',
    internal: 'http://127.0.0.10:18006/landed',
    location: `https://blog.example.com:${NGINX.edgeHttps}/landed`,
  },
];

describe('redirects with --rewrite-location', () => {
  it.each(cases)('$name: Location names the public origin', async (c) => {
    const reply = await get(c.via, c.host, c.path);
    expect(reply.status).toBe(302);
    expect(reply.headers['x-app-location']).toBe(c.internal);
    expect(reply.headers.location).toBe(c.location);
  });

  it('HAProxy (HTTP): a Location already on the public origin is left as it is', async () => {
    const host = `blog.example.com:${HAPROXY.http}`;
    const reply = await get(via.haproxy, host, '/redirect');
    expect(reply.headers['x-app-location']).toBe(`http://${host}/landed`);
    expect(reply.headers.location).toBe(`http://${host}/landed`);
  });
});
