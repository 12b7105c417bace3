/**
 * RFC 7239 `Forwarded` parsing: generated valid lines parse back to what generated them, and
 * the parser agrees with `forwarded-parse` (an independent strict parser) on every line that
 * parser accepts, except for documented, intended differences.
 */
import * as fc from 'fast-check';
import forwardedParse from 'forwarded-parse';
import { describe, expect, it } from 'vitest';
import { parseForwardedLine } from '../../src/core/forwarded.js';
import { forwardedLine, forwardedLineWith, strictSeparator } from './support/arbitraries.js';
import { params } from './support/config.js';

const KEYS = ['for', 'by', 'host', 'proto'] as const;

function pick(e: { for?: string; by?: string; host?: string; proto?: string }) {
  const out: Partial<Record<(typeof KEYS)[number], string>> = {};
  for (const k of KEYS) if (e[k] !== undefined) out[k] = e[k];
  return out;
}

/** Parameter names of each element of a line forwarded-parse accepted (so it is well-formed). */
function parameterNames(line: string): string[][] {
  const elements: string[][] = [[]];
  let quoted = false;
  let name = '';
  let inName = true;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
      continue;
    }
    if (c === '"') quoted = true;
    else if (c === '=' && inName) {
      elements[elements.length - 1]!.push(name.trim().toLowerCase());
      inName = false;
    } else if (c === ';' || c === ',') {
      if (c === ',') elements.push([]);
      name = '';
      inName = true;
    } else if (inName) name += c;
  }
  return elements;
}

describe('property › Forwarded round trip (R7)', () => {
  it('parses every generated valid line to the elements that generated it', () => {
    fc.assert(
      fc.property(forwardedLine, ({ elements, line }) => {
        const parsed = parseForwardedLine(line);
        expect(parsed.map((e) => ({ ...pick(e), malformed: e.malformed }))).toEqual(
          elements.map((e) => ({ ...e, malformed: false })),
        );
      }),
      params(1000),
    );
  });
});

describe('differential › Forwarded against forwarded-parse', () => {
  it('agrees on generated valid lines', () => {
    fc.assert(
      fc.property(forwardedLineWith(strictSeparator), ({ line }) => {
        const theirs = forwardedParse(line);
        const ours = parseForwardedLine(line);
        expect(ours.map((e) => pick(e))).toEqual(theirs.map(pick));
      }),
      params(1000),
    );
  });

  // Near-valid text: the characters that matter to the grammar, in random order.
  const grammarChar = fc.constantFrom(
    ...'for=by=host=proto=;,"\\ \t[]:._-1aZ'.split(''),
    'for=',
    'host=',
    ';proto=',
    ', for=',
    '"',
    '\u00e9',
    '\u0001',
  );
  const nearValid = fc.oneof(
    fc.string({ unit: grammarChar, minLength: 1, maxLength: 40 }),
    forwardedLine.map((l) => l.line),
  );

  it('agrees with it on every line it accepts, except for duplicate parameters (intended)', () => {
    let compared = 0;
    fc.assert(
      fc.property(nearValid, (line) => {
        let theirs: Record<string, string>[];
        try {
          theirs = forwardedParse(line);
        } catch {
          // Rejected there; ours must still never throw.
          expect(() => parseForwardedLine(line)).not.toThrow();
          return;
        }
        compared++;
        const ours = parseForwardedLine(line);
        const names = parameterNames(line);
        expect(ours.length).toBe(theirs.length);
        ours.forEach((element, i) => {
          const duplicate = new Set(names[i]).size !== names[i]!.length;
          // forwarded-parse keeps the last of a repeated parameter; RFC 7239 §4 says it MUST
          // NOT occur more than once, so the element is malformed here (a non-IP node, R7).
          expect(element.malformed).toBe(duplicate);
          if (!duplicate) expect(pick(element)).toEqual(pick(theirs[i]!));
        });
      }),
      params(3000),
    );
    expect(compared).toBeGreaterThan(100);
  });

  it.each([
    // Intended differences, each where forwarded-parse throws and RFC 7239 allows or we recover.
    {
      line: 'for=a,,for=b',
      ours: [{ for: 'a' }, { for: 'b' }],
      why: 'empty elements are skipped (RFC 9110 §5.6.1)',
    },
    { line: 'for=a;', ours: [{ for: 'a' }], why: 'an empty pair is allowed by the element grammar' },
    {
      line: 'for=a;;by=b',
      ours: [{ for: 'a', by: 'b' }],
      why: 'an empty pair is allowed by the element grammar',
    },
    {
      line: 'for="x, for=6.6.6.6',
      ours: [{ malformed: true }],
      why: 'an unterminated quote malforms its element only',
    },
    {
      line: 'for=1.2.3.4;for=5.6.7.8',
      ours: [{ malformed: true }],
      why: 'a repeated parameter is malformed (§4)',
    },
    {
      line: 'for=a b, for=c',
      ours: [{ malformed: true }, { for: 'c' }],
      why: 'bad syntax malforms its element only',
    },
  ])('$line: $why', ({ line, ours }) => {
    const parsed = parseForwardedLine(line).map((e) => (e.malformed ? { malformed: true } : pick(e)));
    expect(parsed).toEqual(ours);
  });
});
