/**
 * The demo's Accept negotiation (src/cli/accept.ts) against a transcription of RFC 9110
 * §12.5.1 as the demo applies it: the most specific matching range gives an offer its q;
 * highest q wins, then specificity, then the range that came first; q=0 refuses; a malformed
 * q drops the range; the first offer is the fallback.
 */
import { describe, expect, it } from 'vitest';
import { negotiateType } from '../../../src/cli/accept.js';
import { Rng } from '../../model/generate.js';

const OFFERS = ['text/plain', 'text/html', 'application/json'];

function oracle(header: string | undefined, offers: string[]): string {
  if (header === undefined || header.trim() === '') return offers[0] ?? '';
  const ranges: Array<{ type: string; subtype: string; q: number; index: number }> = [];
  header
    .split(',')
    .slice(0, 64)
    .forEach((part, index) => {
      const [mediaText, ...params] = part.split(';');
      const media = mediaText!.trim().toLowerCase();
      const m = /^([^/]+)\/(.+)$/.exec(media);
      if (!m) return;
      let q: number | undefined = 1;
      for (const p of params.map((x) => x.trim())) {
        if (/^[qQ]=./.test(p)) {
          const v = p.slice(2);
          q =
            /^[0-9.]{1,5}$/.test(v) && Number.isFinite(Number(v)) && Number(v) >= 0 && Number(v) <= 1
              ? Number(v)
              : undefined;
        }
      }
      if (q !== undefined) ranges.push({ type: m[1]!, subtype: m[2]!, q, index });
    });
  const scored = offers
    .map((offer) => {
      const [type, subtype] = offer.split('/');
      const matches = ranges
        .map((r) => ({
          r,
          s:
            r.type === type && r.subtype === subtype
              ? 2
              : r.type === type && r.subtype === '*'
                ? 1
                : r.type === '*' && r.subtype === '*'
                  ? 0
                  : -1,
        }))
        .filter((x) => x.s >= 0);
      if (matches.length === 0) return undefined;
      const top = Math.max(...matches.map((x) => x.s));
      const first = matches.find((x) => x.s === top)!;
      return { offer, q: first.r.q, s: top, index: first.r.index };
    })
    .filter((x) => x !== undefined && x.q > 0) as Array<{
    offer: string;
    q: number;
    s: number;
    index: number;
  }>;
  scored.sort((a, b) => b.q - a.q || b.s - a.s || a.index - b.index);
  return scored[0]?.offer ?? offers[0] ?? '';
}

describe('negotiateType against RFC 9110 as the demo reads it', () => {
  it('agrees on random Accept headers', () => {
    const rng = new Rng(0xacc);
    const MEDIA = [
      'text/plain',
      'text/html',
      'application/json',
      'text/*',
      '*/*',
      'TEXT/HTML',
      'application/*',
      'image/png',
      '/x',
      'x/',
      'bad',
      '',
      ' text/html ',
    ];
    const Q = [
      '',
      ';q=0',
      ';q=1',
      ';q=0.5',
      ';q=0.500',
      ';q=1.000',
      ';Q=0.9',
      ';q=',
      ';q=2',
      ';q=-1',
      ';q=0.1234',
      ';q=abc',
      ';level=1',
      ';q=0.8;x=y',
      '; q=0.3',
      ';q=1e0',
      ';q=.5',
    ];
    for (let i = 0; i < 5000; i++) {
      const n = rng.int(5);
      const parts: string[] = [];
      for (let k = 0; k < n; k++) parts.push(rng.pick(MEDIA) + rng.pick(Q));
      const header = rng.chance(0.05) ? undefined : parts.join(rng.pick([',', ', ', ' ,']));
      const offers = rng.chance(0.1) ? ['application/json', 'text/plain'] : OFFERS;
      expect(negotiateType(header, offers), JSON.stringify(header)).toBe(oracle(header, offers));
    }
  });

  it('edge cases', () => {
    expect(negotiateType(undefined, [])).toBe('');
    expect(negotiateType('text/html', [])).toBe('');
    expect(negotiateType('   ', OFFERS)).toBe('text/plain');
    expect(negotiateType('text/html;q=0, */*;q=0.1', OFFERS)).toBe('text/plain');
    expect(negotiateType('*/*;q=0.1, text/html', OFFERS)).toBe('text/html');
    expect(negotiateType('application/json, text/html', OFFERS)).toBe('application/json');
    expect(negotiateType('text/*;q=0.9, text/html;q=0.9', OFFERS)).toBe('text/html');
    expect(negotiateType(`${'x/y,'.repeat(64)}text/html`, OFFERS)).toBe('text/plain');
    expect(negotiateType(`${'x/y,'.repeat(63)}text/html`, OFFERS)).toBe('text/html');
  });
});
