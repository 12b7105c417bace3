/**
 * src/core/registry.ts against SPEC §2 written out again (test/property/support/registry.ts):
 * every name, its groups and its value form; and the three name matchers against simple
 * oracles on the registry names, their case variants and near misses (one character changed
 * at every position, including the non-letters that `| 0x20` would fold onto `-` or `:`).
 *
 * The module is imported inside each test, not at the top: a registry that throws while it
 * loads must fail these tests, and Stryker's vitest runner counts a test file that cannot even
 * be imported as no test at all (stryker-mutator/stryker-js#6150).
 */
import { describe, expect, it } from 'vitest';
import type { HeaderDef } from '../../src/core/registry.js';
import {
  CLIENT_CDN,
  CLIENT_LIST,
  CLIENT_SINGLE,
  groupsOf,
  NEVER_TRUSTED,
  SCHEME_FLAGS,
  SCHEME_NAMES,
  REGISTRY as SPEC_NAMES,
} from '../property/support/registry.js';

const load = () => import('../../src/core/registry.js');

/** SPEC §2 and R20/R22: every registry name, `:scheme` last. */
const ALL = [...SPEC_NAMES, ':scheme'];

/** SPEC §2's value form of a header, from the group lists alone. */
function formOf(name: string): HeaderDef['kind'] {
  if (name === 'x-forwarded-for') return 'node-list';
  if (name === 'forwarded') return 'forwarded';
  if (name === 'cloudfront-viewer-address') return 'viewer-address';
  if ((CLIENT_SINGLE as readonly string[]).includes(name) || (CLIENT_CDN as readonly string[]).includes(name))
    return 'node';
  if ((NEVER_TRUSTED as readonly string[]).includes(name)) return 'never';
  if (name === ':scheme' || (SCHEME_NAMES as readonly string[]).includes(name)) return 'proto';
  if ((SCHEME_FLAGS as readonly string[]).includes(name)) return 'flag';
  return groupsOf(name)[0] as HeaderDef['kind'];
}

/** ASCII-only lower case: what a header name compares as (Unicode folding must not apply). */
const asciiLower = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());
const asciiUpper = (s: string) => s.replace(/[a-z]/g, (c) => c.toUpperCase());

/** Every registry name with one character replaced, at every position, by each of these. */
const SWAPS = ['a', 'z', 'A', 'Z', '-', '\r', ':', '\x1a', '0', '@', '`', '[', '{', 'x', 'X', '\u212a'];
function nearMisses(name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < name.length; i++) {
    for (const ch of SWAPS) out.push(name.slice(0, i) + ch + name.slice(i + 1));
  }
  out.push(name.slice(1), name.slice(0, -1), `${name}s`, `x${name}`);
  return out;
}

const PROBES = [
  ...ALL,
  ...ALL.map(asciiUpper),
  ...ALL.map((n) => n.replace(/(^|-)([a-z])/g, (_m, d: string, c: string) => d + c.toUpperCase())),
  ...ALL.flatMap(nearMisses),
  '',
  'host',
  'accept',
  'user-agent',
  'cookie',
  ':authority',
  ':path',
];

describe('registry › the table is SPEC §2', () => {
  it('holds exactly the SPEC names, in SPEC order, :scheme last, each with its position as id', async () => {
    const { REGISTRY } = await load();
    expect(REGISTRY.map((d) => d.name)).toEqual(ALL);
    REGISTRY.forEach((def, i) => {
      expect(def.id).toBe(i);
      expect(Object.isFrozen(def)).toBe(true);
    });
  });

  it.each(ALL)('%s: groups and value form as SPEC §2', async (name) => {
    const { findHeader, GROUP_NAMES } = await load();
    const def = findHeader(name)!;
    expect(def.name).toBe(name);
    expect(def.groups.map((g) => GROUP_NAMES[g])).toEqual(name === ':scheme' ? ['scheme'] : groupsOf(name));
    expect(def.kind).toBe(formOf(name));
    expect(asciiLower(def.canonical)).toBe(name);
  });

  it('the HTTP/2 :scheme entry is the one PSEUDO_SCHEME names', async () => {
    const { PSEUDO_SCHEME, REGISTRY } = await load();
    expect(PSEUDO_SCHEME).toBe(REGISTRY[REGISTRY.length - 1]);
    expect(PSEUDO_SCHEME.name).toBe(':scheme');
  });

  it('client group: X-Forwarded-For and Forwarded first, the single-node headers after', async () => {
    const { REGISTRY } = await load();
    const client = REGISTRY.filter((d) => d.groups.includes(0)).map((d) => d.name);
    expect(client).toEqual([...CLIENT_LIST, ...CLIENT_SINGLE, ...CLIENT_CDN]);
  });
});

describe('registry › name matchers', () => {
  const byName = async () => new Map((await load()).REGISTRY.map((d) => [d.name, d]));

  it('findHeader: case-insensitive, the registry entry or undefined', async () => {
    const { findHeader } = await load();
    const names = await byName();
    const wrong = PROBES.filter((p) => findHeader(p) !== names.get(p.toLowerCase()));
    expect(wrong).toEqual([]);
  });

  it('lookupLowerCase: the entry for a lower-case name, undefined for anything else', async () => {
    const { lookupLowerCase } = await load();
    const names = await byName();
    const wrong = PROBES.filter((p) => lookupLowerCase(p) !== names.get(p));
    expect(wrong).toEqual([]);
  });

  it('lookupAnyCase: ASCII letters folded, nothing else (no "\\r" for "-", no "\\x1a" for ":")', async () => {
    const { lookupAnyCase, REGISTRY } = await load();
    const names = await byName();
    const wrong = PROBES.filter((p) => lookupAnyCase(p) !== names.get(asciiLower(p)));
    expect(wrong).toEqual([]);
    expect(lookupAnyCase('X\rForwarded-For')).toBeUndefined();
    expect(lookupAnyCase('\x1aSCHEME')).toBeUndefined();
    expect(lookupAnyCase('X-FORWARDED-FOR')).toBe(REGISTRY[0]);
  });

  it('isHostName: "host" in ASCII case only, exactly four characters', async () => {
    const { isHostName } = await load();
    const probes = ['host', 'HOST', 'Host', 'hOsT', 'hos', 'hosts', ' host', '', 'x-host'];
    for (let i = 0; i < 4; i++) {
      for (const ch of SWAPS) probes.push('host'.slice(0, i) + ch + 'host'.slice(i + 1));
      for (const ch of ['H', 'O', 'S', 'T', '\x08', '\x0f', '\x13', '\x14', 'i', 'g']) {
        probes.push('host'.slice(0, i) + ch + 'host'.slice(i + 1));
      }
    }
    const wrong = probes.filter((p) => isHostName(p) !== (asciiLower(p) === 'host'));
    expect(wrong).toEqual([]);
  });
});
