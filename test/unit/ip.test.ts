import { describe, expect, it } from 'vitest';
import { formatIPv6, parseIPv4, parseIp, parseNode } from '../../src/core/ip.js';

describe('parseIPv4() › strict dotted quad', () => {
  const cases: Array<{ input: string; out: number }> = [
    { input: '1.2.3.4', out: 0x01020304 },
    { input: '0.0.0.0', out: 0 },
    { input: '255.255.255.255', out: 0xffffffff },
    { input: '10.0.0.1', out: 0x0a000001 },
    { input: '127.1', out: -1 },
    { input: '0x7f.0.0.1', out: -1 },
    { input: '2130706433', out: -1 },
    { input: '010.0.0.1', out: -1 },
    { input: '1.2.3.256', out: -1 },
    { input: '1.2.3.4.5', out: -1 },
    { input: '1.2.3.', out: -1 },
    { input: '.1.2.3', out: -1 },
    { input: '1..2.3', out: -1 },
    { input: ' 1.2.3.4', out: -1 },
    { input: '1.2.3.4 ', out: -1 },
    { input: '1.2.3.0004', out: -1 },
    { input: '', out: -1 },
  ];
  for (const { input, out } of cases) {
    it(`${JSON.stringify(input)} → ${out}`, () => {
      expect(parseIPv4(input)).toBe(out);
    });
  }
});

describe('parseIp() › canonical text (R5)', () => {
  const cases: Array<{ input: string; out: string | undefined; family?: 4 | 6 }> = [
    { input: '1.2.3.4', out: '1.2.3.4', family: 4 },
    { input: '::ffff:127.0.0.1', out: '127.0.0.1', family: 4 },
    { input: '::FFFF:7f00:1', out: '127.0.0.1', family: 4 },
    { input: '2001:DB8::1', out: '2001:db8::1', family: 6 },
    { input: '2001:0db8:0000:0000:0000:0000:0000:0001', out: '2001:db8::1', family: 6 },
    { input: 'fe80::1%eth0', out: 'fe80::1', family: 6 },
    { input: 'fe80::1%', out: undefined },
    { input: '::1', out: '::1', family: 6 },
    { input: '::', out: '::', family: 6 },
    { input: '1::', out: '1::', family: 6 },
    { input: '2001:db8:0:0:1:0:0:1', out: '2001:db8::1:0:0:1', family: 6 },
    { input: '2001:0:0:1:0:0:0:1', out: '2001:0:0:1::1', family: 6 },
    { input: '2001:db8:0:1:1:1:1:1', out: '2001:db8:0:1:1:1:1:1', family: 6 },
    { input: '::1.2.3.4', out: '::102:304', family: 6 },
    { input: '1:2:3:4:5:6:7:8:9', out: undefined },
    { input: '1:2:3:4:5:6:7', out: undefined },
    { input: '1::2::3', out: undefined },
    { input: ':1::2', out: undefined },
    { input: '1::2:', out: undefined },
    { input: '12345::1', out: undefined },
    { input: 'g::1', out: undefined },
    { input: '::ffff:1.2.3', out: undefined },
    { input: 'localhost', out: undefined },
  ];
  for (const { input, out, family } of cases) {
    it(`${JSON.stringify(input)} → ${JSON.stringify(out)}`, () => {
      const ip = parseIp(input);
      expect(ip?.text).toBe(out);
      if (family !== undefined) expect(ip?.family).toBe(family);
    });
  }
});

describe('parseNode() › accepted node shapes (R7)', () => {
  const cases: Array<{ input: string; out: string | undefined; obfuscated?: boolean }> = [
    { input: '1.2.3.4', out: '1.2.3.4' },
    { input: '1.2.3.4:5678', out: '1.2.3.4' },
    { input: '2001:db8::1', out: '2001:db8::1' },
    { input: '[2001:db8::1]', out: '2001:db8::1' },
    { input: '[2001:db8::1]:443', out: '2001:db8::1' },
    { input: '[2001:DB8::1]:443', out: '2001:db8::1' },
    { input: '[fe80::1%eth0]:443', out: 'fe80::1' },
    { input: '::ffff:10.0.0.9', out: '10.0.0.9' },
    { input: '[2001:db8::1]:_obf', out: undefined },
    { input: '[2001:db8::1]:_obf', out: '2001:db8::1', obfuscated: true },
    { input: '1.2.3.4:_x', out: '1.2.3.4', obfuscated: true },
    { input: '1.2.3.4:0', out: undefined },
    { input: '1.2.3.4:65536', out: undefined },
    { input: '1.2.3.4:080', out: undefined },
    { input: '1.2.3.4:', out: undefined },
    { input: '[1.2.3.4]', out: undefined },
    { input: '[2001:db8::1', out: undefined },
    { input: '[2001:db8::1]x', out: undefined },
    { input: '0.0.0.0', out: undefined },
    { input: '::', out: undefined },
    { input: '::ffff:0.0.0.0', out: undefined },
    { input: 'unknown', out: undefined },
    { input: '_hidden', out: undefined },
    { input: '127.1', out: undefined },
    { input: '010.0.0.1', out: undefined },
    { input: '2130706433', out: undefined },
    { input: 'garbage', out: undefined },
    { input: '', out: undefined },
  ];
  for (const { input, out, obfuscated } of cases) {
    it(`${JSON.stringify(input)}${obfuscated ? ' (RFC 7239)' : ''} → ${JSON.stringify(out)}`, () => {
      expect(parseNode(input, 0, input.length, obfuscated === true)?.text).toBe(out);
    });
  }
});

describe('formatIPv6() › RFC 5952', () => {
  it('compresses the first of two equal zero runs', () => {
    expect(formatIPv6([1, 0, 0, 2, 0, 0, 3, 4])).toBe('1::2:0:0:3:4');
  });
  it('does not compress a single zero word', () => {
    expect(formatIPv6([1, 0, 2, 3, 4, 5, 6, 7])).toBe('1:0:2:3:4:5:6:7');
  });
  it('writes IPv4-mapped addresses in mixed notation', () => {
    expect(formatIPv6([0, 0, 0, 0, 0, 0xffff, 0x0102, 0x0304])).toBe('::ffff:1.2.3.4');
  });
});
