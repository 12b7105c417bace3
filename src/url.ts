/**
 * reconstructUrl (R15): the public URL of a request, PEP 3333 style.
 */
import type { IncomingMessage } from 'node:http';
import { isPathChar } from './core/chars.js';
import { ERROR_CODES } from './core/errors.js';
import { type CompiledOptions, createCaches } from './core/options.js';
import { resolveRequest } from './core/resolve.js';
import { compileTrust } from './core/trust.js';
import type { WsgiEnviron } from './core/types.js';
import { fetchFacts, pathStart } from './fetch/facts.js';
import { getProxyInfo, requestFacts } from './node/apply.js';

const HEX = '0123456789ABCDEF';
const UTF8 = new TextEncoder();

function percentEncode(byte: number): string {
  return `%${HEX[byte >> 4]}${HEX[byte & 15]}`;
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

/** RFC 3986 characters that may stand in a path or query as they are. */
function isUriChar(c: number): boolean {
  return isPathChar(c) || c === 0x3f; /* ? */
}

/**
 * Percent-encodes what may not appear in a URI path and query (as UTF-8, upper-case hex),
 * keeps existing `%XX` escapes, decodes nothing. `#` is encoded unless `fragment` allows one.
 */
export function encodeUriPath(text: string, fragment = false): string {
  let out = '';
  let chunk = 0;
  let hashSeen = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (isUriChar(c)) continue;
    if (
      c === 0x25 /* % */ &&
      i + 2 < text.length &&
      isHex(text.charCodeAt(i + 1)) &&
      isHex(text.charCodeAt(i + 2))
    ) {
      continue;
    }
    if (c === 0x23 /* # */ && fragment && !hashSeen) {
      hashSeen = true;
      continue;
    }
    out += text.slice(chunk, i);
    let code = c;
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        code = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
        i++;
      } else {
        code = 0xfffd; /* a high surrogate without its low half: U+FFFD, as TextEncoder does */
      }
    } else if (c >= 0xd800 && c <= 0xdfff) {
      code = 0xfffd; /* a lone surrogate: U+FFFD, as TextEncoder does */
    }
    out += utf8(code);
    chunk = i + 1;
  }
  return chunk === 0 ? text : out + text.slice(chunk);
}

function utf8(code: number): string {
  if (code < 0x80) return percentEncode(code);
  if (code < 0x800) return percentEncode(0xc0 | (code >> 6)) + percentEncode(0x80 | (code & 63));
  if (code < 0x10000) {
    return (
      percentEncode(0xe0 | (code >> 12)) +
      percentEncode(0x80 | ((code >> 6) & 63)) +
      percentEncode(0x80 | (code & 63))
    );
  }
  return (
    percentEncode(0xf0 | (code >> 18)) +
    percentEncode(0x80 | ((code >> 12) & 63)) +
    percentEncode(0x80 | ((code >> 6) & 63)) +
    percentEncode(0x80 | (code & 63))
  );
}

/**
 * The path and query of a request target: an absolute-form target (`http://h/p?q`)
 * contributes only its path and query; anything else is made to start with `/`.
 */
function targetPath(target: string): string {
  if (target.charCodeAt(0) === 0x2f /* / */) return target;
  const scheme = target.indexOf('://');
  if (scheme > 0) {
    const slash = target.indexOf('/', scheme + 3);
    const query = target.indexOf('?', scheme + 3);
    if (slash >= 0 && (query < 0 || slash < query)) return target.slice(slash);
    return query >= 0 ? `/${target.slice(query)}` : '/';
  }
  return `/${target}`;
}

/** Python's urllib.parse.quote(s, safe='/') on the UTF-8 bytes (PEP 3333). */
function pyQuote(text: string): string {
  let out = '';
  // TextEncoder, not Buffer: the main entry also runs on Deno and Workers (R18).
  for (const byte of UTF8.encode(text)) {
    const safe =
      (byte >= 0x61 && byte <= 0x7a) ||
      (byte >= 0x41 && byte <= 0x5a) ||
      (byte >= 0x30 && byte <= 0x39) ||
      byte === 0x5f ||
      byte === 0x2e ||
      byte === 0x2d ||
      byte === 0x7e ||
      byte === 0x2f;
    out += safe ? String.fromCharCode(byte) : percentEncode(byte);
  }
  return out;
}

function environString(environ: WsgiEnviron, key: string): string {
  const value = environ[key];
  return typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value);
}

/** PEP 3333 "URL Reconstruction", exactly. */
function reconstructEnviron(environ: WsgiEnviron): string {
  const scheme = environString(environ, 'wsgi.url_scheme');
  let url = `${scheme}://`;
  const httpHost = environString(environ, 'HTTP_HOST');
  if (httpHost !== '') {
    url += httpHost;
  } else {
    url += environString(environ, 'SERVER_NAME');
    const port = environString(environ, 'SERVER_PORT');
    if (scheme === 'https') {
      if (port !== '443') url += `:${port}`;
    } else if (port !== '80') {
      url += `:${port}`;
    }
  }
  url += pyQuote(environString(environ, 'SCRIPT_NAME'));
  url += pyQuote(environString(environ, 'PATH_INFO'));
  const query = environString(environ, 'QUERY_STRING');
  if (query !== '') url += `?${query}`;
  return url;
}

/** Resolution with nothing trusted: the raw transport values (R15's unprocessed request). */
const TRANSPORT_ONLY: CompiledOptions = {
  trust: compileTrust(() => false),
  trusted: [],
  groups: [[], [], [], [], [], []],
  trustedHeaders: [],
  allowedHost: undefined,
  rewriteLocation: false,
  onReject: undefined,
  caches: createCaches(),
};

function isEnviron(value: object): value is WsgiEnviron {
  return 'wsgi.url_scheme' in value;
}

/** A Web-standard `Request` (R18): an absolute `url` string and a `Headers` object. */
function isFetchRequest(value: object): value is Request {
  const headers = (value as { headers?: { get?: unknown } }).headers;
  return typeof (value as { url?: unknown }).url === 'string' && typeof headers?.get === 'function';
}

/**
 * The public URL of a request (R15).
 *
 * - `reconstructUrl(request)` on a Web `Request` from `createResolver` (R18): the same, from its
 *   ProxyInfo; an unresolved `Request` uses its URL's scheme and its Host.
 * - `reconstructUrl(req)`: `protocol://host` + prefix + the request's path and query, from the
 *   request's ProxyInfo; a request never processed uses its raw transport values (socket TLS,
 *   Host), never forwarding headers.
 * - `reconstructUrl(req, path)`: the same origin and prefix with `path` (which must start
 *   with a single `/`) instead of the request's path and query. Never protocol-relative,
 *   never another origin: safe for redirects.
 * - `reconstructUrl(environ)`: PEP 3333's algorithm on a WSGI-style environ.
 *
 * @example
 * reconstructUrl(req)                  // 'https://blog.example.com/app/post?id=1'
 * reconstructUrl(req, '/login?next=%2F') // 'https://blog.example.com/app/login?next=%2F'
 * Security: the origin comes only from validated, trusted parts, and `path` can never change
 * it, so the result is safe for redirects. A URL that goes into an e-mail, a cache key or a
 * password-reset link should still come from a request checked against `allowedHosts`:
 * a trusted proxy that passes a client's Host through lets the client choose the host.
 *
 * @throws TypeError (code ERR_TRUSTED_PROXY_PATH) when `path` does not start with a single `/`;
 *   a plain TypeError when the first argument is not an object.
 */
export function reconstructUrl(req: IncomingMessage | Request | WsgiEnviron, path?: string): string {
  if (req === null || typeof req !== 'object') {
    throw new TypeError('reconstructUrl() needs a request or a WSGI environ object');
  }
  if (isEnviron(req)) return reconstructEnviron(req);
  let target: string;
  let fragment = false;
  if (path !== undefined) {
    if (
      typeof path !== 'string' ||
      path.charCodeAt(0) !== 0x2f /* / */ ||
      path.charCodeAt(1) === 0x2f /* // */ ||
      path.charCodeAt(1) === 0x5c /* /\ */
    ) {
      const err = new TypeError(
        `reconstructUrl(req, path): path must start with a single "/": ${JSON.stringify(String(path).slice(0, 64))}`,
      ) as TypeError & { code: string };
      err.code = ERROR_CODES.INVALID_PATH;
      throw err;
    }
    target = path;
    fragment = true;
  } else if (isFetchRequest(req)) {
    target = req.url.slice(pathStart(req.url)) || '/';
  } else {
    const request = req as IncomingMessage & { originalUrl?: string };
    target = targetPath(typeof request.originalUrl === 'string' ? request.originalUrl : (request.url ?? '/'));
  }
  const info =
    getProxyInfo(req) ??
    resolveRequest(TRANSPORT_ONLY, isFetchRequest(req) ? fetchFacts(req, undefined) : requestFacts(req)).info;
  return `${info.protocol}://${info.host}${info.prefix}${encodeUriPath(target, fragment)}`;
}
