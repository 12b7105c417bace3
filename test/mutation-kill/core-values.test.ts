/**
 * R9 value validation at its edges: `xn--` labels held against WHATWG URL (the host a URL can
 * hold), names whose last label is a number (decimal or `0x` hex, as browsers read them), the
 * 253-character limit, lower-casing, the text after a bracketed IPv6 literal, and `%XX`
 * escapes in a prefix (valid hex, both digits, what they decode to).
 */
import { describe, expect, it } from 'vitest';
import { parseHost, parsePrefix, parseServerName } from '../../src/core/values.js';

function urlAccepts(hostname: string): boolean {
  try {
    new URL(`http://${hostname}/`);
    return true;
  } catch {
    return false;
  }
}

describe('parseHost › xn-- labels are valid punycode or the host is invalid (as WHATWG URL reads it)', () => {
  it.each([
    'xn--nxasmq6b.example',
    'xn--bcher-kva.example',
    'www.xn--bcher-kva.example',
    'XN--BCHER-KVA.example',
    'xn--a.example',
    'xn--.example',
    'a.xn--zz',
    'a.xn--a',
    'xn--a',
    'www.xn--a.example',
  ])('%s', (host) => {
    const lower = host.toLowerCase();
    const expected = urlAccepts(lower) ? { hostname: lower, port: 0 } : undefined;
    expect(parseHost(host)).toEqual(expected);
    expect(parseHost(`${host}:8443`)).toEqual(
      expected === undefined ? undefined : { hostname: lower, port: 8443 },
    );
    expect(parseServerName(host)).toBe(expected?.hostname);
  });

  it('really does refuse some and accept others', () => {
    expect(parseHost('xn--a.example')).toBeUndefined();
    expect(parseHost('xn--bcher-kva.example')).toEqual({ hostname: 'xn--bcher-kva.example', port: 0 });
  });
});

describe('parseHost › a last label that is a number must make a dotted quad', () => {
  it.each([
    ['example.10', undefined],
    ['example.0', undefined],
    ['a.100.', undefined],
    ['a.0xa', undefined],
    ['a.0xA0', undefined],
    ['a.0xf', undefined],
    ['a.0x1-2', 'a.0x1-2'],
    ['a.0xg', 'a.0xg'],
    ['a.0xz1', 'a.0xz1'],
    ['a.0x1_', 'a.0x1_'],
    ['a.10x', 'a.10x'],
    ['0.0.0.0', '0.0.0.0'],
    ['10.0.0.10', '10.0.0.10'],
  ])('%s → %s', (host, hostname) => {
    expect(parseHost(host)?.hostname).toBe(hostname);
    // WHATWG URL agrees on which of them name a host at all.
    expect(urlAccepts(host), host).toBe(hostname !== undefined);
  });
});

describe('parseHost › length, case and what follows a bracketed literal', () => {
  it('accepts a name of 253 characters and refuses 254', () => {
    const name253 = `${'a'.repeat(61)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}`;
    expect(name253.length).toBe(253);
    expect(parseHost(name253)).toEqual({ hostname: name253, port: 0 });
    expect(parseHost(`e${name253}`)).toBeUndefined();
    expect(parseServerName(`e${name253}`)).toBeUndefined();
  });

  it.each([
    ['A.example', 'a.example'],
    ['example.A', 'example.a'],
    ['Z', 'z'],
    ['a-Z_0', 'a-z_0'],
  ])('lower-cases %s', (host, hostname) => {
    expect(parseHost(host)).toEqual({ hostname, port: 0 });
  });

  it.each(['[::1]x80', '[::1]80', '[::1]/80', '[::1]]:80'])(
    'refuses %j: only ":port" may follow "]"',
    (host) => {
      expect(parseHost(host)).toBeUndefined();
    },
  );
});

describe('parsePrefix › %XX escapes', () => {
  it.each([
    ['/a%20b', '/a%20b'],
    ['/%21', '/%21'],
    ['/a%7e', '/a%7e'],
    ['/%C3%A9', '/%C3%A9'],
    ['/%2E', undefined],
    ['/a%2Eb', undefined],
    ['/%2F', undefined],
    ['/%5C', undefined],
    ['/%7F', undefined],
    ['/%1F', undefined],
    ['/%zz', undefined],
    ['/%g0', undefined],
    ['/%4z', undefined],
    ['/%7g', undefined],
    ['/%3G', undefined],
    ['/%-1', undefined],
    ['/%4@', undefined],
    ['/%`1', undefined],
  ])('%s → %s', (prefix, out) => {
    expect(parsePrefix(prefix)).toBe(out);
  });
});
