/**
 * R14 Location rewriting, value by value and through every way a response sets headers
 * (setHeader, appendHeader, writeHead with an object, a flat array or pairs), on real
 * ServerResponse objects: what leaves is checked in the serialised header block.
 */
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { ProxyInfo } from '../../../src/core/types.js';
import {
  compileLocationTarget,
  installLocationRewrite,
  type LocationTarget,
  rewriteLocationValue,
} from '../../../src/node/location.js';

function info(overrides: Partial<ProxyInfo> = {}, original: Partial<ProxyInfo['original']> = {}): ProxyInfo {
  return {
    trusted: true,
    peerAddress: '10.0.0.1',
    remoteAddress: '203.0.113.9',
    addresses: ['203.0.113.9', '10.0.0.1'],
    protocol: 'https',
    secure: true,
    hostname: 'www.example.com',
    port: 443,
    host: 'www.example.com',
    serverName: 'www.example.com',
    prefix: '/app',
    applied: [],
    rejected: [],
    hostAllowed: true,
    original: {
      remoteAddress: '10.0.0.1',
      host: 'internal:8080',
      protocol: 'http',
      headers: {},
      ...original,
    },
    ...overrides,
  };
}

const TARGET: LocationTarget = compileLocationTarget(info());
const NO_PREFIX: LocationTarget = compileLocationTarget(info({ prefix: '' }));

describe('compileLocationTarget', () => {
  it('derives the internal origin from the original scheme and Host', () => {
    expect(TARGET).toEqual({
      internalOrigin: 'http://internal:8080',
      internalBase: 'http://internal:8080',
      publicOrigin: 'https://www.example.com',
      prefix: '/app',
    });
  });

  it.each(['a/b', 'a\\b', 'a?b', 'a#b', 'a@b', 'a b', 'a\tb', ''])('ignores a Host of %j', (host) => {
    const t = compileLocationTarget(info({}, { host }));
    expect(t.internalBase).toBeUndefined();
    expect(t.internalOrigin).toBeUndefined();
  });

  it('has no internal origin without a Host, or for a Host URL cannot parse', () => {
    expect(compileLocationTarget(info({}, { host: undefined })).internalOrigin).toBeUndefined();
    const bad = compileLocationTarget(info({}, { host: '[::1' }));
    expect(bad.internalBase).toBe('http://[::1');
    expect(bad.internalOrigin).toBeUndefined();
  });
});

describe('rewriteLocationValue', () => {
  it.each([
    ['http://internal:8080/x?y=1#z', 'https://www.example.com/app/x?y=1#z'],
    ['HTTP://INTERNAL:8080/x', 'https://www.example.com/app/x'],
    ['//internal:8080/x', 'https://www.example.com/app/x'],
    ['\\\\internal:8080/x', 'https://www.example.com/app/x'],
    ['/\\internal:8080/x', 'https://www.example.com/app/x'],
    ['\\/internal:8080/x', 'https://www.example.com/app/x'],
    ['http:\\\\internal:8080\\x', 'https://www.example.com/app/x'],
    ['  http://internal:8080/x  ', 'https://www.example.com/app/x'],
    ['http://inter\tnal:8080/x', 'https://www.example.com/app/x'],
    ['/landed', '/app/landed'],
    [' /landed', '/app/landed'],
    ['/', '/app/'],
  ])('rewrites %j to %j', (value, out) => {
    expect(rewriteLocationValue(value, TARGET)).toBe(out);
  });

  it.each([
    'http://other.example/x',
    'https://internal:8080/x',
    'http://internal:8081/x',
    'mailto:a@internal',
    'relative/path',
    '?q=1',
    '#frag',
    '',
    'http://internal:8080/x\u0000',
    'http://internal:8080/\u0001',
    'http://[::1/x',
    'x1+.-://internal:8080/',
  ])('leaves %j alone', (value) => {
    expect(rewriteLocationValue(value, TARGET)).toBe(value);
  });

  it('a scheme of letters, digits, + . - is absolute', () => {
    const t = compileLocationTarget(info({}, { host: 'internal:8080', protocol: 'http' }));
    expect(rewriteLocationValue('http://internal:8080/', t)).toBe('https://www.example.com/app/');
    expect(rewriteLocationValue('1http://internal:8080/', t)).toBe('1http://internal:8080/');
  });

  it('without a prefix, a root-relative value is returned as is (the same string)', () => {
    const value = ' /landed';
    expect(rewriteLocationValue(value, NO_PREFIX)).toBe(value);
    expect(rewriteLocationValue('http://internal:8080/x', NO_PREFIX)).toBe('https://www.example.com/x');
  });

  it('leaves absolute values alone when the internal origin is unknown', () => {
    const t = compileLocationTarget(info({}, { host: undefined }));
    expect(rewriteLocationValue('http://internal:8080/x', t)).toBe('http://internal:8080/x');
    expect(rewriteLocationValue('/x', t)).toBe('/app/x');
  });

  it('never produces a control character', () => {
    const t: LocationTarget = { ...TARGET, prefix: '/a\u0001' };
    expect(rewriteLocationValue('/x', t)).toBe('/x');
  });

  it('trims only characters up to space, at both ends', () => {
    expect(rewriteLocationValue('\u0020/x\u0020', TARGET)).toBe('/app/x');
    expect(rewriteLocationValue('!/x', TARGET)).toBe('!/x');
  });
});

function response(): ServerResponse & { _header?: string | null } {
  const req = new IncomingMessage(new Socket());
  return new ServerResponse(req) as ServerResponse & { _header?: string | null };
}

function locations(res: ServerResponse & { _header?: string | null }): string[] {
  return [...String(res._header).matchAll(/\r\nlocation: ([^\r]*)/gi)].map((m) => m[1]!);
}

describe('rewriteLocationValue › survivors of the first mutation run', () => {
  it('a single backslash is not protocol-relative; a scheme needs two slashes', () => {
    expect(rewriteLocationValue('\\x', TARGET)).toBe('\\x');
    expect(rewriteLocationValue('\\x/y', TARGET)).toBe('\\x/y');
    expect(rewriteLocationValue('http:/internal:8080/x', TARGET)).toBe('http:/internal:8080/x');
  });
});

describe('installLocationRewrite', () => {
  it('leaves a non-string, non-array Location value as it is', () => {
    const res = response();
    installLocationRewrite(res, info());
    expect(() => res.setHeader('Location', 42 as unknown as string)).not.toThrow();
    expect(res.getHeader('location')).toBe(42);
  });

  it('only Location: an eight-letter name is not enough', () => {
    const res = response();
    installLocationRewrite(res, info());
    res.setHeader('Referrer', '/x');
    expect(res.getHeader('referrer')).toBe('/x');
    const flat = response();
    installLocationRewrite(flat, info());
    flat.writeHead(302, ['Referrer', '/r', 'Location', '/x']);
    expect(String(flat._header)).toContain('Referrer: /r\r\n');
  });

  it('a non-string name to setHeader reaches Node, which refuses it as Node does (even one of length 8)', () => {
    for (const name of [['l', 'o', 'c', 'a', 't', 'i', 'o', 'n'], 42]) {
      const res = response();
      installLocationRewrite(res, info());
      let code: unknown;
      try {
        res.setHeader(name as unknown as string, '/x');
      } catch (err) {
        code = (err as { code?: unknown }).code;
      }
      expect(code).toBe('ERR_INVALID_HTTP_TOKEN');
    }
  });

  it('a header name that is not a string reaches Node, which refuses it as Node does', () => {
    const res = response();
    installLocationRewrite(res, info());
    let code: unknown;
    try {
      res.writeHead(302, [[42, '/x']] as unknown as string[]);
    } catch (err) {
      code = (err as { code?: unknown }).code;
    }
    expect(code).toBe('ERR_INVALID_HTTP_TOKEN');
  });

  it('appendHeader to an existing Location rewrites the appended value', () => {
    const res = response();
    installLocationRewrite(res, info());
    res.setHeader('Location', '/a');
    res.appendHeader('Location', 'http://internal:8080/b');
    expect(res.getHeader('location')).toEqual(['/app/a', 'https://www.example.com/app/b']);
  });

  it('patches when only the prefix differs (public origin = internal origin)', () => {
    const res = response();
    installLocationRewrite(
      res,
      info(
        { protocol: 'http', host: 'internal:8080', prefix: '/app' },
        { host: 'internal:8080', protocol: 'http' },
      ),
    );
    res.setHeader('Location', '/x');
    expect(res.getHeader('location')).toBe('/app/x');
  });

  it('respects a response another copy of the package already patched', () => {
    const res = response() as ServerResponse & Record<symbol, unknown>;
    res[Symbol.for('trusted-proxy.location')] = true;
    const original = res.setHeader;
    installLocationRewrite(res, info());
    expect(res.setHeader).toBe(original);
  });

  it('rewrites setHeader, with any case of the name, and arrays of values', () => {
    const res = response();
    installLocationRewrite(res, info());
    res.setHeader('LoCaTiOn', 'http://internal:8080/a');
    expect(res.getHeader('location')).toBe('https://www.example.com/app/a');
    res.setHeader('Location', ['/b', 'http://other/c', 7 as unknown as string]);
    expect(res.getHeader('location')).toEqual(['/app/b', 'http://other/c', 7]);
    res.setHeader('X-Location', '/not-me');
    expect(res.getHeader('x-location')).toBe('/not-me');
    res.setHeader('Locations', '/not-me');
    expect(res.getHeader('locations')).toBe('/not-me');
  });

  it('rewrites appendHeader', () => {
    const res = response();
    installLocationRewrite(res, info());
    res.appendHeader('Location', '/a');
    expect(res.getHeader('location')).toBe('/app/a');
    res.appendHeader('X-Other', '/a');
    expect(res.getHeader('x-other')).toBe('/a');
  });

  it('rewrites writeHead(status, object) and writeHead(status, message, object)', () => {
    const a = response();
    installLocationRewrite(a, info());
    a.writeHead(302, { Location: 'http://internal:8080/x', 'X-Keep': '/y' });
    expect(locations(a)).toEqual(['https://www.example.com/app/x']);
    expect(String(a._header)).toContain('X-Keep: /y');
    const b = response();
    installLocationRewrite(b, info());
    b.writeHead(302, 'Found', { location: '/x' });
    expect(locations(b)).toEqual(['/app/x']);
    expect(String(b._header)).toMatch(/^HTTP\/1\.1 302 Found/);
  });

  it('rewrites writeHead with a flat array and with pairs, without touching the caller’s array', () => {
    const flat = ['Location', '/x', 'X-Other', '/y'];
    const a = response();
    installLocationRewrite(a, info());
    a.writeHead(302, flat);
    expect(locations(a)).toEqual(['/app/x']);
    expect(String(a._header)).toContain('X-Other: /y\r\n');
    expect(flat).toEqual(['Location', '/x', 'X-Other', '/y']);
    const pairs: [string, string][] = [
      ['X-Other', '/y'],
      ['location', 'http://internal:8080/z'],
    ];
    const b = response();
    installLocationRewrite(b, info());
    b.writeHead(302, pairs as unknown as string[]);
    expect(locations(b)).toEqual(['https://www.example.com/app/z']);
    expect(String(b._header)).toContain('X-Other: /y\r\n');
    expect(pairs[1]).toEqual(['location', 'http://internal:8080/z']);
  });

  it('leaves writeHead without headers, or without a Location, alone', () => {
    const a = response();
    installLocationRewrite(a, info());
    a.setHeader('Location', '/x');
    a.writeHead(301);
    expect(locations(a)).toEqual(['/app/x']);
    const b = response();
    installLocationRewrite(b, info());
    const headers = { 'X-Other': '/y' };
    b.writeHead(200, headers);
    expect(locations(b)).toEqual([]);
    expect(headers).toEqual({ 'X-Other': '/y' });
  });

  it('rewrites once: setHeader called from inside writeHead is not rewritten again', () => {
    const res = response();
    installLocationRewrite(res, info());
    res.setHeader('X-Before', '1'); /* makes writeHead go through setHeader for its object */
    res.writeHead(302, { Location: '/x' });
    expect(locations(res)).toEqual(['/app/x']);
  });

  it('patches a response once', () => {
    const res = response();
    installLocationRewrite(res, info());
    const patched = res.setHeader;
    installLocationRewrite(res, info({ prefix: '/other' }));
    expect(res.setHeader).toBe(patched);
    res.setHeader('Location', '/x');
    expect(res.getHeader('location')).toBe('/app/x');
  });

  it('does not patch when nothing could change: no prefix and the same origin, or no internal origin', () => {
    const same = response();
    const original = same.setHeader;
    installLocationRewrite(
      same,
      info(
        { prefix: '', protocol: 'http', host: 'internal:8080' },
        { host: 'internal:8080', protocol: 'http' },
      ),
    );
    expect(same.setHeader).toBe(original);
    const unknown = response();
    const before = unknown.writeHead;
    installLocationRewrite(unknown, info({ prefix: '' }, { host: undefined }));
    expect(unknown.writeHead).toBe(before);
    const differs = response();
    const set = differs.setHeader;
    installLocationRewrite(differs, info({ prefix: '' }));
    expect(differs.setHeader).not.toBe(set);
  });

  it('returns what the original methods return (chaining)', () => {
    const res = response();
    installLocationRewrite(res, info());
    expect(res.setHeader('Location', '/x')).toBe(res);
    expect(res.appendHeader('X-A', '1')).toBe(res);
    expect(res.writeHead(302)).toBe(res);
  });
});

describe('installLocationRewrite on malformed input', () => {
  it('leaves an odd-length flat writeHead list for Node to refuse as it would unpatched', () => {
    const codeOf = (patched: boolean): unknown => {
      const res = response();
      if (patched) installLocationRewrite(res, info());
      try {
        res.writeHead(302, ['X-A', '1', 'Location']);
      } catch (error) {
        return (error as { code?: unknown }).code;
      }
      return 'no error';
    };
    expect(codeOf(false)).toBe('ERR_INVALID_ARG_VALUE');
    expect(codeOf(true)).toBe('ERR_INVALID_ARG_VALUE');
  });

  it('never throws for a ProxyInfo it cannot read, and then leaves the response unpatched', () => {
    const res = response();
    const { setHeader } = res;
    expect(() => installLocationRewrite(res, {} as ProxyInfo)).not.toThrow();
    expect(res.setHeader).toBe(setHeader);
    res.setHeader('Location', '/x');
    expect(res.getHeader('location')).toBe('/x');
  });
});
