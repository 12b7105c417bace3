/**
 * HTTP/2 on node:http2's compatibility API (R20). An `Http2ServerRequest` differs from an
 * `IncomingMessage` in three ways that matter here: its Host is the `:authority`
 * pseudo-header, it carries the client's `:scheme` (believed only as a trusted header, see
 * registry.ts), and its `headers` is a getter with no setter, so the edits of R11/R12 are made
 * in place. HTTP/1 requests on an `allowHTTP1` server are plain `IncomingMessage`s and never
 * come here.
 */
import type { IncomingMessage } from 'node:http';
import { isHostName, lookupAnyCase, lookupLowerCase } from '../core/registry.js';
import type { Edits } from '../core/resolve.js';
import type { ProxyInfo } from '../core/types.js';

type Headers = IncomingMessage['headers'];

/** An `Http2ServerRequest` (compatibility API); HTTP/1 requests say 1 here. */
export function isHttp2Request(req: IncomingMessage): boolean {
  return req.httpVersionMajor === 2;
}

/** The `:authority` in an HTTP/2 request's headers, the Host of R9/R10. */
export function authorityOf(headers: IncomingMessage['headers']): string | undefined {
  const authority = headers[':authority'];
  return typeof authority === 'string' ? authority : undefined;
}

/** Does `name` (any case) name the request's Host: `:authority` or `host`? */
function isAuthority(name: string): boolean {
  return name === ':authority' || isHostName(name);
}

/**
 * R11/R12/R20 on an HTTP/2 request: registry edits applied to `headers` and `rawHeaders` in place
 * (the object cannot be replaced), `:authority` and any `host` line set to `info.host`, and
 * `:scheme` set to `info.protocol` (a client's scheme is never left standing; the original is
 * in `info.original.headers`). `drop` is the `requireProof` header (R22).
 */
export function rewriteHttp2Request(
  req: IncomingMessage,
  info: ProxyInfo,
  edits: Edits | undefined,
  drop: string | undefined,
): void {
  const headers = req.headers as Headers;
  const host = info.host;
  const scheme = info.protocol;
  const stale =
    edits !== undefined ||
    headers[':scheme'] !== scheme ||
    (headers[':authority'] ?? headers.host) !== host ||
    (headers.host !== undefined && headers.host !== host);
  if (stale) {
    // The live object is edited: ProxyInfo keeps a copy (already one without the proof header).
    if (info.original.headers === headers) info.original.headers = { ...headers };
    editHeadersInPlace(headers, edits, host, scheme, drop);
  }
  const raw = req.rawHeaders;
  if (Array.isArray(raw) && (stale || rawStale(raw, host, scheme))) {
    rewriteRawLines(raw, edits, host, scheme, drop);
  }
}

function editHeadersInPlace(
  headers: Headers,
  edits: Edits | undefined,
  host: string,
  scheme: string,
  drop: string | undefined,
): void {
  let authoritySeen = false;
  for (const key of Object.keys(headers)) {
    if (key === ':authority' || key === 'host') {
      authoritySeen = true;
      headers[key] = host;
    } else if (key === ':scheme') {
      headers[key] = scheme;
    } else if (key === drop) {
      delete headers[key];
    } else if (edits !== undefined) {
      const def = lookupLowerCase(key);
      const edit = def === undefined ? undefined : edits[def.id];
      if (edit === null) delete headers[key];
      else if (edit !== undefined) headers[key] = edit;
    }
  }
  if (!authoritySeen) headers[':authority'] = host;
}

function rawStale(raw: readonly string[], host: string, scheme: string): boolean {
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    if (isAuthority(name) ? raw[i + 1] !== host : name === ':scheme' && raw[i + 1] !== scheme) return true;
  }
  return false;
}

/** `rawHeaders` in place, as the node edge does for HTTP/1, with the pseudo-headers. */
function rewriteRawLines(
  raw: string[],
  edits: Edits | undefined,
  host: string,
  scheme: string,
  drop: string | undefined,
): void {
  let write = 0;
  let authoritySeen = false;
  let replaced = 0;
  for (let read = 0; read + 1 < raw.length; read += 2) {
    const name = raw[read]!;
    let value = raw[read + 1]!;
    if (isAuthority(name)) {
      authoritySeen = true;
      value = host;
    } else if (name === ':scheme') {
      value = scheme;
    } else if (drop !== undefined && name.toLowerCase() === drop) {
      continue;
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
  if (!authoritySeen) raw.push(':authority', host);
}
