#!/usr/bin/env node
// Refreshes the named cloud ranges (SPEC R22) from the providers' published lists and writes
// src/core/cloud-ranges.data.ts. For maintainers, before a release; the package itself never
// goes to the network.
//
//   npm run ranges:update [-- --dry-run] [--only cloudflare,fastly] [--out FILE] [--date YYYY-MM-DD]
//
// Every list must pass before anything is written: HTTP 200, non-empty, every entry a CIDR
// network (address with its host bits zero, prefix in range), no /0, and no more than half
// fewer prefixes than the snapshot it replaces (a truncated download or a provider outage
// must not silently stop trusting the CDN, nor start trusting nothing). On any failure the
// snapshot is left as it is and the exit code is 1. On success it prints the diff; record the
// refresh in CHANGELOG.md.
//
// The URLs can be replaced (tests point them at a local server):
//   RANGES_CLOUDFLARE_V4_URL / --cloudflare-v4-url, RANGES_CLOUDFLARE_V6_URL / --cloudflare-v6-url,
//   RANGES_FASTLY_URL / --fastly-url, RANGES_CLOUDFRONT_URL / --cloudfront-url
// gcp-lb has no machine-readable list: Google documents the ranges on a web page, so that set
// is kept and the script reminds you to compare it by hand.
import { readFileSync, writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';
import { isIPv6 } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runInNewContext } from 'node:vm';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULT_OUT = join(root, 'src/core/cloud-ranges.data.ts');
const TIMEOUT_MS = 15_000;
const MAX_BYTES = 8 * 1024 * 1024;

export const PROVIDERS = {
  cloudflare: {
    urls: {
      v4: ['RANGES_CLOUDFLARE_V4_URL', 'cloudflare-v4-url', 'https://www.cloudflare.com/ips-v4'],
      v6: ['RANGES_CLOUDFLARE_V6_URL', 'cloudflare-v6-url', 'https://www.cloudflare.com/ips-v6'],
    },
    // One CIDR a line.
    parse: (bodies) => ({ v4: lines(bodies.v4), v6: lines(bodies.v6) }),
  },
  fastly: {
    urls: { all: ['RANGES_FASTLY_URL', 'fastly-url', 'https://api.fastly.com/public-ip-list'] },
    // { "addresses": [...], "ipv6_addresses": [...] }
    parse: (bodies) => {
      const json = JSON.parse(bodies.all);
      return {
        v4: stringArray(json.addresses, 'addresses'),
        v6: stringArray(json.ipv6_addresses, 'ipv6_addresses'),
      };
    },
  },
  cloudfront: {
    urls: {
      all: ['RANGES_CLOUDFRONT_URL', 'cloudfront-url', 'https://ip-ranges.amazonaws.com/ip-ranges.json'],
    },
    // AWS's ip-ranges.json: the origin-facing service is what an origin sees (CLOUDFRONT is the edge).
    parse: (bodies) => {
      const json = JSON.parse(bodies.all);
      const pick = (list, key) =>
        stringArray(
          (Array.isArray(list) ? list : [])
            .filter((p) => p !== null && typeof p === 'object' && p.service === 'CLOUDFRONT_ORIGIN_FACING')
            .map((p) => p[key]),
          key,
        );
      return {
        v4: unique(pick(json.prefixes, 'ip_prefix')),
        v6: unique(pick(json.ipv6_prefixes, 'ipv6_prefix')),
      };
    },
  },
};

function lines(text) {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
}

function stringArray(value, name) {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw new Error(`${name} is not a list of strings`);
  }
  return value.map((v) => v.trim());
}

function unique(list) {
  return [...new Set(list)];
}

const IPV4_CIDR =
  /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}\/(3[0-2]|[12]?\d)$/;

function v6ToBigInt(address) {
  const [head, tail] = address.includes('::') ? address.split('::') : [address, undefined];
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const words = [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  return words.reduce((acc, w) => (acc << 16n) | BigInt(Number.parseInt(w, 16)), 0n);
}

/** Why `entry` is not a CIDR network of `family`, or undefined when it is one. */
export function cidrProblem(entry, family) {
  const slash = entry.indexOf('/');
  if (slash < 0) return 'not a CIDR (no /prefix)';
  const address = entry.slice(0, slash);
  const prefixText = entry.slice(slash + 1);
  if (!/^(0|[1-9]\d{0,2})$/.test(prefixText)) return 'not a CIDR (bad prefix length)';
  const prefix = Number(prefixText);
  if (family === 4) {
    if (!IPV4_CIDR.test(entry)) return 'not an IPv4 CIDR';
    if (prefix === 0) return 'a /0 range';
    const value = address.split('.').reduce((acc, p) => acc * 256 + Number(p), 0);
    const hostBits = 2 ** (32 - prefix);
    if (value % hostBits !== 0) return 'host bits set (not a network address)';
    return undefined;
  }
  // IPv6: letters, digits, colons only (no zone, no embedded dotted quad).
  if (!/^[0-9a-fA-F:]+$/.test(address) || !isIPv6(address)) return 'not an IPv6 CIDR';
  if (prefix > 128) return 'not an IPv6 CIDR (prefix > 128)';
  if (prefix === 0) return 'a /0 range';
  const value = v6ToBigInt(address.toLowerCase());
  const mask = (1n << BigInt(128 - prefix)) - 1n;
  if ((value & mask) !== 0n) return 'host bits set (not a network address)';
  return undefined;
}

/**
 * Validates a downloaded set against the current one. Returns a list of problems (empty: ok).
 */
export function validateSet(name, next, current) {
  const problems = [];
  const total = next.v4.length + next.v6.length;
  if (total === 0) problems.push(`${name}: the list is empty`);
  for (const [family, list] of [
    [4, next.v4],
    [6, next.v6],
  ]) {
    for (const entry of list) {
      const problem = cidrProblem(entry, family);
      if (problem !== undefined) problems.push(`${name}: ${JSON.stringify(entry.slice(0, 80))}: ${problem}`);
    }
  }
  if (current !== undefined && total > 0) {
    const before = current.v4.length + current.v6.length;
    if (total * 2 < before) {
      problems.push(
        `${name}: ${total} prefixes where the snapshot has ${before}: shrank by more than half (refusing; check the source by hand)`,
      );
    }
  }
  return problems;
}

/** GET a URL; resolves with the body of a 200 response, rejects on anything else. */
export function download(url) {
  return new Promise((resolve, reject) => {
    const getter = url.startsWith('https:') ? httpsGet : url.startsWith('http:') ? httpGet : undefined;
    if (getter === undefined) {
      reject(new Error(`${url}: only http: and https: URLs`));
      return;
    }
    const req = getter(url, { timeout: TIMEOUT_MS, headers: { accept: '*/*' } }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        reject(new Error(`${url}: HTTP ${res.statusCode}`));
        return;
      }
      const chunks = [];
      let size = 0;
      res.on('data', (chunk) => {
        size += chunk.length;
        if (size > MAX_BYTES) {
          req.destroy(new Error(`${url}: more than ${MAX_BYTES} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${url}: no answer within ${TIMEOUT_MS} ms`)));
    req.on('error', reject);
  });
}

/** Reads the snapshots object out of the generated data module. */
export function readSnapshots(file) {
  const text = readFileSync(file, 'utf8');
  const start = text.indexOf('= {', text.indexOf('export const SNAPSHOTS'));
  const end = text.lastIndexOf('};');
  if (start < 0 || end < start) throw new Error(`${file}: no SNAPSHOTS object found`);
  return runInNewContext(`(${text.slice(start + 2, end + 1)})`);
}

function quote(text) {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function key(name) {
  return /^[a-z][a-z0-9]*$/i.test(name) ? name : quote(name);
}

// Biome's layout: an array goes on one line when it fits in 110 columns, else one item a line.
function renderArray(indent, label, items) {
  const one = `${indent}${label}: [${items.map(quote).join(', ')}],`;
  if (items.length === 0) return `${indent}${label}: [],`;
  if (one.length <= 110) return one;
  return [`${indent}${label}: [`, ...items.map((i) => `${indent}  ${quote(i)},`), `${indent}],`].join('\n');
}

/** The data module's source text, byte for byte what biome would format. */
export function renderSnapshots(snapshots) {
  const out = [
    '// Generated by `npm run ranges:update` (scripts/update-ranges.mjs). Do not edit by hand: refresh,',
    '// review the diff, and record the refresh in CHANGELOG.md. `via` names the copy used when the',
    "// provider's list was not downloaded directly (see docs/cloud-ranges.md).",
    '',
    '/** One named set: where its prefixes came from, when, and the prefixes. */',
    'export interface Snapshot {',
    '  readonly source: string;',
    '  readonly fetchedAt: string;',
    '  readonly via?: string;',
    '  readonly v4: readonly string[];',
    '  readonly v6: readonly string[];',
    '}',
    '',
    'export const SNAPSHOTS: Readonly<Record<string, Snapshot>> = {',
  ];
  for (const [name, set] of Object.entries(snapshots)) {
    out.push(`  ${key(name)}: {`);
    out.push(`    source: ${quote(set.source)},`);
    out.push(`    fetchedAt: ${quote(set.fetchedAt)},`);
    if (set.via !== undefined) out.push(`    via: ${quote(set.via)},`);
    out.push(renderArray('    ', 'v4', set.v4));
    out.push(renderArray('    ', 'v6', set.v6));
    out.push('  },');
  }
  out.push('};', '');
  return out.join('\n');
}

function diff(name, before, after) {
  const out = [];
  const old = new Set(before === undefined ? [] : [...before.v4, ...before.v6]);
  const now = new Set([...after.v4, ...after.v6]);
  for (const p of now) if (!old.has(p)) out.push(`+ ${p}`);
  for (const p of old) if (!now.has(p)) out.push(`- ${p}`);
  return out.length === 0
    ? [`${name}: unchanged (${now.size} prefixes)`]
    : [`${name}:`, ...out.map((l) => `  ${l}`)];
}

function urlFor(spec, values, env) {
  const [variable, flag, fallback] = spec;
  return values[flag] ?? env[variable] ?? fallback;
}

export async function main(argv, env = process.env, log = console.log, warn = console.error) {
  const flagOptions = {
    'dry-run': { type: 'boolean' },
    only: { type: 'string' },
    out: { type: 'string' },
    date: { type: 'string' },
  };
  for (const provider of Object.values(PROVIDERS)) {
    for (const spec of Object.values(provider.urls)) flagOptions[spec[1]] = { type: 'string' };
  }
  const { values } = parseArgs({ args: argv, options: flagOptions, strict: true });
  const out = values.out ?? env.RANGES_OUT ?? DEFAULT_OUT;
  const date = values.date ?? new Date().toISOString().slice(0, 10);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date))
    throw new Error(`--date: expected YYYY-MM-DD, got ${JSON.stringify(date)}`);
  const only =
    values.only === undefined ? Object.keys(PROVIDERS) : values.only.split(',').map((s) => s.trim());
  for (const name of only) {
    if (!Object.hasOwn(PROVIDERS, name)) throw new Error(`--only: unknown set ${JSON.stringify(name)}`);
  }

  const current = readSnapshots(out);
  const next = { ...current };
  const problems = [];
  for (const name of only) {
    const provider = PROVIDERS[name];
    const bodies = {};
    const sources = [];
    try {
      for (const [part, spec] of Object.entries(provider.urls)) {
        const url = urlFor(spec, values, env);
        sources.push(url);
        bodies[part] = await download(url);
      }
      const set = provider.parse(bodies);
      const found = validateSet(name, set, current[name]);
      if (found.length > 0) {
        problems.push(...found);
        continue;
      }
      next[name] = { source: sources.join(' '), fetchedAt: date, v4: set.v4, v6: set.v6 };
    } catch (err) {
      problems.push(`${name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  if (problems.length > 0) {
    for (const p of problems) warn(`ranges:update: ${p}`);
    warn(`ranges:update: nothing written; ${out} is unchanged`);
    return 1;
  }
  for (const name of only) for (const line of diff(name, current[name], next[name])) log(line);
  if (Object.hasOwn(next, 'gcp-lb')) {
    log(
      `gcp-lb: kept (snapshot ${next['gcp-lb'].fetchedAt}); Google publishes no machine-readable list, compare with ${next['gcp-lb'].source} by hand`,
    );
  }
  if (values['dry-run']) {
    log('ranges:update: dry run, nothing written');
    return 0;
  }
  writeFileSync(out, renderSnapshots(next));
  log(
    `ranges:update: wrote ${out}; add a CHANGELOG line: "Cloud ranges refreshed (${only.join(', ')}, ${date})"`,
  );
  return 0;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      console.error(`ranges:update: ${err instanceof Error ? err.message : String(err)}`);
      process.exitCode = 1;
    },
  );
}
