// Who listens where. Every hop has its own loopback address, so the backend can tell the client,
// each proxy and the chain edge apart by the socket peer alone (docs/proxies.md, "Topology").
// Ports stand in for the article's 80/443 (18080/18443) and its docker ports 8001–8003 (18001–18003).

export const CLIENT = '127.0.0.50';

export const BACKEND_HOST = '127.0.0.10';

export const APACHE = {
  listen: '127.0.0.30',
  /** ProxySourceAddress: without it Apache connects from 127.0.0.1, like an unbound client. */
  source: '127.0.0.31',
  /** The article's vhosts, verbatim apart from ports and the AH00526 fix. */
  http: 18080,
  https: 18443,
  /** The same sites with the fixed recipe of docs/proxies.md (every vhost sets scheme and port). */
  fixedHttp: 18090,
  fixedHttps: 18493,
  /** Inner hop of the nginx → Apache chain: bare ProxyPass vhosts, which only append. */
  inner: 18081,
} as const;

export const NGINX = {
  listen: '127.0.0.20',
  /** proxy_bind */
  source: '127.0.0.21',
  http: 18180,
  https: 18543,
  /** Chain edge in front of Apache's inner listener. */
  edgeHttp: 18380,
  edgeHttps: 18743,
} as const;

export const HAPROXY = {
  listen: '127.0.0.40',
  /** server … source */
  source: '127.0.0.41',
  /** RFC 7239 Forwarded (2.8 `option forwarded`, emulated on 2.6). */
  http: 18280,
  https: 18643,
  /** The same front end, backend trusting X-Forwarded-For + X-Forwarded-Proto instead. */
  xffHttp: 18281,
  xffHttps: 18644,
} as const;

/** The headers the article tells mod_wsgi-express to trust. */
export const ARTICLE_HEADERS = [
  'X-Forwarded-Host',
  'X-Forwarded-Port',
  'X-Forwarded-For',
  'X-Forwarded-Scheme',
];

export interface BackendSpec {
  name: string;
  port: number;
  trustProxy: string[];
  trustProxyHeader: string[];
  rewriteLocation: boolean;
}

/** One CLI process per backend, each trusting exactly the proxy that sits in front of it. */
export const BACKENDS = {
  www: {
    name: 'www',
    port: 18001,
    trustProxy: [APACHE.source],
    trustProxyHeader: ARTICLE_HEADERS,
    rewriteLocation: true,
  },
  blog: {
    name: 'blog',
    port: 18002,
    trustProxy: [APACHE.source],
    trustProxyHeader: ARTICLE_HEADERS,
    rewriteLocation: true,
  },
  wiki: {
    name: 'wiki',
    port: 18003,
    trustProxy: [APACHE.source],
    trustProxyHeader: ARTICLE_HEADERS,
    rewriteLocation: true,
  },
  nginx: {
    name: 'nginx',
    port: 18004,
    trustProxy: [NGINX.source],
    trustProxyHeader: [
      'X-Forwarded-For',
      'X-Forwarded-Host',
      'X-Forwarded-Port',
      'X-Forwarded-Proto',
      'X-Forwarded-Prefix',
    ],
    rewriteLocation: true,
  },
  haproxy: {
    name: 'haproxy',
    port: 18005,
    trustProxy: [HAPROXY.source],
    trustProxyHeader: ['Forwarded'],
    rewriteLocation: true,
  },
  haproxyXff: {
    name: 'haproxy-xff',
    port: 18015,
    trustProxy: [HAPROXY.source],
    trustProxyHeader: ['X-Forwarded-For', 'X-Forwarded-Proto'],
    rewriteLocation: true,
  },
  /** Chain, blog.example.com: both the edge (nginx) and the inner proxy (Apache) trusted. */
  chainBoth: {
    name: 'chain-both',
    port: 18006,
    trustProxy: [APACHE.source, NGINX.source],
    trustProxyHeader: ['X-Forwarded-For', 'X-Forwarded-Host', 'X-Forwarded-Port', 'X-Forwarded-Proto'],
    rewriteLocation: true,
  },
  /** Chain, wiki.example.com: only the inner proxy (Apache) trusted. */
  chainInner: {
    name: 'chain-inner',
    port: 18007,
    trustProxy: [APACHE.source],
    trustProxyHeader: ['X-Forwarded-For', 'X-Forwarded-Host', 'X-Forwarded-Port', 'X-Forwarded-Proto'],
    rewriteLocation: true,
  },
  /** Chain, www.example.com: both trusted; the edge sends X-Forwarded-Host with its port. */
  chainWww: {
    name: 'chain-www',
    port: 18008,
    trustProxy: [APACHE.source, NGINX.source],
    trustProxyHeader: ['X-Forwarded-For', 'X-Forwarded-Host', 'X-Forwarded-Proto'],
    rewriteLocation: true,
  },
} as const satisfies Record<string, BackendSpec>;

export type BackendName = keyof typeof BACKENDS;

/** Names of the log files the harness writes in its temporary directory, per server. */
export const LOGS = {
  apache: ['apache.stderr.log', 'apache.error.log'],
  nginx: ['nginx.stderr.log', 'nginx.error.log'],
  haproxy: ['haproxy.stderr.log'],
} as const;
