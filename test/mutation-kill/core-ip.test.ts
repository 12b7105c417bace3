/**
 * IP parsing at its edges: malformed IPv6 held against node:net, zone ids (RFC 6874: unreserved
 * and `%`), embedded and bracketed IPv4, and RFC 7239 §6.3 obfuscated ports, only where asked.
 */
import { isIP } from 'node:net';
import { describe, expect, it } from 'vitest';
import { parseIPv4, parseIp, parseNode } from '../../src/core/ip.js';

describe('parseIp › IPv6 shapes node:net refuses', () => {
  it.each([
    '1:::2',
    ':::',
    '1::2:::3',
    '::1g2',
    '1x2::3',
    'fe80::1g:2',
    '1:2:3:4::5:6:7:8',
    '::1:2:3:4:5:6:7:8',
  ])('%s', (text) => {
    expect(isIP(text)).toBe(0);
    expect(parseIp(text)).toBeUndefined();
    expect(parseNode(text)).toBeUndefined();
  });

  it.each([
    ['1:2:3:4::5:6:7', '1:2:3:4:0:5:6:7'],
    ['::ffff:0.0.0.0', '0.0.0.0'],
    ['64:ff9b::0.0.0.0', '64:ff9b::'],
    ['::1.2.3.4', '::102:304'],
  ])('%s → %s (node:net accepts it too)', (text, canonical) => {
    expect(isIP(text)).toBe(6);
    expect(parseIp(text)?.text).toBe(canonical);
  });

  it('gives IPv4 no IPv6 words, as ParsedIp documents', () => {
    expect(parseIp('10.0.0.1')).toEqual({ family: 4, v4: 0x0a000001, v6: [], text: '10.0.0.1' });
    expect(parseIp('::ffff:10.0.0.1')).toEqual({ family: 4, v4: 0x0a000001, v6: [], text: '10.0.0.1' });
  });
});

describe('parseIPv4 › only decimal digits', () => {
  it.each(['1.2.3.a', '1.2.3.:', '1.2.3.4a', '1.2.a.4', '1.2.3.~'])('%s', (text) => {
    expect(isIP(text)).toBe(0);
    expect(parseIPv4(text)).toBe(-1);
  });
});

describe('parseIp › zone ids', () => {
  it.each([
    ['fe80::1%eth0', 'fe80::1'],
    ['fe80::%eth0', 'fe80::'],
    ['fe80::1%eth%30', 'fe80::1'],
    ['fe80::1%25', 'fe80::1'],
    ['fe80::1%a-b._~9', 'fe80::1'],
  ])('drops a zone of unreserved characters and %%: %s → %s', (text, canonical) => {
    expect(parseIp(text)?.text).toBe(canonical);
  });

  it.each(['fe80::1%eth 0', 'fe80::1%eth/0', 'fe80::1%e:1', 'fe80::1%', 'fe80::1%[x]', 'fe80::1%a@b'])(
    'refuses %j',
    (text) => {
      expect(parseIp(text)).toBeUndefined();
    },
  );
});

describe('parseNode › brackets', () => {
  it.each([
    ['[1.2.3.4]', undefined],
    ['[1.2.3.4]:80', undefined],
    ['[::ffff:1.2.3.4]', '1.2.3.4'],
    ['[::ffff:1.2.3.4]:443', '1.2.3.4'],
    ['[::1]', '::1'],
    ['[zz]', undefined],
    ['[1.2.3]:80', undefined],
    ['[]', undefined],
    ['[::1]x80', undefined],
    ['[::1]80', undefined],
    ['[::1]]:80', undefined],
  ])('%s → %s', (text, canonical) => {
    expect(parseNode(text)?.text).toBe(canonical);
  });
});

describe('parseNode › obfuscated ports (RFC 7239 §6.3) only when allowed', () => {
  /** obfport = "_" 1*(ALPHA / DIGIT / "." / "_" / "-") */
  const OBFPORT = /^_[A-Za-z0-9._-]+$/;
  const ports = [
    '_0',
    '_9',
    '_A',
    '_Z',
    '_a',
    '_z',
    '_09AZaz._-',
    '_',
    '_a~',
    '_a{',
    '_a^',
    '_a@',
    '_a:',
    '_a[',
    '_a`',
    '_a/',
    '_a|',
  ];

  it.each(ports)('1.2.3.4:%s and [2001:db8::1]:%s', (port) => {
    const valid = OBFPORT.test(port);
    expect(parseNode(`1.2.3.4:${port}`, 0, undefined, true)?.text).toBe(valid ? '1.2.3.4' : undefined);
    expect(parseNode(`[2001:db8::1]:${port}`, 0, undefined, true)?.text).toBe(
      valid ? '2001:db8::1' : undefined,
    );
    // X-Forwarded-For and the single-value headers take decimal ports only.
    expect(parseNode(`1.2.3.4:${port}`)).toBeUndefined();
    expect(parseNode(`[2001:db8::1]:${port}`)).toBeUndefined();
  });

  it('really accepts some of them', () => {
    expect(ports.filter((p) => OBFPORT.test(p))).toHaveLength(7);
  });
});
