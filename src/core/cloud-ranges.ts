/**
 * Named cloud ranges (R22): `cloudflare`, `fastly`, `cloudfront` and `gcp-lb`, from dated
 * snapshots shipped inside the package (cloud-ranges.data.ts). Nothing is fetched at run time:
 * a runtime fetcher that fails open trusts nothing, one that fails closed trusts a stale list,
 * and one that never checks the status code trusts an error page. Maintainers refresh the
 * snapshots with `npm run ranges:update`.
 */
import { SNAPSHOTS } from './cloud-ranges.data.js';

/** The names usable in `trustedProxies`. */
export type CloudRangeName = 'cloudflare' | 'fastly' | 'cloudfront' | 'gcp-lb';

/** One named set as {@link cloudRanges} returns it. */
export interface CloudRangeSet {
  /** The provider's published list (URL; two, space separated, for Cloudflare's v4 and v6 files). */
  source: string;
  /** The date (YYYY-MM-DD, UTC) the snapshot's data was fetched from `source`. */
  fetchedAt: string;
  /** When the list was not downloaded from `source` directly: the dated copy it was taken from. */
  via?: string;
  /** IPv4 prefixes in CIDR form. */
  v4: string[];
  /** IPv6 prefixes in CIDR form. */
  v6: string[];
}

/** The set names in a fixed order. */
export const CLOUD_RANGE_NAMES: readonly CloudRangeName[] = ['cloudflare', 'fastly', 'cloudfront', 'gcp-lb'];

/** Every prefix of a named set (v4 then v6), or undefined when `name` is not a cloud set. */
export function cloudRangeEntries(name: string): readonly string[] | undefined {
  if (!Object.hasOwn(SNAPSHOTS, name)) return undefined;
  const set = SNAPSHOTS[name]!;
  return [...set.v4, ...set.v6];
}

/** The snapshot date of a named set (for descriptions), or undefined. */
export function cloudRangeDate(name: string): string | undefined {
  return Object.hasOwn(SNAPSHOTS, name) ? SNAPSHOTS[name]!.fetchedAt : undefined;
}

/**
 * The named cloud ranges this copy of the package trusts for `trustedProxies: 'cloudflare'`
 * (and `fastly`, `cloudfront`, `gcp-lb`): each set's source, the date its data was fetched,
 * and its prefixes. A fresh copy on every call; changing it changes nothing.
 *
 * Security: a range list proves only that a request came through the CDN, not through *your*
 * account: anyone can point their own Cloudflare zone or CloudFront distribution at your
 * origin. Combine a named set with `requireProof` (docs/security.md). Check `fetchedAt`: an
 * old snapshot may miss new ranges (those requests are then untrusted: fail closed) or keep
 * ranges the provider gave up; upgrade the package to refresh it.
 *
 * @example
 * const { cloudflare } = cloudRanges();
 * console.log(cloudflare.fetchedAt, cloudflare.v4.length, cloudflare.v6.length);
 */
export function cloudRanges(): Record<CloudRangeName, CloudRangeSet> {
  const out = {} as Record<CloudRangeName, CloudRangeSet>;
  for (const name of CLOUD_RANGE_NAMES) {
    const set = SNAPSHOTS[name]!;
    const copy: CloudRangeSet = {
      source: set.source,
      fetchedAt: set.fetchedAt,
      v4: [...set.v4],
      v6: [...set.v6],
    };
    if (set.via !== undefined) copy.via = set.via;
    out[name] = copy;
  }
  return out;
}
