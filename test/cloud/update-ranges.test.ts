// `npm run ranges:update` (scripts/update-ranges.mjs) against a local HTTP server serving good
// and bad fixtures: never the network. A refused refresh leaves the snapshot byte for byte.
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs maintainer script without type declarations
import { cidrProblem, readSnapshots, renderSnapshots } from '../../scripts/update-ranges.mjs';

const ROOT = join(import.meta.dirname, '..', '..');
const SCRIPT = join(ROOT, 'scripts', 'update-ranges.mjs');
const DATA = join(ROOT, 'src', 'core', 'cloud-ranges.data.ts');

type Snapshots = Record<
  string,
  { source: string; fetchedAt: string; via?: string; v4: string[]; v6: string[] }
>;

const CLOUDFLARE_V4 = [
  '173.245.48.0/20',
  '103.21.244.0/22',
  '103.22.200.0/22',
  '103.31.4.0/22',
  '141.101.64.0/18',
  '108.162.192.0/18',
  '190.93.240.0/20',
  '188.114.96.0/20',
  '197.234.240.0/22',
  '198.41.128.0/17',
  '162.158.0.0/15',
  '104.16.0.0/13',
  '104.24.0.0/14',
  '172.64.0.0/13',
  '131.0.72.0/22',
  '198.51.100.0/24' /* new in this fixture */,
];
const CLOUDFLARE_V6 = [
  '2400:cb00::/32',
  '2606:4700::/32',
  '2803:f800::/32',
  '2405:b500::/32',
  '2405:8100::/32',
  '2a06:98c0::/29',
  '2c0f:f248::/32',
];
const FASTLY = {
  addresses: [
    '23.235.32.0/20',
    '43.249.72.0/22',
    '151.101.0.0/16',
    '199.232.0.0/16',
    '146.75.0.0/17',
    '157.52.64.0/18',
    '167.82.0.0/17',
    '172.111.64.0/18',
    '185.31.16.0/22',
    '199.27.72.0/21',
    '104.156.80.0/20',
  ],
  ipv6_addresses: ['2a04:4e40::/32', '2a04:4e42::/32'],
};

function awsJson(v4: string[], v6: string[]): string {
  return JSON.stringify({
    syncToken: '1',
    createDate: '2026-12-01-00-00-00',
    prefixes: [
      ...v4.map((p) => ({ ip_prefix: p, region: 'GLOBAL', service: 'CLOUDFRONT_ORIGIN_FACING' })),
      ...v4.map((p) => ({
        ip_prefix: p,
        region: 'GLOBAL',
        service: 'AMAZON',
      })) /* duplicates under another service */,
      { ip_prefix: '13.32.0.0/15', region: 'GLOBAL', service: 'CLOUDFRONT' } /* edge-facing: not wanted */,
    ],
    ipv6_prefixes: v6.map((p) => ({ ipv6_prefix: p, region: 'GLOBAL', service: 'CLOUDFRONT_ORIGIN_FACING' })),
  });
}

const CLOUDFRONT_V4 = Array.from({ length: 48 }, (_, i) => `130.176.${i}.0/24`);
const CLOUDFRONT_V6 = ['2600:9000:1000::/36', '2600:9000:5200::/40'];

/** path → [status, body] */
const ROUTES: Record<string, [number, string]> = {
  '/good/ips-v4': [200, `${CLOUDFLARE_V4.join('\n')}\n`],
  '/good/ips-v6': [200, CLOUDFLARE_V6.join('\r\n')],
  '/good/fastly': [200, JSON.stringify(FASTLY)],
  '/good/aws': [200, awsJson(CLOUDFRONT_V4, CLOUDFRONT_V6)],
  '/empty/text': [200, '\n\n'],
  '/empty/fastly': [200, JSON.stringify({ addresses: [], ipv6_addresses: [] })],
  '/zero/ips-v4': [200, `${CLOUDFLARE_V4.join('\n')}\n0.0.0.0/0\n`],
  '/zero/ips-v6': [200, `${CLOUDFLARE_V6.join('\n')}\n::/0\n`],
  '/garbage/ips-v4': [200, `${CLOUDFLARE_V4.slice(0, 8).join('\n')}\n<html>maintenance</html>\n`],
  '/hostbits/ips-v4': [200, `${CLOUDFLARE_V4.join('\n')}\n104.16.0.1/13\n`],
  '/shrunk/aws': [200, awsJson(CLOUDFRONT_V4.slice(0, 20), [])],
  '/error/500': [500, 'Internal Server Error'],
  '/error/404': [404, 'Not Found'],
  '/bad/json': [200, '{"addresses": '],
};

let server: http.Server;
let base = '';
let dir = '';

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const route = ROUTES[req.url ?? ''];
    const [status, body] = route ?? [404, 'no such fixture'];
    res.writeHead(status, { 'Content-Type': 'text/plain' });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  dir = mkdtempSync(join(tmpdir(), 'ranges-update-'));
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  before: string;
  after: string;
}

let runs = 0;
function run(urls: Record<string, string>, extra: string[] = []): Promise<Run> {
  const out = join(dir, `data-${runs++}.ts`);
  copyFileSync(DATA, out);
  const before = readFileSync(out, 'utf8');
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH };
  for (const [key, path] of Object.entries(urls)) env[key] = `${base}${path}`;
  // Any set without a fixture URL would go to the network: name each one, or --only.
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SCRIPT, '--out', out, '--date', '2026-12-01', ...extra], {
      env,
      stdio: 'pipe',
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, before, after: readFileSync(out, 'utf8') }));
  });
}

const GOOD = {
  RANGES_CLOUDFLARE_V4_URL: '/good/ips-v4',
  RANGES_CLOUDFLARE_V6_URL: '/good/ips-v6',
  RANGES_FASTLY_URL: '/good/fastly',
  RANGES_CLOUDFRONT_URL: '/good/aws',
};

describe('npm run ranges:update › good lists', () => {
  let result: Run;
  beforeAll(async () => {
    result = await run(GOOD);
  });

  it('exits 0 and writes the snapshot with its date and the URLs it used', () => {
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const snapshots = readSnapshots(join(dir, 'data-0.ts')) as Snapshots;
    expect(snapshots.cloudflare).toEqual({
      source: `${base}/good/ips-v4 ${base}/good/ips-v6`,
      fetchedAt: '2026-12-01',
      v4: CLOUDFLARE_V4,
      v6: CLOUDFLARE_V6,
    });
    expect(snapshots.fastly?.v4).toEqual(FASTLY.addresses);
    expect(snapshots.fastly?.fetchedAt).toBe('2026-12-01');
  });

  it('takes only the origin-facing CloudFront service, each prefix once', () => {
    const snapshots = readSnapshots(join(dir, 'data-0.ts')) as Snapshots;
    expect(snapshots.cloudfront?.v4).toEqual(CLOUDFRONT_V4);
    expect(snapshots.cloudfront?.v4).not.toContain('13.32.0.0/15');
    expect(snapshots.cloudfront?.v6).toEqual(CLOUDFRONT_V6);
  });

  it('keeps gcp-lb (no machine-readable list) and says so', () => {
    const before = readSnapshots(DATA) as Snapshots;
    const after = readSnapshots(join(dir, 'data-0.ts')) as Snapshots;
    expect(after['gcp-lb']).toEqual(before['gcp-lb']);
    expect(result.stdout).toMatch(/gcp-lb: kept/);
  });

  it('shows the diff', () => {
    expect(result.stdout).toContain('cloudflare:\n  + 198.51.100.0/24');
    expect(result.stdout).toContain('  - 140.248.64.0/18'); /* fastly fixture lacks it */
    expect(result.stdout).toContain('  - 15.158.0.0/16'); /* cloudfront */
  });

  it('writes what it reads back, formatted as biome would (a stable round trip)', () => {
    const snapshots = readSnapshots(join(dir, 'data-0.ts'));
    expect(renderSnapshots(snapshots)).toBe(result.after);
    expect(renderSnapshots(readSnapshots(DATA))).toBe(readFileSync(DATA, 'utf8'));
  });

  it('--dry-run shows the diff and writes nothing', async () => {
    const dry = await run(GOOD, ['--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('+ 198.51.100.0/24');
    expect(dry.after).toBe(dry.before);
  });
});

describe('npm run ranges:update › refuses bad lists and writes nothing', () => {
  const cases: Array<{ name: string; urls: Record<string, string>; only: string; message: RegExp }> = [
    {
      name: 'an empty list',
      urls: { RANGES_CLOUDFLARE_V4_URL: '/empty/text', RANGES_CLOUDFLARE_V6_URL: '/empty/text' },
      only: 'cloudflare',
      message: /cloudflare: the list is empty/,
    },
    {
      name: 'an empty JSON list',
      urls: { RANGES_FASTLY_URL: '/empty/fastly' },
      only: 'fastly',
      message: /fastly: the list is empty/,
    },
    {
      name: 'an IPv4 /0',
      urls: { RANGES_CLOUDFLARE_V4_URL: '/zero/ips-v4', RANGES_CLOUDFLARE_V6_URL: '/good/ips-v6' },
      only: 'cloudflare',
      message: /"0\.0\.0\.0\/0": a \/0 range/,
    },
    {
      name: 'an IPv6 /0',
      urls: { RANGES_CLOUDFLARE_V4_URL: '/good/ips-v4', RANGES_CLOUDFLARE_V6_URL: '/zero/ips-v6' },
      only: 'cloudflare',
      message: /"::\/0": a \/0 range/,
    },
    {
      name: 'a line that is not a CIDR (an error page)',
      urls: { RANGES_CLOUDFLARE_V4_URL: '/garbage/ips-v4', RANGES_CLOUDFLARE_V6_URL: '/good/ips-v6' },
      only: 'cloudflare',
      message: /"<html>maintenance<\/html>": not a CIDR/,
    },
    {
      name: 'a CIDR with host bits set',
      urls: { RANGES_CLOUDFLARE_V4_URL: '/hostbits/ips-v4', RANGES_CLOUDFLARE_V6_URL: '/good/ips-v6' },
      only: 'cloudflare',
      message: /"104\.16\.0\.1\/13": host bits set/,
    },
    {
      name: 'a list that shrank by more than half',
      urls: { RANGES_CLOUDFRONT_URL: '/shrunk/aws' },
      only: 'cloudfront',
      message: /cloudfront: 20 prefixes where the snapshot has 49: shrank by more than half/,
    },
    {
      name: 'an HTTP 500',
      urls: { RANGES_FASTLY_URL: '/error/500' },
      only: 'fastly',
      message: /fastly: .*\/error\/500: HTTP 500/,
    },
    {
      name: 'an HTTP 404 for one of two files',
      urls: { RANGES_CLOUDFLARE_V4_URL: '/good/ips-v4', RANGES_CLOUDFLARE_V6_URL: '/error/404' },
      only: 'cloudflare',
      message: /cloudflare: .*\/error\/404: HTTP 404/,
    },
    {
      name: 'JSON that does not parse',
      urls: { RANGES_FASTLY_URL: '/bad/json' },
      only: 'fastly',
      message: /fastly: .*JSON/,
    },
  ];

  it.each(cases)('$name', async ({ urls, only, message }) => {
    const result = await run(urls, ['--only', only]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toContain('nothing written');
    expect(result.after).toBe(result.before);
  });

  it('one bad set blocks the good ones too: all or nothing', async () => {
    const result = await run({ ...GOOD, RANGES_FASTLY_URL: '/error/500' });
    expect(result.code).toBe(1);
    expect(result.after).toBe(result.before);
  });

  it('--only rejects an unknown set, and URLs can come from flags', async () => {
    const unknown = await run({}, ['--only', 'akamai']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/unknown set "akamai"/);
    const flags = await run({}, ['--only', 'fastly', '--fastly-url', `${base}/good/fastly`]);
    expect(flags.code).toBe(0);
    expect((readSnapshots(join(dir, `data-${runs - 1}.ts`)) as Snapshots).fastly?.v6).toEqual(
      FASTLY.ipv6_addresses,
    );
  });
});

describe('cidrProblem()', () => {
  const cases: Array<[string, 4 | 6, string | undefined]> = [
    ['10.0.0.0/8', 4, undefined],
    ['10.0.0.0/33', 4, 'not an IPv4 CIDR'],
    ['10.0.0.0', 4, 'not a CIDR (no /prefix)'],
    ['010.0.0.0/8', 4, 'not an IPv4 CIDR'],
    ['10.0.0.0/08', 4, 'not a CIDR (bad prefix length)'],
    ['2606:4700::/32', 6, undefined],
    ['2606:4700::1/32', 6, 'host bits set (not a network address)'],
    ['2606:4700::/129', 6, 'not an IPv6 CIDR (prefix > 128)'],
    ['fe80::%eth0/64', 6, 'not an IPv6 CIDR'],
    ['::ffff:1.2.3.0/120', 6, 'not an IPv6 CIDR'],
    ['10.0.0.0/8', 6, 'not an IPv6 CIDR'],
  ];
  it.each(cases)('%s (IPv%s) → %s', (entry, family, problem) => {
    expect(cidrProblem(entry, family)).toBe(problem);
  });
});
