/**
 * R20: an HTTP/2 request that needs no change is left exactly as it came: its headers object
 * is ProxyInfo.original.headers itself (R3: no copy), and its raw lines are not written, so a
 * request whose lines are read-only passes without an error. The live h2c path is covered by
 * http2.test.ts; these requests are plain objects shaped like node:http2's compatibility
 * request (httpVersionMajor 2), so read-only lines can be set up.
 */
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { trustedProxy } from '../../../src/index.js';

const proxy = trustedProxy({ trustedHeaders: ['X-Forwarded-For', ':scheme'], trustedProxies: ['loopback'] });

function h2Request(lines: string[], peer = '10.9.9.9'): IncomingMessage {
  const headers: Record<string, string> = {};
  for (let i = 0; i < lines.length; i += 2) headers[lines[i]!.toLowerCase()] = lines[i + 1]!;
  return {
    httpVersionMajor: 2,
    httpVersion: '2.0',
    socket: { remoteAddress: peer },
    headers,
    rawHeaders: lines,
  } as unknown as IncomingMessage;
}

const PLAIN = [':method', 'GET', ':path', '/', ':scheme', 'http', ':authority', 'app.example'];

describe('an HTTP/2 request that needs no change (R20)', () => {
  it('keeps its headers object as original.headers, without a copy', () => {
    const req = h2Request([...PLAIN, 'accept', '*/*']);
    const headers = req.headers;
    const info = proxy.process(req);
    expect(info.host).toBe('app.example');
    expect(info.original.headers).toBe(headers);
    expect(req.headers).toBe(headers);
  });

  it('copies the headers into original.headers only when it edits them', () => {
    const req = h2Request([':method', 'GET', ':path', '/', ':scheme', 'http', ':authority', 'App.Example']);
    const headers = req.headers;
    const info = proxy.process(req);
    expect(info.host).toBe('app.example');
    expect(info.original.headers).not.toBe(headers);
    expect(info.original.headers[':authority']).toBe('App.Example');
    expect(headers[':authority']).toBe('app.example');
  });

  it('does not write read-only raw lines that already say the right thing', () => {
    const lines = Object.freeze([...PLAIN, 'host', 'app.example']) as string[];
    const req = h2Request(lines);
    expect(() => proxy.process(req)).not.toThrow();
    expect(req.rawHeaders).toBe(lines);
    expect(req.rawHeaders).toEqual([...PLAIN, 'host', 'app.example']);
  });

  it('from a trusted peer that sends nothing to apply, leaves read-only lines alone too', () => {
    const lines = Object.freeze([...PLAIN]) as string[];
    const req = h2Request(lines, '127.0.0.1');
    // :scheme not listed: a trusted peer's request carries nothing to apply or strip.
    const info = trustedProxy({ trustedHeaders: ['X-Forwarded-For'], trustedProxies: ['loopback'] }).process(
      req,
    );
    expect(info.trusted).toBe(true);
    expect(info.protocol).toBe('http');
    expect(req.rawHeaders).toBe(lines);
  });
});
