// The requests every benchmark measures (issue 6, S0–S4), as prebuilt request-like objects.
// Each scenario holds the raw material once; `freshRequest` makes a new object per processed
// request, because processing mutates the request (R11, R12) and is idempotent (R13).

/** The forwarding headers an nginx front end usually sets, in priority order. */
export const TRUSTED_HEADERS = [
  'X-Forwarded-For',
  'X-Forwarded-Host',
  'X-Forwarded-Proto',
  'X-Forwarded-Port',
];

/** Ten IPv4 ranges: what "trust matching against 10 CIDR ranges" compiles. */
export const TEN_CIDRS = [
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '100.64.0.0/10',
  '198.18.0.0/15',
  '169.254.0.0/16',
  '127.0.0.0/8',
  '192.0.2.0/24',
  '203.0.113.0/24',
  '198.51.100.0/24',
];

/** The CIDR ranges of the S2 proxy chains: private IPv4 ranges and three IPv6 proxy networks. */
const CHAIN_CIDRS = [
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '2001:db8:1::/48',
  '2001:db8:2::/48',
  '2001:db8:3::/48',
];

/** Headers of an ordinary browser request, before any proxy adds its own. */
const BROWSER = [
  ['User-Agent', 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0'],
  ['Accept', 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'],
  ['Accept-Language', 'en-GB,en;q=0.5'],
  ['Accept-Encoding', 'gzip, deflate, br'],
];

/** The typical nginx proxy block: proxy_set_header for each of these, plus X-Real-IP. */
const NGINX = [
  ['Host', 'app.internal:3000'],
  ['X-Real-IP', '203.0.113.7'],
  ['X-Forwarded-For', '203.0.113.7'],
  ['X-Forwarded-Host', 'www.example.com'],
  ['X-Forwarded-Proto', 'https'],
  ['X-Forwarded-Port', '443'],
  ['Connection', 'close'],
];

/** Every registry header (SPEC §2), as an attacker talking straight to the app would send them. */
const EVERY_ALIAS = [
  ['Host', 'www.example.com'],
  ['X-Forwarded-For', '127.0.0.1'],
  ['Forwarded', 'for=127.0.0.1;host=admin.example.com;proto=https'],
  ['X-Real-IP', '127.0.0.1'],
  ['X-Client-IP', '127.0.0.1'],
  ['True-Client-IP', '127.0.0.1'],
  ['CF-Connecting-IP', '127.0.0.1'],
  ['Fastly-Client-IP', '127.0.0.1'],
  ['X-Cluster-Client-IP', '127.0.0.1'],
  ['X-Forwarded-Host', 'admin.example.com'],
  ['X-Host', 'admin.example.com'],
  ['X-Original-Host', 'admin.example.com'],
  ['X-Forwarded-Port', '8443'],
  ['X-Forwarded-Server', 'admin.example.com'],
  ['X-Forwarded-Proto', 'https'],
  ['X-Forwarded-Scheme', 'https'],
  ['X-Scheme', 'https'],
  ['X-Url-Scheme', 'https'],
  ['X-Forwarded-HTTPS', 'on'],
  ['X-Forwarded-SSL', 'on'],
  ['X-HTTPS', 'on'],
  ['Front-End-Https', 'on'],
  ['X-Forwarded-Prefix', '/admin'],
  ['X-Script-Name', '/admin'],
  ['X-Forwarded-Script-Name', '/admin'],
  ['X-Original-URL', '/admin/users'],
  ['X-Rewrite-URL', '/admin/users'],
];

/** A header of about 16 KB: a long forged history, then the real client and one trusted proxy. */
function longForwardedFor() {
  const forged = [];
  let length = 0;
  for (let i = 0; length < 16_000; i++) {
    const entry = `198.51.${(i >> 8) & 255}.${i & 255}`;
    forged.push(entry);
    length += entry.length + 2;
  }
  return `${forged.join(', ')}, 203.0.113.7, 10.0.0.2`;
}

/** A chain of 100 trusted proxies in 10.0.0.0/8 (the client is the leftmost, also trusted). */
function hundredHops() {
  const hops = [];
  for (let i = 100; i >= 1; i--) hops.push(`10.0.${i >> 8}.${i & 255}`);
  return hops.join(', ');
}

/**
 * A scenario: the socket, the header lines, and the trust configuration for us and for Express.
 * `trust` is given to `trustedProxy({ trustedProxies })`; `expressTrust` to `app.set('trust proxy')`
 * and `proxyaddr.compile` (the same members; Express has no `private` or `unix`).
 */
function scenario(id, title, remoteAddress, lines, trust, expressTrust = trust) {
  const headers = {};
  const rawHeaders = [];
  for (const [name, value] of lines) {
    const key = name.toLowerCase();
    headers[key] = headers[key] === undefined ? value : `${headers[key]}, ${value}`;
    rawHeaders.push(name, value);
  }
  const socket = { remoteAddress, encrypted: undefined, localAddress: '10.9.8.7', localPort: 3000 };
  return { id, title, socket, headers, rawHeaders, url: '/path?q=1', method: 'GET', trust, expressTrust };
}

export const SCENARIOS = [
  scenario(
    'S0',
    'trusted peer, no forwarding headers',
    '127.0.0.1',
    [['Host', 'www.example.com'], ...BROWSER],
    ['loopback'],
  ),
  scenario(
    'S1',
    'nginx: XFF + XFH + XFP + XFPort, X-Real-IP stripped',
    '127.0.0.1',
    [...NGINX, ...BROWSER],
    ['loopback'],
  ),
  scenario(
    'S2',
    '3-proxy IPv4 chain, CIDR trust',
    '10.0.0.5',
    [
      ['Host', 'app.internal:3000'],
      ['X-Forwarded-For', '203.0.113.7, 192.168.1.10, 172.16.3.4'],
      ['X-Forwarded-Host', 'www.example.com'],
      ['X-Forwarded-Proto', 'https'],
      ...BROWSER,
    ],
    CHAIN_CIDRS,
  ),
  scenario(
    'S2-v6',
    '3-proxy IPv6 chain, CIDR trust',
    '2001:db8:1::5',
    [
      ['Host', 'app.internal:3000'],
      ['X-Forwarded-For', '2001:db8:ffff::7, 2001:db8:3::9, 2001:db8:2::7'],
      ['X-Forwarded-Host', 'www.example.com'],
      ['X-Forwarded-Proto', 'https'],
      ...BROWSER,
    ],
    CHAIN_CIDRS,
  ),
  scenario(
    'S2-mapped',
    '3-proxy chain, IPv4-mapped peer',
    '::ffff:10.0.0.5',
    [
      ['Host', 'app.internal:3000'],
      ['X-Forwarded-For', '203.0.113.7, 192.168.1.10, 172.16.3.4'],
      ['X-Forwarded-Host', 'www.example.com'],
      ['X-Forwarded-Proto', 'https'],
      ...BROWSER,
    ],
    CHAIN_CIDRS,
  ),
  scenario(
    'S3',
    'untrusted peer sending every alias header',
    '198.51.100.99',
    [...EVERY_ALIAS, ...BROWSER],
    ['loopback'],
  ),
  scenario(
    'S4-16k',
    '16 KB X-Forwarded-For, client near the right end',
    '127.0.0.1',
    [
      ['Host', 'app.internal:3000'],
      ['X-Forwarded-For', longForwardedFor()],
      ['X-Forwarded-Proto', 'https'],
      ...BROWSER,
    ],
    ['loopback', '10.0.0.0/8'],
  ),
  scenario(
    'S4-100',
    '100-hop all-trusted chain',
    '10.0.0.200',
    [
      ['Host', 'app.internal:3000'],
      ['X-Forwarded-For', hundredHops()],
      ['X-Forwarded-Proto', 'https'],
      ...BROWSER,
    ],
    ['10.0.0.0/8'],
  ),
];

/**
 * A new request-like object for one processing: the shape node:http gives middleware
 * (`socket`, and its deprecated alias `connection` that Express 4 reads), with its own copy
 * of what processing may rewrite (`headers`, `rawHeaders`). The socket is shared, as with
 * keep-alive: nothing may touch it (R12). `proto` is the prototype (an Express request, or
 * `Object.prototype`), so both sides pay for an identical allocation.
 */
export function freshRequest(s, proto) {
  const req = Object.create(proto);
  req.socket = s.socket;
  req.connection = s.socket;
  req.headers = { ...s.headers };
  req.rawHeaders = s.rawHeaders.slice();
  req.url = s.url;
  req.method = s.method;
  return req;
}
