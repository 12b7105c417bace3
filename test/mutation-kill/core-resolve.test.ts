/**
 * resolveRequest() as the edges see it (RequestFacts → Resolution): a peer that is no address is
 * never a UNIX peer, HTTP/2 `:scheme` is a claim only from a trusted peer that lists it (R20),
 * header values that are undefined or arrays, and what the Resolution promises about
 * `original.headers`, `edits` and `hostChanged`.
 */
import { describe, expect, it } from 'vitest';
import { compileOptions } from '../../src/core/options.js';
import { type RequestFacts, resolveRequest } from '../../src/core/resolve.js';
import type { TrustedProxyOptions } from '../../src/core/types.js';

function facts(
  headers: Record<string, string | string[] | undefined>,
  peer: string | undefined = '10.0.0.2',
): RequestFacts {
  const rawHeaders: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) rawHeaders.push(name, v);
  }
  return {
    peer,
    unixSocket: false,
    encrypted: false,
    localAddress: '10.0.0.100',
    localPort: 8080,
    headers,
    rawHeaders,
  };
}

function resolve(options: Partial<TrustedProxyOptions>, input: RequestFacts) {
  return resolveRequest(
    compileOptions({
      trustedHeaders: ['X-Forwarded-For'],
      trustedProxies: '10.0.0.0/8',
      ...options,
    } as TrustedProxyOptions),
    input,
  );
}

describe('resolveRequest › the peer', () => {
  it('never takes a peer that is no address for a UNIX-socket peer, even with unix trusted', () => {
    const { info } = resolve(
      { trustedProxies: ['unix', '10.0.0.0/8'] },
      facts({ host: 'app.internal', 'x-forwarded-for': '203.0.113.7' }, 'not-an-address'),
    );
    expect(info.trusted).toBe(false);
    expect(info.remoteAddress).toBeUndefined();
    expect(info.rejected.map((e) => [e.header, e.reason])).toEqual([['x-forwarded-for', 'untrusted-peer']]);
  });
});

describe('resolveRequest › :scheme (R20)', () => {
  it('is no claim from a peer that is not trusted: no event, no edit', () => {
    const res = resolve(
      { trustedHeaders: [':scheme', 'X-Forwarded-Proto'] },
      facts({ host: 'app.internal', ':scheme': 'https' }, '203.0.113.9'),
    );
    expect(res.info.rejected).toEqual([]);
    expect(res.info.protocol).toBe('http');
    expect(res.edits).toBeUndefined();
  });

  it('is no claim from a trusted peer when trustedHeaders does not list it', () => {
    const res = resolve(
      { trustedHeaders: ['X-Forwarded-Proto'] },
      facts({ host: 'app.internal', ':scheme': 'https' }),
    );
    expect(res.info.rejected).toEqual([]);
    expect(res.info.protocol).toBe('http');
    expect(res.info.applied).toEqual([]);
    expect(res.edits).toBeUndefined();
  });
});

describe('resolveRequest › header values', () => {
  it('ignores a header whose value is undefined', () => {
    const res = resolve({}, facts({ host: 'app.internal', 'x-forwarded-for': undefined }, '203.0.113.9'));
    expect(res.info.rejected).toEqual([]);
    expect(res.edits).toBeUndefined();
  });

  it('reads an array value as the lines joined with ", "', () => {
    const { info } = resolve(
      { trustedProxies: '10.0.0.0/8' },
      facts({ host: 'app.internal', 'x-forwarded-for': ['203.0.113.7', '10.0.0.5'] }),
    );
    expect(info.remoteAddress).toBe('203.0.113.7');
    expect(info.addresses).toEqual(['203.0.113.7', '10.0.0.5', '10.0.0.2']);
  });
});

describe('resolveRequest › the Resolution', () => {
  it('keeps the headers object it read as original.headers and reports no edits without registry headers', () => {
    const input = facts({ host: 'app.internal', accept: '*/*' });
    const res = resolve({}, input);
    expect(res.info.original.headers).toBe(input.headers);
    expect(res.edits).toBeUndefined();
    expect(res.hostChanged).toBe(false);
  });

  it('deletes exactly the present headers of an untrusted peer (null edits, nothing else)', () => {
    const res = resolve({}, facts({ host: 'app.internal', 'x-forwarded-for': '1.2.3.4' }, '203.0.113.9'));
    expect(res.edits).toBeDefined();
    const defined = res.edits!.flatMap((edit, id) => (edit === undefined ? [] : [[id, edit]]));
    expect(defined).toHaveLength(1);
    expect(defined[0]![1]).toBeNull();
    expect(res.hostChanged).toBe(false);
  });

  it('has no edit for a header that was not there (an untrusted peer with X-Forwarded-Host only)', () => {
    const res = resolve(
      {},
      facts({ host: 'app.internal', 'x-forwarded-host': 'evil.example' }, '203.0.113.9'),
    );
    expect(res.edits!.filter((edit) => edit !== undefined)).toEqual([null]);
    expect(res.info.rejected.map((e) => [e.header, e.reason])).toEqual([
      ['x-forwarded-host', 'untrusted-peer'],
    ]);
  });

  it('reports hostChanged only when the Host differs from ProxyInfo.host', () => {
    const changed = resolve(
      { trustedHeaders: ['X-Forwarded-Host'] },
      facts({ host: 'app.internal', 'x-forwarded-host': 'www.example.com' }),
    );
    expect(changed.info.host).toBe('www.example.com');
    expect(changed.hostChanged).toBe(true);
    const same = resolve(
      { trustedHeaders: ['X-Forwarded-Host'] },
      facts({ host: 'app.internal:8080', 'x-forwarded-host': 'app.internal:8080' }),
    );
    expect(same.info.host).toBe('app.internal:8080');
    expect(same.hostChanged).toBe(false);
  });
});

describe('resolveRequest › Forwarded elements that lack a parameter', () => {
  const peer = '10.0.0.2';

  it('keeps the Host when the element R8 picks has no host= (R6), without throwing', () => {
    const { info } = resolve(
      { trustedHeaders: ['Forwarded'] },
      facts({ host: 'app.internal', forwarded: 'for=203.0.113.7, for=10.0.0.5;host=a.example' }, peer),
    );
    expect(info.remoteAddress).toBe('203.0.113.7');
    expect(info.hostname).toBe('app.internal');
    expect(info.rejected).toEqual([]);
  });

  it('looks past the Forwarded elements there are when the walk went further (X-Forwarded-For)', () => {
    const { info } = resolve(
      { trustedHeaders: ['X-Forwarded-For', 'Forwarded', 'X-Forwarded-Host'] },
      facts(
        {
          host: 'app.internal',
          'x-forwarded-for': '203.0.113.7, 10.0.0.5',
          forwarded: 'for=10.0.0.5',
          'x-forwarded-host': 'www.example.com',
        },
        peer,
      ),
    );
    expect(info.remoteAddress).toBe('203.0.113.7');
    expect(info.hostname).toBe('www.example.com');
  });

  it('reads a lower-priority Forwarded walk to an element without for= without an event or a throw', () => {
    const { info } = resolve(
      { trustedHeaders: ['X-Forwarded-For', 'Forwarded'] },
      facts(
        { host: 'app.internal', 'x-forwarded-for': '203.0.113.7', forwarded: 'by=x, for=10.0.0.5' },
        peer,
      ),
    );
    expect(info.remoteAddress).toBe('203.0.113.7');
    expect(info.rejected.map((e) => [e.header, e.reason])).toEqual([['forwarded', 'conflict']]);
  });

  it('drops an element with no valid parameter from the rewritten Forwarded instead of leaving an empty entry', () => {
    const res = resolve(
      { trustedHeaders: ['X-Forwarded-For', 'Forwarded'] },
      facts(
        {
          host: 'app.internal',
          'x-forwarded-for': '203.0.113.7, 10.0.0.5',
          forwarded: 'host=a.example, by=x',
        },
        peer,
      ),
    );
    expect(res.info.hostname).toBe('a.example');
    const rewritten = res.edits!.filter((e) => typeof e === 'string');
    expect(rewritten).toContain('host=a.example');
    for (const e of rewritten) expect(e).not.toMatch(/,\s*$|^\s*,/);
  });
});
