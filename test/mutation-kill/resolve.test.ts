/**
 * Exact outcomes of resolution and rewriting (R6–R11) for the branches the broad properties
 * reach but do not pin down: event values and their cut, which entries a rewritten list keeps,
 * raw header lines, Forwarded lines read from rawHeaders only, and the socket fallbacks.
 */
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import type { TrustedProxyOptions } from '../../src/core/types.js';
import { trustedProxy } from '../../src/index.js';
import { type HeaderLine, makeRequest, type RawRequest } from '../property/support/harness.js';

function run(
  headers: string[],
  lines: HeaderLine[],
  extra: Partial<RawRequest> = {},
  options: Partial<TrustedProxyOptions> = {},
) {
  const req = makeRequest({
    peer: '10.0.0.2',
    tls: false,
    localAddress: '10.0.0.100',
    localPort: 8080,
    method: 'GET',
    url: '/',
    lines: [['Host', 'app.internal'], ...lines],
    ...extra,
  });
  const info = trustedProxy({ trustedHeaders: headers, trustedProxies: '10.0.0.0/8', ...options }).process(
    req,
  );
  return { req, info };
}

function rawLines(req: IncomingMessage, name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    if (req.rawHeaders[i]!.toLowerCase() === name) out.push(req.rawHeaders[i + 1]!);
  }
  return out;
}

describe('R11 › a rewritten list keeps the entry used and the valid entries to its right', () => {
  it('drops an invalid entry right of the one used', () => {
    const { req, info } = run(
      ['X-Forwarded-For', 'X-Forwarded-Host'],
      [
        ['X-Forwarded-For', '198.51.100.9, 10.0.0.3'],
        ['X-Forwarded-Host', 'www.example.com, bad@host'],
      ],
    );
    expect(info.hostname).toBe('www.example.com');
    expect(req.headers['x-forwarded-host']).toBe('www.example.com');
    expect(rawLines(req, 'x-forwarded-host')).toEqual(['www.example.com']);
    expect(req.headers['x-forwarded-for']).toBe('198.51.100.9, 10.0.0.3');
  });

  it('leaves a list that needs no rewriting untouched, raw lines included, in order', () => {
    const { req, info } = run(
      ['X-Forwarded-For', 'X-Forwarded-Host'],
      [
        ['X-Forwarded-For', '198.51.100.9'],
        ['X-Forwarded-For', '10.0.0.3'],
        ['X-Forwarded-Host', 'a.example'],
        ['X-Forwarded-Host', 'b.example'],
      ],
    );
    expect(info.hostname).toBe('a.example');
    expect(req.headers['x-forwarded-host']).toBe('a.example, b.example');
    expect(rawLines(req, 'x-forwarded-host')).toEqual(['a.example', 'b.example']);
    expect(rawLines(req, 'x-forwarded-for')).toEqual(['198.51.100.9', '10.0.0.3']);
  });

  it('cuts the client-prepended entries of every applied list, keeping the order', () => {
    const { req } = run(
      ['X-Forwarded-For', 'X-Forwarded-Proto', 'X-Forwarded-Port'],
      [
        ['X-Forwarded-For', '6.6.6.6, 198.51.100.9, 10.0.0.3'],
        ['X-Forwarded-Proto', 'http, https, http'],
        ['X-Forwarded-Port', '1, 443, 8080'],
      ],
    );
    expect(req.headers['x-forwarded-for']).toBe('198.51.100.9, 10.0.0.3');
    expect(req.headers['x-forwarded-proto']).toBe('https, http');
    expect(req.headers['x-forwarded-port']).toBe('443, 8080');
    expect(rawLines(req, 'x-forwarded-proto')).toEqual(['https, http']);
  });
});

describe('R3 › rejection events', () => {
  it('quotes a value of 256 characters whole, and cuts a longer one to 256 with an ellipsis', () => {
    const exact = `${'a'.repeat(255)}@`;
    const longer = `${'b'.repeat(256)}@`;
    expect(run(['X-Forwarded-Host'], [['X-Forwarded-Host', exact]]).info.rejected).toEqual([
      { header: 'x-forwarded-host', value: exact, reason: 'invalid-host' },
    ]);
    expect(run(['X-Forwarded-Host'], [['X-Forwarded-Host', longer]]).info.rejected).toEqual([
      { header: 'x-forwarded-host', value: `${'b'.repeat(255)}…`, reason: 'invalid-host' },
    ]);
  });

  it.each([
    ['X-Forwarded-Port', 'x', 'invalid-port'],
    ['X-Forwarded-Server', 'a b', 'invalid-host'],
    ['X-Forwarded-Proto', 'ftp', 'invalid-scheme'],
    ['X-Forwarded-SSL', 'maybe', 'invalid-scheme'],
    ['X-Forwarded-Prefix', '//x', 'invalid-prefix'],
    ['X-Forwarded-Host', 'a b', 'invalid-host'],
  ])('reports %s %j as %s', (header, value, reason) => {
    const { info } = run([header], [[header, value]]);
    expect(info.rejected).toEqual([{ header: header.toLowerCase(), value, reason }]);
  });

  it('reports a lower-priority trusted header that disagrees as a conflict, and one that agrees not at all', () => {
    const headers = ['X-Forwarded-Proto', 'X-Forwarded-SSL'];
    const disagree = run(headers, [
      ['X-Forwarded-Proto', 'https'],
      ['X-Forwarded-SSL', 'off'],
    ]);
    expect(disagree.info.protocol).toBe('https');
    expect(disagree.info.rejected).toEqual([{ header: 'x-forwarded-ssl', value: 'off', reason: 'conflict' }]);
    expect(disagree.req.headers['x-forwarded-ssl']).toBeUndefined();
    const agree = run(headers, [
      ['X-Forwarded-Proto', 'https'],
      ['X-Forwarded-SSL', 'on'],
    ]);
    expect(agree.info.rejected).toEqual([]);
    expect(agree.info.applied).toEqual(['x-forwarded-proto']);
    expect(agree.req.headers['x-forwarded-ssl']).toBeUndefined();
  });

  it('reports a single-value client header holding a list', () => {
    const { info } = run(['X-Real-IP'], [['X-Real-IP', '198.51.100.9, 10.0.0.3']]);
    expect(info.remoteAddress).toBe('10.0.0.2');
    expect(info.rejected).toEqual([
      { header: 'x-real-ip', value: '198.51.100.9, 10.0.0.3', reason: 'invalid-address' },
    ]);
  });
});

describe('R7 › Forwarded is read from its own raw lines', () => {
  it('walks to the leftmost element without reporting the Host or a 9-letter header as an element', () => {
    const { info } = run(
      ['Forwarded'],
      [
        ['X-Real-IP', 'for=6.6.6.6'],
        ['Forwarded', 'for=10.0.0.5;proto=https;host=www.example.com'],
      ],
    );
    expect(info).toMatchObject({ remoteAddress: '10.0.0.5', protocol: 'https', hostname: 'www.example.com' });
    expect(info.addresses).toEqual(['10.0.0.5', '10.0.0.2']);
    expect(info.rejected).toEqual([
      { header: 'x-real-ip', value: 'for=6.6.6.6', reason: 'not-trusted-header' },
    ]);
  });

  it('falls back to req.headers when a request has no rawHeaders', () => {
    const req = makeRequest({
      peer: '10.0.0.2',
      tls: false,
      localAddress: '10.0.0.100',
      localPort: 8080,
      method: 'GET',
      url: '/',
      lines: [['Forwarded', 'for=198.51.100.9;proto=https']],
    });
    (req as { rawHeaders?: string[] | undefined }).rawHeaders = undefined;
    const info = trustedProxy({ trustedHeaders: ['Forwarded'], trustedProxies: '10.0.0.0/8' }).process(req);
    expect(info).toMatchObject({ remoteAddress: '198.51.100.9', protocol: 'https' });
  });

  it('takes proto= alone, without a host=', () => {
    const { info } = run(['Forwarded'], [['Forwarded', 'for=198.51.100.9;proto=https']]);
    expect(info).toMatchObject({ protocol: 'https', hostname: 'app.internal', port: 443 });
  });

  it('reads the client group from the hop-aligned element: one without for= leaves the peer as the client', () => {
    const { info } = run(['Forwarded'], [['Forwarded', 'for=198.51.100.9, proto=https']]);
    expect(info).toMatchObject({ remoteAddress: '10.0.0.2', protocol: 'https' });
    expect(info.rejected).toEqual([]);
  });

  it('reports a malformed hop-aligned element once and keeps the original scheme and host', () => {
    const { info } = run(
      ['Forwarded'],
      [['Forwarded', 'for=198.51.100.9;proto=https, for=10.0.0.3;proto=http;proto=https']],
    );
    expect(info).toMatchObject({ remoteAddress: '10.0.0.2', protocol: 'http', hostname: 'app.internal' });
    expect(info.rejected).toEqual([
      { header: 'forwarded', value: 'for=10.0.0.3;proto=http;proto=https', reason: 'malformed-forwarded' },
    ]);
  });

  it('reports an invalid for= node with its value', () => {
    const { info } = run(['Forwarded'], [['Forwarded', 'for=_hidden;proto=https']]);
    expect(info.remoteAddress).toBe('10.0.0.2');
    expect(info.rejected).toEqual([{ header: 'forwarded', value: '_hidden', reason: 'invalid-address' }]);
  });

  it('strips a trusted Forwarded header that no group used', () => {
    const { req, info } = run(
      ['Forwarded', 'X-Forwarded-For'],
      [
        ['Forwarded', 'by=10.0.0.3'],
        ['X-Forwarded-For', '198.51.100.9'],
      ],
    );
    expect(info.remoteAddress).toBe('198.51.100.9');
    expect(info.applied).toEqual(['x-forwarded-for']);
    expect(req.headers.forwarded).toBeUndefined();
    expect(rawLines(req, 'forwarded')).toEqual([]);
  });
});

describe('R10 › socket fallbacks', () => {
  it.each([
    [8080, 'http', 8080],
    [undefined, 'http', 80],
    [0, 'http', 80],
  ] as const)('without a Host header, local port %s gives port %s', (localPort, protocol, port) => {
    const req = makeRequest({
      peer: '203.0.113.9',
      tls: false,
      localAddress: '10.0.0.100',
      localPort: localPort as number,
      method: 'GET',
      url: '/',
      lines: [],
    });
    const info = trustedProxy({ trustedHeaders: ['X-Forwarded-For'], trustedProxies: '10.0.0.0/8' }).process(
      req,
    );
    expect(info).toMatchObject({ protocol, port, hostname: '10.0.0.100' });
  });

  it('names the host localhost when the socket has no local address (UNIX socket, or none known)', () => {
    const base = { peer: undefined, tls: false, localPort: 0, method: 'GET', url: '/', lines: [] };
    const proxy = trustedProxy({ trustedHeaders: ['X-Forwarded-For'], trustedProxies: 'unix' });
    const unix = proxy.process(
      makeRequest({ ...base, localAddress: undefined as unknown as string, unix: true }),
    );
    expect(unix.hostname).toBe('localhost');
    const tcp = proxy.process(
      makeRequest({ ...base, localAddress: undefined as unknown as string, unix: false }),
    );
    expect(tcp.hostname).toBe('localhost');
  });
});

describe('R6, R11 › the client group', () => {
  it('reports a lower-priority client header only when it names another address, and strips it', () => {
    const headers = ['X-Forwarded-For', 'X-Real-IP'];
    const same = run(headers, [
      ['X-Forwarded-For', '198.51.100.9'],
      ['X-Real-IP', '198.51.100.9'],
    ]);
    expect(same.info.rejected).toEqual([]);
    expect(same.req.headers['x-real-ip']).toBeUndefined();
    const other = run(headers, [
      ['X-Forwarded-For', '198.51.100.9'],
      ['X-Real-IP', '6.6.6.6'],
    ]);
    expect(other.info.remoteAddress).toBe('198.51.100.9');
    expect(other.info.rejected).toEqual([{ header: 'x-real-ip', value: '6.6.6.6', reason: 'conflict' }]);
  });

  it('rewrites X-Forwarded-For in canonical form, client first, but leaves a single-value header as sent', () => {
    const list = run(
      ['X-Forwarded-For'],
      [['X-Forwarded-For', '6.6.6.6, ::FFFF:198.51.100.9, 10.0.0.3:8080']],
    );
    expect(list.req.headers['x-forwarded-for']).toBe('198.51.100.9, 10.0.0.3');
    const single = run(['X-Real-IP'], [['X-Real-IP', '::FFFF:198.51.100.9']]);
    expect(single.info.remoteAddress).toBe('198.51.100.9');
    expect(single.req.headers['x-real-ip']).toBe('::FFFF:198.51.100.9');
  });

  it('quotes the hop-aligned entry of a lower-priority list in a conflict, not the whole header', () => {
    const { info } = run(
      ['X-Forwarded-Proto', 'X-Forwarded-Scheme'],
      [
        ['X-Forwarded-Proto', 'https'],
        ['X-Forwarded-Scheme', 'ftp, http'],
      ],
    );
    expect(info.rejected).toEqual([{ header: 'x-forwarded-scheme', value: 'http', reason: 'conflict' }]);
  });

  it('quotes only the hop-aligned entry of an invalid list value', () => {
    const { info } = run(['X-Forwarded-Host'], [['X-Forwarded-Host', 'www.example.com, bad@host']]);
    expect(info.rejected).toEqual([
      { header: 'x-forwarded-host', value: 'bad@host', reason: 'invalid-host' },
    ]);
  });

  it('rewrites Forwarded to the elements from the hop used onward', () => {
    const { req, info } = run(
      ['Forwarded'],
      [
        ['Forwarded', 'for=6.6.6.6;host=evil.com'],
        ['Forwarded', 'for=198.51.100.9;host=www.example.com;proto=https'],
        ['Forwarded', 'for=10.0.0.3;proto=http'],
      ],
    );
    expect(info).toMatchObject({
      remoteAddress: '198.51.100.9',
      hostname: 'www.example.com',
      protocol: 'https',
    });
    expect(req.headers.forwarded).toBe(
      'for=198.51.100.9;host=www.example.com;proto=https, for=10.0.0.3;proto=http',
    );
    expect(rawLines(req, 'forwarded')).toEqual([req.headers.forwarded]);
  });
});

describe('R6, R8, R11 › Forwarded in the host and scheme groups', () => {
  it('reports a lower-priority Forwarded proto= that disagrees, and not one that agrees', () => {
    const headers = ['X-Forwarded-Proto', 'Forwarded'];
    const other = run(headers, [
      ['X-Forwarded-Proto', 'https'],
      ['Forwarded', 'for=198.51.100.9;proto=http'],
    ]);
    expect(other.info.protocol).toBe('https');
    expect(other.info.rejected).toEqual([{ header: 'forwarded', value: 'http', reason: 'conflict' }]);
    const same = run(headers, [
      ['X-Forwarded-Proto', 'https'],
      ['Forwarded', 'for=198.51.100.9;proto=HTTPS'],
    ]);
    expect(same.info.rejected).toEqual([]);
  });

  it.each([
    ['for=198.51.100.9;host="bad@x"', 'bad@x', 'invalid-host'],
    ['for=198.51.100.9;proto=ftp', 'ftp', 'invalid-scheme'],
  ])('reports %j with the parameter value', (line, value, reason) => {
    const { info } = run(['Forwarded'], [['Forwarded', line]]);
    expect(info.remoteAddress).toBe('198.51.100.9');
    expect(info.rejected).toEqual([{ header: 'forwarded', value, reason }]);
    expect(info).toMatchObject({ hostname: 'app.internal', protocol: 'http' });
  });

  it('rewrites Forwarded from the element used for the host when another header names the client', () => {
    const { req, info } = run(
      ['X-Forwarded-For', 'Forwarded'],
      [
        ['X-Forwarded-For', '198.51.100.9'],
        ['Forwarded', 'for=6.6.6.6;host=evil.com'],
        ['Forwarded', 'for=198.51.100.9;host=www.example.com'],
      ],
    );
    expect(info).toMatchObject({ remoteAddress: '198.51.100.9', hostname: 'www.example.com' });
    expect(info.applied).toEqual(['x-forwarded-for', 'forwarded']);
    expect(req.headers.forwarded).toBe('for=198.51.100.9;host=www.example.com');
  });
});

describe('R11 › single entries and rejected values', () => {
  it('rewrites a single padded entry to the entry itself, and leaves an exact one alone', () => {
    const padded = run(['X-Forwarded-Host'], [['X-Forwarded-Host', '\twww.example.com ']]);
    expect(padded.info.hostname).toBe('www.example.com');
    expect(padded.req.headers['x-forwarded-host']).toBe('www.example.com');
    const exact = run(['X-Forwarded-Host'], [['X-Forwarded-Host', 'www.example.com']]);
    expect(rawLines(exact.req, 'x-forwarded-host')).toEqual(['www.example.com']);
    const trailing = run(['X-Forwarded-Host'], [['X-Forwarded-Host', 'www.example.com,']]);
    expect(trailing.req.headers['x-forwarded-host']).toBe('www.example.com');
  });

  it('deletes a trusted header whose value was rejected, from headers and raw lines', () => {
    const { req, info } = run(
      ['X-Forwarded-For', 'X-Forwarded-Host'],
      [
        ['X-Forwarded-For', '198.51.100.9'],
        ['X-Forwarded-Host', 'bad@host'],
      ],
    );
    expect(info.applied).toEqual(['x-forwarded-for']);
    expect(req.headers['x-forwarded-host']).toBeUndefined();
    expect(rawLines(req, 'x-forwarded-host')).toEqual([]);
    expect(rawLines(req, 'x-forwarded-for')).toEqual(['198.51.100.9']);
  });
});
