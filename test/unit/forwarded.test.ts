import { describe, expect, it } from 'vitest';
import { forwardedValue, parseForwardedLine } from '../../src/core/forwarded.js';

type Expected = Array<Record<string, string | boolean>>;

describe('parseForwardedLine() › RFC 7239 §4, strictly', () => {
  const cases: Array<{ name: string; input: string; out: Expected }> = [
    { name: 'one pair', input: 'for=192.0.2.60', out: [{ for: '192.0.2.60', malformed: false }] },
    {
      name: 'all four parameters',
      input: 'for=192.0.2.60;proto=http;by=203.0.113.43;host=example.com',
      out: [{ for: '192.0.2.60', proto: 'http', by: '203.0.113.43', host: 'example.com', malformed: false }],
    },
    {
      name: 'case-insensitive parameter names',
      input: 'For=1.2.3.4;PROTO=https',
      out: [{ for: '1.2.3.4', proto: 'https', malformed: false }],
    },
    {
      name: 'a quoted IPv6 node with a port',
      input: 'for="[2001:db8:cafe::17]:4711"',
      out: [{ for: '[2001:db8:cafe::17]:4711', malformed: false }],
    },
    {
      name: 'quoted-pair escapes',
      input: 'for="\\"x\\\\y"',
      out: [{ for: '"x\\y', malformed: false }],
    },
    {
      name: 'a list with optional whitespace around , and ;',
      input: 'for=1.1.1.1 ;  proto=http ,\tfor=2.2.2.2',
      out: [
        { for: '1.1.1.1', proto: 'http', malformed: false },
        { for: '2.2.2.2', malformed: false },
      ],
    },
    {
      name: 'empty elements are skipped',
      input: ', for=1.1.1.1,, ,for=2.2.2.2,',
      out: [
        { for: '1.1.1.1', malformed: false },
        { for: '2.2.2.2', malformed: false },
      ],
    },
    {
      name: 'unknown and obfuscated nodes are values',
      input: 'for=unknown, for=_hidden',
      out: [
        { for: 'unknown', malformed: false },
        { for: '_hidden', malformed: false },
      ],
    },
    {
      name: 'a semicolon inside a quoted string is not a separator',
      input: 'for="1.2.3.4;proto=https";host=a.example',
      out: [{ for: '1.2.3.4;proto=https', host: 'a.example', malformed: false }],
    },
    {
      name: 'a comma inside a quoted string is not a separator',
      input: 'for="1.2.3.4, for=6.6.6.6", for=2.2.2.2',
      out: [
        { for: '1.2.3.4, for=6.6.6.6', malformed: false },
        { for: '2.2.2.2', malformed: false },
      ],
    },
    { name: 'a duplicate parameter', input: 'for=1.1.1.1;for=2.2.2.2', out: [{ malformed: true }] },
    { name: 'a duplicate parameter in another case', input: 'host=a;HOST=b', out: [{ malformed: true }] },
    { name: 'a duplicate extension parameter', input: 'for=1.1.1.1;ext=a;Ext=b', out: [{ malformed: true }] },
    { name: 'whitespace around =', input: 'for = 1.1.1.1', out: [{ malformed: true }] },
    { name: 'an unquoted IPv6 node', input: 'for=[2001:db8::1]', out: [{ malformed: true }] },
    { name: 'a missing value', input: 'for=', out: [{ malformed: true }] },
    { name: 'a missing =', input: 'for', out: [{ malformed: true }] },
    { name: 'junk after a value', input: 'for=1.1.1.1 x', out: [{ malformed: true }] },
    {
      name: 'an unterminated quote swallows the rest of its line only',
      input: 'for="unterminated, for=2.2.2.2',
      out: [{ malformed: true }],
    },
    {
      name: 'a malformed element does not swallow the next element',
      input: 'for=1.1.1.1;;x, for=2.2.2.2',
      out: [{ malformed: true }, { for: '2.2.2.2', malformed: false }],
    },
    { name: 'a control character in a quoted string', input: 'for="a\u0001b"', out: [{ malformed: true }] },
    { name: 'an empty line', input: '', out: [] },
    { name: 'only commas', input: ' , , ,', out: [] },
    { name: 'an element of `;` alone has no parameters (R7)', input: ' , ; ,', out: [{ malformed: false }] },
  ];
  for (const { name, input, out } of cases) {
    it(name, () => {
      const parsed = parseForwardedLine(input).map(({ text: _text, ...rest }) => rest);
      expect(parsed).toEqual(out.map((o) => expect.objectContaining(o)));
      expect(parsed).toHaveLength(out.length);
    });
  }

  it('stays linear with thousands of extension parameters (R17) and still finds duplicates', () => {
    const many = Array.from({ length: 20_000 }, (_, i) => `p${i}=1`).join(';');
    const [element] = parseForwardedLine(`${many};for=10.0.0.3`);
    expect(element).toMatchObject({ for: '10.0.0.3', malformed: false });
    expect(parseForwardedLine(`${many};P7=2`)[0]!.malformed).toBe(true);
  });

  it('keeps the trimmed text of each element', () => {
    expect(parseForwardedLine(' for=1.1.1.1;proto=http , for=2.2.2.2 ').map((e) => e.text)).toEqual([
      'for=1.1.1.1;proto=http',
      'for=2.2.2.2',
    ]);
  });
});

describe('forwardedValue() › serialising', () => {
  it('leaves a token as it is', () => {
    expect(forwardedValue('1.2.3.4')).toBe('1.2.3.4');
  });
  it('quotes what is not a token', () => {
    expect(forwardedValue('[2001:db8::1]')).toBe('"[2001:db8::1]"');
    expect(forwardedValue('example.com:8080')).toBe('"example.com:8080"');
  });
  it('escapes quotes and backslashes', () => {
    expect(forwardedValue('a"b\\c')).toBe('"a\\"b\\\\c"');
  });
});
