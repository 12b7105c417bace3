/**
 * The node:http edge (R11–R13), in three parts: the facts resolution reads from a Node request
 * (`requestFacts`); the header edits that carry a resolution out (strip and trim forwarding
 * headers in `req.headers` and `req.rawHeaders`, rewrite Host); and the getters (`req.ip` …:
 * own properties on a plain request, framework accessors wrapped once on Express's request
 * prototype). `processRequest` runs them and keeps the ProxyInfo under a global symbol. The
 * socket is never touched: keep-alive requests share it.
 */
import type { IncomingMessage } from 'node:http';
import type { Server, Socket } from 'node:net';
import { editedLengths, editHeaderRecord, hasLength } from '../core/edit.js';
import type { CompiledOptions } from '../core/options.js';
import { isHostName, lookupAnyCase } from '../core/registry.js';
import { type Edits, type RequestFacts, resolveRequest } from '../core/resolve.js';
import { STATE, stateOf } from '../core/state.js';
import type { ProxyInfo, ProxyTransport } from '../core/types.js';
import { transportOf } from '../proxy-protocol/state.js';
import { authorityOf, isHttp2Request, rewriteHttp2Request } from './http2.js';

type Headers = IncomingMessage['headers'];
type RequestWithState = IncomingMessage & { [STATE]?: ProxyInfo };

/** The request's ProxyInfo, or undefined if it was never processed. */
export const getProxyInfo: (req: unknown) => ProxyInfo | undefined = stateOf;

// ---------------------------------------------------------------------------------------------
// Facts: what resolution reads from a Node request.

function listensOnPath(socket: Socket | null | undefined): boolean {
  const server = (socket as (Socket & { server?: Server }) | null | undefined)?.server;
  try {
    return typeof server?.address === 'function' && typeof server.address() === 'string';
  } catch {
    return false;
  }
}

type NodeSocket = (Socket & { encrypted?: boolean }) | null | undefined;

/**
 * What resolution needs from a Node request (the facts of the node:http edge). The socket's
 * local address and port are getters: resolution reads them only for a request without a Host
 * header, and each read is a chain of socket getters.
 */
class NodeRequestFacts implements RequestFacts {
  readonly peer: string | undefined;
  readonly unixSocket: boolean;
  readonly encrypted: boolean;
  readonly headers: Headers;
  readonly rawHeaders: string[] | undefined;
  readonly transport: ProxyTransport | undefined;
  readonly authority: string | undefined;
  /** An HTTP/2 request (R20): read-only headers, pseudo-headers; http2.ts rewrites it. */
  readonly http2: boolean;
  private readonly socket: NodeSocket;

  // Each property read below is read once: on an Express 5 request every read is an inline
  // cache miss (Express swaps the prototype per request, so no two requests share a hidden
  // class), about 0.5 µs each (docs/benchmarks.md).
  constructor(req: IncomingMessage) {
    const socket = req.socket as NodeSocket;
    const peer = socket?.remoteAddress;
    const headers = req.headers ?? {};
    const raw = req.rawHeaders;
    const http2 = isHttp2Request(req);
    this.socket = socket;
    this.peer = peer;
    this.unixSocket = peer === undefined && listensOnPath(socket);
    this.encrypted = socket?.encrypted === true;
    this.headers = headers;
    this.rawHeaders = Array.isArray(raw) ? raw : undefined;
    this.transport = transportOf(socket); // R21: a PROXY protocol header read on this connection
    this.http2 = http2;
    this.authority = http2 ? authorityOf(headers) : undefined; // R20: HTTP/2's Host
  }

  get localAddress(): string | undefined {
    return this.socket?.localAddress;
  }

  get localPort(): number | undefined {
    return this.socket?.localPort;
  }
}

/** Reads what resolution needs from a Node request. */
export function requestFacts(req: IncomingMessage): NodeRequestFacts {
  return new NodeRequestFacts(req);
}

// ---------------------------------------------------------------------------------------------
// Header edits (R11, R12): `rawHeaders` in place, `req.headers` as a new object.

/**
 * Applies header edits to `rawHeaders` in place: deleted names go, a replaced name keeps one
 * line (where its first line was) with the new value, and every Host line becomes `host`.
 */
function rewriteRawHeaders(
  raw: string[],
  edits: Edits | undefined,
  host: string | undefined,
  drop: string | undefined,
): void {
  let write = 0;
  let hostSeen = false;
  let replaced = 0;
  const lengths = editedLengths(edits);
  for (let read = 0; read + 1 < raw.length; read += 2) {
    const name = raw[read]!;
    let value = raw[read + 1]!;
    if (isHostName(name)) {
      hostSeen = true;
      if (host !== undefined) value = host;
    } else if (drop !== undefined && name.length === drop.length && name.toLowerCase() === drop) {
      continue; /* R22: the proof header goes, in any case */
    } else if (edits !== undefined && hasLength(lengths, name)) {
      const def = lookupAnyCase(name);
      const edit = def === undefined ? undefined : edits[def.id];
      if (edit !== undefined) {
        const bit = 1 << def!.id;
        if (edit === null || (replaced & bit) !== 0) continue;
        replaced |= bit;
        value = edit;
      }
    }
    if (write !== read) raw[write] = name;
    if (write !== read || value !== raw[read + 1]) raw[write + 1] = value;
    write += 2;
  }
  if (raw.length !== write) raw.length = write;
  if (!hostSeen && host !== undefined) raw.push('Host', host);
}

/** Does any Host line of `raw` say something other than `host`? */
function hostLineDiffers(raw: readonly string[], host: string): boolean {
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (isHostName(raw[i]!) && raw[i + 1] !== host) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Getters (R12). Express keeps `ip`, `ips`, `protocol`, `secure`, `hostname` and `host` as
// accessors on its request prototype, which it swaps in per request. Defining own properties
// on every request (the first design) turns each request into a slow object; instead the
// framework's accessors are wrapped once, on the object that owns them: a wrapper returns the
// request's ProxyInfo value, and calls the framework's own getter for a request the package
// never processed. A plain node:http or Connect request has no such accessors: it gets own
// data properties by plain assignment, which keeps it a fast object. The values are a
// snapshot of the resolution (docs/behaviour-notes.md): later edits to `req.headers` do not
// change them.

/** Marks a getter installed by this package, in any copy (ESM, CommonJS, two versions). */
const ACCESSOR: unique symbol = Symbol.for('trusted-proxy.accessor') as never;

type ShadowName = 'ip' | 'ips' | 'protocol' | 'secure' | 'hostname' | 'host';
/** What every processed request reports; `host` only where the framework defines it. */
const SHADOWED: readonly ShadowName[] = ['ip', 'ips', 'protocol', 'secure', 'hostname'];
type Getter = (this: Stateful) => unknown;
/** Anything that may carry a ProxyInfo under the symbol. */
type Stateful = { [STATE]?: ProxyInfo };

/** Express order: client first, the socket peer excluded. A new array per read, as Express. */
function expressIps(info: ProxyInfo): string[] {
  return info.peerAddress === undefined ? info.addresses.slice() : info.addresses.slice(0, -1);
}

/** A getter for `name` that reads the request's ProxyInfo, else calls `original`. */
function wrapGetter(name: ShadowName, original: Getter, express4Host: boolean): Getter {
  switch (name) {
    case 'ip':
      return function ip(this: Stateful) {
        const info = this[STATE];
        return info === undefined ? original.call(this) : info.remoteAddress;
      };
    case 'ips':
      return function ips(this: Stateful) {
        const info = this[STATE];
        return info === undefined ? original.call(this) : expressIps(info);
      };
    case 'protocol':
      return function protocol(this: Stateful) {
        const info = this[STATE];
        return info === undefined ? original.call(this) : info.protocol;
      };
    case 'secure':
      return function secure(this: Stateful) {
        const info = this[STATE];
        return info === undefined ? original.call(this) : info.secure;
      };
    case 'hostname':
      return function hostname(this: Stateful) {
        const info = this[STATE];
        return info === undefined ? original.call(this) : info.hostname;
      };
    case 'host':
      // Express 4's req.host is the hostname; Express 5's (and any other) has the port.
      return express4Host
        ? function host(this: Stateful) {
            const info = this[STATE];
            return info === undefined ? original.call(this) : info.hostname;
          }
        : function host(this: Stateful) {
            const info = this[STATE];
            return info === undefined ? original.call(this) : info.host;
          };
  }
}

/** How requests with one prototype get their values: names to assign, names to define. */
interface ShadowPlan {
  /**
   * Where these requests keep their ProxyInfo when the prototype holds it (holdStateOn): read
   * and written directly, without a property access on the request.
   */
  held: WeakMap<object, ProxyInfo> | undefined;
  /** Names with nothing (or a plain writable value) on the prototype chain: plain assignment. */
  assign: readonly ShadowName[];
  /** All five names assigned: the node:http and Connect case, written out for speed. */
  assignAll: boolean;
  /** Names behind an accessor that cannot be wrapped (not configurable): per-request define. */
  define: readonly ShadowName[];
}

/**
 * Wraps the accessor that `name` resolves to on `proto`'s chain, once for every copy of the
 * package. Returns how a request must get `name` instead: 'wrapped' (nothing to do), 'assign'
 * or 'define'.
 */
function wrapAccessor(proto: object | null, name: ShadowName): 'wrapped' | 'assign' | 'define' | 'absent' {
  for (let owner = proto; owner !== null; owner = Object.getPrototypeOf(owner) as object | null) {
    const descriptor = Object.getOwnPropertyDescriptor(owner, name);
    if (descriptor === undefined) continue;
    if (descriptor.get === undefined && descriptor.set === undefined) {
      return descriptor.writable ? 'assign' : 'define';
    }
    const get = descriptor.get as (Getter & { [ACCESSOR]?: true }) | undefined;
    if (get?.[ACCESSOR] === true) return 'wrapped';
    if (get === undefined || !descriptor.configurable) return 'define';
    // Express 4 still has req.param (removed in 5); its req.host means the hostname.
    const express4Host = name === 'host' && typeof (owner as { param?: unknown }).param === 'function';
    const wrapped = wrapGetter(name, get, express4Host) as Getter & { [ACCESSOR]?: true };
    Object.defineProperty(wrapped, ACCESSOR, { value: true });
    const replacement: PropertyDescriptor = {
      configurable: true,
      enumerable: descriptor.enumerable === true,
    };
    replacement.get = wrapped;
    if (descriptor.set !== undefined) replacement.set = descriptor.set;
    Object.defineProperty(owner, name, replacement);
    holdStateOn(owner);
    return 'wrapped';
  }
  return 'absent';
}

/**
 * Where an Express request keeps its ProxyInfo. Express swaps the request's prototype before
 * any middleware runs, and V8 caches no hidden-class transition for an object whose prototype
 * was swapped: every property added afterwards builds a new hidden class, about 1 µs each
 * (Express pays it for req.next, req.params …). So `req[STATE] = info` must not add a
 * property there: the prototype that owns the framework's getters gets an accessor for the
 * symbol, backed by a WeakMap, the first time the package wraps those getters (once for every
 * copy of the package: a later copy finds it and writes through it). Reading
 * `req[Symbol.for('trusted-proxy')]` works as on any other request.
 */
function holdStateOn(owner: object): void {
  if (Object.getOwnPropertyDescriptor(owner, STATE) !== undefined) return;
  const held = new WeakMap<object, ProxyInfo>();
  // Every copy of the package reads and writes this one map (planFor finds it).
  Object.defineProperty(owner, HELD, { value: held, configurable: true });
  Object.defineProperty(owner, STATE, {
    configurable: true,
    enumerable: false,
    get(this: object) {
      return held.get(this);
    },
    set(this: object, info: ProxyInfo) {
      held.set(this, info);
    },
  });
}

/** The WeakMap behind a prototype's STATE accessor (holdStateOn), shared by every copy. */
const HELD: unique symbol = Symbol.for('trusted-proxy.held') as never;

/** Wraps the framework accessors on `proto`'s chain and says what is left per request. */
function planFor(proto: object | null): ShadowPlan {
  const assign: ShadowName[] = [];
  const define: ShadowName[] = [];
  for (const name of SHADOWED) {
    const how = wrapAccessor(proto, name);
    if (how === 'assign' || how === 'absent') assign.push(name);
    else if (how === 'define') define.push(name);
  }
  // `host` is reported only where the framework defines it (R12): never added.
  if (wrapAccessor(proto, 'host') === 'define') define.push('host');
  const held = proto === null ? undefined : (proto as { [HELD]?: unknown })[HELD];
  return {
    held: held instanceof WeakMap ? (held as WeakMap<object, ProxyInfo>) : undefined,
    assign,
    assignAll: assign.length === SHADOWED.length,
    define,
  };
}

const plans = new WeakMap<object, ShadowPlan>();
const NULL_PROTOTYPE = {};
let lastPrototype: object | undefined;
let lastPlan: ShadowPlan | undefined;

function planForRequest(req: object): ShadowPlan {
  const proto = (Object.getPrototypeOf(req) as object | null) ?? NULL_PROTOTYPE;
  if (proto === lastPrototype) return lastPlan!;
  let plan = plans.get(proto);
  if (plan === undefined) {
    plan = planFor(proto === NULL_PROTOTYPE ? null : proto);
    plans.set(proto, plan);
  }
  lastPrototype = proto;
  lastPlan = plan;
  return plan;
}

/** Drops the cached plan of `req`'s prototype, so the next request plans it again. */
function forgetPlan(req: object): void {
  const proto = (Object.getPrototypeOf(req) as object | null) ?? NULL_PROTOTYPE;
  plans.delete(proto);
  lastPrototype = undefined;
  lastPlan = undefined;
}

/**
 * Prepares a framework's request prototype before any request reaches it: `.wrap(app)` sees
 * the plain Node request, but Express later swaps in `app.request`, whose accessors must
 * report the ProxyInfo too (R12: `req.host` with Express 5's `trust proxy` on).
 */
export function prepareRequestPrototype(proto: unknown): void {
  if (proto !== null && typeof proto === 'object') planFor(proto);
}

const DESCRIPTOR = { value: undefined as unknown, writable: true, enumerable: true, configurable: true };

function shadowValue(info: ProxyInfo, name: ShadowName, express4: boolean): unknown {
  switch (name) {
    case 'ip':
      return info.remoteAddress;
    case 'ips':
      return expressIps(info);
    case 'protocol':
      return info.protocol;
    case 'secure':
      return info.secure;
    case 'hostname':
      return info.hostname;
    case 'host':
      return express4 ? info.hostname : info.host;
  }
}

/** R12 for one request: what the prototype's wrapped accessors do not already cover. */
function applyGetters(req: IncomingMessage, info: ProxyInfo, plan: ShadowPlan): void {
  const r = req as IncomingMessage & Record<string, unknown>;
  if (plan.assignAll) {
    r.ip = info.remoteAddress;
    r.ips = expressIps(info);
    r.protocol = info.protocol;
    r.secure = info.secure;
    r.hostname = info.hostname;
  } else {
    for (const name of plan.assign) r[name] = shadowValue(info, name, false);
  }
  // A framework whose getters cannot be wrapped (not configurable): own properties, the slow way.
  for (const name of plan.define) {
    DESCRIPTOR.value = shadowValue(info, name, typeof r.param === 'function');
    Object.defineProperty(req, name, DESCRIPTOR);
  }
}

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * The ProxyInfo of a request whose prototype holds it; or of an own property, set when the
 * request was processed before a framework swapped its prototype (`.wrap(app)`, then
 * `app.use(proxy)`: R13, the first one wins).
 */
function heldState(req: IncomingMessage, held: WeakMap<object, ProxyInfo>): ProxyInfo | undefined {
  const info = held.get(req);
  if (info !== undefined) return info;
  return hasOwn.call(req, STATE) ? (req as RequestWithState)[STATE] : undefined;
}

/**
 * Resolves and rewrites `req` once (R13); later calls return the first ProxyInfo.
 * Never throws on request data.
 */
export function processRequest(options: CompiledOptions, req: IncomingMessage): ProxyInfo {
  // The plan first: on the first Express request it installs the slot STATE is kept in.
  const plan = planForRequest(req);
  const held = plan.held;
  const existing = held === undefined ? (req as RequestWithState)[STATE] : heldState(req, held);
  if (existing !== undefined) return existing;

  const facts = requestFacts(req);
  const { info, edits, hostChanged, proofHeader, headerKeys } = resolveRequest(options, facts);
  // R20: an HTTP/2 request has read-only headers and pseudo-headers; http2.ts rewrites it.
  const http2 = facts.http2;
  if (http2) rewriteHttp2Request(req, info, edits, proofHeader);
  else if (edits !== undefined || hostChanged) {
    // The old headers object stays untouched as ProxyInfo.original.headers: nothing is lost.
    const old = facts.headers as Headers;
    const host = hostChanged ? info.host : undefined;
    const next = editHeaderRecord(old, edits, host, proofHeader, headerKeys) as Headers;
    try {
      req.headers = next;
    } catch {
      /* a getter-only or read-only `headers`: edited in place below */
    }
    if (req.headers !== next) {
      // A request whose headers cannot be replaced: edit in place, keep a copy (already one,
      // without the proof header, when there was one).
      if (proofHeader === undefined) info.original.headers = { ...old };
      for (const key of Object.keys(old)) if (!(key in next)) delete old[key];
      Object.assign(old, next);
    }
  }
  // R12: every Host line, not only the one req.headers kept (Node keeps the first).
  const raw = http2 ? undefined : facts.rawHeaders;
  if (raw !== undefined) {
    const rawHostStale = hostChanged || hostLineDiffers(raw, info.host);
    if (edits !== undefined || rawHostStale) {
      rewriteRawHeaders(raw, edits, rawHostStale ? info.host : undefined, proofHeader);
    }
  }
  if (held === undefined) (req as RequestWithState)[STATE] = info;
  else held.set(req, info);
  try {
    applyGetters(req, info, plan);
  } catch {
    // The prototype gained a getter-only accessor after it was planned (a framework patched it
    // late), so an assignment threw in strict mode: plan that prototype again. Never throw.
    forgetPlan(req);
    try {
      applyGetters(req, info, planForRequest(req));
    } catch {
      /* a sealed or frozen request: ProxyInfo is still readable through proxyInfo(req) */
    }
  }

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
