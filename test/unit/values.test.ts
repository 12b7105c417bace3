import { describe, expect, it } from 'vitest';
import { isHostName, lookupAnyCase, lookupLowerCase, REGISTRY } from '../../src/core/registry.js';
import {
  countEntries,
  cursor,
  parseFlag,
  parseHost,
  parsePort,
  parsePrefix,
  parseProto,
  parseServerName,
  pickEntry,
} from '../../src/core/values.js';

describe('R9 host › host[:port]', () => {
  const cases: Array<{ input: string; out: { hostname: string; port: number } | undefined }> = [
    { input: 'example.com', out: { hostname: 'example.com', port: 0 } },
    { input: 'Example.COM:8080', out: { hostname: 'example.com', port: 8080 } },
    { input: 'under_score.example', out: { hostname: 'under_score.example', port: 0 } },
    { input: 'example.com.', out: { hostname: 'example.com.', port: 0 } },
    { input: '1.2.3.4:80', out: { hostname: '1.2.3.4', port: 80 } },
    { input: '[2001:DB8::1]:443', out: { hostname: '[2001:db8::1]', port: 443 } },
    { input: '[::1]', out: { hostname: '[::1]', port: 0 } },
    { input: 'evil.com:x@good.com', out: undefined },
    { input: 'user@example.com', out: undefined },
    { input: 'a b.example', out: undefined },
    { input: 'a/b', out: undefined },
    { input: 'a\\b', out: undefined },
    { input: 'a,b', out: undefined },
    { input: 'exa\u00e9mple.com', out: undefined },
    { input: 'a\r\nb', out: undefined },
    { input: 'example.com:', out: undefined },
    { input: 'example.com:0', out: undefined },
    { input: 'example.com:65536', out: undefined },
    { input: 'example.com:080', out: undefined },
    { input: 'example.com:+80', out: undefined },
    { input: 'example.com:80:81', out: undefined },
    { input: '2001:db8::1', out: undefined },
    { input: '[2001:db8::1', out: undefined },
    { input: '[fe80::1%25eth0]', out: undefined },
    { input: '[1.2.3.4]', out: undefined },
    { input: '[::]', out: { hostname: '[::]', port: 0 } },
    { input: '1.2.3.999', out: undefined },
    { input: '127.1', out: undefined },
    { input: 'example.123', out: undefined },
    { input: '', out: undefined },
    { input: `${'a'.repeat(254)}`, out: undefined },
  ];
  for (const { input, out } of cases) {
    it(`${JSON.stringify(input)} → ${JSON.stringify(out)}`, () => {
      expect(parseHost(input)).toEqual(out);
    });
  }

  it('server names are hosts without a port', () => {
    expect(parseServerName('Blog.Example.com')).toBe('blog.example.com');
    expect(parseServerName('blog.example.com:80')).toBeUndefined();
  });
});

describe('R9 port', () => {
  const cases: Array<[string, number]> = [
    ['443', 443],
    ['1', 1],
    ['65535', 65535],
    ['0', -1],
    ['65536', -1],
    ['0443', -1],
    ['+443', -1],
    ['-1', -1],
    ['44 3', -1],
    ['123456', -1],
    ['abc', -1],
    ['', -1],
  ];
  for (const [input, out] of cases) {
    it(`${JSON.stringify(input)} → ${out}`, () => {
      expect(parsePort(input)).toBe(out);
    });
  }
});

describe('R9 scheme', () => {
  const protos: Array<[string, string | undefined]> = [
    ['http', 'http'],
    ['HTTPS', 'https'],
    ['wss', undefined],
    ['https ', undefined],
    ['ftp', undefined],
    ['', undefined],
  ];
  for (const [input, out] of protos) {
    it(`proto ${JSON.stringify(input)} → ${out}`, () => {
      expect(parseProto(input)).toBe(out);
    });
  }
  const flags: Array<[string, string | undefined]> = [
    ['on', 'https'],
    ['TRUE', 'https'],
    ['1', 'https'],
    ['off', 'http'],
    ['False', 'http'],
    ['0', 'http'],
    ['yes', undefined],
    ['2', undefined],
    ['', undefined],
  ];
  for (const [input, out] of flags) {
    it(`flag ${JSON.stringify(input)} → ${out}`, () => {
      expect(parseFlag(input)).toBe(out);
    });
  }
});

describe('R9 prefix', () => {
  const cases: Array<[string, string | undefined]> = [
    ['/app', '/app'],
    ['/app/', '/app'],
    ['/', ''],
    ['/a/b-c_d~e', '/a/b-c_d~e'],
    ['/caf%C3%A9', '/caf%C3%A9'],
    ["/a!$&'()*+;=:@", "/a!$&'()*+;=:@"],
    ['app', undefined],
    ['//evil.com', undefined],
    ['/a//b', undefined],
    ['/a/./b', undefined],
    ['/a/../b', undefined],
    ['/..', undefined],
    ['/%2e%2e', undefined],
    ['/%2E', undefined],
    ['/a%2fb', undefined],
    ['/a%5Cb', undefined],
    ['/a\\b', undefined],
    ['/a%00', undefined],
    ['/a%1f', undefined],
    ['/a%7F', undefined],
    ['/a%zz', undefined],
    ['/a%2', undefined],
    ['/a?b', undefined],
    ['/a#b', undefined],
    ['/a b', undefined],
    ['/a\u0000', undefined],
    ['/caf\u00e9', undefined],
    ['', undefined],
  ];
  for (const [input, out] of cases) {
    it(`${JSON.stringify(input)} → ${JSON.stringify(out)}`, () => {
      expect(parsePrefix(input)).toBe(out);
    });
  }
});

describe('R8 pickEntry() › v[max(0, L − hops)]', () => {
  const cases: Array<{ list: string; hops: number; out: string | undefined }> = [
    { list: 'a', hops: 1, out: 'a' },
    { list: 'a, b, c', hops: 1, out: 'c' },
    { list: 'a, b, c', hops: 2, out: 'b' },
    { list: 'a, b, c', hops: 3, out: 'a' },
    { list: 'a, b, c', hops: 7, out: 'a' },
    { list: ' a ,\tb\t', hops: 1, out: 'b' },
    { list: 'a,,b,', hops: 2, out: 'a' },
    { list: ', ,', hops: 1, out: undefined },
    { list: '', hops: 1, out: undefined },
  ];
  for (const { list, hops, out } of cases) {
    it(`${JSON.stringify(list)} with ${hops} hop(s) → ${JSON.stringify(out)}`, () => {
      const found = pickEntry(list, hops);
      expect(found ? list.slice(cursor.start, cursor.end) : undefined).toBe(out);
    });
  }

  it('counts non-empty entries', () => {
    expect(countEntries('a, , b,c', 10)).toBe(3);
    expect(countEntries('a, b, c', 2)).toBe(2);
    expect(countEntries(' , ', 10)).toBe(0);
  });
});

describe('R4 registry lookups', () => {
  it('finds every registry name in lower case and in any case, and nothing else', () => {
    for (const def of REGISTRY) {
      expect(lookupLowerCase(def.name)).toBe(def);
      expect(lookupAnyCase(def.canonical)).toBe(def);
      expect(lookupAnyCase(def.name.toUpperCase())).toBe(def);
    }
    for (const name of [
      'x-forwarded-fo',
      'x-forwarded-foR ',
      'accept',
      'cookie',
      'x_forwarded_for',
      'forwardee',
      '',
    ]) {
      expect(lookupAnyCase(name)).toBeUndefined();
      expect(lookupLowerCase(name)).toBeUndefined();
    }
    expect(lookupLowerCase('X-Forwarded-For')).toBeUndefined();
  });

  it('recognises Host in any case only', () => {
    expect(['Host', 'host', 'HOST', 'hOsT'].map(isHostName)).toEqual([true, true, true, true]);
    expect(['Hostx', 'hos', 'Ghost', 'h0st'].map(isHostName)).toEqual([false, false, false, false]);
  });
});
