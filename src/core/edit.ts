/**
 * R11's header edits on a plain headers record (lower-case names, as `req.headers` or a Web
 * `Headers` read into an object): the one loop every edge applies a resolution with.
 */
import { lookupLowerCase, REGISTRY } from './registry.js';
import type { Edits } from './resolve.js';

/**
 * A bit per header-name length that has an edit: a name of another length needs no registry
 * lookup (in the nginx request, one line of ten is looked up instead of all ten).
 */
export function editedLengths(edits: Edits | undefined): number {
  let lengths = 0;
  if (edits !== undefined) {
    for (let id = 0; id < edits.length; id++) {
      if (edits[id] !== undefined) lengths |= 1 << REGISTRY[id]!.name.length;
    }
  }
  return lengths;
}

export function hasLength(lengths: number, name: string): boolean {
  return name.length < 32 && ((lengths >>> name.length) & 1) !== 0;
}

/**
 * A new record with the edits applied, in the original key order (R11): deleted headers go,
 * replaced ones get their new value, `drop` (the requireProof header, R22) goes, and `host`
 * (when given) becomes the Host (R12).
 */
export function editHeaderRecord<V extends string | string[] | undefined>(
  old: Readonly<Record<string, V>>,
  edits: Edits | undefined,
  host: string | undefined,
  drop: string | undefined,
  keys?: readonly string[],
): Record<string, V | string> {
  const next: Record<string, V | string> = {};
  const lengths = editedLengths(edits);
  if (keys !== undefined) {
    // The keys the resolution enumerated just before (a large object: see Resolution.headerKeys).
    for (let i = 0; i < keys.length; i++) editKey(next, old, keys[i]!, edits, lengths, host, drop);
  } else {
    for (const key in old) editKey(next, old, key, edits, lengths, host, drop);
  }
  if (host !== undefined && old.host === undefined) next.host = host;
  return next;
}

/** One key of editHeaderRecord: copied, replaced, or left out. */
function editKey<V extends string | string[] | undefined>(
  next: Record<string, V | string>,
  old: Readonly<Record<string, V>>,
  key: string,
  edits: Edits | undefined,
  lengths: number,
  host: string | undefined,
  drop: string | undefined,
): void {
  if (key === drop) return; /* R22: the proof header never travels further */
  let value: V | string = old[key]!;
  if (key === 'host') {
    if (host !== undefined) value = host;
  } else if (edits !== undefined && hasLength(lengths, key)) {
    const def = lookupLowerCase(key);
    if (def !== undefined) {
      const edit = edits[def.id];
      if (edit === null) return;
      if (edit !== undefined) value = edit;
    }
  }
  next[key] = value;
}
