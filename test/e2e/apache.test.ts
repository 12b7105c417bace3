// Scenario 1: Apache httpd configured like the motivating article (proxying-python-app-in-docker),
// the backend trusting exactly the headers the article lists:
// X-Forwarded-Host, X-Forwarded-Port, X-Forwarded-For, X-Forwarded-Scheme, from Apache's address only.
import { describe, expect, it } from 'vitest';
import { get, getApp, via } from './client.js';
import { APACHE, CLIENT } from './topology.js';

describe('Apache httpd configured like the article', () => {
  it('answers 403 for unknown hosts from the _default_ vhost (Require all denied inside <Location "/">)', async () => {
    expect((await get(via.apache, 'unknown.example', '/')).status).toBe(403);
    expect((await get(via.apache, `${APACHE.listen}:${APACHE.http}`, '/')).status).toBe(403);
    expect((await get(via.apacheTls, 'unknown.example', '/')).status).toBe(403);
    // The named vhosts still answer.
    expect((await get(via.apache, 'blog.example.com', '/')).status).toBe(200);
  });

  it.each(['www', 'blog', 'wiki'])(
    'reconstructs the public URL of %s.example.com over HTTP',
    async (site) => {
      const reply = await getApp(via.apache, `${site}.example.com:${APACHE.http}`, '/path?q=1');
      expect(reply.url).toBe(`http://${site}.example.com:${APACHE.http}/path?q=1`);
      expect(reply.info).toMatchObject({
        trusted: true,
        peerAddress: APACHE.source,
        remoteAddress: CLIENT,
        protocol: 'http',
        host: `${site}.example.com:${APACHE.http}`,
      });
      expect(reply.ip).toBe(CLIENT);
    },
  );

  it.each(['blog', 'wiki'])('reconstructs the public URL of %s.example.com over HTTPS', async (site) => {
    const reply = await getApp(via.apacheTls, `${site}.example.com:${APACHE.https}`, '/path?q=1');
    expect(reply.url).toBe(`https://${site}.example.com:${APACHE.https}/path?q=1`);
    expect(reply.info).toMatchObject({ remoteAddress: CLIENT, protocol: 'https', secure: true });
    expect(reply.info?.applied).toContain('x-forwarded-scheme');
    expect(reply.ip).toBe(CLIENT);
  });

  it('takes the port from the fixed X-Forwarded-Port when the Host has none (blog)', async () => {
    const reply = await getApp(via.apache, 'blog.example.com', '/path?q=1');
    expect(reply.info?.original.headers['x-forwarded-host']).toBe('blog.example.com');
    expect(reply.info?.original.headers['x-forwarded-port']).toBe(String(APACHE.http));
    expect(reply.url).toBe(`http://blog.example.com:${APACHE.http}/path?q=1`);
  });

  it("sends the Host header's port, not the listening port, in the mod_rewrite variant (wiki)", async () => {
    // %{SERVER_PORT} with UseCanonicalName Off is the port the client named, else the scheme default.
    const noPort = await getApp(via.apache, 'wiki.example.com', '/path?q=1');
    expect(noPort.info?.original.headers['x-forwarded-port']).toBe('80');
    expect(noPort.url).toBe('http://wiki.example.com/path?q=1');
    const tlsNoPort = await getApp(via.apacheTls, 'wiki.example.com', '/path?q=1');
    expect(tlsNoPort.info?.original.headers['x-forwarded-port']).toBe('443');
    expect(tlsNoPort.url).toBe('https://wiki.example.com/path?q=1');
  });

  it('connects from ProxySourceAddress and appends to X-Forwarded-For', async () => {
    const reply = await getApp(via.apache, `blog.example.com:${APACHE.http}`, '/', {
      'X-Forwarded-For': '6.6.6.6',
    });
    expect(reply.info?.original.remoteAddress).toBe(APACHE.source);
    expect(reply.info?.original.headers['x-forwarded-for']).toBe(`6.6.6.6, ${CLIENT}`);
    expect(reply.info?.original.host).toBe('127.0.0.10:18002');
    expect(reply.info?.remoteAddress).toBe(CLIENT);
  });
});

describe('Apache httpd › the holes of the port-80 recipe, and the fixed recipe', () => {
  it('article recipe: a plain-HTTP client can claim https with X-Forwarded-Scheme', async () => {
    // The port-80 vhost never sets X-Forwarded-Scheme, so what arrives is the client's own.
    const reply = await getApp(via.apache, `blog.example.com:${APACHE.http}`, '/path', {
      'X-Forwarded-Scheme': 'https',
    });
    expect(reply.info?.protocol).toBe('https');
    expect(reply.url).toBe(`https://blog.example.com:${APACHE.http}/path`);
  });

  it('fixed recipe: RequestHeader set X-Forwarded-Scheme http on the port-80 vhost closes it', async () => {
    const host = `blog.example.com:${APACHE.fixedHttp}`;
    const reply = await getApp(via.apacheFixed, host, '/path', { 'X-Forwarded-Scheme': 'https' });
    expect(reply.info?.original.headers['x-forwarded-scheme']).toBe('http');
    expect(reply.info?.protocol).toBe('http');
    expect(reply.url).toBe(`http://${host}/path`);
  });

  it('fixed recipe: the TLS vhost overwrites a client X-Forwarded-Scheme too', async () => {
    const host = `blog.example.com:${APACHE.fixedHttps}`;
    const reply = await getApp(via.apacheFixedTls, host, '/path', { 'X-Forwarded-Scheme': 'http' });
    expect(reply.url).toBe(`https://${host}/path`);
  });

  it('article recipe: the bare-ProxyPass vhost (www) passes a client X-Forwarded-Port', async () => {
    const reply = await getApp(via.apache, 'www.example.com', '/path', { 'X-Forwarded-Port': '6666' });
    expect(reply.info?.port).toBe(6666);
    expect(reply.url).toBe('http://www.example.com:6666/path');
  });

  it('fixed recipe: every vhost sets X-Forwarded-Port, so the client cannot', async () => {
    const reply = await getApp(via.apacheFixed, 'www.example.com', '/path', { 'X-Forwarded-Port': '6666' });
    expect(reply.info?.port).toBe(APACHE.fixedHttp);
    expect(reply.url).toBe(`http://www.example.com:${APACHE.fixedHttp}/path`);
  });
});
