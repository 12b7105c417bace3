/** RFC 3986 character classes, by char code, shared by the validators. */

/** unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~" (RFC 3986 §2.3) */
export function isUnreserved(c: number): boolean {
  return (
    (c >= 0x61 && c <= 0x7a) ||
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x30 && c <= 0x39) ||
    c === 0x2d /* - */ ||
    c === 0x2e /* . */ ||
    c === 0x5f /* _ */ ||
    c === 0x7e /* ~ */
  );
}

/** pchar without pct-encoded, plus "/": unreserved / sub-delims / ":" / "@" / "/" (RFC 3986 §3.3) */
export function isPathChar(c: number): boolean {
  return (
    isUnreserved(c) ||
    c === 0x21 /* ! */ ||
    c === 0x24 /* $ */ ||
    (c >= 0x26 && c <= 0x2c) /* & ' ( ) * + , */ ||
    c === 0x3b /* ; */ ||
    c === 0x3d /* = */ ||
    c === 0x3a /* : */ ||
    c === 0x40 /* @ */ ||
    c === 0x2f /* / */
  );
}

/** The index of the first `code` in `s[start, end)`, or -1. */
export function indexOfCode(s: string, code: number, start: number, end: number): number {
  for (let i = start; i < end; i++) if (s.charCodeAt(i) === code) return i;
  return -1;
}
