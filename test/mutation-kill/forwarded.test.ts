/**
 * RFC 7239 parsing details, character by character (RFC 7230 §3.2.6 qdtext and quoted-pair),
 * error recovery, element text, extension parameters, and value serialisation.
 */
import { describe, expect, it } from 'vitest';
import { forwardedValue, parseForwardedLine } from '../../src/core/forwarded.js';

describe('parseForwardedLine › quoted strings', () => {
  it.each([
    ['for="a\tb"', 'a\tb'],
    ['for="a b"', 'a b'],
    ['for="!#~"', '!#~'],
    ['for="[::1]:80"', '[::1]:80'],
    ['for="\u0080\u00ff"', '\u0080\u00ff'],
    ['for="a\\\tb"', 'a\tb'],
    ['for="a\\ b"', 'a b'],
    ['for="\\~\\\u0080\\\u00ff"', '~\u0080\u00ff'],
    ['for="\\"\\\\"', '"\\'],
    ['for=""', ''],
  ])('%j → for=%j', (line, value) => {
    expect(parseForwardedLine(line)).toEqual([{ for: value, malformed: false, text: line }]);
  });

  it.each([
    'for="a\u007fb"',
    'for="a\u001fb"',
    'for="a\u0100b"',
    'for="a\\\u007f"',
    'for="a\\\u0000"',
    'for="a\\\u0100"',
    'for="abc\\',
    'for="abc',
  ])('%j is malformed', (line) => {
    expect(parseForwardedLine(line)).toEqual([{ malformed: true, text: line }]);
  });

  it('keeps what it read before the error in a malformed element (it is a non-IP node all the same)', () => {
    expect(parseForwardedLine('for=a"b"')).toEqual([{ for: 'a', malformed: true, text: 'for=a"b"' }]);
  });
});

describe('parseForwardedLine › tokens, elements and recovery', () => {
  it.each(['for=a{b', 'for=a@b', 'for=a:b', 'for=a/b', 'for=a[b'])('%j is malformed: not a tchar', (line) => {
    expect(parseForwardedLine(line)[0]!.malformed).toBe(true);
  });

  it('accepts every tchar in a token', () => {
    const token = "!#$%&'*+-.^_`|~09AZaz";
    expect(parseForwardedLine(`for=${token}`)).toEqual([
      { for: token, malformed: false, text: `for=${token}` },
    ]);
  });

  it('skips a malformed element up to the next comma outside quotes, escapes included', () => {
    const line = 'for=a b"x\\",y", for=1.2.3.4';
    expect(parseForwardedLine(line)).toEqual([
      { for: 'a', malformed: true, text: 'for=a b"x\\",y"' },
      { for: '1.2.3.4', malformed: false, text: 'for=1.2.3.4' },
    ]);
  });

  it('keeps the element text trimmed of OWS, and skips empty elements', () => {
    expect(parseForwardedLine(' ,\tfor=a ;  by=b\t, ,for=c')).toEqual([
      { for: 'a', by: 'b', malformed: false, text: 'for=a ;  by=b' },
      { for: 'c', malformed: false, text: 'for=c' },
    ]);
  });

  it('accepts extension parameters without storing them, and refuses a repeated one', () => {
    expect(parseForwardedLine('for=a;secret="x";Proto=https')).toEqual([
      { for: 'a', proto: 'https', malformed: false, text: 'for=a;secret="x";Proto=https' },
    ]);
    expect(parseForwardedLine('for=a;secret=1;SECRET=2')[0]!.malformed).toBe(true);
    expect(parseForwardedLine('secret=1')).toEqual([{ malformed: false, text: 'secret=1' }]);
  });

  it('refuses whitespace around "=" and text after a value', () => {
    for (const line of ['for =a', 'for= a', 'for=a b', 'for="a"b', 'for="a" b']) {
      expect(parseForwardedLine(line)[0]!.malformed, line).toBe(true);
    }
    expect(parseForwardedLine('for=a ,for=b').map((e) => e.for)).toEqual(['a', 'b']);
    expect(parseForwardedLine('for="a" ;by=b')).toEqual([
      { for: 'a', by: 'b', malformed: false, text: 'for="a" ;by=b' },
    ]);
  });

  it('returns nothing for an empty or blank line', () => {
    expect(parseForwardedLine('')).toEqual([]);
    expect(parseForwardedLine(' \t ')).toEqual([]);
  });

  it('keeps an element of `;` alone as an element without parameters (R7)', () => {
    expect(parseForwardedLine(';')).toEqual([{ malformed: false, text: ';' }]);
    expect(parseForwardedLine(' ; ; ')).toEqual([{ malformed: false, text: '; ;' }]);
    expect(parseForwardedLine('for=1.1.1.1, ;, for=2.2.2.2').map((e) => e.for)).toEqual([
      '1.1.1.1',
      undefined,
      '2.2.2.2',
    ]);
  });
});

describe('forwardedValue', () => {
  it.each([
    ['abc', 'abc'],
    ['1.2.3.4', '1.2.3.4'],
    ['', '""'],
    ['[::1]:80', '"[::1]:80"'],
    ['a"b\\c', '"a\\"b\\\\c"'],
    ['a b', '"a b"'],
  ])('%j → %j', (value, text) => {
    expect(forwardedValue(value)).toBe(text);
    expect(parseForwardedLine(`for=${text}`)[0]!.for).toBe(value);
  });
});
