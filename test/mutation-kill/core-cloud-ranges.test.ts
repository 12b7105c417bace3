/**
 * src/core/cloud-ranges.ts: what `cloudRanges()` returns is the shipped snapshot, field for
 * field (a `via` only where the snapshot has one: `npm run ranges:update` drops it); a name is
 * a cloud set only if the snapshot table has it as its own key (not `constructor`,
 * `toString`, `__proto__`); and `trustedProxies` describes a set by its size and date.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SNAPSHOTS, type Snapshot } from '../../src/core/cloud-ranges.data.js';
import { cloudRangeDate, cloudRangeEntries } from '../../src/core/cloud-ranges.js';
import { compileTrust } from '../../src/core/trust.js';
import { cloudRanges, TrustedProxyConfigError, trustedProxy } from '../../src/index.js';

const NAMES = ['cloudflare', 'fastly', 'cloudfront', 'gcp-lb'] as const;

describe('cloud-ranges › cloudRanges()', () => {
  it('returns every set as shipped: source, fetchedAt, via, v4 and v6', () => {
    const sets = cloudRanges();
    for (const name of NAMES) {
      const snap = SNAPSHOTS[name]!;
      expect(sets[name]).toEqual({
        source: snap.source,
        fetchedAt: snap.fetchedAt,
        ...(snap.via === undefined ? {} : { via: snap.via }),
        v4: [...snap.v4],
        v6: [...snap.v6],
      });
    }
  });

  it('copies v6 as well as v4: changing the result changes neither the snapshot nor the next call', () => {
    const first = cloudRanges();
    const v6 = [...first.fastly.v6];
    first.fastly.v6.length = 0;
    first.fastly.v4.length = 0;
    expect(cloudRanges().fastly.v6).toEqual(v6);
    expect(SNAPSHOTS.fastly!.v6).toEqual(v6);
    expect(SNAPSHOTS.fastly!.v4.length).toBeGreaterThan(0);
  });

  describe('a set refreshed by ranges:update (no via)', () => {
    const saved = SNAPSHOTS.fastly!;
    afterEach(() => {
      (SNAPSHOTS as Record<string, Snapshot>).fastly = saved;
    });

    it('has no via key at all', () => {
      const { via: _via, ...refreshed } = saved;
      (SNAPSHOTS as Record<string, Snapshot>).fastly = { ...refreshed, fetchedAt: '2027-01-15' };
      const { fastly } = cloudRanges();
      expect(Object.keys(fastly)).toEqual(['source', 'fetchedAt', 'v4', 'v6']);
      expect(fastly.fetchedAt).toBe('2027-01-15');
      expect(cloudRangeDate('fastly')).toBe('2027-01-15');
    });
  });
});

describe('cloud-ranges › a name is a set only if the snapshot table owns it', () => {
  it('each set: its v4 prefixes then its v6 prefixes, and its date', () => {
    for (const name of NAMES) {
      const snap = SNAPSHOTS[name]!;
      expect(cloudRangeEntries(name)).toEqual([...snap.v4, ...snap.v6]);
      expect(cloudRangeDate(name)).toBe(snap.fetchedAt);
    }
  });

  it.each(['constructor', 'toString', '__proto__', 'hasOwnProperty', 'aws', 'cloudflare6', ''])(
    '%s: no entries, no date, and trustedProxies refuses it as an address',
    (name) => {
      expect(cloudRangeEntries(name)).toBeUndefined();
      expect(cloudRangeDate(name)).toBeUndefined();
      expect(() => trustedProxy({ trustedHeaders: ['X-Forwarded-For'], trustedProxies: [name] })).toThrow(
        TrustedProxyConfigError,
      );
    },
  );

  it('trustedProxies describes a set by name, its number of prefixes and its snapshot date', () => {
    for (const name of NAMES) {
      const snap = SNAPSHOTS[name]!;
      expect(compileTrust(name).description).toBe(
        `${name} (${snap.v4.length + snap.v6.length} ranges, snapshot ${snap.fetchedAt})`,
      );
    }
  });
});
