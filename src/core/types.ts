import type { IncomingMessage } from 'node:http';

/**
 * Why a forwarding header value was not used. See docs/api/proxyInfo.md.
 *
 * - `untrusted-peer`: the socket peer is not a trusted proxy, so the header was stripped.
 * - `not-trusted-header`: the peer is trusted but the header is not in `trustedHeaders`
 *   (or is never trustable, like `X-Original-URL`).
 * - `invalid-address`, `invalid-host`, `invalid-port`, `invalid-scheme`, `invalid-prefix`:
 *   the value failed validation (R9) and the group kept its original value.
 * - `malformed-forwarded`: an RFC 7239 `Forwarded` element with bad syntax or a duplicate parameter.
 * - `host-not-allowed`: the final hostname is not in `allowedHosts`.
 * - `conflict`: a lower-priority trusted header of the same group said something different.
 * - `proof-failed`: the peer is in `trustedProxies` but the request lacks the `requireProof`
 *   header or carries a wrong secret, so the peer is untrusted (R22). The event's `header` is
 *   the proof header's name; its `value` is `''` (missing) or `'[redacted]'`, never the secret.
 */
export type RejectReason =
  | 'untrusted-peer'
  | 'not-trusted-header'
  | 'invalid-address'
  | 'invalid-host'
  | 'invalid-port'
  | 'invalid-scheme'
  | 'invalid-prefix'
  | 'malformed-forwarded'
  | 'host-not-allowed'
  | 'conflict'
  | 'proof-failed';

/** One value that was not used, as reported in {@link ProxyInfo.rejected} and to `onReject`. */
export interface RejectEvent {
  /** Lower-case header name (`host` for the Host header). */
  header: string;
  /** The offending value, cut to at most 256 characters. Attacker input: escape it before display. */
  value: string;
  reason: RejectReason;
}

/**
 * Decides whether an address may set forwarding headers.
 * `address` is the normalised IP (IPv4-mapped IPv6 as IPv4, IPv6 lower-case and compressed),
 * or `undefined` for a peer on a UNIX domain socket. `hop` is 0 for the socket peer, 1 for the
 * address the peer reported, and so on. Exceptions count as "not trusted".
 */
export type TrustFunction = (address: string | undefined, hop: number) => boolean;

/** Who may set forwarding headers: addresses, CIDR ranges, named ranges, a hop count or a function. */
export type TrustedProxies = string | readonly string[] | number | TrustFunction;

/** The `requireProof` option (R22): a shared-secret header the CDN adds to every request. */
export interface RequireProof {
  /** The header's name (case-insensitive); a header of its own, not a registry or HTTP header. */
  header: string;
  /** One secret, or two while rotating: 16–1024 visible ASCII characters each. */
  secrets: readonly string[];
}

/**
 * Options of {@link trustedProxy} and `createResolver`. `Req` is what `onReject` receives: the
 * Node request for the middleware, the incoming Web `Request` for `createResolver` (R18).
 */
export interface TrustedProxyOptions<Req = IncomingMessage> {
  /**
   * Names of the forwarding headers your proxies set (case-insensitive), in priority order
   * within a group. Every other registry header is stripped.
   *
   * Security: list only headers your proxy sets or appends on every path. A header it merely
   * passes through is whatever the client sent (see docs/proxies.md).
   * @example ['X-Forwarded-For', 'X-Forwarded-Host', 'X-Forwarded-Proto', 'X-Forwarded-Port']
   */
  trustedHeaders: readonly string[];
  /**
   * Who may set those headers: IPs, CIDRs (`10.0.0.0/8`, `2001:db8::/32`, `10.0.0.0/255.0.0.0`),
   * `loopback`, `linklocal`, `uniquelocal`, `private`, `unix`, and the cloud sets `cloudflare`,
   * `fastly`, `cloudfront`, `gcp-lb` (dated snapshots, see `cloudRanges()`; pair them with
   * `requireProof`); a comma/space separated string is a list. A number trusts the nearest n hops whatever their address (the weakest form).
   * @example ['10.0.0.0/8', 'loopback']
   */
  trustedProxies: TrustedProxies;
  /**
   * Proof of proxy (R22): the peer is trusted only if it is in `trustedProxies` **and** the
   * request carries `header` with one of `secrets` (compared in constant time). A missing or
   * wrong proof makes the peer untrusted (`proof-failed`). The header is always removed from
   * the request and never appears in ProxyInfo (not even `original.headers`) or in events.
   *
   * Security: a range list (`'cloudflare'`, `'cloudfront'` …) proves only that a request came
   * through the CDN, not through *your* account; anyone can point their own zone or
   * distribution at your origin. Configure the CDN to add the header (docs/recipes), keep the
   * secret out of source control (`optionsFromEnv` reads it from the environment or a file),
   * and give a second secret while rotating.
   * @default undefined (the address alone decides)
   * @example
   * trustedProxy({
   *   trustedHeaders: ['CF-Connecting-IP', 'X-Forwarded-Proto'],
   *   trustedProxies: 'cloudflare',
   *   requireProof: { header: 'X-Origin-Auth', secrets: [process.env.ORIGIN_SECRET!] },
   * })
   */
  requireProof?: RequireProof | undefined;
  /**
   * Hostnames the final host must match: exact names or IP literals, or `*.example.com`
   * (any depth of subdomain, not the apex). Requests for other hosts are refused with 400.
   * @default undefined (every valid host is allowed)
   * @example ['example.com', '*.example.com']
   */
  allowedHosts?: readonly string[] | undefined;
  /**
   * Rewrite `Location` response headers that point at the internal origin (R14).
   * @default false
   * @example
   * // res.redirect('http://10.0.0.5:8000/landed') reaches the client as https://www.example.com/app/landed
   * trustedProxy({ trustedHeaders, trustedProxies, rewriteLocation: true })
   */
  rewriteLocation?: boolean | undefined;
  /**
   * Called once for every {@link RejectEvent}, for logging spoof attempts.
   * Exceptions it throws are swallowed.
   * @default undefined
   * @example
   * onReject: (event, req) => logger.warn({ ...event, peer: req.socket.remoteAddress }, 'forwarding header rejected')
   */
  onReject?: ((event: RejectEvent, req: Req) => void) | undefined;
}

/** What a request resolved to (SPEC R3). */
export interface ProxyInfo {
  /** The socket peer was a trusted proxy. */
  trusted: boolean;
  /** The normalised socket peer address; `undefined` on a UNIX socket. */
  peerAddress: string | undefined;
  /** The client address (REMOTE_ADDR): always a canonical IP or `undefined`, never a header's raw text. */
  remoteAddress: string | undefined;
  /** The walked part of the chain, client first, peer last. */
  addresses: string[];
  /** The public scheme (wsgi.url_scheme). */
  protocol: 'http' | 'https';
  /** `protocol === 'https'`. */
  secure: boolean;
  /** Lower-case public hostname; IPv6 in brackets. */
  hostname: string;
  /** The public port (SERVER_PORT). */
  port: number;
  /** `hostname[:port]`, port omitted when it is the default for `protocol` (HTTP_HOST). */
  host: string;
  /** SERVER_NAME: X-Forwarded-Server if applied, else `hostname`. */
  serverName: string;
  /** The mount point (SCRIPT_NAME): `''` or `/x/y` without a trailing slash. */
  prefix: string;
  /** Lower-case names of the headers whose values were used. */
  applied: string[];
  /** Every value that was not used, and why. */
  rejected: RejectEvent[];
  /** `false` only when `allowedHosts` is set and the hostname is not in it. */
  hostAllowed: boolean;
  /**
   * The connection's PROXY protocol header (R21), when `acceptProxyProtocol()` read one;
   * its `sourceAddress` is the peer (hop 0) of the walk. `undefined` otherwise.
   */
  transport?: ProxyTransport | undefined;
  /** What the request carried before it was rewritten. */
  original: {
    /** `req.socket.remoteAddress` as it was. */
    remoteAddress: string | undefined;
    /** The Host header as it was. */
    host: string | undefined;
    /** The scheme of the hop that reached this server. */
    protocol: 'http' | 'https';
    /** A copy of `req.headers` as it was. */
    headers: Record<string, string | string[] | undefined>;
  };
}

/**
 * What a PROXY protocol header said about the connection (R21), as `ProxyInfo.transport`.
 * For a LOCAL command, or an UNSPEC, UNKNOWN or UNIX-family header, the addresses are the
 * socket's own (the load balancer's health check speaks for itself).
 *
 * Security: only ever filled from a peer named in `acceptProxyProtocol()`'s `from`. The
 * TLV strings (`authority`, `uniqueId`, `ssl.*`) are what the load balancer relayed, often
 * from the client (SNI, certificate CN): escape them before display.
 */
export interface ProxyTransport {
  /** 1 (text) or 2 (binary). */
  version: 1 | 2;
  /** The client: canonical IP (IPv4-mapped IPv6 as IPv4); `undefined` only for a UNIX-socket peer's LOCAL header. */
  sourceAddress: string | undefined;
  sourcePort: number | undefined;
  /** The address the client connected to (the load balancer's listener). */
  destinationAddress: string | undefined;
  destinationPort: number | undefined;
  /** The load balancer: this socket's own peer, canonical; `undefined` on a UNIX socket. */
  proxyAddress: string | undefined;
  /** PP2_TYPE_AUTHORITY: the host name the client asked for (TLS SNI), when printable ASCII. */
  authority?: string | undefined;
  /** PP2_TYPE_UNIQUE_ID (≤ 128 bytes), when printable ASCII. */
  uniqueId?: string | undefined;
  /** PP2_TYPE_SSL: the client's connection to the load balancer. */
  ssl?: ProxySsl | undefined;
  /** AWS PrivateLink (0xEA, subtype 0x01): the VPC endpoint id. */
  awsVpceId?: string | undefined;
  /** Azure Private Link (0xEE, subtype 0x01): the link id (uint32, little-endian on the wire). */
  azureLinkId?: number | undefined;
  /** GCP Private Service Connect (0xE0): the 64-bit connection id, in decimal. */
  gcpPscConnectionId?: string | undefined;
}

/** The PP2_TYPE_SSL TLV of a PROXY protocol v2 header. */
export interface ProxySsl {
  /** PP2_CLIENT_SSL: the client connected over TLS. */
  tls: boolean;
  /** PP2_CLIENT_CERT_CONN: the client presented a certificate on this connection. */
  certificateOnConnection: boolean;
  /** PP2_CLIENT_CERT_SESS: the client presented a certificate at least once in this TLS session. */
  certificateOnSession: boolean;
  /** `verify` was 0: a presented certificate was verified. */
  verified: boolean;
  /** PP2_SUBTYPE_SSL_VERSION, e.g. `TLSv1.3`. */
  version?: string | undefined;
  /** PP2_SUBTYPE_SSL_CIPHER, e.g. `TLS_AES_256_GCM_SHA384`. */
  cipher?: string | undefined;
  /** PP2_SUBTYPE_SSL_CN: the client certificate's Common Name. */
  commonName?: string | undefined;
  /** PP2_SUBTYPE_SSL_SIG_ALG, e.g. `RSA-SHA256`. */
  signatureAlgorithm?: string | undefined;
  /** PP2_SUBTYPE_SSL_KEY_ALG, e.g. `RSA2048`. */
  keyAlgorithm?: string | undefined;
}

/** A Connect/Express-style `next` callback. */
export type NextFunction = (err?: unknown) => void;

/** The middleware returned by {@link trustedProxy}. */
export interface TrustedProxyMiddleware {
  (req: IncomingMessage, res: import('node:http').ServerResponse, next: NextFunction): void;
  /**
   * Wraps a plain `node:http` listener (or a `node:http2` compatibility listener, R20):
   * processes each request, answers 400 itself for a host not allowed.
   * @example
   * http.createServer(proxy.wrap((req, res) => res.end(reconstructUrl(req)))).listen(8000);
   */
  wrap<Req extends IncomingMessage, Res extends import('node:http').ServerResponse>(
    listener: (req: Req, res: Res) => void,
  ): (req: Req, res: Res) => void;
  wrap<
    Req extends import('node:http2').Http2ServerRequest,
    Res extends import('node:http2').Http2ServerResponse,
  >(listener: (req: Req, res: Res) => void): (req: Req, res: Res) => void;
  /**
   * Applies the rules to `req` now and returns its {@link ProxyInfo} (idempotent). For other
   * frameworks; it does not rewrite `Location` (there is no response).
   * @example
   * const info = proxy.process(request.raw); // e.g. Fastify's underlying IncomingMessage
   */
  process(req: IncomingMessage | import('node:http2').Http2ServerRequest): ProxyInfo;
}

/** A WSGI-style environ for {@link reconstructUrl} (PEP 3333). */
export interface WsgiEnviron {
  'wsgi.url_scheme': string;
  HTTP_HOST?: string | undefined;
  SERVER_NAME?: string | undefined;
  SERVER_PORT?: string | undefined;
  SCRIPT_NAME?: string | undefined;
  PATH_INFO?: string | undefined;
  QUERY_STRING?: string | undefined;
  [key: string]: unknown;
}
