/**
 * src/core/errors.ts: the quoting every message uses for a value (JSON-escaped, cut after 64
 * characters with "…"), the error a refused host produces (the fields Express, Koa and Fastify
 * read to answer 400) and TrustedProxyConfigError (name, code, a TypeError). The codes
 * themselves are held against docs/errors.md by test/docs/reference.test.ts.
 */
import { describe, expect, it } from 'vitest';
import {
  configError,
  createHostNotAllowedError,
  ERROR_CODES,
  quoteValue,
  TrustedProxyConfigError,
} from '../../src/core/errors.js';
import { trustedProxy } from '../../src/index.js';

describe('errors › quoteValue', () => {
  const cases: Array<{ name: string; value: unknown; max?: number; out: string }> = [
    { name: 'a short string', value: 'evil.example', out: '"evil.example"' },
    { name: 'the empty string', value: '', out: '""' },
    {
      name: 'quotes, a backslash and control characters, escaped',
      value: 'a"b\\c\r\nd\0',
      out: '"a\\"b\\\\c\\r\\nd\\u0000"',
    },
    { name: 'exactly 64 characters, uncut', value: 'x'.repeat(64), out: `"${'x'.repeat(64)}"` },
    { name: '65 characters, cut after 64', value: 'y'.repeat(65), out: `"${'y'.repeat(64)}…"` },
    {
      name: '1000 characters, cut after 64',
      value: `${'a'.repeat(64)}${'b'.repeat(936)}`,
      out: `"${'a'.repeat(64)}…"`,
    },
    { name: 'a number', value: 42, out: '"42"' },
    { name: 'undefined', value: undefined, out: '"undefined"' },
    { name: 'null', value: null, out: '"null"' },
    { name: 'an array', value: ['a', 'b'], out: '"a,b"' },
    { name: 'an object', value: {}, out: '"[object Object]"' },
    { name: 'a custom bound: 3 of 4', value: 'abcd', max: 3, out: '"abc…"' },
    { name: 'a custom bound: 4 of 4', value: 'abcd', max: 4, out: '"abcd"' },
  ];
  it.each(cases)('$name', ({ value, max, out }) => {
    expect(max === undefined ? quoteValue(value) : quoteValue(value, max)).toBe(out);
  });

  it('never throws, even for a value whose String() is odd (a symbol)', () => {
    expect(quoteValue(Symbol('s'))).toBe('"Symbol(s)"');
  });
});

describe('errors › createHostNotAllowedError', () => {
  it('carries status 400, expose, the code and the hostname; the message quotes the hostname', () => {
    const err = createHostNotAllowedError('evil"host');
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('HostNotAllowedError');
    expect(err.message).toBe('Host not allowed: "evil\\"host"');
    expect(err.status).toBe(400);
    expect(err.statusCode).toBe(400);
    expect(err.expose).toBe(true);
    expect(err.code).toBe('ERR_HOST_NOT_ALLOWED');
    expect(err.code).toBe(ERROR_CODES.HOST_NOT_ALLOWED);
    expect(err.hostname).toBe('evil"host');
  });

  it('cuts a long hostname in the message but keeps it whole in .hostname', () => {
    const long = `${'h'.repeat(70)}.example`;
    const err = createHostNotAllowedError(long);
    expect(err.message).toBe(`Host not allowed: "${'h'.repeat(64)}…"`);
    expect(err.hostname).toBe(long);
  });
});

describe('errors › TrustedProxyConfigError', () => {
  it('is a TypeError named TrustedProxyConfigError with code ERR_TRUSTED_PROXY_CONFIG', () => {
    const err = configError('trustedProxies entry is not an address', 'nope');
    expect(err).toBeInstanceOf(TrustedProxyConfigError);
    expect(err).toBeInstanceOf(TypeError);
    expect(err.name).toBe('TrustedProxyConfigError');
    expect(err.code).toBe('ERR_TRUSTED_PROXY_CONFIG');
    expect(err.message).toBe('trustedProxies entry is not an address: "nope"');
    expect(String(err)).toBe('TrustedProxyConfigError: trustedProxies entry is not an address: "nope"');
  });

  it('is what trustedProxy() throws for a bad option, with the same name and code', () => {
    let caught: unknown;
    try {
      trustedProxy({ trustedHeaders: ['X-Forwarded-Fro'], trustedProxies: 'loopback' });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(TrustedProxyConfigError);
    expect((caught as TrustedProxyConfigError).name).toBe('TrustedProxyConfigError');
    expect((caught as TrustedProxyConfigError).code).toBe(ERROR_CODES.CONFIG);
    expect((caught as Error).message).toMatch(/: "X-Forwarded-Fro"$/);
  });

  it('the three codes are distinct and in the ERR_ namespace', () => {
    const codes = Object.values(ERROR_CODES);
    expect(new Set(codes).size).toBe(3);
    for (const code of codes) expect(code).toMatch(/^ERR_[A-Z_]+$/);
    expect(ERROR_CODES.INVALID_PATH).toBe('ERR_TRUSTED_PROXY_PATH');
  });
});
