/**
 * trustedProxy(): the middleware, `.wrap` and `.process` on real request/response objects,
 * held against the model for the ProxyInfo; exact 400 answers, errors and Location patching.
 */
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { TrustedProxyOptions } from '../../../src/core/types.js';
import { proxyInfo, trustedProxy } from '../../../src/index.js';
import { compareOutcome, factsOfRaw } from '../../model/compare.js';
import { modelResolve } from '../../model/index.js';
import { makeRequest, type RawRequest } from '../../property/support/harness.js';

const OPTIONS: TrustedProxyOptions = {
  trustedHeaders: ['X-Forwarded-For', 'X-Forwarded-Host', 'X-Forwarded-Proto', 'X-Forwarded-Prefix'],
  trustedProxies: '10.0.0.0/8',
  allowedHosts: ['www.example.com'],
};

function raw(host: string, rewrite = false): RawRequest {
  return {
    peer: '10.0.0.1',
    tls: false,
    localAddress: '10.0.0.9',
    localPort: 8080,
    method: 'GET',
    url: '/x',
    lines: [
      ['Host', 'internal:8080'],
      ['X-Forwarded-For', '203.0.113.9'],
      ['X-Forwarded-Host', host],
      ['X-Forwarded-Proto', 'https'],
      ...(rewrite ? ([['X-Forwarded-Prefix', '/app']] as const) : []),
    ],
  };
}

/** A real ServerResponse for a hand-built request; the header block it would send is in `_header`. */
function response(): ServerResponse & { _header?: string | null; body?: string } {
  const res = new ServerResponse(new IncomingMessage(new Socket())) as ServerResponse & {
    _header?: string | null;
    body?: string;
  };
  res.end = ((chunk?: unknown) => {
    res.body = String(chunk);
    return res;
  }) as ServerResponse['end'];
  return res;
}

describe('the middleware', () => {
  it('processes, agrees with the model, and calls next() once without an error', () => {
    const r = raw('www.example.com');
    const req = makeRequest(r);
    const calls: unknown[][] = [];
    trustedProxy(OPTIONS)(req, response(), (...args: unknown[]) => calls.push(args));
    expect(calls).toEqual([[]]);
    expect(compareOutcome(modelResolve(OPTIONS, factsOfRaw(r)), req, proxyInfo(req)!)).toEqual([]);
  });

  it('calls next(err) with status 400 and ERR_HOST_NOT_ALLOWED for a host not allowed', () => {
    const req = makeRequest(raw('evil.example'));
    const calls: unknown[][] = [];
    trustedProxy(OPTIONS)(req, response(), (...args: unknown[]) => calls.push(args));
    expect(calls).toHaveLength(1);
    const err = calls[0]![0] as Error & { status: number; code: string };
    expect(err.status).toBe(400);
    expect(err.code).toBe('ERR_HOST_NOT_ALLOWED');
    expect(err.message).toContain('evil.example');
  });

  it('installs the Location rewrite only with rewriteLocation', () => {
    const on = response();
    trustedProxy({ ...OPTIONS, rewriteLocation: true })(
      makeRequest(raw('www.example.com', true)),
      on,
      () => {},
    );
    on.setHeader('Location', '/landed');
    expect(on.getHeader('location')).toBe('/app/landed');
    const off = response();
    trustedProxy(OPTIONS)(makeRequest(raw('www.example.com', true)), off, () => {});
    off.setHeader('Location', '/landed');
    expect(off.getHeader('location')).toBe('/landed');
  });
});

describe('.wrap', () => {
  it('refuses a listener that is not a function', () => {
    expect(() => trustedProxy(OPTIONS).wrap(undefined as never)).toThrow(
      'trustedProxy(...).wrap(listener): listener must be a function',
    );
  });

  it('runs the listener with the processed request', () => {
    const req = makeRequest(raw('www.example.com'));
    const res = response();
    const seen: unknown[] = [];
    trustedProxy(OPTIONS).wrap((q, s) => seen.push(q, s))(req, res);
    expect(seen).toEqual([req, res]);
    expect(proxyInfo(req)?.hostname).toBe('www.example.com');
  });

  it('answers 400 itself for a host not allowed, and the listener never runs', () => {
    const req = makeRequest(raw('evil.example'));
    const res = response();
    res.shouldKeepAlive = true; /* so Connection: close comes from the package, not from Node */
    let ran = false;
    trustedProxy(OPTIONS).wrap(() => {
      ran = true;
    })(req, res);
    expect(ran).toBe(false);
    expect(res.statusCode).toBe(400);
    expect(res.body).toBe('Bad Request: host not allowed\n');
    expect(String(res._header)).toContain('Content-Type: text/plain; charset=utf-8\r\n');
    expect(String(res._header)).toContain(
      `Content-Length: ${Buffer.byteLength('Bad Request: host not allowed\n')}\r\n`,
    );
    expect(String(res._header)).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(String(res._header)).toContain('Connection: close');
  });

  it('sends no Connection header on HTTP/2', () => {
    const req = makeRequest(raw('evil.example')) as unknown as IncomingMessage & { httpVersionMajor: number };
    req.httpVersionMajor = 2;
    const headers: Record<string, unknown>[] = [];
    const res = {
      writeHead: (_status: number, h: Record<string, unknown>) => headers.push(h),
      end: () => {},
    };
    trustedProxy(OPTIONS).wrap(() => {})(req, res as never);
    expect(headers).toHaveLength(1);
    expect(Object.keys(headers[0]!)).toEqual(['Content-Type', 'Content-Length']);
  });

  it('installs the Location rewrite only with rewriteLocation', () => {
    const res = response();
    trustedProxy({ ...OPTIONS, rewriteLocation: true }).wrap((_q, s) => s.setHeader('Location', '/in'))(
      makeRequest(raw('www.example.com', true)),
      res,
    );
    expect(res.getHeader('location')).toBe('/app/in');
    const plain = response();
    trustedProxy(OPTIONS).wrap((_q, s) => s.setHeader('Location', '/in'))(
      makeRequest(raw('www.example.com', true)),
      plain,
    );
    expect(plain.getHeader('location')).toBe('/in');
  });
});

describe('.process', () => {
  it('returns the ProxyInfo, the same one every time (R13)', () => {
    const proxy = trustedProxy(OPTIONS);
    const r = raw('evil.example');
    const req = makeRequest(r);
    const info = proxy.process(req);
    expect(info).toBe(proxyInfo(req));
    expect(proxy.process(req)).toBe(info);
    expect(info.hostAllowed).toBe(false);
    expect(compareOutcome(modelResolve(OPTIONS, factsOfRaw(r)), req, info)).toEqual([]);
  });
});
