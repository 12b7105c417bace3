import { describe, expect, it } from 'vitest';
import { reconstructUrl, trustedProxy, type WsgiEnviron } from '../../src/index.js';
import { fakeRequest } from '../helpers/request.js';

describe('R15 reconstructUrl(environ) › PEP 3333 vectors (mod_wsgi.md §6)', () => {
  const cases: Array<{ id: string; environ: WsgiEnviron; out: string }> = [
    {
      id: 'U1',
      environ: { 'wsgi.url_scheme': 'https', SERVER_NAME: 'example.com', SERVER_PORT: '443', PATH_INFO: '/' },
      out: 'https://example.com/',
    },
    {
      id: 'U2',
      environ: { 'wsgi.url_scheme': 'https', SERVER_NAME: 'example.com', SERVER_PORT: '80', PATH_INFO: '/' },
      out: 'https://example.com:80/',
    },
    {
      id: 'U3',
      environ: { 'wsgi.url_scheme': 'http', SERVER_NAME: 'example.com', SERVER_PORT: '443', PATH_INFO: '/' },
      out: 'http://example.com:443/',
    },
    {
      id: 'U4',
      environ: {
        'wsgi.url_scheme': 'http',
        HTTP_HOST: '',
        SERVER_NAME: 'example.com',
        SERVER_PORT: '80',
        SCRIPT_NAME: '/app',
      },
      out: 'http://example.com/app',
    },
    {
      id: 'U5',
      environ: {
        'wsgi.url_scheme': 'https',
        HTTP_HOST: 'example.com:443',
        SERVER_NAME: 'x',
        SERVER_PORT: '1',
        PATH_INFO: '/a',
      },
      out: 'https://example.com:443/a',
    },
    {
      id: 'U6',
      environ: {
        'wsgi.url_scheme': 'http',
        HTTP_HOST: 'h',
        SCRIPT_NAME: '/a b',
        PATH_INFO: "/c~d!*'()",
        QUERY_STRING: 'q=1&r=%20',
      },
      out: 'http://h/a%20b/c~d%21%2A%27%28%29?q=1&r=%20',
    },
    {
      id: 'U7',
      environ: { 'wsgi.url_scheme': 'http', HTTP_HOST: 'h', SCRIPT_NAME: '/app/', PATH_INFO: '/x' },
      out: 'http://h/app//x',
    },
    {
      id: 'U9',
      environ: { 'wsgi.url_scheme': 'http', HTTP_HOST: 'h', PATH_INFO: '/café' },
      out: 'http://h/caf%C3%A9',
    },
    {
      id: 'U10',
      environ: { 'wsgi.url_scheme': 'http', HTTP_HOST: 'h', PATH_INFO: '/a%2Fb;p?x#y' },
      out: 'http://h/a%252Fb%3Bp%3Fx%23y',
    },
    {
      id: 'U11',
      environ: { 'wsgi.url_scheme': 'https', SERVER_NAME: '[::1]', SERVER_PORT: '8443', PATH_INFO: '/' },
      out: 'https://[::1]:8443/',
    },
    {
      id: 'U12',
      environ: { 'wsgi.url_scheme': 'http', SERVER_NAME: 'example.com', SERVER_PORT: '080' },
      out: 'http://example.com:080',
    },
  ];
  for (const { id, environ, out } of cases) {
    it(`${id} → ${out}`, () => {
      expect(reconstructUrl(environ)).toBe(out);
    });
  }
});

describe('R15 reconstructUrl(req)', () => {
  const proxy = trustedProxy({
    trustedHeaders: ['X-Forwarded-Host', 'X-Forwarded-Proto', 'X-Forwarded-Prefix'],
    trustedProxies: '10.0.0.1',
  });

  it('protocol://host + prefix + path as received', () => {
    const req = fakeRequest({
      headers: [
        ['Host', 'internal:8000'],
        ['X-Forwarded-Host', 'Blog.Example.com'],
        ['X-Forwarded-Proto', 'https'],
        ['X-Forwarded-Prefix', '/app'],
      ],
      url: '/post?id=1',
    });
    proxy.process(req);
    expect(reconstructUrl(req)).toBe('https://blog.example.com/app/post?id=1');
  });

  const paths: Array<{ url: string; out: string }> = [
    { url: '/a b', out: 'http://h.example/a%20b' },
    { url: '/caf\u00e9', out: 'http://h.example/caf%C3%A9' },
    { url: '/%7e%zz', out: 'http://h.example/%7e%25zz' },
    { url: '/a"<>', out: 'http://h.example/a%22%3C%3E' },
    { url: '/a#b', out: 'http://h.example/a%23b' },
    { url: '/q?x=a b&y=%20', out: 'http://h.example/q?x=a%20b&y=%20' },
    { url: 'http://other.example/p?q=1', out: 'http://h.example/p?q=1' },
    { url: 'http://other.example', out: 'http://h.example/' },
    { url: '*', out: 'http://h.example/*' },
    { url: '//evil.example/x', out: 'http://h.example//evil.example/x' },
  ];
  for (const { url, out } of paths) {
    it(`encodes ${JSON.stringify(url)} without decoding anything`, () => {
      const req = fakeRequest({ headers: [['Host', 'h.example']], url });
      proxy.process(req);
      expect(reconstructUrl(req)).toBe(out);
    });
  }

  it('prefers originalUrl (Express mounts)', () => {
    const req = fakeRequest({ headers: [['Host', 'h.example']], url: '/inner' });
    (req as unknown as { originalUrl: string }).originalUrl = '/mount/inner';
    expect(reconstructUrl(req)).toBe('http://h.example/mount/inner');
  });

  it('an unprocessed request uses raw transport values, never forwarding headers', () => {
    const req = fakeRequest({
      encrypted: true,
      headers: [
        ['Host', 'Internal:443'],
        ['X-Forwarded-Host', 'evil.example'],
        ['X-Forwarded-Proto', 'http'],
      ],
      url: '/x',
    });
    expect(reconstructUrl(req)).toBe('https://internal/x');
    expect(req.headers['x-forwarded-host']).toBe('evil.example');
  });

  it('an unprocessed request without Host uses the local address and port', () => {
    expect(reconstructUrl(fakeRequest({ localAddress: '10.1.1.1', localPort: 8080, url: '/' }))).toBe(
      'http://10.1.1.1:8080/',
    );
  });
});

describe('R15 reconstructUrl(req, path)', () => {
  const proxy = trustedProxy({ trustedHeaders: ['X-Forwarded-Prefix'], trustedProxies: '10.0.0.1' });
  const req = fakeRequest({
    headers: [
      ['Host', 'pub.example'],
      ['X-Forwarded-Prefix', '/app'],
    ],
    url: '/whatever?x=1',
  });
  proxy.process(req);

  it('puts the prefix in front and replaces path and query', () => {
    expect(reconstructUrl(req, '/login?next=%2F')).toBe('http://pub.example/app/login?next=%2F');
  });

  it('keeps a fragment', () => {
    expect(reconstructUrl(req, '/docs#install')).toBe('http://pub.example/app/docs#install');
  });

  for (const bad of ['', 'login', '//evil.example/', '/\\evil.example', 'https://evil.example/', ' /x']) {
    it(`refuses ${JSON.stringify(bad)} with a TypeError`, () => {
      try {
        reconstructUrl(req, bad);
        expect.unreachable();
      } catch (err) {
        expect(err).toBeInstanceOf(TypeError);
        expect((err as { code?: string }).code).toBe('ERR_TRUSTED_PROXY_PATH');
      }
    });
  }

  it('never names another origin', () => {
    for (const path of ['/@evil.example', '/%2F%2Fevil.example', '/.evil.example']) {
      expect(new URL(reconstructUrl(req, path)).origin).toBe('http://pub.example');
    }
  });
});
