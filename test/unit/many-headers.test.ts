// A request with many header lines (more than 16: Node's headers object is then a V8
// dictionary, and the resolution hands the keys it enumerated to the edit, src/core/edit.ts)
// is edited exactly like a small one: same keys, same order, same values.
import { describe, expect, it } from 'vitest';
import { type TrustedProxyOptions, trustedProxy } from '../../src/index.js';
import { fakeRequest } from '../helpers/request.js';

const OPTIONS: TrustedProxyOptions = {
  trustedHeaders: ['X-Forwarded-For', 'X-Forwarded-Host', 'X-Forwarded-Proto'],
  trustedProxies: ['127.0.0.1'],
};

const FILLER: Array<[string, string]> = Array.from({ length: 20 }, (_, i) => [`X-Filler-${i}`, `v${i}`]);

function lines(filler: Array<[string, string]>): Array<[string, string]> {
  return [
    ['Host', 'app.internal:3000'],
    ['X-Real-IP', '6.6.6.6'],
    ...filler.slice(0, 10),
    ['X-Forwarded-For', '6.6.6.6, 203.0.113.7'],
    ['X-Forwarded-Host', 'Shop.Example'],
    ...filler.slice(10),
    ['X-Forwarded-Proto', 'https'],
    ['Forwarded', 'for=1.2.3.4'],
  ];
}

function processed(peer: string, filler: Array<[string, string]>) {
  const req = fakeRequest({ peer, headers: lines(filler) });
  const info = trustedProxy(OPTIONS).process(req);
  return {
    entries: Object.entries(req.headers),
    raw: req.rawHeaders,
    rejected: info.rejected.length,
    host: info.host,
  };
}

describe('many header lines', () => {
  for (const peer of ['127.0.0.1', '192.0.2.1']) {
    it(`edits them as a small request does (peer ${peer})`, () => {
      const many = processed(peer, FILLER);
      const few = processed(peer, []);
      const fillerKeys = new Set(FILLER.map(([name]) => name.toLowerCase()));
      expect(many.entries.filter(([key]) => !fillerKeys.has(key))).toEqual(few.entries);
      expect(many.entries.filter(([key]) => fillerKeys.has(key))).toEqual(
        FILLER.map(([name, value]) => [name.toLowerCase(), value]),
      );
      expect(many.rejected).toBe(few.rejected);
      expect(many.host).toBe(few.host);
      expect(many.raw.length).toBe(few.raw.length + 2 * FILLER.length);
    });
  }

  it('keeps the header order and rewrites what the contract says', () => {
    const { entries } = processed('127.0.0.1', FILLER);
    const keys = entries.map(([key]) => key);
    expect(keys[0]).toBe('host');
    expect(keys).not.toContain('x-real-ip');
    expect(keys).not.toContain('forwarded');
    expect(keys.indexOf('x-forwarded-for')).toBe(11);
    expect(Object.fromEntries(entries)).toMatchObject({
      host: 'shop.example',
      'x-forwarded-for': '203.0.113.7',
      'x-forwarded-host': 'Shop.Example',
      'x-forwarded-proto': 'https',
    });
  });
});
