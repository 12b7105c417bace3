/**
 * Option compilation seen through the core resolution (compileOptions → resolveRequest):
 * allowedHosts patterns with zone ids, IPv4-mapped literals and empty labels (R1, R2), the
 * subdomain match, and HTTP/2 `:scheme` as the lowest-priority scheme wherever it is listed (R20).
 */
import { describe, expect, it } from 'vitest';
import { TrustedProxyConfigError } from '../../src/core/errors.js';
import { compileOptions } from '../../src/core/options.js';
import { type RequestFacts, resolveRequest } from '../../src/core/resolve.js';
import type { TrustedProxyOptions } from '../../src/core/types.js';

function resolve(options: TrustedProxyOptions, headers: Record<string, string>) {
  const rawHeaders: string[] = [];
  for (const [name, value] of Object.entries(headers)) rawHeaders.push(name, value);
  const facts: RequestFacts = {
    peer: '10.0.0.2',
    unixSocket: false,
    encrypted: false,
    localAddress: '10.0.0.100',
    localPort: 8080,
    headers: { host: 'app.internal', ...headers },
    rawHeaders: ['Host', 'app.internal', ...rawHeaders],
  };
  return resolveRequest(compileOptions(options), facts).info;
}

/** ProxyInfo.hostAllowed for a trusted X-Forwarded-Host `host` under `allowedHosts`. */
function allowed(allowedHosts: string[], host: string): boolean {
  const info = resolve(
    { trustedHeaders: ['X-Forwarded-Host'], trustedProxies: '10.0.0.0/8', allowedHosts },
    { 'x-forwarded-host': host },
  );
  expect(info.applied).toEqual(['x-forwarded-host']);
  return info.hostAllowed;
}

function patternError(pattern: string): string {
  try {
    compileOptions({
      trustedHeaders: ['X-Forwarded-Host'],
      trustedProxies: 'loopback',
      allowedHosts: [pattern],
    });
  } catch (error) {
    expect(error).toBeInstanceOf(TrustedProxyConfigError);
    return (error as Error).message;
  }
  throw new Error(`${pattern} was accepted`);
}

describe('allowedHosts › patterns', () => {
  it.each(['fe80::1%eth0', 'fe80::1%25eth0', '*.example.com%eth0', 'example..', '*.example..', 'a..', '..'])(
    'refuses %j (a zone id names no host; a second trailing dot is an empty label)',
    (pattern) => {
      expect(patternError(pattern)).toBe(
        `invalid allowedHosts pattern (a hostname, an IP literal or *.example.com; no ports, no other wildcards): "${pattern}"`,
      );
    },
  );

  it('keeps an IPv4-mapped IPv6 literal an IPv6 literal (R5), with or without brackets', () => {
    for (const pattern of ['::ffff:10.0.0.1', '[::FFFF:a00:1]', '::ffff:a00:1.']) {
      expect(allowed([pattern], '[::ffff:a00:1]'), pattern).toBe(true);
      expect(allowed([pattern], '10.0.0.1'), pattern).toBe(false);
    }
    expect(allowed(['10.0.0.1'], '[::ffff:10.0.0.1]')).toBe(false);
  });

  it('allows a subdomain of a *.pattern at any depth, and nothing else however long', () => {
    const patterns = ['*.svc.example.org'];
    expect(allowed(patterns, 'a.svc.example.org')).toBe(true);
    expect(allowed(patterns, 'a.b.c.svc.example.org.')).toBe(true);
    expect(allowed(patterns, 'svc.example.org')).toBe(false);
    expect(allowed(patterns, 'www.attacker.example.net')).toBe(false);
    expect(allowed(patterns, 'svc.example.org.attacker.example')).toBe(false);
    expect(allowed(patterns, 'asvc.example.org')).toBe(false);
  });
});

describe('trustedHeaders › :scheme (R20)', () => {
  it.each([[[':scheme', 'X-Forwarded-Proto']], [['X-Forwarded-Proto', ':scheme']]])(
    'ranks below every other scheme header, listed as %j',
    (trustedHeaders) => {
      const info = resolve(
        { trustedHeaders, trustedProxies: '10.0.0.0/8' },
        { ':scheme': 'https', 'x-forwarded-proto': 'http' },
      );
      expect(info.protocol).toBe('http');
      expect(info.applied).toEqual(['x-forwarded-proto']);
      expect(info.rejected.map((e) => [e.header, e.reason])).toEqual([[':scheme', 'conflict']]);
    },
  );

  it('is used when it is the only scheme a trusted peer sent', () => {
    const info = resolve(
      { trustedHeaders: [':scheme', 'X-Forwarded-Proto'], trustedProxies: '10.0.0.0/8' },
      { ':scheme': 'https' },
    );
    expect(info.protocol).toBe('https');
    expect(info.applied).toEqual([':scheme']);
  });
});
