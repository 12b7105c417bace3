/**
 * RFC 7239 §4: pairs inside an element are separated by `;` only. Two pairs side by side with
 * nothing or whitespace between them are bad syntax, as forwarded-parse (an independent strict
 * parser) says too; and a malformed element at the end of a line keeps its text trimmed.
 */
import forwardedParse from 'forwarded-parse';
import { describe, expect, it } from 'vitest';
import { parseForwardedLine } from '../../src/core/forwarded.js';

describe('parseForwardedLine › pairs need a ";" between them', () => {
  it.each([
    ['for=a by=b', { for: 'a' }],
    ['for=a\tby=b', { for: 'a' }],
    ['for="a"by=b', { for: 'a' }],
    ['for="a" by=b', { for: 'a' }],
    ['for="[::1]"proto=https', { for: '[::1]' }],
    ['proto=https host=evil.example', { proto: 'https' }],
  ])('%j is one malformed element', (line, read) => {
    expect(() => forwardedParse(line)).toThrow();
    expect(parseForwardedLine(line)).toEqual([{ ...read, malformed: true, text: line }]);
  });

  it('still reads the well-formed elements after it on the same line', () => {
    const line = 'for=a by=b, for=1.2.3.4;proto=https';
    expect(parseForwardedLine(line)).toEqual([
      { for: 'a', malformed: true, text: 'for=a by=b' },
      { for: '1.2.3.4', proto: 'https', malformed: false, text: 'for=1.2.3.4;proto=https' },
    ]);
  });
});

describe('parseForwardedLine › a malformed last element', () => {
  it.each([
    ['for=a b ', 'for=a b'],
    ['for=a b\t \t', 'for=a b'],
    ['for=1.1.1.1,  for="x" y  ', 'for="x" y'],
    ['for="a\\"" junk \t', 'for="a\\"" junk'],
  ])('%j keeps its text trimmed: %j', (line, text) => {
    const elements = parseForwardedLine(line);
    const last = elements[elements.length - 1]!;
    expect(last.malformed).toBe(true);
    expect(last.text).toBe(text);
  });
});
