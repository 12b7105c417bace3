/**
 * R20 on node:http2's compatibility API, one request at a time against the model: a real h2c
 * server and `http2.connect` client on loopback, `proxy.process` on the live request, then
 * `headers` and `rawHeaders` (edited in place) and ProxyInfo compared with what the model says.
 * Each request aims at one branch of src/node/http2.ts: nothing to change, only `:scheme`,
 * only a `host` field beside `:authority`, `host` without `:authority`, repeated lines of an
 * edited header, and the requireProof header (R22), which the model does not know.
 */
import http from 'node:http';
import http2 from 'node:http2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProxyInfo, TrustedProxyOptions } from '../../../src/core/types.js';
import { proxyInfo, trustedProxy } from '../../../src/index.js';
import { compareOutcome } from '../../model/compare.js';
import { type ModelFacts, modelResolve } from '../../model/index.js';

const SECRET = 'an-origin-proof-secret-0123456789';

const CONFIGS: Record<string, TrustedProxyOptions> = {
  forwarded: {
    trustedHeaders: ['X-Forwarded-For', 'X-Forwarded-Host', 'X-Forwarded-Proto', 'X-Forwarded-Prefix'],
    trustedProxies: ['loopback'],
  },
  scheme: { trustedHeaders: ['X-Forwarded-For', ':scheme'], trustedProxies: ['loopback'] },
  untrusted: { trustedHeaders: ['X-Forwarded-For', 'X-Forwarded-Host'], trustedProxies: ['10.0.0.0/8'] },
  proof: {
    trustedHeaders: ['X-Forwarded-For', 'X-Forwarded-Host'],
    trustedProxies: ['loopback'],
    requireProof: { header: 'X-Origin-Proof', secrets: [SECRET] },
  },
};
const PROXIES = Object.fromEntries(Object.entries(CONFIGS).map(([k, v]) => [k, trustedProxy(v)]));

interface Prepare {
  set?: Record<string, string>;
  del?: string[];
  rawDel?: string[];
}

interface Seen {
  before: { headers: Record<string, unknown>; rawHeaders: string[] };
  headers: Record<string, unknown>;
  rawHeaders: string[];
  info: ProxyInfo;
  sameInfo: boolean;
  diffs: string[];
}

let server: http2.Http2Server;
let session: http2.ClientHttp2Session;

beforeAll(async () => {
  server = http2.createServer((req, res) => {
    const which = String(req.headers['x-config']);
    // What an earlier handler did to the live request before trusted-proxy saw it.
    const prepare = req.headers['x-prepare'];
    if (typeof prepare === 'string') {
      const p = JSON.parse(prepare) as Prepare;
      for (const [name, value] of Object.entries(p.set ?? {})) req.headers[name] = value;
      for (const name of p.del ?? []) delete req.headers[name];
      for (const name of p.rawDel ?? []) {
        const at = req.rawHeaders.indexOf(name);
        if (at >= 0) req.rawHeaders.splice(at, 2);
      }
    }
    const before = { headers: { ...req.headers }, rawHeaders: [...req.rawHeaders] };
    const socket = req.socket as unknown as {
      remoteAddress?: string;
      localAddress?: string;
      localPort?: number;
    };
    const facts: ModelFacts = {
      peer: socket.remoteAddress,
      unixSocket: false,
      encrypted: false,
      localAddress: socket.localAddress,
      localPort: socket.localPort,
      headers: { ...req.headers } as ModelFacts['headers'],
      rawHeaders: [...req.rawHeaders],
      http2: true,
    };
    let info: ProxyInfo;
    try {
      info = PROXIES[which]!.process(req);
    } catch (err) {
      res.writeHead(500);
      res.end(String((err as Error).stack));
      return;
    }
    const diffs =
      which === 'proof' ? [] : compareOutcome(modelResolve(CONFIGS[which]!, facts), req as never, info);

    const seen: Seen = {
      before,
      headers: { ...req.headers },
      rawHeaders: [...req.rawHeaders],
      info,
      sameInfo: proxyInfo(req) === info,
      diffs,
    };
    const body = JSON.stringify(seen);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  session = http2.connect(`http://127.0.0.1:${port}`);
});

afterAll(async () => {
  session.close();
  await new Promise((resolve) => server.close(resolve));
});

function send(config: string, headers: http2.OutgoingHttpHeaders): Promise<Seen> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ':path': '/p?q=1', 'x-config': config, ...headers });
    let body = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      body += chunk;
    });
    stream.on('end', () => {
      if (!body.startsWith('{')) {
        reject(new Error(body));
        return;
      }
      const seen = JSON.parse(body) as Seen;
      expect(seen.diffs).toEqual([]);
      expect(seen.sameInfo).toBe(true);
      resolve(seen);
    });
    stream.on('error', reject);
    stream.end();
  });
}

/** The raw lines as [name, value] pairs. */
function pairs(raw: string[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push([raw[i]!, raw[i + 1]!]);
  return out;
}

describe('rewriteHttp2Request', () => {
  it('nothing to change: headers and raw lines stay as they came', async () => {
    const seen = await send('forwarded', { ':authority': 'app.test' });
    expect(seen.headers).toEqual(seen.before.headers);
    expect(seen.rawHeaders).toEqual(seen.before.rawHeaders);
    expect(seen.info.original.headers).toEqual(seen.before.headers);
    expect(seen.info.host).toBe('app.test');
  });

  it("a client's :scheme is replaced in headers and raw lines; the original keeps it", async () => {
    const seen = await send('forwarded', { ':authority': 'app.test', ':scheme': 'https' });
    expect(seen.info.protocol).toBe('http');
    expect(seen.headers[':scheme']).toBe('http');
    expect(pairs(seen.rawHeaders)).toContainEqual([':scheme', 'http']);
    expect(seen.rawHeaders).not.toContain('https');
    expect(seen.info.original.headers[':scheme']).toBe('https');
    expect({ ...seen.headers, ':scheme': 'https' }).toEqual(seen.before.headers);
  });

  it('a trusted :scheme stands, the rest is unchanged', async () => {
    const seen = await send('scheme', { ':authority': 'app.test', ':scheme': 'https' });
    expect(seen.info.protocol).toBe('https');
    expect(seen.headers).toEqual(seen.before.headers);
    expect(seen.rawHeaders).toEqual(seen.before.rawHeaders);
  });

  it('a host field beside :authority is set to the Host too, in headers and raw lines', async () => {
    const seen = await send('untrusted', { ':authority': 'app.test', host: 'other.test' });
    expect(seen.info.host).toBe('app.test');
    expect(seen.headers.host).toBe('app.test');
    expect(seen.headers[':authority']).toBe('app.test');
    expect(pairs(seen.rawHeaders)).toContainEqual(['host', 'app.test']);
    expect(seen.rawHeaders).not.toContain('other.test');
    expect(seen.info.original.headers.host).toBe('other.test');
  });

  it('host without :authority: host is rewritten and no :authority is added', async () => {
    const seen = await send('forwarded', { host: 'app.test', 'x-forwarded-host': 'public.example' });
    expect(seen.info.host).toBe('public.example');
    expect(seen.headers.host).toBe('public.example');
    expect(':authority' in seen.headers).toBe(false);
    expect(seen.rawHeaders).not.toContain(':authority');
    expect(pairs(seen.rawHeaders)).toContainEqual(['host', 'public.example']);
  });

  it('X-Forwarded-Host: :authority is the public host; the forwarding header is edited as on HTTP/1', async () => {
    const seen = await send('forwarded', {
      ':authority': 'backend:8000',
      'x-forwarded-host': 'public.example',
      'x-forwarded-proto': 'https',
      'x-unrelated': 'kept',
    });
    expect(seen.info).toMatchObject({ host: 'public.example', protocol: 'https', trusted: true });
    expect(seen.headers[':authority']).toBe('public.example');
    expect(seen.headers[':scheme']).toBe('https');
    expect(seen.headers['x-unrelated']).toBe('kept');
    expect(pairs(seen.rawHeaders)).toContainEqual([':authority', 'public.example']);
    expect(pairs(seen.rawHeaders)).toContainEqual(['x-unrelated', 'kept']);
    expect(seen.info.original.headers[':authority']).toBe('backend:8000');
  });

  it('repeated lines of an edited header become one line, where the first was', async () => {
    const seen = await send('forwarded', {
      ':authority': 'app.test',
      'x-forwarded-for': ['192.0.2.1', '198.51.100.2', '127.0.0.1'],
      'x-other': ['a', 'b'],
    });
    expect(seen.info.remoteAddress).toBe('198.51.100.2');
    const names = pairs(seen.rawHeaders).map(([n]) => n);
    expect(names.filter((n) => n === 'x-forwarded-for').length).toBeLessThanOrEqual(1);
    expect(names.filter((n) => n === 'x-other')).toHaveLength(2);
  });

  it('requireProof: the proof header leaves headers and raw lines, and the original, when it proves', async () => {
    const seen = await send('proof', {
      ':authority': 'app.test',
      'x-origin-proof': SECRET,
      'x-forwarded-for': '203.0.113.9',
      'x-forwarded-host': 'public.example',
    });
    expect(seen.info).toMatchObject({ trusted: true, remoteAddress: '203.0.113.9', host: 'public.example' });
    expect(seen.info.rejected).toEqual([]);
    expect('x-origin-proof' in seen.headers).toBe(false);
    expect(seen.rawHeaders).not.toContain('x-origin-proof');
    expect(seen.rawHeaders).not.toContain(SECRET);
    expect(JSON.stringify(seen.info)).not.toContain(SECRET);
    expect(seen.headers[':authority']).toBe('public.example');
    expect(seen.headers['x-config']).toBe('proof');
    expect(pairs(seen.rawHeaders)).toContainEqual(['x-config', 'proof']);
  });

  it('requireProof: a wrong proof is removed as well, and nothing is believed', async () => {
    const seen = await send('proof', {
      ':authority': 'app.test',
      'x-origin-proof': 'not-the-secret-0123456789',
      'x-forwarded-for': '203.0.113.9',
    });
    expect(seen.info).toMatchObject({ trusted: false, remoteAddress: '127.0.0.1', host: 'app.test' });
    expect(seen.info.rejected).toEqual([
      { header: 'x-origin-proof', value: '[redacted]', reason: 'proof-failed' },
      { header: 'x-forwarded-for', value: '203.0.113.9', reason: 'untrusted-peer' },
    ]);
    expect('x-origin-proof' in seen.headers).toBe(false);
    expect(seen.rawHeaders).not.toContain('x-origin-proof');
    expect('x-forwarded-for' in seen.headers).toBe(false);
    expect(seen.headers[':authority']).toBe('app.test');
  });

  it('a claim nobody lists and a forwarding header nobody trusts: :scheme is replaced, the header removed', async () => {
    const seen = await send('forwarded', {
      ':authority': 'app.test',
      ':scheme': 'https',
      'x-forwarded-port': '8443',
      'x-unrelated': 'kept',
    });
    expect(seen.info.protocol).toBe('http');
    expect('x-forwarded-port' in seen.headers).toBe(false);
    expect(seen.rawHeaders).not.toContain('x-forwarded-port');
    expect(pairs(seen.rawHeaders)).toContainEqual([':scheme', 'http']);
    expect(pairs(seen.rawHeaders)).toContainEqual(['x-unrelated', 'kept']);
  });
});

/** The live request's `headers` is an object any earlier handler can edit; `rawHeaders` too. */
describe('rewriteHttp2Request after an earlier handler edited the request', () => {
  const prepared = (config: string, headers: http2.OutgoingHttpHeaders, prepare: Prepare) =>
    send(config, { ...headers, 'x-prepare': JSON.stringify(prepare) });

  it(':scheme already corrected in headers: the raw :scheme line is corrected too', async () => {
    const seen = await prepared(
      'forwarded',
      { ':authority': 'app.test', ':scheme': 'https' },
      {
        set: { ':scheme': 'http' },
      },
    );
    expect(seen.info.protocol).toBe('http');
    expect(pairs(seen.rawHeaders)).toContainEqual([':scheme', 'http']);
    expect(seen.rawHeaders).not.toContain('https');
    expect(seen.headers).toEqual(seen.before.headers);
  });

  it(':authority already corrected in headers: the raw :authority line is corrected too', async () => {
    const seen = await prepared(
      'forwarded',
      { ':authority': 'other.test' },
      { set: { ':authority': 'app.test' } },
    );
    expect(seen.info.host).toBe('app.test');
    expect(pairs(seen.rawHeaders)).toContainEqual([':authority', 'app.test']);
    expect(seen.rawHeaders).not.toContain('other.test');
    expect(seen.headers).toEqual(seen.before.headers);
  });

  it('host already corrected in headers: the raw host line is corrected too', async () => {
    const seen = await prepared(
      'forwarded',
      { ':authority': 'app.test', host: 'other.test' },
      {
        set: { host: 'app.test' },
      },
    );
    expect(pairs(seen.rawHeaders)).toContainEqual(['host', 'app.test']);
    expect(seen.rawHeaders).not.toContain('other.test');
  });

  it(':authority removed from headers: it comes back as the resolved Host (the local address)', async () => {
    const seen = await prepared('forwarded', { ':authority': 'app.test' }, { del: [':authority'] });
    expect(seen.info.host).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(seen.headers[':authority']).toBe(seen.info.host);
    const authority = pairs(seen.rawHeaders).filter(([n]) => n === ':authority');
    expect(authority).toEqual([[':authority', seen.info.host]]);
  });

  it(':authority removed from headers and raw lines: both get one', async () => {
    const seen = await prepared(
      'forwarded',
      { ':authority': 'app.test' },
      {
        del: [':authority'],
        rawDel: [':authority'],
      },
    );
    expect(seen.headers[':authority']).toBe(seen.info.host);
    expect(seen.rawHeaders.slice(-2)).toEqual([':authority', seen.info.host]);
  });

  it('host removed from headers but not from the raw lines: headers get :authority, the raw host line the Host', async () => {
    const seen = await prepared('forwarded', { host: 'app.test' }, { del: ['host'] });
    expect(seen.headers[':authority']).toBe(seen.info.host);
    expect(pairs(seen.rawHeaders)).toContainEqual(['host', seen.info.host]);
    expect(seen.rawHeaders).not.toContain(':authority');
  });
});

describe('HTTP/1 requests never take the HTTP/2 path', () => {
  it('no :authority appears, headers is a new object, the raw Host line is the Host', async () => {
    const proxy = PROXIES.forwarded!;
    const got: Array<{
      headers: Record<string, unknown>;
      raw: string[];
      replaced: boolean;
      info: ProxyInfo;
    }> = [];
    const h1 = http.createServer((req, res) => {
      const old = req.headers;
      const info = proxy.process(req);
      got.push({
        headers: { ...req.headers },
        raw: [...req.rawHeaders],
        replaced: req.headers !== old,
        info,
      });
      res.end('ok');
    });
    await new Promise<void>((resolve) => h1.listen(0, '127.0.0.1', resolve));
    const { port } = h1.address() as { port: number };
    try {
      await new Promise<void>((resolve, reject) => {
        http
          .get(
            { host: '127.0.0.1', port, path: '/', headers: { 'x-forwarded-host': 'public.example' } },
            (res) => {
              res.resume();
              res.on('end', () => resolve());
            },
          )
          .on('error', reject);
      });
    } finally {
      await new Promise((resolve) => h1.close(resolve));
    }
    const [seen] = got;
    expect(seen!.info.host).toBe('public.example');
    expect(seen!.replaced).toBe(true);
    expect(':authority' in seen!.headers).toBe(false);
    expect(seen!.raw).not.toContain(':authority');
    expect(seen!.headers.host).toBe('public.example');
  });
});
