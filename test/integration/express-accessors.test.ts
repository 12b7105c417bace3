/**
 * R12/R13 through Express's own request prototype: the package wraps Express's getters once
 * (no per-request property definitions) and they report ProxyInfo on every processed request,
 * whatever the mount (app.use, `.wrap(app)`, sub-apps, routers), with or without Express's
 * `trust proxy`, on Express 4 and 5, and with two copies of the package in one process.
 * Requests the package never saw keep Express's own answers.
 */
import http, { type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import express4 from 'express4';
import express5 from 'express5';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { proxyInfo, type TrustedProxyOptions, trustedProxy } from '../../src/index.js';

type Req = IncomingMessage & Record<string, unknown>;
interface ExpressLike extends RequestListener {
  use(...args: unknown[]): void;
  get(path: string, ...handlers: unknown[]): void;
  set(key: string, value: unknown): void;
  request: object;
}
interface RouterLike {
  use(...args: unknown[]): void;
  get(path: string, ...handlers: unknown[]): void;
}
interface ExpressFactory {
  (): ExpressLike;
  Router(): RouterLike;
}
const EXPRESS: Array<[4 | 5, ExpressFactory]> = [
  [4, express4 as unknown as ExpressFactory],
  [5, express5 as unknown as ExpressFactory],
];

/**
 * A new copy of Express (its modules evaluated again), whose getters nothing has wrapped yet:
 * the state of the first request in a process, and of a second Express copy in one process.
 */
function freshExpress(version: 4 | 5): ExpressFactory {
  const require = createRequire(import.meta.url);
  const name = version === 4 ? 'express4' : 'express5';
  const root = dirname(require.resolve(`${name}/package.json`));
  for (const key of Object.keys(require.cache)) if (key.startsWith(root)) delete require.cache[key];
  return require(name) as ExpressFactory;
}

const OPTIONS: TrustedProxyOptions = {
  trustedHeaders: ['X-Forwarded-For', 'X-Forwarded-Host', 'X-Forwarded-Proto', 'X-Forwarded-Port'],
  trustedProxies: 'loopback',
};

interface Seen {
  ip: string;
  ips: string[];
  protocol: string;
  secure: boolean;
  hostname: string;
  host: string;
  subdomains: string[];
  own: string[];
  processed: boolean;
  info: { host: string; hostname: string } | null;
}

function echo(req: IncomingMessage, res: ServerResponse): void {
  const r = req as Req;
  const shadowed = ['ip', 'ips', 'protocol', 'secure', 'hostname', 'host'];
  const body = JSON.stringify({
    ip: r.ip,
    ips: r.ips,
    protocol: r.protocol,
    secure: r.secure,
    hostname: r.hostname,
    host: r.host,
    subdomains: r.subdomains,
    own: [...shadowed, Symbol.for('trusted-proxy')].filter((name) => Object.hasOwn(req, name)).map(String),
    processed: proxyInfo(req) !== undefined,
    info: proxyInfo(req) ?? null,
  });
  res.setHeader('Content-Type', 'application/json');
  res.end(body);
}

const servers: http.Server[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((done) => s.close(done))));
});

async function serve(listener: RequestListener): Promise<number> {
  const server = http.createServer(listener);
  servers.push(server);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return (server.address() as { port: number }).port;
}

function get(port: number, path: string, headers: Record<string, string>): Promise<Seen> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          try {
            resolve(JSON.parse(text) as Seen);
          } catch {
            reject(new Error(`${res.statusCode}: ${text}`));
          }
        });
      })
      .on('error', reject);
  });
}

/** The request: a trusted nginx on loopback forwarding an https request on port 8443. */
const SHOP = {
  Host: 'app.internal:3000',
  'X-Forwarded-For': '203.0.113.7',
  'X-Forwarded-Host': 'shop.example',
  'X-Forwarded-Proto': 'https',
  'X-Forwarded-Port': '8443',
};

/** Every way of putting the middleware in front of a route, for one Express. */
function mounts(express: ExpressFactory, trustProxy: boolean) {
  const app = (): ExpressLike => {
    const a = express();
    if (trustProxy) a.set('trust proxy', true);
    return a;
  };
  return {
    'app.use(proxy)': () => {
      const a = app();
      a.use(trustedProxy(OPTIONS));
      a.get('/p', echo);
      return a;
    },
    'proxy.wrap(app)': () => {
      const a = app();
      a.get('/p', echo);
      return trustedProxy(OPTIONS).wrap(a);
    },
    'a sub-app under app.use(proxy)': () => {
      const parent = app();
      const child = app();
      child.get('/p', echo);
      parent.use(trustedProxy(OPTIONS));
      parent.use(child);
      return parent;
    },
    'app.use(proxy) inside a sub-app': () => {
      const parent = app();
      const child = app();
      child.use(trustedProxy(OPTIONS));
      child.get('/p', echo);
      parent.use(child);
      return parent;
    },
    'router.use(proxy)': () => {
      const a = app();
      const router = express.Router();
      router.use(trustedProxy(OPTIONS));
      router.get('/p', echo);
      a.use(router);
      return a;
    },
    'route-level app.get(path, proxy, handler)': () => {
      const a = app();
      a.get('/p', trustedProxy(OPTIONS), echo);
      return a;
    },
  };
}

describe('Express getters report ProxyInfo (R12)', () => {
  for (const [version, express] of EXPRESS) {
    for (const trustProxy of [false, true]) {
      for (const [mount, build] of Object.entries(mounts(express, trustProxy))) {
        describe(`Express ${version}, trust proxy ${trustProxy ? 'on' : 'off'}, ${mount}`, () => {
          it('reports the forwarded client, scheme and host:port', async () => {
            const port = await serve(build());
            const got = await get(port, '/p', SHOP);
            expect(got.processed).toBe(true);
            expect(got.ip).toBe('203.0.113.7');
            expect(got.ips).toEqual(['203.0.113.7']);
            expect(got.protocol).toBe('https');
            expect(got.secure).toBe(true);
            expect(got.hostname).toBe('shop.example');
            expect(got.host).toBe(version === 5 ? 'shop.example:8443' : 'shop.example');
            expect(got.subdomains).toEqual([]);
            expect(got.info?.host).toBe('shop.example:8443');
          });

          it('a default port is elided and the host is lower-cased, as in ProxyInfo', async () => {
            const port = await serve(build());
            const got = await get(port, '/p', {
              ...SHOP,
              'X-Forwarded-Host': 'Blog.Shop.Example',
              'X-Forwarded-Port': '443',
            });
            expect(got.hostname).toBe('blog.shop.example');
            expect(got.host).toBe('blog.shop.example');
            expect(got.subdomains).toEqual(['blog']);
          });

          if (mount !== 'proxy.wrap(app)') {
            it('adds no property to the request, not even its ProxyInfo', async () => {
              const port = await serve(build());
              expect((await get(port, '/p', SHOP)).own).toEqual([]);
            });
          }
        });
      }
    }

    it(`Express ${version}: proxy.wrap(app) on an untouched Express copy, trust proxy on, reports host:port`, async () => {
      const fresh = freshExpress(version);
      const app = fresh();
      app.set('trust proxy', true);
      app.get('/p', echo);
      const port = await serve(trustedProxy(OPTIONS).wrap(app));
      const got = await get(port, '/p', SHOP);
      expect(got.host).toBe(version === 5 ? 'shop.example:8443' : 'shop.example');
      expect(got.hostname).toBe('shop.example');
      expect(got.subdomains).toEqual([]);
    });

    it(`Express ${version}: a request the middleware never saw keeps Express's own getters`, async () => {
      const app = express();
      app.set('trust proxy', true);
      app.get('/p', trustedProxy(OPTIONS), echo);
      app.get('/raw', echo);
      const port = await serve(app);
      const processed = await get(port, '/p', { ...SHOP, 'X-Forwarded-For': '198.51.100.1, 203.0.113.7' });
      expect(processed.ip).toBe('203.0.113.7');
      const raw = await get(port, '/raw', { ...SHOP, 'X-Forwarded-For': '198.51.100.1, 203.0.113.7' });
      expect(raw.processed).toBe(false);
      // Express with trust proxy true: the leftmost entry, and X-Forwarded-Host without the port.
      expect(raw.ip).toBe('198.51.100.1');
      expect(raw.ips).toEqual(['198.51.100.1', '203.0.113.7']);
      expect(raw.hostname).toBe('shop.example');
      expect(raw.host).toBe('shop.example');
    });

    it(`Express ${version}: the values are a snapshot; later edits to req.headers do not change them`, async () => {
      const app = express();
      app.use(trustedProxy(OPTIONS));
      app.use((req: IncomingMessage, _res: ServerResponse, next: () => void) => {
        req.headers.host = 'other.example';
        next();
      });
      app.get('/p', echo);
      const port = await serve(app);
      const got = await get(port, '/p', SHOP);
      expect(got.hostname).toBe('shop.example');
      expect(got.host).toBe(version === 5 ? 'shop.example:8443' : 'shop.example');
    });
  }
});

describe('processed before and after Express swaps the prototype (R13)', () => {
  for (const [version, express] of EXPRESS) {
    it(`Express ${version}: proxy.wrap(app) first, then app.use(proxy) with other options: the first ProxyInfo wins`, async () => {
      const app = express();
      // Had this one resolved again, it would not believe X-Forwarded-Proto/-Host/-Port and
      // would report them.
      const events: string[] = [];
      const onReject = (event: { header: string }) => void events.push(event.header);
      app.use(trustedProxy({ trustedHeaders: ['X-Forwarded-For'], trustedProxies: 'loopback', onReject }));
      app.get('/p', echo);
      const seen = await get(await serve(trustedProxy(OPTIONS).wrap(app)), '/p', SHOP);
      expect(events).toEqual([]);
      expect(seen.processed).toBe(true);
      expect(seen.protocol).toBe('https');
      expect(seen.info?.host).toBe('shop.example:8443');
      expect(seen.host).toBe(version === 5 ? 'shop.example:8443' : 'shop.example');
      expect(seen.ip).toBe('203.0.113.7');
    });
  }
});

describe('two copies of the package in one process (R12, R13)', () => {
  it('share one set of wrapped getters and each other’s ProxyInfo', async () => {
    vi.resetModules();
    const copyPath = '../../src/index.js?copy=2'; // a query makes Vite load a second instance
    const copy = (await import(/* @vite-ignore */ copyPath)) as typeof import('../../src/index.js');
    expect(copy.trustedProxy).not.toBe(trustedProxy);
    for (const [version, express] of EXPRESS) {
      const first = express();
      first.use(trustedProxy(OPTIONS));
      first.get('/p', echo);
      const second = express();
      second.use(copy.trustedProxy({ ...OPTIONS, trustedHeaders: ['X-Forwarded-For'] }));
      // The second copy meets a request the first already processed: nothing changes (R13).
      second.use(trustedProxy(OPTIONS));
      second.get('/p', echo);
      const owner = Object.getPrototypeOf(first.request) as object;
      const getter = () => Object.getOwnPropertyDescriptor(owner, 'ip')?.get;
      const a = await get(await serve(first), '/p', SHOP);
      const installed = getter();
      const b = await get(await serve(second), '/p', SHOP);
      // One wrapper per getter, whichever copy installed it: the second copy did not wrap again.
      expect(getter()).toBe(installed);
      expect(a.host).toBe(version === 5 ? 'shop.example:8443' : 'shop.example');
      expect(b.ip).toBe('203.0.113.7');
      expect(b.protocol).toBe('http');
      expect(b.hostname).toBe('app.internal');
      expect(b.host).toBe(version === 5 ? 'app.internal:3000' : 'app.internal');
      const wrapper = installed as (((...args: unknown[]) => unknown) & Record<symbol, unknown>) | undefined;
      expect(wrapper?.[Symbol.for('trusted-proxy.accessor')]).toBe(true);
      expect(wrapper?.name).toBe('ip');
    }
  });
});
