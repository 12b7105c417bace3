import type { OutgoingHttpHeader, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { ProxyInfo } from '../core/types.js';

// Marks a response whose methods are already patched (R13: the first ProxyInfo wins).
const PATCHED = Symbol.for('trusted-proxy.location');

/**
 * The origins and prefix a `Location` is rewritten with.
 * @internal
 */
export interface LocationTarget {
  /** `URL#origin` of the internal origin (scheme + Host as this server saw them), if known. */
  internalOrigin: string | undefined;
  /** The base used to resolve protocol-relative values on the internal origin. */
  internalBase: string | undefined;
  /** `protocol://host` of the public origin. */
  publicOrigin: string;
  /** `''` or `/x/y`. */
  prefix: string;
}

// `scheme://` or `scheme:\\` (WHATWG URL treats `\` like `/` in special schemes).
const ABSOLUTE = /^[A-Za-z][A-Za-z0-9+.-]*:[/\\]{2}/;
// Tab and newlines, which a browser removes anywhere in a URL (WHATWG URL).
const TAB_NEWLINE = /[\t\n\r]/g;
// Never emit a header value with a control character (response splitting).
const CONTROL = /[\x00-\x1f\x7f]/;
// Node refuses these in a header value (tab is allowed); such a value is left for Node to refuse.
const INVALID_IN_HEADER = /[\x00-\x08\x0a-\x1f\x7f]/;

function originOf(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return parsed.origin === 'null' ? undefined : parsed.origin;
  } catch {
    return undefined;
  }
}

/**
 * Reads what R14 needs from a ProxyInfo, once per response.
 * @internal
 */
export function compileLocationTarget(info: ProxyInfo): LocationTarget {
  const host = info.original.host;
  // The Host header as received: only used when it parses as exactly an authority.
  const internalBase =
    typeof host === 'string' && host !== '' && !/[/\\?#@\s]/.test(host)
      ? `${info.original.protocol}://${host}`
      : undefined;
  return {
    internalOrigin: internalBase === undefined ? undefined : originOf(internalBase),
    internalBase,
    publicOrigin: `${info.protocol}://${info.host}`,
    prefix: info.prefix,
  };
}

/**
 * Rewrites one `Location` value (R14), or returns it unchanged. Never throws.
 * @internal
 */
export function rewriteLocationValue(value: string, target: LocationTarget): string {
  if (INVALID_IN_HEADER.test(value)) return value;
  // A browser strips leading and trailing spaces and controls, and removes tabs anywhere (WHATWG
  // URL); classify what it will see. Trimmed by hand: a `\s+$` regex is quadratic on long runs.
  let start = 0;
  let end = value.length;
  while (start < end && value.charCodeAt(start) <= 0x20) start++;
  while (end > start && value.charCodeAt(end - 1) <= 0x20) end--;
  const text = value.slice(start, end).replace(TAB_NEWLINE, '');
  const c0 = text.charCodeAt(0);
  const c1 = text.charCodeAt(1);
  let out: string | undefined;
  if (c0 === 0x2f /* / */ && c1 !== 0x2f /* / */ && c1 !== 0x5c /* \ */) {
    // Root-relative: the app does not know it is mounted under the prefix.
    if (target.prefix === '') return value;
    out = target.prefix + text;
  } else {
    const protocolRelative = (c0 === 0x2f || c0 === 0x5c) && (c1 === 0x2f || c1 === 0x5c);
    if (!protocolRelative && !ABSOLUTE.test(text)) return value;
    if (target.internalOrigin === undefined || target.internalBase === undefined) return value;
    let url: URL;
    try {
      url = new URL(text, target.internalBase);
    } catch {
      return value;
    }
    // Only the internal origin is rewritten; links to other sites are the app's business.
    if (url.origin !== target.internalOrigin) return value;
    out = target.publicOrigin + target.prefix + url.pathname + url.search + url.hash;
  }
  return CONTROL.test(out) ? value : out;
}

function rewriteHeaderValue<T>(value: T, target: LocationTarget): T {
  if (typeof value === 'string') return rewriteLocationValue(value, target) as T;
  if (Array.isArray(value)) {
    return value.map((v: unknown) => (typeof v === 'string' ? rewriteLocationValue(v, target) : v)) as T;
  }
  return value;
}

function isLocation(name: unknown): boolean {
  return typeof name === 'string' && name.length === 8 && name.toLowerCase() === 'location';
}

type HeaderList = OutgoingHttpHeaders | OutgoingHttpHeader[] | [string, OutgoingHttpHeader][];

/** Returns `headers` with every Location rewritten, copying only when something changes. */
function rewriteHeaders(headers: unknown, target: LocationTarget): unknown {
  if (headers === null || typeof headers !== 'object') return headers;
  if (Array.isArray(headers)) {
    if (headers.length > 0 && Array.isArray(headers[0])) {
      // [[name, value], …]
      let copy: unknown[] | undefined;
      for (let i = 0; i < headers.length; i++) {
        const pair: unknown = headers[i];
        if (!Array.isArray(pair) || !isLocation(pair[0])) continue;
        copy ??= headers.slice();
        copy[i] = [pair[0], rewriteHeaderValue(pair[1], target), ...pair.slice(2)];
      }
      return copy ?? headers;
    }
    // [name, value, name, value, …]
    let copy: unknown[] | undefined;
    for (let i = 0; i + 1 < headers.length; i += 2) {
      if (!isLocation(headers[i])) continue;
      copy ??= headers.slice();
      copy[i + 1] = rewriteHeaderValue(headers[i + 1], target);
    }
    return copy ?? headers;
  }
  let copy: Record<string, unknown> | undefined;
  for (const name of Object.keys(headers)) {
    if (!isLocation(name)) continue;
    copy ??= { ...(headers as Record<string, unknown>) };
    copy[name] = rewriteHeaderValue(copy[name], target);
  }
  return copy ?? headers;
}

/**
 * Makes this response rewrite its `Location` header (SPEC R14): absolute or protocol-relative
 * URLs on the internal origin become absolute URLs on the public origin with the prefix in
 * front of their path; root-relative paths get the prefix. Other values are left alone.
 *
 * Patches `setHeader`, `appendHeader` and `writeHead` of this `res` only (own properties), so
 * Express `res.location`/`res.redirect` are covered too. Idempotent per response: the first
 * call wins. Does nothing when the public origin and prefix equal the internal ones.
 */
export function installLocationRewrite(res: ServerResponse, info: ProxyInfo): void {
  const marked = res as ServerResponse & { [PATCHED]?: true };
  if (marked[PATCHED]) return;
  marked[PATCHED] = true;
  let target: LocationTarget;
  try {
    target = compileLocationTarget(info);
  } catch {
    return;
  }
  // Nothing would change: skip the patch.
  if (
    target.prefix === '' &&
    (target.internalOrigin === undefined || target.internalOrigin === originOf(target.publicOrigin))
  ) {
    return;
  }

  const { setHeader, appendHeader, writeHead } = res;
  // Node's own methods call each other (writeHead → setHeader/appendHeader when earlier headers
  // exist, appendHeader → setHeader for a new name). Rewrite only at the outermost call: a
  // second pass would add the prefix twice.
  let busy = false;
  const call = <A extends unknown[], R>(method: (...a: A) => R, self: ServerResponse, args: A): R => {
    if (busy) return method.apply(self, args);
    busy = true;
    try {
      return method.apply(self, args);
    } finally {
      busy = false;
    }
  };

  res.setHeader = function patchedSetHeader(this: ServerResponse, name: string, value) {
    if (!busy && isLocation(name)) value = rewriteHeaderValue(value, target);
    return call(setHeader, this, [name, value]);
  };
  if (typeof appendHeader === 'function') {
    res.appendHeader = function patchedAppendHeader(this: ServerResponse, name: string, value) {
      if (!busy && isLocation(name)) value = rewriteHeaderValue(value, target);
      return call(appendHeader, this, [name, value]);
    };
  }
  res.writeHead = function patchedWriteHead(this: ServerResponse, ...args: unknown[]) {
    if (!busy) {
      // writeHead(status[, reason][, headers]): Node takes the third argument, else a
      // non-string second one.
      const index = typeof args[1] === 'string' || args[2] != null ? 2 : 1;
      if (args[index] != null) args[index] = rewriteHeaders(args[index], target) as HeaderList;
    }
    return call(writeHead as (...a: unknown[]) => ServerResponse, this, args);
  } as ServerResponse['writeHead'];
}
