/**
 * `acceptProxyProtocol(server, options)` (R21): reads the PROXY protocol header on every new
 * connection before TLS or HTTP see a byte, then hands the socket to the server as if it
 * had just been accepted, with the bytes after the header still unread.
 *
 * Lessons taken from go-proxyproto and its CVEs: the header is required from the load
 * balancers named in `from` (never optional, never guessed: CVE-class spoofing), reads are
 * capped (CVE-2021-23351), a header that has not arrived by the deadline costs the
 * connection (CVE-2021-23409), and the deadline is cleared the moment the header is in
 * (go-proxyproto#75, where every connection died at the timeout).
 */

import type { Server, Socket } from 'node:net';
import { configError, TrustedProxyConfigError } from '../core/errors.js';
import { type ParsedIp, parseIp } from '../core/ip.js';
import { compileTrust, type Trust } from '../core/trust.js';
import type { ProxyTransport } from '../core/types.js';
import { type HeaderProblem, type ParseOptions, type ProxyHeader, parseProxyHeader } from './parse.js';
import { TRANSPORT } from './state.js';

/** Options of {@link acceptProxyProtocol}. */
export interface ProxyProtocolOptions {
  /**
   * The load balancers that send the header: IPs, CIDRs, named ranges (`loopback`,
   * `private`, …) and `unix`, as in `trustedProxies` (no hop counts, no functions: the
   * header is a fact about one TCP peer). From them the header is required.
   * @example ['10.0.0.0/8']
   */
  from: string | readonly string[];
  /**
   * Milliseconds a `from` peer has to deliver a complete, valid header before the
   * connection is destroyed. An absolute deadline from accept, not an idle timer, so a
   * peer dripping one byte at a time cannot stretch it.
   * @default 5000
   */
  headerTimeout?: number | undefined;
  /**
   * Which versions to accept. Load balancers send one fixed version; accept only that one
   * to shrink what an attacker who reaches the port can try.
   * @default [1, 2]
   */
  versions?: readonly (1 | 2)[] | undefined;
  /**
   * What happens to a connection from a peer not in `from`: `'reject'` destroys it at once;
   * `'direct'` serves it as an ordinary connection, with no header read at all (a PROXY
   * line it sends is just a bad HTTP request). Bytes are never inspected to decide.
   * @default 'reject'
   */
  others?: 'reject' | 'direct' | undefined;
  /**
   * The largest v2 `len` (address block and TLVs, in bytes) accepted.
   * @default 4096
   */
  maxV2Length?: number | undefined;
  /**
   * Called for each connection closed by the receiver (for logging); exceptions are swallowed.
   * `peer` is the socket's remote address, `reason` a {@link ProxyProtocolRejectReason}.
   * @default undefined
   */
  onReject?: ((event: ProxyProtocolRejectEvent) => void) | undefined;
}

/** Why the receiver closed a connection. See docs/proxy-protocol.md. */
export type ProxyProtocolRejectReason = HeaderProblem | 'not-from' | 'timeout';

export interface ProxyProtocolRejectEvent {
  reason: ProxyProtocolRejectReason;
  /** `socket.remoteAddress` as it was; `undefined` on a UNIX socket. */
  peer: string | undefined;
}

/** What {@link acceptProxyProtocol} installed, for logs and the command line's start line. */
export interface ProxyProtocolReceiver {
  /** `from`, compiled: canonical CIDRs. */
  readonly from: string;
  readonly versions: readonly (1 | 2)[];
  readonly headerTimeout: number;
  readonly others: 'reject' | 'direct';
  /** Connections now waiting for their header. */
  readonly pending: number;
}

const INSTALLED = Symbol.for('trusted-proxy.proxy-protocol');
const KNOWN_OPTIONS = new Set(['from', 'headerTimeout', 'versions', 'others', 'maxV2Length', 'onReject']);
/** The largest `len` the 16-bit field can hold. */
const V2_LENGTH_CEILING = 65535;
/** setTimeout's ceiling (2^31 − 1 ms); beyond it Node fires at once. */
const TIMEOUT_CEILING = 2147483647;

type Emit = (this: Server, event: string | symbol, ...args: unknown[]) => boolean;
type Accepted = Socket & { [TRANSPORT]?: ProxyTransport };

/** `from` compiled like `trustedProxies`, with errors that name `from`. @internal */
export function compileFrom(from: unknown): Trust {
  if (typeof from === 'number' || typeof from === 'function') {
    throw configError(
      'proxy protocol `from` takes addresses and ranges, not a hop count or a function',
      from,
    );
  }
  if (from === undefined || from === null) {
    throw configError(
      'proxy protocol `from` is required: name the load balancers that send the header',
      from,
    );
  }
  try {
    return compileTrust(from as string | readonly string[]);
  } catch (err) {
    if (err instanceof TrustedProxyConfigError) {
      throw new TrustedProxyConfigError(err.message.replaceAll('trustedProxies', 'proxy protocol `from`'));
    }
    throw err;
  }
}

function compileVersions(versions: unknown): ParseOptions['v1'][] {
  if (!Array.isArray(versions) || versions.length === 0) {
    throw configError('proxy protocol `versions` must be a non-empty array of 1 and/or 2', versions);
  }
  for (const v of versions) {
    if (v !== 1 && v !== 2) throw configError('proxy protocol `versions` may hold only 1 and 2', v);
  }
  return [versions.includes(1), versions.includes(2)];
}

function positiveInteger(name: string, value: unknown, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw configError(`proxy protocol \`${name}\` must be an integer from 1 to ${max}`, value);
  }
  return value;
}

function listensOnPath(server: Server): boolean {
  try {
    return typeof server.address() === 'string';
  } catch {
    return false;
  }
}

/** The facts for ProxyInfo.transport: the header's, or the socket's own for a LOCAL kind. */
function transportFacts(header: ProxyHeader, socket: Socket, peerIp: ParsedIp | undefined): ProxyTransport {
  const proxyAddress = peerIp?.text;
  const local = header.local;
  const localAddress = local && socket.localAddress !== undefined ? parseIp(socket.localAddress) : undefined;
  const facts: ProxyTransport = {
    version: header.version,
    sourceAddress: local ? proxyAddress : header.sourceAddress,
    sourcePort: local ? socket.remotePort : header.sourcePort,
    destinationAddress: local ? localAddress?.text : header.destinationAddress,
    destinationPort: local ? socket.localPort : header.destinationPort,
    proxyAddress,
  };
  if (header.authority !== undefined) facts.authority = header.authority;
  if (header.uniqueId !== undefined) facts.uniqueId = header.uniqueId;
  if (header.ssl !== undefined) facts.ssl = header.ssl;
  if (header.awsVpceId !== undefined) facts.awsVpceId = header.awsVpceId;
  if (header.azureLinkId !== undefined) facts.azureLinkId = header.azureLinkId;
  if (header.gcpPscConnectionId !== undefined) facts.gcpPscConnectionId = header.gcpPscConnectionId;
  return facts;
}

/**
 * Makes `server` (any `net.Server`: `http`, `https`, `http2`, `tls`) read a PROXY protocol
 * header on each new connection before TLS and HTTP. From the load balancers in `from`
 * the header is required: a connection without a complete, valid header within
 * `headerTimeout` is destroyed, and an invalid one is closed at once. Every request on the
 * connection then resolves with the header's source as its peer (hop 0 of the walk) and
 * reports the header in `ProxyInfo.transport`; `req.socket.remoteAddress` stays the load
 * balancer's. Install it before `listen()`, once per server.
 *
 * Security: never point a port that clients reach directly at `others: 'direct'` unless the
 * load balancers cannot be reached from there either; whoever is in `from` decides every
 * client address. See docs/proxy-protocol.md.
 *
 * @example
 * import { acceptProxyProtocol } from 'trusted-proxy/proxy-protocol';
 * const server = http.createServer(proxy.wrap(app));
 * acceptProxyProtocol(server, { from: ['10.0.0.0/8'] });
 * server.listen(8080);
 */
export function acceptProxyProtocol(server: Server, options: ProxyProtocolOptions): ProxyProtocolReceiver {
  if (server === null || typeof server !== 'object' || typeof server.emit !== 'function') {
    throw configError('acceptProxyProtocol() needs a net.Server (http, https, http2 or tls)', server);
  }
  if (options === null || typeof options !== 'object') {
    throw configError('acceptProxyProtocol() needs options with `from`', options);
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) throw configError('unknown proxy protocol option', key);
  }
  if ((server as unknown as Record<symbol, unknown>)[INSTALLED] !== undefined) {
    throw configError('acceptProxyProtocol() is already installed on this server', 'server');
  }
  const trust = compileFrom(options.from);
  const versions = options.versions ?? [1, 2];
  const [v1, v2] = compileVersions(versions);
  const parseOptions: ParseOptions = {
    v1: v1 === true,
    v2: v2 === true,
    maxV2Length: positiveInteger('maxV2Length', options.maxV2Length, 4096, V2_LENGTH_CEILING),
  };
  const headerTimeout = positiveInteger('headerTimeout', options.headerTimeout, 5000, TIMEOUT_CEILING);
  const others = options.others ?? 'reject';
  if (others !== 'reject' && others !== 'direct') {
    throw configError("proxy protocol `others` must be 'reject' or 'direct'", others);
  }
  const onReject = options.onReject;
  if (onReject !== undefined && typeof onReject !== 'function') {
    throw configError('proxy protocol `onReject` must be a function', onReject);
  }

  const emit = server.emit as Emit;
  /** Connections still waiting for their header: none of them has reached the server yet. */
  const waiting = new Map<Socket, () => void>();

  const report = (reason: ProxyProtocolRejectReason, peer: string | undefined): void => {
    if (onReject === undefined) return;
    try {
      onReject({ reason, peer });
    } catch {
      /* a logging hook never breaks the server */
    }
  };

  /** Gives the socket to the server's own 'connection' listeners (HTTP, TLS, HTTP/2). */
  const handOver = (socket: Socket): void => {
    emit.call(server, 'connection', socket);
  };

  const readHeader = (socket: Accepted, peerIp: ParsedIp | undefined): void => {
    let received: Buffer | undefined;
    let done = false;

    const finish = (): void => {
      done = true;
      waiting.delete(socket);
      clearTimeout(timer);
      socket.removeListener('readable', onReadable);
      socket.removeListener('error', onError);
      socket.removeListener('close', onClose);
      socket.removeListener('end', onEnd);
    };
    const fail = (reason: ProxyProtocolRejectReason): void => {
      finish();
      socket.destroy();
      report(reason, socket.remoteAddress);
    };
    const onTimeout = (): void => {
      if (!done) fail('timeout');
    };
    const onError = (): void => {
      /* reset by the peer while we wait: 'close' follows and cleans up */
    };
    const onClose = (): void => {
      if (!done) finish();
    };
    // The peer finished sending before the header was complete (it never will be), or the
    // server is closing.
    const onEnd = (): void => {
      if (done) return;
      finish();
      socket.destroy();
    };
    waiting.set(socket, onEnd);
    function onReadable(): void {
      if (done) return;
      let chunk: Buffer | null;
      // biome-ignore lint/suspicious/noAssignInExpressions: the stream read loop
      while ((chunk = socket.read() as Buffer | null) !== null) {
        received = received === undefined ? chunk : Buffer.concat([received, chunk]);
        const result = parseProxyHeader(received, parseOptions);
        if (result.state === 'incomplete') continue;
        if (result.state === 'invalid') {
          fail(result.problem);
          return;
        }
        finish();
        // Everything after the header belongs to TLS/HTTP: put it back, unread, in order.
        if (received.length > result.length) socket.unshift(received.subarray(result.length));
        socket[TRANSPORT] = transportFacts(result.header, socket, peerIp);
        handOver(socket);
        return;
      }
    }

    const timer = setTimeout(onTimeout, headerTimeout);
    socket.on('error', onError);
    socket.on('close', onClose);
    socket.on('end', onEnd);
    socket.on('readable', onReadable);
  };

  const onConnection = (socket: Accepted): void => {
    const address = socket.remoteAddress;
    let peerIp: ParsedIp | undefined;
    let fromPeer: boolean;
    if (address !== undefined) {
      peerIp = parseIp(address);
      fromPeer = peerIp !== undefined && trust(peerIp, 0);
    } else {
      // No address: a UNIX-socket peer when the server listens on a path (trusted only by
      // `unix`), otherwise a socket already gone.
      fromPeer = listensOnPath(server) && trust(undefined, 0);
    }
    if (fromPeer) {
      readHeader(socket, peerIp);
    } else if (others === 'direct' && (address !== undefined || listensOnPath(server))) {
      handOver(socket);
    } else {
      socket.destroy();
      report('not-from', address);
    }
  };

  // Every event passes through here ('request' once per HTTP request): forward the others
  // untouched, with `arguments` (no rest array, no spread).
  server.emit = function emitWithProxyProtocol(this: Server, event: string | symbol, socket?: unknown) {
    if (event !== 'connection') {
      // biome-ignore lint/complexity/noArguments: forwarding every argument as is
      return emit.apply(this, arguments as unknown as Parameters<Emit>);
    }
    onConnection(socket as Accepted);
    return true;
  } as Server['emit'];

  // server.close() waits for every open connection; one still waiting for its header has
  // never reached the app, so it is destroyed at once instead of holding shutdown until its
  // deadline.
  const close = server.close;
  server.close = function closeWithProxyProtocol(this: Server, ...args: unknown[]) {
    for (const abort of [...waiting.values()]) abort();
    return close.apply(this, args as Parameters<Server['close']>);
  } as Server['close'];

  const receiver: ProxyProtocolReceiver = {
    from: trust.description,
    versions: [...versions].sort(),
    headerTimeout,
    others,
    get pending() {
      return waiting.size;
    },
  };
  Object.defineProperty(server, INSTALLED, { value: receiver });
  return receiver;
}
