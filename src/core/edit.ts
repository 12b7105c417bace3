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
): Record<string, V | string> {
  const next: Record<string, V | string> = {};
  const lengths = editedLengths(edits);
  for (const key in old) {
    if (key === drop) continue; /* R22: the proof header never travels further */
    let value: V | string = old[key]!;
    if (key === 'host') {
      if (host !== undefined) value = host;
    } else if (edits !== undefined && hasLength(lengths, key)) {
      const def = lookupLowerCase(key);
      if (def !== undefined) {
        const edit = edits[def.id];
        if (edit === null) continue;
        if (edit !== undefined) value = edit;
      }
    }
    next[key] = value;
  }
  if (host !== undefined && old.host === undefined) next.host = host;
  return next;
}
