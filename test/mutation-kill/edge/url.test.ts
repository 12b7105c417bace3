/**
 * R15 reconstructUrl against the model (test/model): random request targets and paths, on
 * processed and unprocessed requests, and PEP 3333 environs against a transcription of
 * Python's `urllib.parse.quote`.
 */
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { reconstructUrl, trustedProxy } from '../../../src/index.js';
import { factsOfRaw } from '../../model/compare.js';
import { Rng } from '../../model/generate.js';
import { modelReconstructUrl, modelResolve } from '../../model/index.js';
import { makeRequest, type RawRequest } from '../../property/support/harness.js';

const PIECES = [
  'a',
  'Z',
  '0',
  '/',
  '?',
  '#',
  '%',
  '%41',
  '%zz',
  '%4',
  ' ',
  'é',
  '😀',
  '\ud800',
  '"',
  '<',
  '>',
  '\\',
  '^',
  '`',
  '{',
  '|',
  '}',
  '[',
  ']',
  '@',
  ':',
  ';',
  '=',
  '&',
  '+',
  '$',
  ',',
  '!',
  "'",
  '(',
  ')',
  '*',
  '~',
  '-',
  '.',
  '_',
  '\u007f',
  '\u0000',
];

function randomText(rng: Rng, max: number): string {
  let out = '';
  for (let n = rng.int(max); n > 0; n--) out += rng.pick(PIECES);
  return out;
}

function raw(url: string, lines: RawRequest['lines'], peer = '10.0.0.1', tls = false): RawRequest {
  return { peer, tls, localAddress: '10.0.0.9', localPort: 8080, method: 'GET', url, lines };
}

const OPTIONS = {
  trustedHeaders: ['X-Forwarded-Host', 'X-Forwarded-Proto', 'X-Forwarded-Prefix'],
  trustedProxies: '10.0.0.0/8',
};
const proxy = trustedProxy(OPTIONS);

describe('reconstructUrl(req) against the model', () => {
  it('encodes any target the way the model does, processed or not', () => {
    const rng = new Rng(0x0e1);
    for (let i = 0; i < 3000; i++) {
      const prefix = rng.pick(['/app', '/a/b', '/', '/caf%C3%A9']);
      const url = rng.pick(['/', '', 'http://h.example', 'https://h.example:1', '//x']) + randomText(rng, 12);
      const lines: RawRequest['lines'] = [
        ['Host', rng.pick(['internal:8080', 'Internal', '[::1]:80', 'bad host'])],
        ['X-Forwarded-Host', rng.pick(['www.example.com', 'A.Example:8443'])],
        ['X-Forwarded-Proto', rng.pick(['https', 'http'])],
        ['X-Forwarded-Prefix', prefix],
      ];
      const r = raw(url, lines, rng.pick(['10.0.0.1', '203.0.113.1']), rng.chance(0.5));
      const processed = rng.chance(0.7);
      const req = makeRequest(r);
      const expected = processed
        ? modelResolve(OPTIONS, factsOfRaw(r)).info
        : modelResolve({ trustedHeaders: ['X-Forwarded-For'], trustedProxies: () => false }, factsOfRaw(r))
            .info;
      if (processed) proxy.process(req);
      expect(reconstructUrl(req), `${JSON.stringify(url)} processed ${processed}`).toBe(
        modelReconstructUrl(expected, url),
      );
    }
  });

  it('prefers originalUrl to url', () => {
    const req = makeRequest(raw('/mounted', [['Host', 'a.example']])) as IncomingMessage & {
      originalUrl?: string;
    };
    req.originalUrl = '/app/mounted?x';
    expect(reconstructUrl(req)).toBe('http://a.example/app/mounted?x');
    (req as { originalUrl?: unknown }).originalUrl = 42;
    expect(reconstructUrl(req)).toBe('http://a.example/mounted');
  });

  it('a request without url is /', () => {
    const req = makeRequest(raw('/x', [['Host', 'a.example']])) as { url?: string };
    delete req.url;
    expect(reconstructUrl(req as IncomingMessage)).toBe('http://a.example/');
  });
});

describe('reconstructUrl(req, path) against the model', () => {
  it('replaces path and query, keeps the first # and encodes what follows', () => {
    const rng = new Rng(0x0e2);
    const r = raw('/ignored?q', [
      ['Host', 'internal'],
      ['X-Forwarded-Host', 'www.example.com'],
      ['X-Forwarded-Prefix', '/app'],
    ]);
    const req = makeRequest(r);
    proxy.process(req);
    const info = modelResolve(OPTIONS, factsOfRaw(r)).info;
    for (let i = 0; i < 2000; i++) {
      const path = `/${rng.pick(['', 'a', '%2F', '#', '?'])}${randomText(rng, 10)}`;
      if (path.startsWith('//') || path.startsWith('/\\')) continue;
      expect(reconstructUrl(req, path), JSON.stringify(path)).toBe(modelReconstructUrl(info, '/', path));
    }
  });

  it.each(['', 'x', '//evil.com', '/\\evil.com', 'http://evil.com/'])('refuses %j', (path) => {
    const req = makeRequest(raw('/', [['Host', 'a.example']]));
    expect(() => reconstructUrl(req, path)).toThrow(TypeError);
    try {
      reconstructUrl(req, path);
    } catch (err) {
      expect((err as { code?: string }).code).toBe('ERR_TRUSTED_PROXY_PATH');
      expect((err as Error).message).toContain(JSON.stringify(path));
    }
  });

  it('refuses a non-string path', () => {
    const req = makeRequest(raw('/', [['Host', 'a.example']]));
    expect(() => reconstructUrl(req, 42 as unknown as string)).toThrow(/single "\/": "42"/);
  });

  it('refuses a non-object request', () => {
    expect(() => reconstructUrl(null as unknown as IncomingMessage)).toThrow(TypeError);
    expect(() => reconstructUrl('http://x' as unknown as IncomingMessage)).toThrow(
      /request or a WSGI environ/,
    );
  });
});

/** Python's urllib.parse.quote(text, safe='/'), transcribed: UTF-8 bytes, upper-case hex. */
function pyQuote(text: string): string {
  let out = '';
  for (const byte of new TextEncoder().encode(text)) {
    const ch = String.fromCharCode(byte);
    out += /[A-Za-z0-9_.\-~/]/.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

describe('reconstructUrl(environ) against PEP 3333', () => {
  it('matches the algorithm on random environs', () => {
    const rng = new Rng(0x0e3);
    for (let i = 0; i < 3000; i++) {
      const scheme = rng.pick(['http', 'https', 'ftp']);
      const environ: Record<string, unknown> = { 'wsgi.url_scheme': scheme };
      const httpHost = rng.pick([undefined, '', 'h.example', 'h.example:8080']);
      if (httpHost !== undefined) environ.HTTP_HOST = httpHost;
      environ.SERVER_NAME = rng.pick(['s.example', '']);
      const port = rng.pick(['80', '443', '8080', '', undefined, 443]);
      if (port !== undefined) environ.SERVER_PORT = port;
      if (rng.chance(0.8)) environ.SCRIPT_NAME = randomText(rng, 6);
      if (rng.chance(0.8)) environ.PATH_INFO = randomText(rng, 8);
      const query = rng.pick([undefined, '', 'a=1&b=%20', null]);
      if (query !== undefined) environ.QUERY_STRING = query;
      const str = (v: unknown) =>
        typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v);
      let want = `${scheme}://`;
      if (str(environ.HTTP_HOST) !== '') want += str(environ.HTTP_HOST);
      else {
        want += str(environ.SERVER_NAME);
        const p = str(environ.SERVER_PORT);
        if (scheme === 'https' ? p !== '443' : p !== '80') want += `:${p}`;
      }
      want += pyQuote(str(environ.SCRIPT_NAME)) + pyQuote(str(environ.PATH_INFO));
      if (str(environ.QUERY_STRING) !== '') want += `?${str(environ.QUERY_STRING)}`;
      expect(reconstructUrl(environ as never), JSON.stringify(environ)).toBe(want);
    }
  });
});

describe('url.ts › survivors of the first mutation run', () => {
  function url(target: string): string {
    const req = makeRequest(raw(target, [['Host', 'a.example']], '203.0.113.1'));
    return reconstructUrl(req);
  }

  it('escapes at the edges of the hex digits are kept; others are encoded', () => {
    expect(url('/%09%0A%AF%af%Fa%90%9f')).toBe('http://a.example/%09%0A%AF%af%Fa%90%9f');
    expect(url('/%G0%/%:a%@0%`0%g0')).toBe('http://a.example/%25G0%25/%25:a%25@0%25%600%25g0');
    expect(url('/%4')).toBe('http://a.example/%254');
    expect(url('/%')).toBe('http://a.example/%25');
  });

  it('UTF-8 at the edges of one, two, three and four bytes, and every surrogate case', () => {
    expect(url('/\u007f\u0080\u07ff\u0800\uffff')).toBe('http://a.example/%7F%C2%80%DF%BF%E0%A0%80%EF%BF%BF');
    expect(url('/\u{10000}\u{10ffff}')).toBe('http://a.example/%F0%90%80%80%F4%8F%BF%BF');
    expect(url('/\ud800\udc00\udbff\udfff')).toBe('http://a.example/%F0%90%80%80%F4%8F%BF%BF');
    expect(url('/a\udc00b\udfffc')).toBe('http://a.example/a%EF%BF%BDb%EF%BF%BDc');
    expect(url('/a\ud800')).toBe('http://a.example/a%EF%BF%BD');
    expect(url('/a\udbffb')).toBe('http://a.example/a%EF%BF%BDb');
    expect(url('/\ud7ff\ue000')).toBe('http://a.example/%ED%9F%BF%EE%80%80');
  });

  it('absolute-form targets keep only their path and query', () => {
    expect(url('http://h.example?q=1')).toBe('http://a.example/?q=1');
    expect(url('http://h.example/p?q=/x')).toBe('http://a.example/p?q=/x');
    expect(url('http://h.example?q=/x')).toBe('http://a.example/?q=/x');
    expect(url('http://h.example')).toBe('http://a.example/');
    expect(url('://h/x')).toBe('http://a.example/://h/x');
    expect(url('x://h')).toBe('http://a.example/');
  });

  it('PEP 3333 quoting at the letter and digit edges', () => {
    expect(
      reconstructUrl({
        'wsgi.url_scheme': 'http',
        HTTP_HOST: 'h',
        SCRIPT_NAME: '/AZaz09@[`{/:',
        PATH_INFO: '',
      } as never),
    ).toBe('http://h/AZaz09%40%5B%60%7B/%3A');
  });

  it('a fetch Request: unresolved from its URL scheme and Host, resolved from its ProxyInfo', async () => {
    const { createResolver } = await import('../../../src/index.js');
    const unresolved = new Request('https://internal/p?q', { headers: { host: 'b.example' } });
    expect(reconstructUrl(unresolved)).toBe('https://b.example/p?q');
    expect(reconstructUrl(new Request('http://internal:8080'))).toBe('http://internal:8080/');
    const resolve = createResolver(OPTIONS as never);
    const { request } = resolve(
      new Request('http://internal/p?q', {
        headers: { 'x-forwarded-host': 'www.example.com', 'x-forwarded-prefix': '/app' },
      }),
      { peer: '10.0.0.1' },
    );
    expect(reconstructUrl(request)).toBe('http://www.example.com/app/p?q');
    // An object with a url but no Headers is a node request.
    const fake = { url: '/x', headers: { host: 'c.example' }, socket: {} } as unknown as IncomingMessage;
    expect(reconstructUrl(fake)).toBe('http://c.example/x');
  });

  it('null is refused with the package’s own message', () => {
    expect(() => reconstructUrl(null as unknown as IncomingMessage)).toThrow(/request or a WSGI environ/);
  });
});
