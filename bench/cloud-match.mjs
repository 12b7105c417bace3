// The compiled trust matcher with the named cloud sets (R22): does trusting 'cloudflare' or all
// four sets (≈ 80 IPv4 prefixes, CloudFront's origin-facing list being the long one) cost more
// per peer than today's typical 'loopback, 10.0.0.0/8'? Compares the package's matcher (merged
// intervals, binary search), the linear scan it replaced (re-implemented here over the same
// prefixes), and proxy-addr's compiled function.
//
//   npm run build && node bench/cloud-match.mjs
//   BENCH_DIST=/abs/esm node bench/cloud-match.mjs     measure another build
//   BENCH_ROUNDS=9 BENCH_CALLS=2000000 node bench/cloud-match.mjs
//
// Method: each task calls its matcher on a fixed rotation of 8 pre-parsed peers (hits in the
// first and last ranges, misses, IPv4 and IPv6) for BENCH_CALLS calls; one warm-up round, then
// BENCH_ROUNDS measured rounds in alternating order; the table gives the median ns per call
// and the spread (min … max) over the rounds. Addresses are parsed outside the timed loop: in
// a server the peer is parsed once per connection (and cached per compiled options).
import { pathToFileURL } from 'node:url';
import proxyaddr from 'proxy-addr';
import { requestFactory } from './requests.mjs';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const CALLS = Number(process.env.BENCH_CALLS ?? 1_000_000);
const DIST = process.env.BENCH_DIST ? pathToFileURL(process.env.BENCH_DIST).href : '../dist/esm';

const { trustedProxy } = await import(`${DIST}/index.js`);
const { compileTrust } = await import(`${DIST}/core/trust.js`);
const { parseIp } = await import(`${DIST}/core/ip.js`);
const { cloudRanges } = await import(`${DIST}/core/cloud-ranges.js`);

const ALL = ['cloudflare', 'fastly', 'cloudfront', 'gcp-lb'];
const sets = cloudRanges();
const allPrefixes = ALL.flatMap((n) => [...sets[n].v4, ...sets[n].v6]);

const PEERS = [
  '104.16.0.1' /* cloudflare */,
  '130.176.200.9' /* cloudfront, late in the list */,
  '35.191.1.1' /* gcp-lb */,
  '203.0.113.7' /* miss: the worst case for a linear scan */,
  '10.1.2.3' /* private: a hit for the typical configuration */,
  '2606:4700::1' /* cloudflare v6 */,
  '2001:db8::1' /* v6 miss */,
  '198.51.100.200' /* miss */,
].map((text) => parseIp(text));

/** The matcher before R22: one (network, mask) pair per prefix, scanned in order. */
function linearV4(prefixes) {
  const pairs = [];
  for (const cidr of prefixes) {
    if (cidr.includes(':')) continue;
    const [net, len] = cidr.split('/');
    const ip = parseIp(net);
    const mask = Number(len) === 0 ? 0 : (0xffffffff << (32 - Number(len))) >>> 0;
    pairs.push((ip.v4 & mask) >>> 0, mask);
  }
  const table = Uint32Array.from(pairs);
  const count = table.length;
  const v6 = compileTrust(
    prefixes.filter((p) => p.includes(':')).length > 0 ? prefixes.filter((p) => p.includes(':')) : '::1',
  );
  return (ip, hop) => {
    if (ip.family === 4) {
      const a = ip.v4;
      for (let i = 0; i < count; i += 2) if ((a & table[i + 1]) >>> 0 === table[i]) return true;
      return false;
    }
    return v6(ip, hop);
  };
}

function proxyAddrTask(prefixes) {
  const trust = proxyaddr.compile(prefixes);
  return (ip, hop) => trust(ip.text, hop);
}

const TASKS = [
  ["package › 'loopback, 10.0.0.0/8' (today's typical)", compileTrust('loopback, 10.0.0.0/8')],
  ["package › 'cloudflare'", compileTrust('cloudflare')],
  ["package › 'cloudfront'", compileTrust('cloudfront')],
  ['package › all four sets', compileTrust(ALL)],
  ['linear scan (before) › all four sets', linearV4(allPrefixes)],
  ['proxy-addr 2.0.8 › all four sets', proxyAddrTask(allPrefixes)],
];

// Both implementations must agree before their speed means anything.
for (const ip of PEERS) {
  const expected = TASKS[3][1](ip, 0);
  for (const [name, fn] of TASKS.slice(4)) {
    if (fn(ip, 0) !== expected) throw new Error(`${name} disagrees on ${ip.text}`);
  }
}

let sink = 0;
function time(fn, calls) {
  const peers = PEERS;
  const start = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) if (fn(peers[i & 7], 0)) sink++;
  return Number(process.hrtime.bigint() - start) / calls;
}

const results = TASKS.map(() => []);
for (let round = 0; round <= ROUNDS; round++) {
  const order = round % 2 === 0 ? TASKS.map((_, i) => i) : TASKS.map((_, i) => TASKS.length - 1 - i);
  for (const i of order) {
    // proxy-addr re-parses the address string on every call: 1/100 of the calls is plenty.
    const ns = time(TASKS[i][1], TASKS[i][0].startsWith('proxy-addr') ? Math.ceil(CALLS / 100) : CALLS);
    if (round > 0) results[i].push(ns);
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const v4Count = ALL.reduce((n, name) => n + sets[name].v4.length, 0);
const v6Count = ALL.reduce((n, name) => n + sets[name].v6.length, 0);
console.log(
  `node ${process.version}, ${ROUNDS} rounds × ${CALLS} calls; all four sets = ${v4Count} IPv4 + ${v6Count} IPv6 prefixes (sink ${sink % 10})`,
);
console.log('| matcher | ns per call (median) | spread |');
console.log('| --- | ---: | --- |');
TASKS.forEach(([name], i) => {
  const xs = results[i];
  console.log(
    `| ${name} | ${median(xs).toFixed(1)} | ${Math.min(...xs).toFixed(1)} … ${Math.max(...xs).toFixed(1)} |`,
  );
});

// Part 2: what requireProof costs per request, on real IncomingMessage objects from Node's
// parser (bench/requests.mjs) with a Cloudflare socket peer and the headers Cloudflare sends.
// Each request is processed once; per-request time is the median over batches of 50.
const SECRET = 'b3f1c9d27a4e4f0c9e8d7c6b5a493827b3f1c9d27a4e4f0c';
const cloudflareRequest = (proof) => ({
  id: `cf-${proof === undefined ? 'none' : proof === SECRET ? 'ok' : 'bad'}`,
  method: 'GET',
  url: '/articles/42?ref=home',
  socket: { remoteAddress: '162.158.1.2' },
  rawHeaders: [
    'Host',
    'www.example.com',
    'CF-Connecting-IP',
    '198.51.100.7',
    'X-Forwarded-For',
    '198.51.100.7',
    'X-Forwarded-Proto',
    'https',
    'CF-Ray',
    '8f1e2d3c4b5a6978-FRA',
    'CF-Visitor',
    '{"scheme":"https"}',
    'CF-IPCountry',
    'DE',
    ...(proof === undefined ? [] : ['X-Origin-Auth', proof]),
    'User-Agent',
    'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
    'Accept',
    'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
    'Accept-Language',
    'en-GB,en;q=0.5',
    'Accept-Encoding',
    'gzip, br',
    'Connection',
    'keep-alive',
  ],
});
const base = { trustedHeaders: ['CF-Connecting-IP', 'X-Forwarded-Proto'], trustedProxies: 'cloudflare' };
const withProof = { ...base, requireProof: { header: 'X-Origin-Auth', secrets: [SECRET] } };
const rotating = { ...base, requireProof: { header: 'X-Origin-Auth', secrets: [`${SECRET}0`, SECRET] } };
const REQUEST_TASKS = [
  ["'cloudflare', no requireProof (the header passes through)", base, cloudflareRequest(SECRET)],
  ["'cloudflare' + requireProof, right secret", withProof, cloudflareRequest(SECRET)],
  ["'cloudflare' + requireProof, two secrets (rotation)", rotating, cloudflareRequest(SECRET)],
  [
    "'cloudflare' + requireProof, wrong secret (proof-failed)",
    withProof,
    cloudflareRequest(`${SECRET.slice(1)}x`),
  ],
  ["'cloudflare' + requireProof, no proof header (proof-failed)", withProof, cloudflareRequest(undefined)],
];
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 2000);
const factory = await requestFactory();
const perRequest = REQUEST_TASKS.map(() => []);
for (let round = 0; round <= ROUNDS; round++) {
  const order =
    round % 2 === 0
      ? REQUEST_TASKS.map((_, i) => i)
      : REQUEST_TASKS.map((_, i) => REQUEST_TASKS.length - 1 - i);
  for (const i of order) {
    const [, options, scenario] = REQUEST_TASKS[i];
    const proxy = trustedProxy(options);
    const batches = [];
    for (let done = 0; done < REQUESTS; done += 50) {
      const { requests, release } = await factory.make(scenario, 50);
      const start = process.hrtime.bigint();
      for (const req of requests) if (proxy.process(req).trusted) sink++;
      batches.push(Number(process.hrtime.bigint() - start) / requests.length);
      await release();
    }
    if (round > 0) perRequest[i].push(median(batches));
  }
}
factory.close();
console.log('');
console.log(`process() on real requests from a Cloudflare peer, ${ROUNDS} rounds × ${REQUESTS} requests`);
console.log('| configuration | ns per request (median) | spread |');
console.log('| --- | ---: | --- |');
REQUEST_TASKS.forEach(([name], i) => {
  const xs = perRequest[i];
  console.log(
    `| ${name} | ${median(xs).toFixed(0)} | ${Math.min(...xs).toFixed(0)} … ${Math.max(...xs).toFixed(0)} |`,
  );
});
