/**
 * Config errors (R2) with their exact messages: each names the bad value and says what to do.
 * docs/errors.md quotes these messages; the table also kills the string-literal mutants of
 * src/options.ts and src/trust.ts that only a message check can see.
 */
import { describe, expect, it } from 'vitest';
import { TrustedProxyConfigError, trustedProxy } from '../../src/index.js';
import { displayName, TRUSTABLE } from '../property/support/registry.js';

const H = ['X-Forwarded-For'];
/** The names listed in messages about trustedHeaders, in registry order. */
const KNOWN = TRUSTABLE.map(displayName)
  .join(', ')
  .replace('Cf-Connecting-Ip', 'CF-Connecting-IP')
  .replace('X-Real-Ip', 'X-Real-IP')
  .replace('X-Client-Ip', 'X-Client-IP')
  .replace('True-Client-Ip', 'True-Client-IP')
  .replace('Fastly-Client-Ip', 'Fastly-Client-IP')
  .replace('X-Cluster-Client-Ip', 'X-Cluster-Client-IP')
  .replace('Cloudfront-Viewer-Address', 'CloudFront-Viewer-Address')
  .replace('Fly-Client-Ip', 'Fly-Client-IP')
  .replace('X-Forwarded-Https', 'X-Forwarded-HTTPS')
  .replace('X-Forwarded-Ssl', 'X-Forwarded-SSL')
  .replace('X-Https', 'X-HTTPS')
  // R20: the HTTP/2 pseudo-header, last in the registry.
  .concat(', :scheme');

const cases: [string, () => unknown, string][] = [
  [
    'options not an object',
    () => trustedProxy(null as never),
    'trustedProxy() needs an options object with trustedHeaders and trustedProxies: "null"',
  ],
  [
    'an unknown option',
    () => trustedProxy({ trustedHeaders: H, trustedProxies: 'loopback', trustProxy: true } as never),
    'unknown option (known: trustedHeaders, trustedProxies, allowedHosts, rewriteLocation, onReject, requireProof): "trustProxy"',
  ],
  [
    'trustedHeaders missing',
    () => trustedProxy({ trustedProxies: 'loopback' } as never),
    `trustedHeaders is required (known: ${KNOWN}): "undefined"`,
  ],
  [
    'trustedProxies missing',
    () => trustedProxy({ trustedHeaders: H } as never),
    'trustedProxies is required: the addresses or CIDR ranges of your proxies: "undefined"',
  ],
  [
    'trustedProxies null',
    () => trustedProxy({ trustedHeaders: H, trustedProxies: null } as never),
    'trustedProxies is required: the addresses or CIDR ranges of your proxies: "null"',
  ],
  [
    'trustedHeaders not an array',
    () => trustedProxy({ trustedHeaders: 'X-Forwarded-For' as never, trustedProxies: 'loopback' }),
    `trustedHeaders must be a non-empty array of header names (known: ${KNOWN}): "X-Forwarded-For"`,
  ],
  [
    'trustedHeaders empty',
    () => trustedProxy({ trustedHeaders: [], trustedProxies: 'loopback' }),
    `trustedHeaders is empty; name the headers your proxies set (known: ${KNOWN}): ""`,
  ],
  [
    'a non-string header',
    () => trustedProxy({ trustedHeaders: [42 as never], trustedProxies: 'loopback' }),
    'trustedHeaders entries must be strings: "42"',
  ],
  [
    'an unknown header',
    () => trustedProxy({ trustedHeaders: ['X-Forwarded-Fro'], trustedProxies: 'loopback' }),
    `unknown header in trustedHeaders (known: ${KNOWN}): "X-Forwarded-Fro"`,
  ],
  [
    'a never-trusted header',
    () => trustedProxy({ trustedHeaders: ['X-Rewrite-URL'], trustedProxies: 'loopback' }),
    'this header can never be trusted: it lets a client choose the URL the app routes: "X-Rewrite-URL"',
  ],
  [
    'allowedHosts empty',
    () => trustedProxy({ trustedHeaders: H, trustedProxies: 'loopback', allowedHosts: [] }),
    'allowedHosts must be a non-empty array of hostnames or *.domain patterns: ""',
  ],
  [
    'allowedHosts not an array',
    () => trustedProxy({ trustedHeaders: H, trustedProxies: 'loopback', allowedHosts: 'x' as never }),
    'allowedHosts must be a non-empty array of hostnames or *.domain patterns: "x"',
  ],
  [
    'a non-string allowedHosts entry',
    () => trustedProxy({ trustedHeaders: H, trustedProxies: 'loopback', allowedHosts: [1 as never] }),
    'allowedHosts entries must be strings: "1"',
  ],
  [
    'an allowedHosts pattern with a port',
    () => trustedProxy({ trustedHeaders: H, trustedProxies: 'loopback', allowedHosts: ['example.com:443'] }),
    'invalid allowedHosts pattern (a hostname, an IP literal or *.example.com; no ports, no other wildcards): "example.com:443"',
  ],
  [
    'an allowedHosts pattern with an inner wildcard',
    () => trustedProxy({ trustedHeaders: H, trustedProxies: 'loopback', allowedHosts: ['a.*.example.com'] }),
    'invalid allowedHosts pattern (a hostname, an IP literal or *.example.com; no ports, no other wildcards): "a.*.example.com"',
  ],
  [
    'a wildcard over an IPv6 literal',
    () => trustedProxy({ trustedHeaders: H, trustedProxies: 'loopback', allowedHosts: ['*.[::1]'] }),
    'invalid allowedHosts pattern (a hostname, an IP literal or *.example.com; no ports, no other wildcards): "*.[::1]"',
  ],
  [
    'an allowedHosts IPv4 with a colon',
    () => trustedProxy({ trustedHeaders: H, trustedProxies: 'loopback', allowedHosts: ['1.2.3.4:80'] }),
    'invalid allowedHosts pattern (a hostname, an IP literal or *.example.com; no ports, no other wildcards): "1.2.3.4:80"',
  ],
  [
    'rewriteLocation not a boolean',
    () => trustedProxy({ trustedHeaders: H, trustedProxies: 'loopback', rewriteLocation: 'yes' as never }),
    'rewriteLocation must be a boolean: "yes"',
  ],
  [
    'onReject not a function',
    () => trustedProxy({ trustedHeaders: H, trustedProxies: 'loopback', onReject: 'log' as never }),
    'onReject must be a function: "log"',
  ],
  [
    'an empty prefix length',
    () => trustedProxy({ trustedHeaders: H, trustedProxies: '10.0.0.0/' }),
    'invalid prefix length in trustedProxies: "10.0.0.0/"',
  ],
  [
    'a four-digit prefix length',
    () => trustedProxy({ trustedHeaders: H, trustedProxies: '10.0.0.0/0008' }),
    'invalid prefix length in trustedProxies: "10.0.0.0/0008"',
  ],
  [
    'a non-digit prefix length',
    () => trustedProxy({ trustedHeaders: H, trustedProxies: '10.0.0.0/8a' }),
    'invalid prefix length in trustedProxies: "10.0.0.0/8a"',
  ],
  [
    'a leading-zero prefix length',
    () => trustedProxy({ trustedHeaders: H, trustedProxies: '10.0.0.0/08' }),
    'invalid prefix length in trustedProxies: "10.0.0.0/08"',
  ],
  [
    'an IPv4 prefix of 33',
    () => trustedProxy({ trustedHeaders: H, trustedProxies: '10.0.0.0/33' }),
    'prefix length out of range (0-32) in trustedProxies: "10.0.0.0/33"',
  ],
  [
    'an IPv6 prefix of 129',
    () => trustedProxy({ trustedHeaders: H, trustedProxies: '2001:db8::/129' }),
    'prefix length out of range (0-128) in trustedProxies: "2001:db8::/129"',
  ],
  [
    'a hostname',
    () => trustedProxy({ trustedHeaders: H, trustedProxies: 'proxy.internal' }),
    'hostnames are not allowed in trustedProxies (no DNS lookups; use an IP or CIDR): "proxy.internal"',
  ],
  [
    'a malformed address',
    () => trustedProxy({ trustedHeaders: H, trustedProxies: '10.0.0.256' }),
    'invalid IP address in trustedProxies: "10.0.0.256"',
  ],
  [
    '0.0.0.0',
    () => trustedProxy({ trustedHeaders: H, trustedProxies: '0.0.0.0' }),
    'the unspecified address never identifies a proxy: "0.0.0.0"',
  ],
  [
    '::ffff:0.0.0.0',
    () => trustedProxy({ trustedHeaders: H, trustedProxies: '::ffff:0.0.0.0' }),
    'the unspecified address never identifies a proxy: "::ffff:0.0.0.0"',
  ],
  [
    '::',
    () => trustedProxy({ trustedHeaders: H, trustedProxies: '::' }),
    'the unspecified address never identifies a proxy: "::"',
  ],
  [
    'a non-contiguous netmask',
    () => trustedProxy({ trustedHeaders: H, trustedProxies: '10.0.0.0/255.0.255.0' }),
    'invalid netmask in trustedProxies: "10.0.0.0/255.0.255.0"',
  ],
  [
    'a malformed netmask',
    () => trustedProxy({ trustedHeaders: H, trustedProxies: '10.0.0.0/255.0.0' }),
    'invalid netmask in trustedProxies: "10.0.0.0/255.0.0"',
  ],
  [
    'a /0 range',
    () => trustedProxy({ trustedHeaders: H, trustedProxies: '::/0' }),
    'a /0 range trusts every address; use a hop count (a number) or name the proxies explicitly: "::/0"',
  ],
  [
    'a 0.0.0.0 netmask',
    () => trustedProxy({ trustedHeaders: H, trustedProxies: '10.0.0.0/0.0.0.0' }),
    'a /0 range trusts every address; use a hop count (a number) or name the proxies explicitly: "10.0.0.0/0.0.0.0"',
  ],
  [
    'a mapped /96',
    () => trustedProxy({ trustedHeaders: H, trustedProxies: '::ffff:10.0.0.0/96' }),
    'an IPv4-mapped range needs a prefix length of 97-128 (that is IPv4 /1-/32): "::ffff:10.0.0.0/96"',
  ],
  [
    'a zero hop count',
    () => trustedProxy({ trustedHeaders: H, trustedProxies: 0 }),
    'a hop count in trustedProxies must be an integer >= 1: "0"',
  ],
  [
    'a fractional hop count',
    () => trustedProxy({ trustedHeaders: H, trustedProxies: 1.5 }),
    'a hop count in trustedProxies must be an integer >= 1: "1.5"',
  ],
  [
    'a non-string trustedProxies entry',
    () => trustedProxy({ trustedHeaders: H, trustedProxies: [1 as never] }),
    'trustedProxies entries must be strings: "1"',
  ],
  [
    'a boolean trustedProxies',
    () => trustedProxy({ trustedHeaders: H, trustedProxies: true as never }),
    'trustedProxies must be a string, an array of strings, a number or a function: "true"',
  ],
  [
    'an empty trustedProxies list',
    () => trustedProxy({ trustedHeaders: H, trustedProxies: [] }),
    'trustedProxies is empty; name at least one proxy: ""',
  ],
  [
    'the * wildcard',
    () => trustedProxy({ trustedHeaders: H, trustedProxies: ['loopback', '*'] }),
    'there is no \'*\': trusting every peer and every hop lets any client choose its own address: "*"',
  ],
];

describe('trustedProxy() › config errors name the value and say what to do', () => {
  it.each(cases)('%s', (_name, create, message) => {
    let error: unknown;
    try {
      create();
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(TrustedProxyConfigError);
    expect((error as TrustedProxyConfigError).code).toBe('ERR_TRUSTED_PROXY_CONFIG');
    expect((error as Error).message).toBe(message);
  });
});
