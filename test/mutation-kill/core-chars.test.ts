/**
 * src/core/chars.ts against RFC 3986 written out as regular expressions: every char code from
 * 0 to 0x17f through `isUnreserved` (§2.3) and `isPathChar` (§3.3 pchar without pct-encoded,
 * plus "/"), and `indexOfCode` against `String.prototype.indexOf` on every window of a string.
 */
import { describe, expect, it } from 'vitest';
import { indexOfCode, isPathChar, isUnreserved } from '../../src/core/chars.js';

/** RFC 3986 §2.3: unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~" */
const UNRESERVED = /^[A-Za-z0-9\-._~]$/;
/** RFC 3986 §2.2: sub-delims = "!" / "$" / "&" / "'" / "(" / ")" / "*" / "+" / "," / ";" / "=" */
const SUB_DELIMS = /^[!$&'()*+,;=]$/;

const CODES = Array.from({ length: 0x180 }, (_, c) => c);

describe('chars › isUnreserved', () => {
  it('is true exactly for ALPHA, DIGIT, "-", ".", "_" and "~"', () => {
    const wrong = CODES.filter((c) => isUnreserved(c) !== UNRESERVED.test(String.fromCharCode(c)));
    expect(wrong.map((c) => String.fromCharCode(c))).toEqual([]);
  });
});

describe('chars › isPathChar', () => {
  it('is true exactly for unreserved, sub-delims, ":", "@" and "/"', () => {
    const oracle = (ch: string) =>
      UNRESERVED.test(ch) || SUB_DELIMS.test(ch) || ch === ':' || ch === '@' || ch === '/';
    const wrong = CODES.filter((c) => isPathChar(c) !== oracle(String.fromCharCode(c)));
    expect(wrong.map((c) => String.fromCharCode(c))).toEqual([]);
  });

  it('refuses "%", "?", "#", "[", "]", space and DEL', () => {
    for (const ch of ['%', '?', '#', '[', ']', ' ', '\x7f', '"', '<', '>', '\\', '^', '`', '{', '|', '}']) {
      expect(isPathChar(ch.charCodeAt(0)), ch).toBe(false);
    }
  });
});

describe('chars › indexOfCode', () => {
  const text = ']a]b]]c';
  const windows: Array<[number, number]> = [];
  for (let start = 0; start <= text.length; start++) {
    for (let end = start; end <= text.length; end++) windows.push([start, end]);
  }
  it.each(windows)('"]" in [%i, %i) as indexOf on the slice', (start, end) => {
    const inSlice = text.slice(start, end).indexOf(']');
    expect(indexOfCode(text, 0x5d, start, end)).toBe(inSlice < 0 ? -1 : start + inSlice);
  });

  it('finds nothing in an empty window or for a code that is absent', () => {
    expect(indexOfCode(text, 0x5d, 3, 3)).toBe(-1);
    expect(indexOfCode(text, 0x7a /* z */, 0, text.length)).toBe(-1);
  });
});
