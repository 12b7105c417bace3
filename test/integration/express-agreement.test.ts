/**
 * Agreement with Express, checked against Express's own request tests (req.ip, ips, protocol,
 * secure, hostname, host, subdomains, res.location, res.redirect in expressjs/express
 * `test/`). Each row restates one of their cases as data: the same request, Express's
 * `trust proxy` setting, and Express's expected answer. Every row runs twice on Express 4 and
 * on Express 5: once with Express's own setting, which must give Express's answer (so the
 * table is faithful), and once with trustedProxy() in its place (Express's setting left at its
 * default), which must give the same answer or, where the row says so, the documented
 * different one. docs/migrating.md lists the differences with their reasons.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import express4 from 'express4';
import express5 from 'express5';
import { afterAll, describe, expect, it } from 'vitest';
import { type TrustedProxyOptions, trustedProxy } from '../../src/index.js';

type Req = IncomingMessage & Record<string, unknown>;
type Res = ServerResponse & {
  location(url: string): Res;
  redirect(url: string): void;
  json(body: unknown): void;
};
interface App {
  (req: IncomingMessage, res: ServerResponse): void;
  use(...handlers: unknown[]): void;
  set(key: string, value: unknown): void;
}
const EXPRESS = { 4: express4, 5: express5 } as unknown as Record<4 | 5, () => App>;

/** Why trustedProxy() answers differently from Express, by kind (docs/migrating.md). */
const WHY = {
  validation:
    'R7/R9: a node that is not an IP address (Express’s tests use `client`, `p1`, `p2`) stops the walk and never becomes req.ip; the proxy that reported it is the client',
  hopAligned:
    'R8: the entry added by the outermost trusted proxy (the last one behind one proxy), not the first, which a client can forge behind an appending proxy',
  normalised: 'R5: addresses are canonical (`::ffff:127.0.0.1` → `127.0.0.1`) even when no proxy is trusted',
  snapshot:
    'R12: the getters report the resolution made when the request was processed; a later `req.headers.host = null` does not change them (docs/behaviour-notes.md)',
  lowerCase: 'R3/R10: the hostname is lower-case, as DNS compares it',
  prefix: 'R14: with rewriteLocation, a root-relative Location gets the trusted X-Forwarded-Prefix in front',
} as const;

interface Row {
  /** Express's test file › describe › it, shortened. */
  name: string;
  /** Express's `trust proxy` in its test; undefined = its default (off). */
  trustProxy?: boolean | number | string;
  /** trustedProxy() options in its place; undefined = no middleware (nothing Express trusts either). */
  options?: Partial<TrustedProxyOptions>;
  headers?: Record<string, string>;
  /** What the handler answers (JSON). */
  read: (req: Req, res: Res) => unknown;
  /** Runs between the middleware and the handler (Express's tests that edit the request). */
  before?: (req: Req) => void;
  settings?: Record<string, unknown>;
  /** Listen on `::` (dual stack), as supertest does: IPv4 peers then read `::ffff:127.0.0.1`. */
  dualStack?: boolean;
  /** Express's answer; `{ 4, 5 }` where the versions differ. */
  express: unknown;
  /** Our answer where it differs, with the reason. */
  ours?: unknown;
  why?: keyof typeof WHY;
}

const XFF_XFH_XFP = ['X-Forwarded-For', 'X-Forwarded-Host', 'X-Forwarded-Proto'];
/** Express's `trust proxy` true trusts every hop; the nearest equivalent here names loopback and 10/8. */
const TRUST_ALL = { trustedHeaders: XFF_XFH_XFP, trustedProxies: ['loopback', '10.0.0.0/8'] };
const TRUST_NONE = { trustedHeaders: XFF_XFH_XFP, trustedProxies: '10.0.0.1' };
const ip = (req: Req) => req.ip;
const ips = (req: Req) => req.ips;
const protocol = (req: Req) => req.protocol;
const secure = (req: Req) => (req.secure ? 'yes' : 'no');
const hostname = (req: Req) => req.hostname ?? null;
const host = (req: Req) => req.host ?? null;
const subdomains = (req: Req) => req.subdomains;
const location = (url: string) => (_req: Req, res: Res) => {
  res.location(url);
  return res.getHeader('Location');
};
const dropHost = (req: Req) => {
  (req.headers as Record<string, unknown>).host = null;
};

const ROWS: Row[] = [
  // test/req.ip.js
  {
    name: 'req.ip › XFF, trust proxy enabled › the client addr',
    trustProxy: true,
    options: TRUST_ALL,
    headers: { 'X-Forwarded-For': 'client, p1, p2' },
    read: ip,
    express: 'client',
    ours: '127.0.0.1',
    why: 'validation',
  },
  {
    name: 'req.ip › XFF, trust proxy enabled › the client addr (addresses)',
    trustProxy: true,
    options: TRUST_ALL,
    headers: { 'X-Forwarded-For': '203.0.113.1, 10.0.0.1, 10.0.0.2' },
    read: ip,
    express: '203.0.113.1',
  },
  {
    name: 'req.ip › XFF, trust proxy 2 › the addr after the trusted proxy',
    trustProxy: 2,
    options: { trustedHeaders: XFF_XFH_XFP, trustedProxies: 2 },
    headers: { 'X-Forwarded-For': 'client, p1, p2' },
    read: ip,
    express: 'p1',
    ours: '127.0.0.1',
    why: 'validation',
  },
  {
    name: 'req.ip › XFF, trust proxy 2 › the addr after the trusted proxy (addresses)',
    trustProxy: 2,
    options: { trustedHeaders: XFF_XFH_XFP, trustedProxies: 2 },
    headers: { 'X-Forwarded-For': '203.0.113.1, 10.0.0.1, 10.0.0.2' },
    read: ip,
    express: '10.0.0.1',
  },
  {
    name: 'req.ip › XFF, trust proxy disabled › the remote address',
    options: TRUST_NONE,
    headers: { 'X-Forwarded-For': 'client, p1, p2' },
    read: ip,
    express: '127.0.0.1',
  },
  {
    name: 'req.ip › XFF, trust proxy disabled › the remote address (dual-stack server)',
    options: TRUST_NONE,
    headers: { 'X-Forwarded-For': 'client, p1, p2' },
    read: ip,
    dualStack: true,
    express: '::ffff:127.0.0.1',
    ours: '127.0.0.1',
    why: 'normalised',
  },
  {
    name: 'req.ip › no XFF › the remote address',
    trustProxy: true,
    options: TRUST_ALL,
    read: ip,
    express: '127.0.0.1',
  },
  // test/req.ips.js
  {
    name: 'req.ips › XFF, trust proxy enabled › the addresses',
    trustProxy: true,
    options: TRUST_ALL,
    headers: { 'X-Forwarded-For': 'client, p1, p2' },
    read: ips,
    express: ['client', 'p1', 'p2'],
    ours: [],
    why: 'validation',
  },
  {
    name: 'req.ips › XFF, trust proxy enabled › the addresses (addresses)',
    trustProxy: true,
    options: TRUST_ALL,
    headers: { 'X-Forwarded-For': '203.0.113.1, 10.0.0.1, 10.0.0.2' },
    read: ips,
    express: ['203.0.113.1', '10.0.0.1', '10.0.0.2'],
  },
  {
    name: 'req.ips › XFF, trust proxy 2 › stops at the first untrusted',
    trustProxy: 2,
    options: { trustedHeaders: XFF_XFH_XFP, trustedProxies: 2 },
    headers: { 'X-Forwarded-For': 'client, p1, p2' },
    read: ips,
    express: ['p1', 'p2'],
    ours: [],
    why: 'validation',
  },
  {
    name: 'req.ips › XFF, trust proxy 2 › stops at the first untrusted (addresses)',
    trustProxy: 2,
    options: { trustedHeaders: XFF_XFH_XFP, trustedProxies: 2 },
    headers: { 'X-Forwarded-For': '203.0.113.1, 10.0.0.1, 10.0.0.2' },
    read: ips,
    express: ['10.0.0.1', '10.0.0.2'],
  },
  {
    name: 'req.ips › XFF, trust proxy disabled › []',
    options: TRUST_NONE,
    headers: { 'X-Forwarded-For': 'client, p1, p2' },
    read: ips,
    express: [],
  },
  { name: 'req.ips › no XFF › []', options: TRUST_ALL, read: ips, express: [] },
  // test/req.protocol.js
  { name: 'req.protocol › the protocol', options: TRUST_ALL, read: protocol, express: 'http' },
  {
    name: 'req.protocol › trust proxy enabled › X-Forwarded-Proto',
    trustProxy: true,
    options: TRUST_ALL,
    headers: { 'X-Forwarded-Proto': 'https' },
    read: protocol,
    express: 'https',
  },
  {
    name: 'req.protocol › trust proxy 10.0.0.1 › ignores X-Forwarded-Proto from an untrusted socket',
    trustProxy: '10.0.0.1',
    options: TRUST_NONE,
    headers: { 'X-Forwarded-Proto': 'https' },
    read: protocol,
    express: 'http',
  },
  {
    name: 'req.protocol › trust proxy enabled › defaults to http',
    trustProxy: true,
    options: TRUST_ALL,
    read: protocol,
    express: 'http',
  },
  {
    name: 'req.protocol › trust proxy disabled › ignores X-Forwarded-Proto',
    options: TRUST_NONE,
    headers: { 'X-Forwarded-Proto': 'https' },
    read: protocol,
    express: 'http',
  },
  // test/req.secure.js
  { name: 'req.secure › no X-Forwarded-Proto › false', options: TRUST_ALL, read: secure, express: 'no' },
  {
    name: 'req.secure › X-Forwarded-Proto, trust proxy off › false',
    options: TRUST_NONE,
    headers: { 'X-Forwarded-Proto': 'https' },
    read: secure,
    express: 'no',
  },
  {
    name: 'req.secure › X-Forwarded-Proto, trust proxy enabled › true',
    trustProxy: true,
    options: TRUST_ALL,
    headers: { 'X-Forwarded-Proto': 'https' },
    read: secure,
    express: 'yes',
  },
  {
    name: 'req.secure › initial proxy is http › false',
    trustProxy: true,
    options: TRUST_ALL,
    headers: { 'X-Forwarded-Proto': 'http, https' },
    read: secure,
    express: 'no',
    ours: 'yes',
    why: 'hopAligned',
  },
  {
    name: 'req.secure › initial proxy is https › true',
    trustProxy: true,
    options: TRUST_ALL,
    headers: { 'X-Forwarded-Proto': 'https, http' },
    read: secure,
    express: 'yes',
    ours: 'no',
    why: 'hopAligned',
  },
  {
    name: 'req.secure › trust proxy 1 › X-Forwarded-Proto',
    trustProxy: 1,
    options: { trustedHeaders: XFF_XFH_XFP, trustedProxies: 1 },
    headers: { 'X-Forwarded-Proto': 'https' },
    read: secure,
    express: 'yes',
  },
  // test/req.hostname.js
  {
    name: 'req.hostname › the Host',
    options: TRUST_ALL,
    headers: { Host: 'example.com' },
    read: hostname,
    express: 'example.com',
  },
  {
    name: 'req.hostname › strips the port',
    options: TRUST_ALL,
    headers: { Host: 'example.com:3000' },
    read: hostname,
    express: 'example.com',
  },
  {
    name: 'req.hostname › undefined otherwise (Host removed by a later middleware)',
    options: TRUST_ALL,
    headers: { Host: 'example.com' },
    before: dropHost,
    read: hostname,
    express: null,
    ours: 'example.com',
    why: 'snapshot',
  },
  {
    name: 'req.hostname › IPv6 Host',
    options: TRUST_ALL,
    headers: { Host: '[::1]' },
    read: hostname,
    express: '[::1]',
  },
  {
    name: 'req.hostname › IPv6 Host and port',
    options: TRUST_ALL,
    headers: { Host: '[::1]:3000' },
    read: hostname,
    express: '[::1]',
  },
  {
    name: 'req.hostname › trust proxy enabled › X-Forwarded-Host',
    trustProxy: true,
    options: TRUST_ALL,
    headers: { Host: 'localhost', 'X-Forwarded-Host': 'example.com:3000' },
    read: hostname,
    express: 'example.com',
  },
  {
    name: 'req.hostname › trust proxy 10.0.0.1 › ignores X-Forwarded-Host from an untrusted socket',
    trustProxy: '10.0.0.1',
    options: TRUST_NONE,
    headers: { Host: 'localhost', 'X-Forwarded-Host': 'example.com' },
    read: hostname,
    express: 'localhost',
  },
  {
    name: 'req.hostname › trust proxy enabled › defaults to Host',
    trustProxy: true,
    options: TRUST_ALL,
    headers: { Host: 'example.com' },
    read: hostname,
    express: 'example.com',
  },
  {
    name: 'req.hostname › multiple X-Forwarded-Host › the first value',
    trustProxy: true,
    options: TRUST_ALL,
    headers: { Host: 'localhost', 'X-Forwarded-Host': 'example.com, foobar.com' },
    read: hostname,
    express: 'example.com',
    ours: 'foobar.com',
    why: 'hopAligned',
  },
  {
    name: 'req.hostname › multiple X-Forwarded-Host › OWS around the comma',
    trustProxy: true,
    options: TRUST_ALL,
    headers: { Host: 'localhost', 'X-Forwarded-Host': 'example.com , foobar.com' },
    read: hostname,
    express: 'example.com',
    ours: 'foobar.com',
    why: 'hopAligned',
  },
  {
    name: 'req.hostname › multiple X-Forwarded-Host › strips the port',
    trustProxy: true,
    options: TRUST_ALL,
    headers: { Host: 'localhost', 'X-Forwarded-Host': 'example.com:8080 , foobar.com:8888' },
    read: hostname,
    express: 'example.com',
    ours: 'foobar.com',
    why: 'hopAligned',
  },
  {
    name: 'req.hostname › trust proxy disabled › ignores X-Forwarded-Host',
    options: TRUST_NONE,
    headers: { Host: 'localhost', 'X-Forwarded-Host': 'evil' },
    read: hostname,
    express: 'localhost',
  },
  {
    name: 'req.hostname › a Host in capitals (not in Express’s tests)',
    options: TRUST_ALL,
    headers: { Host: 'Example.COM' },
    read: hostname,
    express: 'Example.COM',
    ours: 'example.com',
    why: 'lowerCase',
  },
  // test/req.host.js (Express 4: the hostname; Express 5: the host with its port)
  {
    name: 'req.host › the Host',
    options: TRUST_ALL,
    headers: { Host: 'example.com' },
    read: host,
    express: 'example.com',
  },
  {
    name: 'req.host › the port (Express 4: stripped)',
    options: TRUST_ALL,
    headers: { Host: 'example.com:3000' },
    read: host,
    express: { 4: 'example.com', 5: 'example.com:3000' },
  },
  {
    name: 'req.host › undefined otherwise (Host removed by a later middleware)',
    options: TRUST_ALL,
    headers: { Host: 'example.com' },
    before: dropHost,
    read: host,
    express: null,
    ours: 'example.com',
    why: 'snapshot',
  },
  {
    name: 'req.host › IPv6 Host',
    options: TRUST_ALL,
    headers: { Host: '[::1]' },
    read: host,
    express: '[::1]',
  },
  {
    name: 'req.host › IPv6 Host and port',
    options: TRUST_ALL,
    headers: { Host: '[::1]:3000' },
    read: host,
    express: { 4: '[::1]', 5: '[::1]:3000' },
  },
  {
    name: 'req.host › trust proxy enabled › X-Forwarded-Host with its port',
    trustProxy: true,
    options: TRUST_ALL,
    headers: { Host: 'localhost', 'X-Forwarded-Host': 'example.com:3000' },
    read: host,
    express: { 4: 'example.com', 5: 'example.com:3000' },
  },
  {
    name: 'req.host › trust proxy 10.0.0.1 › ignores X-Forwarded-Host from an untrusted socket',
    trustProxy: '10.0.0.1',
    options: TRUST_NONE,
    headers: { Host: 'localhost', 'X-Forwarded-Host': 'example.com' },
    read: host,
    express: 'localhost',
  },
  // test/req.subdomains.js
  {
    name: 'req.subdomains › an array',
    options: TRUST_ALL,
    headers: { Host: 'tobi.ferrets.example.com' },
    read: subdomains,
    express: ['ferrets', 'tobi'],
  },
  {
    name: 'req.subdomains › an IPv4 address',
    options: TRUST_ALL,
    headers: { Host: '127.0.0.1' },
    read: subdomains,
    express: [],
  },
  {
    name: 'req.subdomains › an IPv6 address',
    options: TRUST_ALL,
    headers: { Host: '[::1]' },
    read: subdomains,
    express: [],
  },
  {
    name: 'req.subdomains › otherwise []',
    options: TRUST_ALL,
    headers: { Host: 'example.com' },
    read: subdomains,
    express: [],
  },
  {
    name: 'req.subdomains › with no host (removed by a later middleware)',
    options: TRUST_ALL,
    headers: { Host: 'tobi.ferrets.example.com' },
    before: dropHost,
    read: subdomains,
    express: [],
    ours: ['ferrets', 'tobi'],
    why: 'snapshot',
  },
  {
    name: 'req.subdomains › trusted X-Forwarded-Host',
    trustProxy: true,
    options: TRUST_ALL,
    headers: { 'X-Forwarded-Host': 'tobi.ferrets.example.com' },
    read: subdomains,
    express: ['ferrets', 'tobi'],
  },
  {
    name: 'req.subdomains › subdomain offset 0 › the whole domain',
    options: TRUST_ALL,
    settings: { 'subdomain offset': 0 },
    headers: { Host: 'tobi.ferrets.sub.example.com' },
    read: subdomains,
    express: ['com', 'example', 'sub', 'ferrets', 'tobi'],
  },
  {
    name: 'req.subdomains › subdomain offset 0 › the whole IPv4',
    options: TRUST_ALL,
    settings: { 'subdomain offset': 0 },
    headers: { Host: '127.0.0.1' },
    read: subdomains,
    express: ['127.0.0.1'],
  },
  {
    name: 'req.subdomains › subdomain offset 0 › the whole IPv6',
    options: TRUST_ALL,
    settings: { 'subdomain offset': 0 },
    headers: { Host: '[::1]' },
    read: subdomains,
    express: ['[::1]'],
  },
  {
    name: 'req.subdomains › subdomain offset 3',
    options: TRUST_ALL,
    settings: { 'subdomain offset': 3 },
    headers: { Host: 'tobi.ferrets.sub.example.com' },
    read: subdomains,
    express: ['ferrets', 'tobi'],
  },
  // test/res.location.js and test/res.redirect.js: the middleware leaves Location alone by default.
  {
    name: 'res.location › an absolute URL',
    options: TRUST_ALL,
    read: location('http://google.com/'),
    express: 'http://google.com/',
  },
  {
    name: 'res.location › encodes the URL',
    options: TRUST_ALL,
    read: location('https://google.com?q=\u2603 §10'),
    express: 'https://google.com?q=%E2%98%83%20%C2%A710',
  },
  {
    name: 'res.location › a root-relative path',
    options: TRUST_ALL,
    read: location('/login'),
    express: '/login',
  },
  {
    name: 'res.location › a root-relative path behind a prefix, with rewriteLocation',
    options: { ...TRUST_ALL, trustedHeaders: [...XFF_XFH_XFP, 'X-Forwarded-Prefix'], rewriteLocation: true },
    headers: { 'X-Forwarded-Prefix': '/app' },
    read: location('/login'),
    express: '/login',
    ours: '/app/login',
    why: 'prefix',
  },
];

const servers: http.Server[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((done) => s.close(done))));
});

function build(version: 4 | 5, row: Row, withProxy: boolean): App {
  const app = EXPRESS[version]();
  for (const [key, value] of Object.entries(row.settings ?? {})) app.set(key, value);
  if (withProxy) {
    app.use(trustedProxy(row.options as TrustedProxyOptions));
  } else if (row.trustProxy !== undefined) {
    app.set('trust proxy', row.trustProxy);
  }
  app.use((req: Req, res: Res) => {
    row.before?.(req);
    res.json({ value: row.read(req, res) ?? null });
  });
  return app;
}

async function ask(app: App, row: Row): Promise<unknown> {
  const server = http.createServer(app);
  servers.push(server);
  await new Promise<void>((done) => server.listen(0, row.dualStack ? '::' : '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  const body = await new Promise<string>((resolve, reject) => {
    http
      .get(
        { host: '127.0.0.1', port, path: '/', headers: { Host: 'localhost', ...row.headers }, agent: false },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve(text));
        },
      )
      .on('error', reject);
  });
  server.close();
  return (JSON.parse(body) as { value: unknown }).value;
}

const expected = (value: unknown, version: 4 | 5): unknown =>
  value !== null && typeof value === 'object' && !Array.isArray(value) && 4 in value
    ? (value as Record<4 | 5, unknown>)[version]
    : value;

describe('the table', () => {
  it('explains every difference, and has no difference without one', () => {
    for (const row of ROWS) {
      expect(row.ours === undefined, row.name).toBe(row.why === undefined);
      expect(row.ours, row.name).not.toEqual(row.express);
    }
  });
});

for (const version of [4, 5] as const) {
  describe(`Express ${version}`, () => {
    for (const row of ROWS) {
      describe(row.name, () => {
        it('Express alone gives Express’s answer', async () => {
          expect(await ask(build(version, row, false), row)).toEqual(expected(row.express, version));
        });
        const label =
          row.why === undefined
            ? 'trustedProxy() agrees'
            : `trustedProxy() differs as documented: ${WHY[row.why]}`;
        it(label, async () => {
          expect(await ask(build(version, row, true), row)).toEqual(
            expected(row.ours ?? row.express, version),
          );
        });
      });
    }
  });
}
