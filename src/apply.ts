/**
 * Carrying a resolution out on the request (R11–R13): strip and trim forwarding headers in
 * `req.headers` and `req.rawHeaders`, rewrite Host, shadow the framework getters with own
 * properties, and keep the ProxyInfo under a global symbol. The socket is never touched:
 * keep-alive requests share it.
 */
import type { IncomingMessage } from 'node:http';
import type { Server, Socket } from 'node:net';
import type { CompiledOptions } from './options.js';
import { NAME_LENGTHS } from './registry.js';
import { type RequestFacts, resolveRequest } from './resolve.js';
import type { ProxyInfo } from './types.js';

/** Where a request's ProxyInfo lives; `Symbol.for` so ESM, CommonJS and two copies agree. */
export const STATE: unique symbol = Symbol.for('trusted-proxy') as never;

type Headers = IncomingMessage['headers'];
type RequestWithState = IncomingMessage & { [STATE]?: ProxyInfo };

/** The request's ProxyInfo, or undefined if it was never processed. */
export function getProxyInfo(req: unknown): ProxyInfo | undefined {
  if (req === null || typeof req !== 'object') return undefined;
  return (req as RequestWithState)[STATE];
}

function listensOnPath(socket: Socket | null | undefined): boolean {
  const server = (socket as (Socket & { server?: Server }) | null | undefined)?.server;
  try {
    return typeof server?.address === 'function' && typeof server.address() === 'string';
  } catch {
    return false;
  }
}

/** Reads what resolution needs from a Node request. */
export function requestFacts(req: IncomingMessage): RequestFacts {
  const socket = req.socket as (Socket & { encrypted?: boolean }) | null | undefined;
  const peer = socket?.remoteAddress;
  return {
    peer,
    unixSocket: peer === undefined && listensOnPath(socket),
    encrypted: socket?.encrypted === true,
    localAddress: socket?.localAddress,
    localPort: socket?.localPort,
    headers: req.headers ?? {},
    rawHeaders: Array.isArray(req.rawHeaders) ? req.rawHeaders : undefined,
  };
}

/**
 * Applies header edits to `rawHeaders` in place: deleted names go, a replaced name keeps one
 * line (where its first line was) with the new value, and every Host line becomes `host`.
 */
function rewriteRawHeaders(
  raw: string[],
  edits: ReadonlyArray<[string, string | undefined]>,
  host: string | undefined,
): void {
  let write = 0;
  let hostSeen = false;
  let replaced: string[] | undefined;
  for (let read = 0; read + 1 < raw.length; read += 2) {
    const name = raw[read]!;
    let value = raw[read + 1]!;
    const length = name.length;
    if (length === 4 || (length < 64 && NAME_LENGTHS[length] === 1)) {
      const lower = name.toLowerCase();
      if (lower === 'host') {
        hostSeen = true;
        if (host !== undefined) value = host;
      } else {
        const edit = edits.find((e) => e[0] === lower);
        if (edit !== undefined) {
          if (edit[1] === undefined || replaced?.includes(lower)) continue;
          if (replaced === undefined) replaced = [];
          replaced.push(lower);
          value = edit[1];
        }
      }
    }
    raw[write] = name;
    raw[write + 1] = value;
    write += 2;
  }
  raw.length = write;
  if (!hostSeen && host !== undefined) raw.push('Host', host);
}

const DESCRIPTOR = { value: undefined as unknown, writable: true, enumerable: true, configurable: true };

function shadow(req: object, key: string, value: unknown): void {
  DESCRIPTOR.value = value;
  Object.defineProperty(req, key, DESCRIPTOR);
}

/**
 * Own properties that shadow Express's getters (R12): they read the socket and the raw
 * headers on every access otherwise, and the socket is shared by keep-alive requests.
 */
function shadowGetters(req: IncomingMessage, info: ProxyInfo): void {
  shadow(req, 'ip', info.remoteAddress);
  // Express order: client first, the socket peer excluded.
  shadow(req, 'ips', info.peerAddress === undefined ? info.addresses.slice() : info.addresses.slice(0, -1));
  shadow(req, 'protocol', info.protocol);
  shadow(req, 'secure', info.secure);
  shadow(req, 'hostname', info.hostname);
  if ('host' in req) {
    // Express 4's req.host is the hostname (it still has req.param); Express 5's has the port.
    const express4 = typeof (req as { param?: unknown }).param === 'function';
    shadow(req, 'host', express4 ? info.hostname : info.host);
  }
}

/**
 * Resolves and rewrites `req` once (R13); later calls return the first ProxyInfo.
 * Never throws on request data.
 */
export function processRequest(options: CompiledOptions, req: IncomingMessage): ProxyInfo {
  const existing = (req as RequestWithState)[STATE];
  if (existing !== undefined) return existing;

  const facts = requestFacts(req);
  const { info, edits, transport } = resolveRequest(options, facts);
  const headers = facts.headers as Headers;
  const hostHeader = headers.host;
  const originalHost = typeof hostHeader === 'string' ? hostHeader : undefined;

  // Remember what changes, so original.headers can be rebuilt only if someone reads it.
  const undo: Array<[string, string | string[] | undefined]> = [];
  for (const [name, value] of edits) {
    undo.push([name, headers[name]]);
    if (value === undefined) delete headers[name];
    else headers[name] = value;
  }
  const hostChanged = originalHost !== info.host;
  if (hostChanged) {
    undo.push(['host', hostHeader]);
    headers.host = info.host;
  }
  if ((edits.length > 0 || hostChanged) && facts.rawHeaders !== undefined) {
    rewriteRawHeaders(req.rawHeaders, edits, hostChanged ? info.host : undefined);
  }

  const changes = undo;
  let originalHeaders: Headers | undefined;
  const full: ProxyInfo = {
    ...info,
    original: {
      remoteAddress: facts.peer,
      host: originalHost,
      protocol: transport,
      get headers(): Headers {
        if (originalHeaders === undefined) {
          originalHeaders = { ...headers };
          for (let i = changes.length - 1; i >= 0; i--) {
            const [name, value] = changes[i]!;
            if (value === undefined) delete originalHeaders[name];
            else originalHeaders[name] = value;
          }
        }
        return originalHeaders;
      },
    },
  };
  (req as RequestWithState)[STATE] = full;
  shadowGetters(req, full);

  const onReject = options.onReject;
  if (onReject !== undefined) {
    for (const event of full.rejected) {
      try {
        onReject(event, req);
      } catch {
        /* a logging hook must not break the request */
      }
    }
  }
  return full;
}
