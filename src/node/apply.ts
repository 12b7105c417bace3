/**
 * Carrying a resolution out on the request (R11–R13): strip and trim forwarding headers in
 * `req.headers` and `req.rawHeaders`, rewrite Host, shadow the framework getters with own
 * properties, and keep the ProxyInfo under a global symbol. The socket is never touched:
 * keep-alive requests share it.
 */
import type { IncomingMessage } from 'node:http';
import type { Server, Socket } from 'node:net';
import type { CompiledOptions } from '../core/options.js';
import { isHostName, lookupAnyCase, lookupLowerCase } from '../core/registry.js';
import { type Edits, type RequestFacts, resolveRequest } from '../core/resolve.js';
import type { ProxyInfo } from '../core/types.js';

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
function rewriteRawHeaders(raw: string[], edits: Edits | undefined, host: string | undefined): void {
  let write = 0;
  let hostSeen = false;
  let replaced = 0;
  for (let read = 0; read + 1 < raw.length; read += 2) {
    const name = raw[read]!;
    let value = raw[read + 1]!;
    if (isHostName(name)) {
      hostSeen = true;
      if (host !== undefined) value = host;
    } else if (edits !== undefined) {
      const def = lookupAnyCase(name);
      const edit = def === undefined ? undefined : edits[def.id];
      if (edit !== undefined) {
        const bit = 1 << def!.id;
        if (edit === null || (replaced & bit) !== 0) continue;
        replaced |= bit;
        value = edit;
      }
    }
    raw[write] = name;
    raw[write + 1] = value;
    write += 2;
  }
  raw.length = write;
  if (!hostSeen && host !== undefined) raw.push('Host', host);
}

/** Does any Host line of `raw` say something other than `host`? */
function hostLineDiffers(raw: readonly string[], host: string): boolean {
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (isHostName(raw[i]!) && raw[i + 1] !== host) return true;
  }
  return false;
}

/** A new headers object with the edits applied, in the original key order (R11, R12). */
function editedHeaders(old: Headers, edits: Edits | undefined, host: string | undefined): Headers {
  const next: Headers = {};
  for (const key in old) {
    let value = old[key];
    if (key === 'host') {
      if (host !== undefined) value = host;
    } else if (edits !== undefined) {
      const def = lookupLowerCase(key);
      if (def !== undefined) {
        const edit = edits[def.id];
        if (edit === null) continue;
        if (edit !== undefined) value = edit;
      }
    }
    next[key] = value;
  }
  if (host !== undefined && old.host === undefined) next.host = host;
  return next;
}

const SHADOWED = ['ip', 'ips', 'protocol', 'secure', 'hostname', 'host'];
let checkedPrototype: object | null | undefined;
let prototypeAssignable = false;

/**
 * Can the shadows be plain assignments? Yes unless something on the prototype chain defines
 * one of the names as an accessor or read-only (Express's request getters). Assignment keeps
 * the request a fast object; defineProperty is five times slower. One-entry cache.
 */
function assignable(req: object): boolean {
  const proto = Object.getPrototypeOf(req) as object | null;
  if (proto === checkedPrototype) return prototypeAssignable;
  let ok = true;
  for (let o = proto; o !== null && ok; o = Object.getPrototypeOf(o) as object | null) {
    for (const name of SHADOWED) {
      const descriptor = Object.getOwnPropertyDescriptor(o, name);
      if (
        descriptor !== undefined &&
        (descriptor.get !== undefined || descriptor.set !== undefined || !descriptor.writable)
      ) {
        ok = false;
        break;
      }
    }
  }
  checkedPrototype = proto;
  prototypeAssignable = ok;
  return ok;
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
  // Express order: client first, the socket peer excluded.
  const ips = info.peerAddress === undefined ? info.addresses.slice() : info.addresses.slice(0, -1);
  if (assignable(req)) {
    const r = req as IncomingMessage & Record<string, unknown>;
    r.ip = info.remoteAddress;
    r.ips = ips;
    r.protocol = info.protocol;
    r.secure = info.secure;
    r.hostname = info.hostname;
    return;
  }
  shadow(req, 'ip', info.remoteAddress);
  shadow(req, 'ips', ips);
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
  const { info, edits, hostChanged } = resolveRequest(options, facts);
  if (edits !== undefined || hostChanged) {
    // The old headers object stays untouched as ProxyInfo.original.headers: nothing is lost.
    const old = facts.headers as Headers;
    const next = editedHeaders(old, edits, hostChanged ? info.host : undefined);
    req.headers = next;
    if (req.headers !== next) {
      // A request whose headers cannot be replaced: edit in place, keep a copy.
      info.original.headers = { ...old };
      for (const key of Object.keys(old)) if (!(key in next)) delete old[key];
      Object.assign(old, next);
    }
  }
  // R12: every Host line, not only the one req.headers kept (Node keeps the first).
  const raw = facts.rawHeaders;
  if (raw !== undefined) {
    const rawHostStale = hostChanged || hostLineDiffers(raw, info.host);
    if (edits !== undefined || rawHostStale) {
      rewriteRawHeaders(req.rawHeaders, edits, rawHostStale ? info.host : undefined);
    }
  }
  (req as RequestWithState)[STATE] = info;
  shadowGetters(req, info);

  const onReject = options.onReject;
  if (onReject !== undefined) {
    for (const event of info.rejected) {
      try {
        onReject(event, req);
      } catch {
        /* a logging hook must not break the request */
      }
    }
  }
  return info;
}
