/**
 * Carrying a resolution out on the request (apply.ts, R11–R13), on requests of every shape the
 * edge can meet: fake sockets, no socket, no rawHeaders, headers that cannot be replaced, a
 * UNIX-socket server, framework prototypes with configurable and non-configurable accessors,
 * Express 4's `req.host`; the results are held against the model.
 */
import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { compileOptions } from '../../../src/core/options.js';
import type { ProxyInfo, RejectEvent, TrustedProxyOptions } from '../../../src/core/types.js';
import { proxyInfo, trustedProxy } from '../../../src/index.js';
import { getProxyInfo, processRequest, requestFacts } from '../../../src/node/apply.js';
import { compareOutcome, factsOfRaw } from '../../model/compare.js';
import { modelResolve } from '../../model/index.js';
import { headersFromLines, makeRequest, type RawRequest } from '../../property/support/harness.js';

const OPTIONS: TrustedProxyOptions = {
  trustedHeaders: ['X-Forwarded-For', 'X-Forwarded-Host', 'X-Forwarded-Proto'],
  trustedProxies: ['10.0.0.0/8', 'unix'],
};

/** `peer` null: no address (a UNIX socket). */
function raw(lines: RawRequest['lines'], peer: string | null = '10.0.0.1'): RawRequest {
  return {
    peer: peer ?? undefined,
    tls: false,
    localAddress: '10.0.0.9',
    localPort: 8080,
    method: 'GET',
    url: '/',
    lines,
  };
}

const LINES: RawRequest['lines'] = [
  ['Host', 'internal:8080'],
  ['X-Forwarded-For', '203.0.113.9, 10.0.0.2'],
  ['x-forwarded-for', '10.0.0.3'],
  ['X-Forwarded-Host', 'www.example.com'],
  ['X-Real-IP', '6.6.6.6'],
  ['Host', 'second:1'],
];

describe('requestFacts', () => {
  it('reads the socket and the headers as they are', () => {
    const req = makeRequest({ ...raw(LINES), tls: true });
    const facts = requestFacts(req);
    expect(facts).toMatchObject({
      peer: '10.0.0.1',
      unixSocket: false,
      encrypted: true,
      localAddress: '10.0.0.9',
      localPort: 8080,
    });
    expect(facts.headers).toBe(req.headers);
    expect(facts.rawHeaders).toBe(req.rawHeaders);
  });

  it('copes with no socket, no headers and no rawHeaders', () => {
    const facts = requestFacts({} as IncomingMessage);
    expect(facts).toMatchObject({
      peer: undefined,
      unixSocket: false,
      encrypted: false,
      headers: {},
      rawHeaders: undefined,
    });
    expect(
      requestFacts({ socket: null, rawHeaders: 'x' } as unknown as IncomingMessage).rawHeaders,
    ).toBeUndefined();
  });

  it('a socket without an address is a UNIX socket only on a server listening on a path', () => {
    const onPath = { socket: { server: { address: () => '/run/app.sock' } }, headers: {} };
    const onPort = { socket: { server: { address: () => ({ port: 1 }) } }, headers: {} };
    const throwing = {
      socket: {
        server: {
          address: () => {
            throw new Error('closed');
          },
        },
      },
      headers: {},
    };
    const noAddress = { socket: { server: {} }, headers: {} };
    expect(requestFacts(onPath as unknown as IncomingMessage).unixSocket).toBe(true);
    expect(requestFacts(onPort as unknown as IncomingMessage).unixSocket).toBe(false);
    expect(requestFacts(throwing as unknown as IncomingMessage).unixSocket).toBe(false);
    expect(requestFacts(noAddress as unknown as IncomingMessage).unixSocket).toBe(false);
    const withPeer = { socket: { remoteAddress: '10.0.0.1', server: { address: () => '/p' } }, headers: {} };
    expect(requestFacts(withPeer as unknown as IncomingMessage).unixSocket).toBe(false);
  });
});

describe('processRequest against the model', () => {
  it('rewrites headers and every rawHeaders line (repeated lines, Host lines) as the model says', () => {
    for (const peer of ['10.0.0.1', '203.0.113.1', null]) {
      const r = { ...raw(LINES, peer), unix: peer === null };
      const req = makeRequest(r);
      const info = trustedProxy(OPTIONS).process(req);
      expect(compareOutcome(modelResolve(OPTIONS, factsOfRaw(r)), req, info), String(peer)).toEqual([]);
    }
  });

  it('keeps the untouched headers object as original.headers and assigns a new one', () => {
    const req = makeRequest(raw(LINES));
    const before = req.headers;
    const info = trustedProxy(OPTIONS).process(req);
    expect(info.original.headers).toBe(before);
    expect(req.headers).not.toBe(before);
    expect(before['x-real-ip']).toBe('6.6.6.6');
  });

  it('leaves req.headers and rawHeaders alone when nothing changes', () => {
    const req = makeRequest(raw([['Host', '10.0.0.9:8080']]));
    const headers = req.headers;
    const rawHeaders = req.rawHeaders.slice();
    const info = trustedProxy(OPTIONS).process(req);
    expect(req.headers).toBe(headers);
    expect(info.original.headers).toBe(headers);
    expect(req.rawHeaders).toEqual(rawHeaders);
  });

  it('adds Host when the request had none, in headers and rawHeaders', () => {
    const req = makeRequest(raw([['X-Forwarded-Host', 'www.example.com']]));
    trustedProxy(OPTIONS).process(req);
    expect(req.headers.host).toBe('www.example.com');
    expect(req.rawHeaders).toEqual(['X-Forwarded-Host', 'www.example.com', 'Host', 'www.example.com']);
  });

  it('rewrites a second Host line that differs even when the first already matches', () => {
    const req = makeRequest(
      raw([
        ['Host', '10.0.0.9:8080'],
        ['Host', 'evil.example'],
      ]),
    );
    trustedProxy(OPTIONS).process(req);
    expect(req.rawHeaders).toEqual(['Host', '10.0.0.9:8080', 'Host', '10.0.0.9:8080']);
  });

  it('edits in place, keeping a copy as original.headers, when req.headers cannot be replaced', () => {
    const req = makeRequest(raw(LINES));
    const headers = req.headers;
    Object.defineProperty(req, 'headers', { get: () => headers, set: () => {}, configurable: true });
    const info = trustedProxy(OPTIONS).process(req);
    expect(req.headers).toBe(headers);
    expect(headers['x-real-ip']).toBeUndefined();
    expect(headers.host).toBe('www.example.com');
    expect(headers['x-forwarded-for']).toBe('203.0.113.9, 10.0.0.2, 10.0.0.3');
    expect(info.original.headers).not.toBe(headers);
    expect(info.original.headers).toEqual(headersFromLines(LINES));
  });

  it('never throws, and edits in place, when req.headers is a getter without a setter', () => {
    const req = makeRequest(raw(LINES));
    const headers = req.headers;
    Object.defineProperty(req, 'headers', { get: () => headers, configurable: true });
    const info = trustedProxy(OPTIONS).process(req);
    expect(req.headers).toBe(headers);
    expect(headers['x-real-ip']).toBeUndefined();
    expect(headers.host).toBe('www.example.com');
    expect(info.original.headers).toEqual(headersFromLines(LINES));
  });

  it("reads back an own req.headers on a real IncomingMessage, whose prototype has Node's accessor", () => {
    const lines = raw(LINES);
    const req = new IncomingMessage(new Socket());
    Object.defineProperty(req.socket, 'remoteAddress', { value: lines.peer });
    req.rawHeaders = lines.lines.flat();
    const headers = headersFromLines(lines.lines);
    Object.defineProperty(req, 'headers', { get: () => headers, set: () => {}, configurable: true });
    const info = trustedProxy(OPTIONS).process(req);
    expect(req.headers).toBe(headers);
    expect(headers['x-real-ip']).toBeUndefined();
    expect(headers.host).toBe('www.example.com');
    expect(info.original.headers).toEqual(headersFromLines(LINES));
  });

  it("reads back req.headers behind another framework's prototype accessor whose setter ignores it", () => {
    const req = makeRequest(raw(LINES));
    const headers = req.headers;
    const proto = Object.create(Object.getPrototypeOf(req) as object) as object;
    Object.defineProperty(proto, 'headers', { get: () => headers, set: () => {}, configurable: true });
    delete (req as { headers?: unknown }).headers;
    Object.setPrototypeOf(req, proto);
    const info = trustedProxy(OPTIONS).process(req);
    expect(req.headers).toBe(headers);
    expect(headers['x-real-ip']).toBeUndefined();
    expect(headers.host).toBe('www.example.com');
    expect(info.original.headers).toEqual(headersFromLines(LINES));
  });

  it('replaces req.headers held in a plain writable own property without editing the old object', () => {
    const req = makeRequest(raw(LINES));
    const headers = req.headers;
    Object.defineProperty(req, 'headers', { value: headers, writable: true, configurable: true });
    const info = trustedProxy(OPTIONS).process(req);
    expect(req.headers).not.toBe(headers);
    expect(req.headers['x-real-ip']).toBeUndefined();
    expect(headers['x-real-ip']).toBe(headersFromLines(LINES)['x-real-ip']);
    expect(info.original.headers).toBe(headers);
  });

  it('works on a request with no rawHeaders', () => {
    const req = makeRequest(raw(LINES));
    delete (req as { rawHeaders?: unknown }).rawHeaders;
    const info = trustedProxy(OPTIONS).process(req);
    expect(info.remoteAddress).toBe('203.0.113.9');
    expect(req.rawHeaders).toBeUndefined();
  });

  it('returns the first ProxyInfo on a second pass and changes nothing (R13)', () => {
    const proxy = trustedProxy(OPTIONS);
    const req = makeRequest(raw(LINES));
    const info = proxy.process(req);
    const snapshot = JSON.stringify([req.headers, req.rawHeaders]);
    expect(trustedProxy({ ...OPTIONS, trustedProxies: '192.0.2.1' }).process(req)).toBe(info);
    expect(processRequest(compileOptions(OPTIONS), req)).toBe(info);
    expect(JSON.stringify([req.headers, req.rawHeaders])).toBe(snapshot);
  });
});

describe('onReject', () => {
  it('is called once per event, in order, with the request; a throw is swallowed', () => {
    const seen: [RejectEvent, IncomingMessage][] = [];
    const proxy = trustedProxy({
      ...OPTIONS,
      onReject: (event, req) => {
        seen.push([event, req]);
        throw new Error('logging failed');
      },
    });
    const req = makeRequest(raw(LINES, '203.0.113.1'));
    const info = proxy.process(req);
    expect(info.rejected.length).toBeGreaterThan(1);
    expect(seen.map(([e]) => e)).toEqual(info.rejected);
    for (const [, r] of seen) expect(r).toBe(req);
    proxy.process(req);
    expect(seen).toHaveLength(info.rejected.length);
  });
});

describe('getters (R12)', () => {
  function expectGetters(req: object, info: ProxyInfo): void {
    const r = req as Record<string, unknown>;
    expect(r.ip).toBe(info.remoteAddress);
    expect(r.ips).toEqual(info.addresses.slice(0, -1));
    expect(r.protocol).toBe(info.protocol);
    expect(r.secure).toBe(info.secure);
    expect(r.hostname).toBe(info.hostname);
  }

  it('plain requests get plain own properties and no host', () => {
    const req = makeRequest(raw(LINES));
    const info = trustedProxy(OPTIONS).process(req);
    expectGetters(req, info);
    expect(Object.getOwnPropertyDescriptor(req, 'ip')).toMatchObject({ writable: true, enumerable: true });
    expect('host' in req).toBe(false);
    expect((req as unknown as { ips: string[] }).ips).not.toBe(info.addresses);
  });

  it('ips keeps the peer-less chain on a UNIX socket', () => {
    const r = { ...raw(LINES, null), unix: true };
    const req = makeRequest(r);
    const info = trustedProxy(OPTIONS).process(req);
    expect((req as unknown as { ips: string[] }).ips).toEqual(info.addresses);
  });

  it("wraps a framework's configurable accessors once; unprocessed requests fall back to them", () => {
    class Framework {
      get ip() {
        return 'framework-ip';
      }
      get ips() {
        return ['framework'];
      }
      get protocol() {
        return 'framework-protocol';
      }
      get secure() {
        return 'framework-secure';
      }
      get hostname() {
        return 'framework-hostname';
      }
      get host() {
        return 'framework-host';
      }
    }
    const proxy = trustedProxy(OPTIONS);
    const req = makeRequest(raw(LINES));
    Object.setPrototypeOf(req, Framework.prototype);
    const info = proxy.process(req);
    expectGetters(req, info);
    expect((req as unknown as { host: string }).host).toBe(info.host);
    expect(Object.getOwnPropertyDescriptor(req, 'ip')).toBeUndefined();
    const untouched = new Framework() as unknown as Record<string, unknown>;
    expect([
      untouched.ip,
      untouched.ips,
      untouched.protocol,
      untouched.secure,
      untouched.hostname,
      untouched.host,
    ]).toEqual([
      'framework-ip',
      ['framework'],
      'framework-protocol',
      'framework-secure',
      'framework-hostname',
      'framework-host',
    ]);
    const getter = Object.getOwnPropertyDescriptor(Framework.prototype, 'ip')!.get;
    proxy.process(makeRequest(raw(LINES)));
    const second = makeRequest(raw(LINES));
    Object.setPrototypeOf(second, Framework.prototype);
    trustedProxy(OPTIONS).process(second);
    expect(Object.getOwnPropertyDescriptor(Framework.prototype, 'ip')!.get).toBe(getter);
    expect(Object.getOwnPropertyDescriptor(Framework.prototype, 'ip')!.configurable).toBe(true);
  });

  it('Express 4 (with req.param): host is the hostname', () => {
    const proto = {
      param() {},
      get host() {
        return 'express4';
      },
    };
    const req = makeRequest(raw([['X-Forwarded-Host', 'www.example.com:8443']]));
    Object.setPrototypeOf(req, proto);
    const info = trustedProxy(OPTIONS).process(req);
    expect((req as unknown as { host: string }).host).toBe(info.hostname);
    expect(info.host).not.toBe(info.hostname);
  });

  it('defines own properties over non-configurable accessors and read-only values', () => {
    const proto = {};
    Object.defineProperty(proto, 'ip', { get: () => 'fixed', configurable: false });
    Object.defineProperty(proto, 'protocol', { value: 'ro', writable: false, configurable: false });
    Object.defineProperty(proto, 'host', { get: () => 'fixed-host', configurable: false });
    const req = makeRequest(raw(LINES));
    Object.setPrototypeOf(req, proto);
    const info = trustedProxy(OPTIONS).process(req);
    expectGetters(req, info);
    expect((req as unknown as { host: string }).host).toBe(info.host);
    expect(Object.getOwnPropertyDescriptor(req, 'ip')).toMatchObject({
      value: info.remoteAddress,
      writable: true,
    });
  });

  it('a null-prototype request gets plain properties', () => {
    const req = makeRequest(raw(LINES));
    Object.setPrototypeOf(req, null);
    const info = trustedProxy(OPTIONS).process(req);
    expectGetters(req, info);
    expect(proxyInfo(req)).toBe(info);
  });
});

describe('apply.ts › survivors of the first mutation run', () => {
  const PORTED: RawRequest['lines'] = [
    ['Host', 'internal:8080'],
    ['X-Forwarded-For', '203.0.113.9'],
    ['X-Forwarded-Host', 'www.example.com:8443'],
  ];

  it('getProxyInfo is undefined for anything but an object', () => {
    for (const value of [null, undefined, 'x', 42, true]) expect(getProxyInfo(value)).toBeUndefined();
  });

  it('facts of a request without a socket have no local address or port', () => {
    const facts = requestFacts({ socket: null, headers: {} } as unknown as IncomingMessage);
    expect(facts.localAddress).toBeUndefined();
    expect(facts.localPort).toBeUndefined();
  });

  it('drops a dangling name at the end of an odd rawHeaders array', () => {
    const req = makeRequest(raw([['X-Forwarded-For', '203.0.113.9']]));
    req.rawHeaders.push('Dangling');
    trustedProxy(OPTIONS).process(req);
    expect(req.rawHeaders.length % 2).toBe(0);
    expect(req.rawHeaders).not.toContain(undefined);
  });

  it('leaves rawHeaders alone when headers already carry the public Host and nothing else changes', () => {
    const req = makeRequest(raw([['X-Custom', 'v']]));
    req.headers.host = '10.0.0.9:8080';
    trustedProxy(OPTIONS).process(req);
    expect(req.rawHeaders).toEqual(['X-Custom', 'v']);
  });

  it('the proof header goes from rawHeaders in any case; a name of the same length stays', () => {
    const secret = 'a-long-enough-secret-0123456789abcdef';
    const proxy = trustedProxy({
      ...OPTIONS,
      requireProof: { header: 'x-proof', secrets: [secret] },
    } as never);
    const req = makeRequest(
      raw([
        ['X-PROOF', secret],
        ['x-other', 'kept'],
        ['X-Forwarded-For', '203.0.113.9'],
      ]),
    );
    const info = proxy.process(req);
    expect(info.trusted).toBe(true);
    expect(req.rawHeaders).toEqual([
      'x-other',
      'kept',
      'X-Forwarded-For',
      '203.0.113.9',
      'Host',
      '10.0.0.9:8080',
    ]);
    expect(Object.keys(info.original.headers)).not.toContain('x-proof');
  });

  it('the proof header never reaches original.headers, also when headers are edited in place', () => {
    const secret = 'a-long-enough-secret-0123456789abcdef';
    const proxy = trustedProxy({
      ...OPTIONS,
      requireProof: { header: 'x-proof', secrets: [secret] },
    } as never);
    const req = makeRequest(
      raw([
        ['X-Proof', secret],
        ['X-Forwarded-For', '203.0.113.9'],
      ]),
    );
    const headers = req.headers;
    Object.defineProperty(req, 'headers', { get: () => headers, set: () => {}, configurable: true });
    const info = proxy.process(req);
    expect(headers['x-proof']).toBeUndefined();
    expect(info.original.headers['x-proof']).toBeUndefined();
    expect(info.original.headers['x-forwarded-for']).toBe('203.0.113.9');
  });

  it('ips is a copy, also on a UNIX socket', () => {
    const req = makeRequest({ ...raw(LINES, null), unix: true });
    const info = trustedProxy(OPTIONS).process(req);
    const ips = (req as unknown as { ips: string[] }).ips;
    expect(ips).toEqual(info.addresses);
    expect(ips).not.toBe(info.addresses);
  });

  it('a fresh plain prototype: plain properties, nothing else, no host', () => {
    const req = makeRequest(raw(PORTED));
    Object.setPrototypeOf(req, Object.create(Object.prototype));
    const before = new Set(Object.keys(req));
    const info = trustedProxy(OPTIONS).process(req);
    const added = Object.keys(req).filter((k) => !before.has(k));
    expect(added.sort()).toEqual(['hostname', 'ip', 'ips', 'protocol', 'secure']);
    expect((req as unknown as { hostname: string }).hostname).toBe(info.hostname);
    expect('host' in req).toBe(false);
  });

  it('a writable data property on the prototype is shadowed by assignment', () => {
    const req = makeRequest(raw(PORTED));
    Object.setPrototypeOf(req, { ip: 'proto-ip', hostname: 'proto-host' });
    const info = trustedProxy(OPTIONS).process(req);
    expect((req as unknown as { ip: string }).ip).toBe(info.remoteAddress);
    expect((req as unknown as { hostname: string }).hostname).toBe('www.example.com');
  });

  it('wrapped accessors: hostname without the port, host with it; enumerability and setters kept', () => {
    const stored: unknown[] = [];
    const proto = {
      get hostname() {
        return 'fw-hostname';
      },
      get host() {
        return 'fw-host';
      },
      get protocol() {
        return 'fw-protocol';
      },
      set protocol(v: unknown) {
        stored.push(v);
      },
    };
    const setter = Object.getOwnPropertyDescriptor(proto, 'protocol')!.set;
    const req = makeRequest(raw(PORTED));
    Object.setPrototypeOf(req, proto);
    const info = trustedProxy(OPTIONS).process(req);
    const r = req as unknown as Record<string, unknown>;
    expect(r.hostname).toBe('www.example.com');
    expect(r.host).toBe('www.example.com:8443');
    expect(info.host).toBe('www.example.com:8443');
    const d = Object.getOwnPropertyDescriptor(proto, 'protocol')!;
    expect(d.enumerable).toBe(true);
    expect(d.set).toBe(setter);
    r.protocol = 'x';
    expect(stored).toEqual(['x']);
    class Cls {
      get ip() {
        return 'cls';
      }
    }
    const other = makeRequest(raw(PORTED));
    Object.setPrototypeOf(other, Cls.prototype);
    trustedProxy(OPTIONS).process(other);
    expect(Object.getOwnPropertyDescriptor(Cls.prototype, 'ip')!.enumerable).toBe(false);
  });

  it("Express 4's host getter falls back for an unprocessed request and reports the hostname", () => {
    const proto = {
      param() {},
      get host() {
        return 'express4-own';
      },
    };
    const req = makeRequest(raw(PORTED));
    Object.setPrototypeOf(req, proto);
    trustedProxy(OPTIONS).process(req);
    expect((req as unknown as { host: string }).host).toBe('www.example.com');
    const unprocessed = Object.create(proto) as { host: string };
    expect(unprocessed.host).toBe('express4-own');
  });

  it('a setter-only accessor cannot be wrapped: an own property is defined', () => {
    const proto = {};
    Object.defineProperty(proto, 'ip', { set: () => {}, configurable: true });
    const req = makeRequest(raw(PORTED));
    Object.setPrototypeOf(req, proto);
    const info = trustedProxy(OPTIONS).process(req);
    expect(Object.getOwnPropertyDescriptor(req, 'ip')).toEqual({
      value: info.remoteAddress,
      writable: true,
      enumerable: true,
      configurable: true,
    });
  });

  it('non-configurable getters: own properties, hostname and host (Express 4 or not) from ProxyInfo', () => {
    for (const express4 of [false, true]) {
      const proto: Record<string, unknown> = express4 ? { param() {} } : {};
      for (const name of ['ip', 'host']) {
        Object.defineProperty(proto, name, { get: () => 'fixed', configurable: false });
      }
      const req = makeRequest(raw(PORTED));
      Object.setPrototypeOf(req, proto);
      const info = trustedProxy(OPTIONS).process(req);
      const r = req as unknown as Record<string, unknown>;
      expect(r.host, String(express4)).toBe(express4 ? info.hostname : info.host);
      expect(r.hostname).toBe(info.hostname);
      expect(Object.getOwnPropertyDescriptor(req, 'host')).toMatchObject({
        enumerable: true,
        configurable: true,
      });
    }
  });

  it('.wrap(app) wraps the app request prototype before any request, once', () => {
    const proto = {
      get ip() {
        return 'app-ip';
      },
    };
    const original = Object.getOwnPropertyDescriptor(proto, 'ip')!.get;
    const app = Object.assign(() => {}, { request: proto });
    trustedProxy(OPTIONS).wrap(app);
    const wrapped = Object.getOwnPropertyDescriptor(proto, 'ip')!.get;
    expect(wrapped).not.toBe(original);
    trustedProxy(OPTIONS).wrap(app);
    expect(Object.getOwnPropertyDescriptor(proto, 'ip')!.get).toBe(wrapped);
    expect((Object.create(proto) as { ip: string }).ip).toBe('app-ip');
    expect(() => trustedProxy(OPTIONS).wrap(Object.assign(() => {}, { request: null }))).not.toThrow();
  });
});

describe('apply.ts › survivors of the second mutation run', () => {
  it('never throws on a request whose rawHeaders carry a forwarding header that headers lack', () => {
    const req = makeRequest(
      raw([
        ['Host', 'evil.example'],
        ['X-Forwarded-For', '203.0.113.9'],
      ]),
    );
    delete req.headers['x-forwarded-for'];
    req.headers.host = 'a.example';
    const info = trustedProxy(OPTIONS).process(req);
    expect(info.host).toBe('a.example');
    expect(req.rawHeaders).toEqual(['Host', 'a.example', 'X-Forwarded-For', '203.0.113.9']);
  });

  it('keeps ProxyInfo on the framework prototype it wrapped, not as an own property of each request', () => {
    class Framework2 {
      get ip() {
        return 'fw';
      }
    }
    const req = makeRequest(raw(LINES));
    Object.setPrototypeOf(req, Framework2.prototype);
    const info = trustedProxy(OPTIONS).process(req);
    const state = Symbol.for('trusted-proxy');
    expect(Object.getOwnPropertyDescriptor(Framework2.prototype, state)).toBeDefined();
    expect(Object.getOwnPropertySymbols(req)).not.toContain(state);
    expect(proxyInfo(req)).toBe(info);
    const second = makeRequest(raw(LINES));
    Object.setPrototypeOf(second, Framework2.prototype);
    const info2 = trustedProxy(OPTIONS).process(second);
    expect(proxyInfo(req)).toBe(info);
    expect(proxyInfo(second)).toBe(info2);
  });
});

describe('apply.ts › survivors of the third mutation run', () => {
  it('leaves the ProxyInfo slot it adds to a framework prototype removable', () => {
    class Framework3 {
      get ip() {
        return 'framework-ip';
      }
    }
    const req = makeRequest(raw(LINES));
    Object.setPrototypeOf(req, Framework3.prototype);
    const info = trustedProxy(OPTIONS).process(req);
    expect(proxyInfo(req)).toBe(info);
    // Every copy of the package shares one WeakMap, kept beside the slot under a registry symbol.
    const proto = Framework3.prototype as unknown as Record<symbol, unknown>;
    const held = Object.getOwnPropertyDescriptor(proto, Symbol.for('trusted-proxy.held'));
    expect(held?.value).toBeInstanceOf(WeakMap);
    expect((held!.value as WeakMap<object, ProxyInfo>).get(req)).toBe(info);
    // Like the framework's own accessors (configurable), the slot and its map can be taken away again.
    expect(delete proto[Symbol.for('trusted-proxy.held')]).toBe(true);
    expect(delete proto[Symbol.for('trusted-proxy')]).toBe(true);
    expect(proxyInfo(req)).toBeUndefined();
    expect((req as unknown as { ip: string }).ip).toBe('framework-ip');
  });

  it('keeps earlier requests’ ProxyInfo when a later .wrap wraps a getter the framework added since', () => {
    class Framework4 {
      get ip() {
        return 'framework-ip';
      }
    }
    const first = makeRequest(raw(LINES));
    Object.setPrototypeOf(first, Framework4.prototype);
    const info = trustedProxy(OPTIONS).process(first);
    expect(proxyInfo(first)).toBe(info);
    Object.defineProperty(Framework4.prototype, 'hostname', {
      configurable: true,
      get: () => 'framework-hostname',
    });
    const app = Object.assign(() => {}, { request: Framework4.prototype });
    trustedProxy(OPTIONS).wrap(app);
    expect((first as unknown as { hostname: string }).hostname).toBe(info.hostname);
    expect(proxyInfo(first)).toBe(info);
    expect((first as unknown as { ip: string }).ip).toBe(info.remoteAddress);
  });

  it('never throws when a framework adds a getter-only accessor after its prototype was planned', () => {
    class Framework5 {}
    const proxy = trustedProxy(OPTIONS);
    const first = makeRequest(raw(LINES));
    Object.setPrototypeOf(first, Framework5.prototype);
    proxy.process(first); // plans Framework5.prototype: plain assignment for every name
    Object.defineProperty(Framework5.prototype, 'hostname', {
      configurable: true,
      get: () => 'framework-hostname',
    });
    const second = makeRequest(raw(LINES));
    Object.setPrototypeOf(second, Framework5.prototype);
    const info = proxy.process(second);
    expect(proxyInfo(second)).toBe(info);
    // Planned again: the new getter is wrapped and reports the ProxyInfo.
    expect((second as unknown as { hostname: string }).hostname).toBe(info.hostname);
    expect((second as unknown as { ip: string }).ip).toBe(info.remoteAddress);
  });
});

/**
 * R12/R13 on a framework prototype the package meets for the first time in the test (the
 * getters are wrapped once per prototype, so each test builds its own): Express-style accessors
 * on the prototype, a setter the framework keeps, nothing added to the request itself.
 */
describe('a framework prototype met for the first time', () => {
  const PORTED: RawRequest['lines'] = [
    ['Host', 'internal:8080'],
    ['X-Forwarded-For', '203.0.113.9'],
    ['X-Forwarded-Host', 'www.example.com:8443'],
  ];

  function frameworkRequest(): { req: IncomingMessage; proto: object; assigned: unknown[] } {
    const req = makeRequest(raw(PORTED));
    const assigned: unknown[] = [];
    const proto = Object.create(Object.getPrototypeOf(req) as object) as object;
    Object.defineProperty(proto, 'ip', {
      get: () => 'framework ip',
      set: (value: unknown) => void assigned.push(value),
      configurable: true,
      enumerable: false,
    });
    Object.defineProperty(proto, 'host', {
      get: () => 'framework host',
      configurable: true,
      enumerable: true,
    });
    Object.setPrototypeOf(req, proto);
    return { req, proto, assigned };
  }

  it('reports ProxyInfo through the wrapped getters, host with its port, and adds no property to the request', () => {
    const { req } = frameworkRequest();
    const info = trustedProxy(OPTIONS).process(req);
    const r = req as IncomingMessage & Record<string, unknown>;
    expect(info.host).toBe('www.example.com:8443');
    expect(r.ip).toBe('203.0.113.9');
    expect(r.host).toBe('www.example.com:8443');
    expect(Object.hasOwn(req, 'ip')).toBe(false);
    expect(Object.hasOwn(req, 'host')).toBe(false);
    expect(Object.getOwnPropertySymbols(req)).not.toContain(Symbol.for('trusted-proxy'));
    expect(proxyInfo(req)).toBe(info);
  });

  it("keeps the framework's setter and the accessors' attributes; the ProxyInfo slot is not enumerable", () => {
    const { req, proto, assigned } = frameworkRequest();
    trustedProxy(OPTIONS).process(req);
    (req as IncomingMessage & { ip: unknown }).ip = 'set by the app';
    expect(assigned).toEqual(['set by the app']);
    expect(Object.getOwnPropertyDescriptor(proto, 'ip')).toMatchObject({
      configurable: true,
      enumerable: false,
    });
    expect(Object.getOwnPropertyDescriptor(proto, 'host')).toMatchObject({
      configurable: true,
      enumerable: true,
    });
    expect(Object.getOwnPropertyDescriptor(proto, Symbol.for('trusted-proxy'))?.enumerable).toBe(false);
  });

  it('a second middleware on the same request returns the first ProxyInfo and reports nothing (R13)', () => {
    const { req } = frameworkRequest();
    const info = trustedProxy(OPTIONS).process(req);
    const events: string[] = [];
    const second = trustedProxy({
      trustedHeaders: ['X-Forwarded-Proto'],
      trustedProxies: ['10.0.0.0/8'],
      onReject: (event) => void events.push(event.header),
    });
    expect(second.process(req)).toBe(info);
    expect(events).toEqual([]);
  });

  it('.wrap accepts a listener without a request prototype', () => {
    const listener = (_req: IncomingMessage, _res: unknown) => undefined;
    expect(() => trustedProxy(OPTIONS).wrap(listener)).not.toThrow();
    expect(() =>
      trustedProxy(OPTIONS).wrap(Object.assign(() => undefined, { request: 'not an object' })),
    ).not.toThrow();
  });
});

describe('the ProxyInfo slot on a wrapped framework prototype', () => {
  it('keeps what another writer stores through req[Symbol.for("trusted-proxy")], and the first one wins (R13)', () => {
    class Framework6 {
      get ip() {
        return 'framework-ip';
      }
    }
    const proxy = trustedProxy(OPTIONS);
    const first = makeRequest(raw(LINES));
    Object.setPrototypeOf(first, Framework6.prototype);
    proxy.process(first); // wraps Framework6.prototype and gives it the slot
    // An older copy of the package (or a test) stores a ProxyInfo the plain way.
    const req = makeRequest(raw(LINES));
    Object.setPrototypeOf(req, Framework6.prototype);
    const stored = { ...proxy.process(makeRequest(raw(LINES))), remoteAddress: '192.0.2.77' } as ProxyInfo;
    (req as unknown as Record<symbol, unknown>)[Symbol.for('trusted-proxy')] = stored;
    expect(Object.getOwnPropertySymbols(req)).not.toContain(Symbol.for('trusted-proxy'));
    expect(proxyInfo(req)).toBe(stored);
    expect(proxy.process(req)).toBe(stored);
    expect((req as unknown as { ip: string }).ip).toBe('192.0.2.77');
  });
});
