import { describe, expect, it } from 'vitest';
import { TrustedProxyConfigError } from '../src/core/errors.js';
import type { TrustedProxyOptions } from '../src/core/types.js';
import { optionsFromEnv } from '../src/env.js';

type Env = Record<string, string | undefined>;

const base: Env = { TRUSTED_PROXY_HEADERS: 'X-Forwarded-For', TRUSTED_PROXIES: '10.0.0.1' };

const valid: { name: string; env: Env; out: TrustedProxyOptions }[] = [
  {
    name: 'reads one header and one proxy',
    env: base,
    out: { trustedHeaders: ['X-Forwarded-For'], trustedProxies: ['10.0.0.1'] },
  },
  {
    name: 'splits on commas',
    env: {
      TRUSTED_PROXY_HEADERS: 'X-Forwarded-For,X-Forwarded-Host',
      TRUSTED_PROXIES: '10.0.0.0/8,loopback',
    },
    out: {
      trustedHeaders: ['X-Forwarded-For', 'X-Forwarded-Host'],
      trustedProxies: ['10.0.0.0/8', 'loopback'],
    },
  },
  {
    name: 'splits on spaces, tabs and newlines',
    env: { TRUSTED_PROXY_HEADERS: 'X-Forwarded-For  X-Forwarded-Proto', TRUSTED_PROXIES: '10.0.0.1\t::1\n' },
    out: { trustedHeaders: ['X-Forwarded-For', 'X-Forwarded-Proto'], trustedProxies: ['10.0.0.1', '::1'] },
  },
  {
    name: 'ignores empty entries from doubled or trailing separators',
    env: { TRUSTED_PROXY_HEADERS: ', X-Forwarded-For,, ,', TRUSTED_PROXIES: ' loopback , ' },
    out: { trustedHeaders: ['X-Forwarded-For'], trustedProxies: ['loopback'] },
  },
  {
    name: 'reads a bare integer as a hop count',
    env: { ...base, TRUSTED_PROXIES: '2' },
    out: { trustedHeaders: ['X-Forwarded-For'], trustedProxies: 2 },
  },
  {
    name: 'reads a bare integer with spaces around it as a hop count',
    env: { ...base, TRUSTED_PROXIES: ' 1 ' },
    out: { trustedHeaders: ['X-Forwarded-For'], trustedProxies: 1 },
  },
  {
    name: 'keeps header names as given (matching is case-insensitive)',
    env: { ...base, TRUSTED_PROXY_HEADERS: 'x-forwarded-for FORWARDED' },
    out: { trustedHeaders: ['x-forwarded-for', 'FORWARDED'], trustedProxies: ['10.0.0.1'] },
  },
  {
    name: 'reads TRUSTED_PROXY_ALLOWED_HOSTS',
    env: { ...base, TRUSTED_PROXY_ALLOWED_HOSTS: 'example.com, *.example.com' },
    out: {
      trustedHeaders: ['X-Forwarded-For'],
      trustedProxies: ['10.0.0.1'],
      allowedHosts: ['example.com', '*.example.com'],
    },
  },
  {
    name: 'treats an empty TRUSTED_PROXY_ALLOWED_HOSTS as unset',
    env: { ...base, TRUSTED_PROXY_ALLOWED_HOSTS: ' ' },
    out: { trustedHeaders: ['X-Forwarded-For'], trustedProxies: ['10.0.0.1'] },
  },
  {
    name: 'accepts named ranges and unix',
    env: { ...base, TRUSTED_PROXIES: 'private unix' },
    out: { trustedHeaders: ['X-Forwarded-For'], trustedProxies: ['private', 'unix'] },
  },
];

describe('optionsFromEnv() › valid environments', () => {
  for (const row of valid) {
    it(row.name, () => {
      expect(optionsFromEnv(row.env)).toEqual(row.out);
    });
  }
});

const invalid: { name: string; env: Env; variable: string; mentions?: string }[] = [
  {
    name: 'TRUSTED_PROXY_HEADERS missing',
    env: { TRUSTED_PROXIES: 'loopback' },
    variable: 'TRUSTED_PROXY_HEADERS',
  },
  {
    name: 'TRUSTED_PROXY_HEADERS empty',
    env: { TRUSTED_PROXY_HEADERS: '', TRUSTED_PROXIES: 'loopback' },
    variable: 'TRUSTED_PROXY_HEADERS',
  },
  {
    name: 'TRUSTED_PROXY_HEADERS only separators',
    env: { TRUSTED_PROXY_HEADERS: ' , ,', TRUSTED_PROXIES: 'loopback' },
    variable: 'TRUSTED_PROXY_HEADERS',
  },
  {
    name: 'TRUSTED_PROXIES missing',
    env: { TRUSTED_PROXY_HEADERS: 'X-Forwarded-For' },
    variable: 'TRUSTED_PROXIES',
  },
  {
    name: 'an unknown header name',
    env: { ...base, TRUSTED_PROXY_HEADERS: 'X-Forwarded-For X-Forwarded-Fro' },
    variable: 'TRUSTED_PROXY_HEADERS',
    mentions: 'X-Forwarded-Fro',
  },
  {
    name: 'a never-trusted header',
    env: { ...base, TRUSTED_PROXY_HEADERS: 'X-Original-URL' },
    variable: 'TRUSTED_PROXY_HEADERS',
    mentions: 'X-Original-URL',
  },
  {
    name: 'a hostname as a proxy',
    env: { ...base, TRUSTED_PROXIES: 'proxy.internal' },
    variable: 'TRUSTED_PROXIES',
    mentions: 'proxy.internal',
  },
  {
    name: 'a malformed CIDR',
    env: { ...base, TRUSTED_PROXIES: '10.0.0.0/33' },
    variable: 'TRUSTED_PROXIES',
    mentions: '10.0.0.0/33',
  },
  { name: 'a /0 range', env: { ...base, TRUSTED_PROXIES: '0.0.0.0/0' }, variable: 'TRUSTED_PROXIES' },
  { name: 'a hop count of 0', env: { ...base, TRUSTED_PROXIES: '0' }, variable: 'TRUSTED_PROXIES' },
  { name: 'a negative hop count', env: { ...base, TRUSTED_PROXIES: '-1' }, variable: 'TRUSTED_PROXIES' },
  { name: 'a star', env: { ...base, TRUSTED_PROXIES: '*' }, variable: 'TRUSTED_PROXIES' },
  {
    name: 'an allowed host with a port',
    env: { ...base, TRUSTED_PROXY_ALLOWED_HOSTS: 'example.com:8080' },
    variable: 'TRUSTED_PROXY_ALLOWED_HOSTS',
    mentions: 'example.com:8080',
  },
];

describe('optionsFromEnv() › invalid environments', () => {
  for (const row of invalid) {
    it(`throws TrustedProxyConfigError naming ${row.variable} for ${row.name}`, () => {
      let caught: unknown;
      try {
        optionsFromEnv(row.env);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(TrustedProxyConfigError);
      const err = caught as TrustedProxyConfigError;
      expect(err.code).toBe('ERR_TRUSTED_PROXY_CONFIG');
      expect(err.message.startsWith(row.variable)).toBe(true);
      if (row.mentions !== undefined) expect(err.message).toContain(row.mentions);
    });
  }
});

describe('optionsFromEnv() › defaults', () => {
  it('reads process.env when called without an argument', () => {
    const saved = { ...process.env };
    try {
      process.env.TRUSTED_PROXY_HEADERS = 'X-Forwarded-Proto';
      process.env.TRUSTED_PROXIES = '192.168.59.3';
      delete process.env.TRUSTED_PROXY_ALLOWED_HOSTS;
      expect(optionsFromEnv()).toEqual({
        trustedHeaders: ['X-Forwarded-Proto'],
        trustedProxies: ['192.168.59.3'],
      });
    } finally {
      for (const key of ['TRUSTED_PROXY_HEADERS', 'TRUSTED_PROXIES', 'TRUSTED_PROXY_ALLOWED_HOSTS']) {
        if (saved[key] === undefined) delete process.env[key];
        else process.env[key] = saved[key];
      }
    }
  });

  it('ignores unrelated variables', () => {
    expect(optionsFromEnv({ ...base, TRUSTED_PROXY: '1.2.3.4', PORT: '80' })).toEqual({
      trustedHeaders: ['X-Forwarded-For'],
      trustedProxies: ['10.0.0.1'],
    });
  });
});
