/**
 * Holds one processed request against the model: ProxyInfo, `req.headers`, `req.rawHeaders`,
 * the getters and reconstructUrl. Returns the differences as readable lines (empty = agree).
 */
import type { IncomingMessage } from 'node:http';
import type { ProxyInfo, TrustedProxyMiddleware, TrustedProxyOptions } from '../../src/core/types.js';
import { reconstructUrl } from '../../src/index.js';
import { headersFromLines, makeRequest, type RawRequest } from '../property/support/harness.js';
import { type ModelFacts, type ModelOutcome, modelReconstructUrl, modelResolve } from './index.js';

export function deepDiff(expected: unknown, actual: unknown, path: string, out: string[]): void {
  if (out.length > 20) return;
  if (Object.is(expected, actual)) return;
  if (
    typeof expected !== 'object' ||
    typeof actual !== 'object' ||
    expected === null ||
    actual === null ||
    Array.isArray(expected) !== Array.isArray(actual)
  ) {
    out.push(`${path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
    return;
  }
  const keys = new Set([...Object.keys(expected), ...Object.keys(actual)]);
  for (const key of keys) {
    deepDiff(
      (expected as Record<string, unknown>)[key],
      (actual as Record<string, unknown>)[key],
      `${path}.${key}`,
      out,
    );
  }
  if (!Array.isArray(expected)) {
    const a = Object.keys(expected).join(',');
    const b = Object.keys(actual).join(',');
    if (a !== b && out.length === 0) out.push(`${path}: key order ${a} != ${b}`);
  }
}

/** What the model needs, read from the request before processing (copies: processing edits them). */
export function factsOfRequest(req: IncomingMessage, unixSocket: boolean): ModelFacts {
  const socket = req.socket as (IncomingMessage['socket'] & { encrypted?: boolean }) | undefined;
  return {
    peer: socket?.remoteAddress,
    unixSocket: unixSocket && socket?.remoteAddress === undefined,
    encrypted: socket?.encrypted === true,
    localAddress: socket?.localAddress,
    localPort: socket?.localPort,
    headers: { ...req.headers },
    rawHeaders: [...req.rawHeaders],
  };
}

export function factsOfRaw(raw: RawRequest): ModelFacts {
  return {
    peer: raw.peer,
    unixSocket: raw.unix === true && raw.peer === undefined,
    encrypted: raw.tls,
    localAddress: raw.localAddress,
    localPort: raw.localPort,
    headers: headersFromLines(raw.lines),
    rawHeaders: raw.lines.flat(),
  };
}

function plainInfo(info: ProxyInfo): ProxyInfo {
  const copy = JSON.parse(JSON.stringify(info)) as ProxyInfo;
  copy.applied = [...copy.applied].sort();
  return copy;
}

/** Compares a processed request (and its ProxyInfo) with the model's outcome. */
export function compareOutcome(expected: ModelOutcome, req: IncomingMessage, info: ProxyInfo): string[] {
  const out: string[] = [];
  deepDiff(plainInfo(expected.info), plainInfo(info), 'info', out);
  deepDiff(expected.headers, JSON.parse(JSON.stringify(req.headers)), 'req.headers', out);
  deepDiff(expected.rawHeaders, req.rawHeaders, 'req.rawHeaders', out);
  const r = req as IncomingMessage & Record<string, unknown>;
  deepDiff(
    {
      ip: expected.info.remoteAddress,
      ips: expected.ips,
      protocol: expected.info.protocol,
      secure: expected.info.secure,
      hostname: expected.info.hostname,
    },
    { ip: r.ip, ips: r.ips, protocol: r.protocol, secure: r.secure, hostname: r.hostname },
    'getters',
    out,
  );
  const url = reconstructUrl(req);
  const want = modelReconstructUrl(expected.info, req.url ?? '/');
  if (url !== want) out.push(`reconstructUrl: expected ${want}, got ${url}`);
  return out;
}

/** The fake-socket path: a hand-built request through `proxy.process`. */
export function diffProcess(
  options: TrustedProxyOptions,
  proxy: TrustedProxyMiddleware,
  raw: RawRequest,
): string[] {
  const expected = modelResolve(options, factsOfRaw(raw));
  const req = makeRequest(raw);
  const info = proxy.process(req);
  const out = compareOutcome(expected, req, info);
  // R13: a second pass returns the first ProxyInfo and changes nothing.
  const before = JSON.stringify([req.headers, req.rawHeaders]);
  if (proxy.process(req) !== info || JSON.stringify([req.headers, req.rawHeaders]) !== before) {
    out.push('R13: a second process() changed something');
  }
  return out;
}

export function describeCase(options: TrustedProxyOptions, raw: RawRequest): string {
  const opts = {
    ...options,
    trustedProxies:
      typeof options.trustedProxies === 'function' ? String(options.trustedProxies) : options.trustedProxies,
  };
  return JSON.stringify({
    options: opts,
    peer: raw.peer,
    unix: raw.unix,
    tls: raw.tls,
    url: raw.url,
    lines: raw.lines,
  });
}
