/**
 * RFC 7239 `Forwarded`, parsed strictly and one header line at a time (R7): a malformed line
 * a client sent cannot swallow the elements a proxy added on its own line, and nothing is
 * split on `;` or `,` before quoted strings are read (the semicolon-injection class).
 *
 *   Forwarded         = 1#forwarded-element                      (§4)
 *   forwarded-element = [ forwarded-pair ] *( ";" [ forwarded-pair ] )
 *   forwarded-pair    = token "=" value
 *   value             = token / quoted-string                    (RFC 7230 §3.2.6)
 */

/** One element of a `Forwarded` header. Parameter values are unquoted and unescaped. */
export interface ForwardedElement {
  for?: string;
  by?: string;
  host?: string;
  proto?: string;
  /** Bad syntax or a duplicate parameter: the element counts as a non-IP node (R7). */
  malformed: boolean;
  /** The element's text as it appeared on the line, trimmed. */
  text: string;
}

function isOws(c: number): boolean {
  return c === 0x20 /* SP */ || c === 0x09; /* HTAB */
}

/** RFC 7230 §3.2.6 tchar. */
function isTchar(c: number): boolean {
  return (
    (c >= 0x61 && c <= 0x7a) ||
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x30 && c <= 0x39) ||
    c === 0x21 /* ! */ ||
    (c >= 0x23 && c <= 0x27) /* # $ % & ' */ ||
    c === 0x2a /* * */ ||
    c === 0x2b /* + */ ||
    c === 0x2d /* - */ ||
    c === 0x2e /* . */ ||
    c === 0x5e /* ^ */ ||
    c === 0x5f /* _ */ ||
    c === 0x60 /* ` */ ||
    c === 0x7c /* | */ ||
    c === 0x7e /* ~ */
  );
}

/** qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text */
function isQdtext(c: number): boolean {
  return (
    c === 0x09 ||
    c === 0x20 ||
    c === 0x21 ||
    (c >= 0x23 && c <= 0x5b) ||
    (c >= 0x5d && c <= 0x7e) ||
    (c >= 0x80 && c <= 0xff)
  );
}

/** quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text ) */
function isQuotedPairChar(c: number): boolean {
  return c === 0x09 || (c >= 0x20 && c <= 0x7e) || (c >= 0x80 && c <= 0xff);
}

let pos = 0;

/** Reads a quoted-string starting at `pos` (on the DQUOTE); undefined if bad or unterminated. */
function readQuoted(line: string): string | undefined {
  let out = '';
  let i = pos + 1;
  let chunk = i;
  while (i < line.length) {
    const c = line.charCodeAt(i);
    if (c === 0x22 /* " */) {
      out += line.slice(chunk, i);
      pos = i + 1;
      return out;
    }
    if (c === 0x5c /* \ */) {
      if (i + 1 >= line.length || !isQuotedPairChar(line.charCodeAt(i + 1))) return undefined;
      out += line.slice(chunk, i);
      chunk = i + 1;
      i += 2;
      continue;
    }
    if (!isQdtext(c)) return undefined;
    i++;
  }
  return undefined;
}

function readToken(line: string): string | undefined {
  const start = pos;
  while (pos < line.length && isTchar(line.charCodeAt(pos))) pos++;
  return pos > start ? line.slice(start, pos) : undefined;
}

/** After a syntax error: skip to the next `,` outside a quoted string (or the end of the line). */
function skipToNextElement(line: string): void {
  let quoted = false;
  while (pos < line.length) {
    const c = line.charCodeAt(pos);
    if (quoted) {
      if (c === 0x5c /* \ */) pos++;
      else if (c === 0x22 /* " */) quoted = false;
    } else if (c === 0x22) {
      quoted = true;
    } else if (c === 0x2c /* , */) {
      return;
    }
    pos++;
  }
}

/**
 * Parses one `Forwarded` header line into its elements, left to right. Empty elements are
 * skipped; an element of `;` alone is kept, with no parameters (R7); an element with bad syntax or a repeated parameter (names compared
 * case-insensitively) is returned with `malformed: true`. Never throws.
 */
export function parseForwardedLine(line: string): ForwardedElement[] {
  const elements: ForwardedElement[] = [];
  pos = 0;
  while (pos < line.length) {
    const start = pos;
    const element: ForwardedElement = { malformed: false, text: '' };
    let pairs = 0;
    /* `;` with no pairs is an element without `for=` (R7), not an empty one. */
    let semicolons = false;
    let extensions: Set<string> | undefined;
    let ok = true;
    while (pos < line.length && isOws(line.charCodeAt(pos))) pos++;
    while (pos < line.length) {
      const c = line.charCodeAt(pos);
      if (c === 0x2c /* , */) break;
      if (c === 0x3b /* ; */) {
        semicolons = true;
        pos++;
        while (pos < line.length && isOws(line.charCodeAt(pos))) pos++;
        continue;
      }
      const name = readToken(line);
      if (name === undefined || line.charCodeAt(pos) !== 0x3d /* = */) {
        ok = false;
        break;
      }
      pos++;
      const value = line.charCodeAt(pos) === 0x22 /* " */ ? readQuoted(line) : readToken(line);
      if (value === undefined) {
        ok = false;
        break;
      }
      pairs++;
      const key = name.toLowerCase();
      if (key === 'for' || key === 'by' || key === 'host' || key === 'proto') {
        if (element[key] !== undefined) element.malformed = true; /* duplicate parameter (§4) */
        element[key] = value;
      } else {
        // A Set keeps a line of many extension parameters linear (R17).
        if (extensions === undefined) extensions = new Set();
        if (extensions.has(key)) element.malformed = true;
        extensions.add(key);
      }
      while (pos < line.length && isOws(line.charCodeAt(pos))) pos++;
      if (pos < line.length) {
        const next = line.charCodeAt(pos);
        if (next !== 0x3b && next !== 0x2c) {
          ok = false;
          break;
        }
      }
    }
    if (!ok) {
      element.malformed = true;
      skipToNextElement(line);
    }
    if (pairs > 0 || semicolons || element.malformed) {
      let a = start;
      let b = pos;
      while (a < b && isOws(line.charCodeAt(a))) a++;
      while (b > a && isOws(line.charCodeAt(b - 1))) b--;
      element.text = line.slice(a, b);
      elements.push(element);
    }
    pos++; /* the "," */
  }
  return elements;
}

/** Serialises a node or host value for a rewritten header: a token when it is one, else quoted. */
export function forwardedValue(value: string): string {
  let token = value.length > 0;
  for (let i = 0; i < value.length && token; i++) token = isTchar(value.charCodeAt(i));
  if (token) return value;
  let out = '"';
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x22 || c === 0x5c) out += '\\';
    out += value[i];
  }
  return `${out}"`;
}
