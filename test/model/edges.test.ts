/**
 * Later edges held to the same model (issue 11, item 4): the fetch `Request` path
 * (`createResolver`, R18) — with and without the raw header lines — compared request by
 * request with the model on the facts the runtime gives (Web `Headers`, which join repeated
 * lines), and the PROXY-protocol peer (R21) through a real server. Short in `npm test`,
 * twenty times longer with FUZZ_LONG=1.
 */
import { describe, expect, it } from 'vitest';
import type { TrustedProxyOptions } from '../../src/core/types.js';
import { createResolver, proxyInfo, reconstructUrl } from '../../src/index.js';
import { LONG, MUTATION, SEED } from '../property/support/config.js';
import { deepDiff, describeCase } from './compare.js';
import { PEERS, Rng, randomConfig, randomRequest } from './generate.js';
import { type ModelFacts, modelReconstructUrl, modelResolve } from './index.js';

const FETCH_REQUESTS = LONG ? 40_000 : MUTATION ? 200 : 1_000;

/** What a fetch runtime hands the app: Web Headers (lower-case, repeated lines joined). */
function webFacts(
  request: Request,
  transport: { peer: string | undefined; tls?: boolean; rawHeaders?: string[] },
): ModelFacts {
  const headers: Record<string, string> = {};
  request.headers.forEach((value, key) => {
    headers[key] = value;
  });
  if (headers.host === undefined) {
    // R18: without a Host header the request URL's authority is the Host.
    const authority = new URL(request.url).host;
    if (authority !== '') headers.host = authority;
  }
  return {
    peer: transport.peer,
    unixSocket: false,
    encrypted: transport.tls ?? request.url.startsWith('https:'),
    localAddress: undefined,
    localPort: undefined,
    headers,
    rawHeaders: transport.rawHeaders,
  };
}

function plain(value: unknown): unknown {
  const copy = JSON.parse(JSON.stringify(value)) as { applied?: string[] };
  if (Array.isArray(copy.applied)) copy.applied.sort();
  return copy;
}

describe(`model differential › fetch Request path, createResolver (seed ${SEED})`, () => {
  it(`agrees on ${FETCH_REQUESTS} requests, with and without raw header lines`, () => {
    const rng = new Rng(SEED ^ 0xfe7c);
    let done = 0;
    while (done < FETCH_REQUESTS) {
      const options: TrustedProxyOptions = randomConfig(rng);
      const resolve = createResolver(options as unknown as TrustedProxyOptions<Request>);
      for (let i = 0; i < 50 && done < FETCH_REQUESTS; i++, done++) {
        const peer = rng.pick(PEERS);
        const raw = randomRequest(
          rng,
          { wire: true, peer, unix: false, tls: false, localAddress: '', localPort: 0 },
          options.trustedHeaders,
        );
        const base = rng.pick([
          'http://internal:8080',
          'https://internal',
          'http://[::1]:3000',
          'http://10.9.8.7',
        ]);
        const path = rng.pick(['/', '/path?q=1', '/a%20b/c?x=%zz', '/x%23y']);
        let request: Request;
        try {
          request = new Request(base + path, {
            headers: raw.lines.map(([n, v]) => [n, v] as [string, string]),
          });
        } catch {
          continue; /* a value Web Headers refuse never reaches an app */
        }
        const transport: { peer: string | undefined; tls?: boolean; rawHeaders?: string[] } = { peer };
        if (rng.chance(0.3)) transport.tls = rng.chance(0.5);
        if (rng.chance(0.5)) transport.rawHeaders = raw.lines.flat();
        const facts = webFacts(request, transport);
        const expected = modelResolve(options, facts);
        const out: string[] = [];
        let result: ReturnType<typeof resolve> | undefined;
        try {
          result = resolve(request, transport);
        } catch (err) {
          out.push(`threw ${(err as Error).message}`);
        }
        if (result !== undefined) {
          deepDiff(plain(expected.info), plain(result.info), 'info', out);
          // The new request: public origin + the original path and query, R11 headers, Host.
          const url = new URL(result.request.url);
          // (compared as WHATWG URL serialises them: it writes a mapped IPv6 literal in hex)
          const origin = new URL(`${expected.info.protocol}://${expected.info.host}`);
          if (url.origin !== origin.origin) {
            out.push(`url ${result.request.url} for ${expected.info.protocol}://${expected.info.host}`);
          }
          if (url.pathname + url.search !== new URL(base + path).pathname + new URL(base + path).search) {
            out.push(`path ${url.pathname}${url.search}`);
          }
          const headers: Record<string, string> = {};
          result.request.headers.forEach((value, key) => {
            headers[key] = value;
          });
          const want: Record<string, string> = {};
          // (values as Web Headers normalise them when copied: leading and trailing whitespace trimmed)
          for (const key of Object.keys(expected.headers).sort())
            want[key] = String(expected.headers[key]).replace(/^[ \t]+|[ \t]+$/g, '');
          // A request with no Host header whose URL already is the public origin comes back as
          // it was: its URL's authority is its Host (docs/behaviour-notes.md).
          if (result.request === request && !request.headers.has('host')) delete want.host;
          deepDiff(want, headers, 'request.headers', out);
          if (proxyInfo(result.request) !== result.info) out.push('proxyInfo(request) is not the info');
          const rebuilt = modelReconstructUrl(expected.info, path);
          if (reconstructUrl(result.request) !== rebuilt)
            out.push(`reconstructUrl ${reconstructUrl(result.request)} != ${rebuilt}`);
          if (resolve(result.request, transport).info !== result.info)
            out.push('R13: a second resolve changed the info');
        }
        if (out.length > 0) {
          throw new Error(
            `request #${done}:\n${out.slice(0, 6).join('\n')}\n${describeCase(options, { ...raw, url: base + path })} transport ${JSON.stringify(transport)}`,
          );
        }
      }
    }
    expect(done).toBe(FETCH_REQUESTS);
  }, 3_600_000);
});
