import { describe, expect, it } from 'vitest';
import { negotiateType } from '../../src/cli/accept.js';

const OFFERS = ['text/plain', 'text/html', 'application/json'];

const cases: { accept: string | undefined; out: string; why: string }[] = [
  { accept: undefined, out: 'text/plain', why: 'no Accept header' },
  { accept: '', out: 'text/plain', why: 'an empty Accept header' },
  { accept: '*/*', out: 'text/plain', why: 'curl: anything, so the server order decides' },
  { accept: 'application/json', out: 'application/json', why: 'JSON only' },
  { accept: 'APPLICATION/JSON', out: 'application/json', why: 'media types are case-insensitive' },
  {
    accept: 'application/json, text/plain, */*',
    out: 'application/json',
    why: 'axios: the first listed wins a tie',
  },
  {
    accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8',
    out: 'text/html',
    why: 'a browser',
  },
  { accept: 'text/*', out: 'text/plain', why: 'a type wildcard, server order inside it' },
  { accept: 'text/*;q=0.5, application/json', out: 'application/json', why: 'q decides before order' },
  { accept: 'application/json;q=0, */*', out: 'text/plain', why: 'q=0 means not acceptable' },
  { accept: '*/*;q=0.1, text/html', out: 'text/html', why: 'an explicit type beats the wildcard' },
  { accept: 'text/plain;q=0.2, text/*;q=0.9', out: 'text/html', why: 'the most specific range gives the q' },
  { accept: 'image/png', out: 'text/plain', why: 'nothing acceptable: the first offer' },
  { accept: 'application/json;q=2, text/html', out: 'text/html', why: 'a q above 1 ignores that range' },
  { accept: 'application/json;q=abc, text/html', out: 'text/html', why: 'a malformed q ignores that range' },
  {
    accept: 'application/json ; charset=utf-8 ; q=0.7, text/html;q=0.5',
    out: 'application/json',
    why: 'parameters and spaces',
  },
  {
    accept: 'garbage, /, json/, application/json',
    out: 'application/json',
    why: 'malformed ranges are skipped',
  },
  {
    accept: `${'x/y,'.repeat(200)}application/json`,
    out: 'text/plain',
    why: 'only the first 64 ranges are read',
  },
];

describe('negotiateType()', () => {
  for (const row of cases) {
    it(`${row.why}: ${JSON.stringify(row.accept)?.slice(0, 60)} → ${row.out}`, () => {
      expect(negotiateType(row.accept, OFFERS)).toBe(row.out);
    });
  }
});
