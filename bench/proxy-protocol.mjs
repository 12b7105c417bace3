// PROXY protocol cost and abuse figures (R21), for docs/benchmarks.md and docs/security.md.
//
//   npm run build && node bench/proxy-protocol.mjs            parse time + added latency
//   node bench/proxy-protocol.mjs --parse                     parse time only
//   BENCH_PP_TIMEOUT=10000 node bench/proxy-protocol.mjs --abuse 10000   stalled half-headers: fds, memory
//   BENCH_DIST=/tmp/other/esm node bench/proxy-protocol.mjs   another build of the package
//
// Parse time: tinybench over parseProxyHeader() for the header shapes load balancers send.
// Added latency: the same hello-world node:http server with and without acceptProxyProtocol(),
// driven by the same raw-socket client (header and request in one write, as HAProxy sends
// them): a new connection per request (Connection: close), and requests on one keep-alive
// connection. Abuse: N connections each send half a header and stall; the server process's
// open file descriptors and memory are sampled before, while they hang, and after the timeout.
import { fork } from 'node:child_process';
import { readdirSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Bench } from 'tinybench';

const DIST = process.env.BENCH_DIST ? pathToFileURL(process.env.BENCH_DIST).href : '../dist/esm';
const { acceptProxyProtocol, parseProxyHeader, crc32c } = await import(`${DIST}/proxy-protocol/index.js`);

const SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);

function v2Header(tlvs = [], withCrc = false) {
  const block = Buffer.from([198, 51, 100, 7, 10, 0, 0, 1, 0x9c, 0x40, 0x01, 0xbb]);
  const parts = [block, ...tlvs];
  if (withCrc) parts.push(Buffer.from([0x03, 0x00, 0x04, 0, 0, 0, 0]));
  const body = Buffer.concat(parts);
  const fixed = Buffer.from([0x21, 0x11, body.length >> 8, body.length & 0xff]);
  const header = Buffer.concat([SIGNATURE, fixed, body]);
  if (withCrc) header.writeUInt32BE(crc32c(header), header.length - 4);
  return header;
}
const tlv = (type, text) => Buffer.concat([Buffer.from([type, 0, text.length]), Buffer.from(text)]);

const HEADERS = {
  'v1 TCP4': Buffer.from('PROXY TCP4 198.51.100.7 10.0.0.1 40000 443\r\n'),
  'v1 TCP6': Buffer.from('PROXY TCP6 2001:db8:85a3::8a2e:370:7334 2001:db8::1 40000 443\r\n'),
  'v2 TCP4': v2Header(),
  'v2 TCP4 + authority, unique id, CRC32C': v2Header(
    [tlv(0x02, 'www.example.com'), tlv(0x05, 'ABCD-1234-EF56-7890')],
    true,
  ),
};
const OPTIONS = { v1: true, v2: true, maxV2Length: 4096 };

async function parseTimes() {
  const bench = new Bench({ time: 500, warmupTime: 200 });
  for (const [name, bytes] of Object.entries(HEADERS)) {
    if (parseProxyHeader(bytes, OPTIONS).state !== 'complete') throw new Error(`${name} does not parse`);
    bench.add(name, () => parseProxyHeader(bytes, OPTIONS));
  }
  await bench.run();
  console.log('\n## parse time per header (parseProxyHeader, whole header in one buffer)\n');
  console.log('| header | bytes | median | mean | p99 |');
  console.log('|---|---|---|---|---|');
  for (const task of bench.tasks) {
    const r = task.result;
    const mean = r.latency?.mean ?? r.mean;
    const p99 = r.latency?.p99 ?? r.p99;
    const p50 = r.latency?.p50 ?? r.p50;
    const ns = (ms) => `${(ms * 1e6).toFixed(0)} ns`; /* tinybench reports ms */
    console.log(`| ${task.name} | ${HEADERS[task.name].length} | ${ns(p50)} | ${ns(mean)} | ${ns(p99)} |`);
  }
}

// ------------------------------------------------------------------ added latency per connection

function startServer(withReceiver) {
  const server = http.createServer((_req, res) => res.end('ok'));
  if (withReceiver) acceptProxyProtocol(server, { from: 'loopback' });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const REQUEST_CLOSE = 'GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n';
const REQUEST_KEEP = 'GET / HTTP/1.1\r\nHost: a\r\n\r\n';
const LINE = HEADERS['v1 TCP4'];

/** One new connection, one request: connect → response complete (socket closed), in µs. */
function oneConnection(port, header) {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write(header ? Buffer.concat([header, Buffer.from(REQUEST_CLOSE)]) : REQUEST_CLOSE);
    });
    socket.on('data', () => {});
    socket.on('error', reject);
    socket.on('close', () => resolve(Number(process.hrtime.bigint() - start) / 1000));
  });
}

/** Requests on one keep-alive connection, one at a time; µs per request. */
function keepAlive(port, header, count) {
  return new Promise((resolve, reject) => {
    const times = [];
    let start = 0n;
    let pending = '';
    const socket = net.connect(port, '127.0.0.1', () => {
      start = process.hrtime.bigint();
      socket.write(header ? Buffer.concat([header, Buffer.from(REQUEST_KEEP)]) : REQUEST_KEEP);
    });
    socket.setEncoding('latin1');
    socket.on('data', (d) => {
      pending += d;
      // Each response ends with its 2-byte body "ok".
      while (pending.includes('\r\n\r\nok')) {
        pending = pending.slice(pending.indexOf('\r\n\r\nok') + 6);
        times.push(Number(process.hrtime.bigint() - start) / 1000);
        if (times.length === count) {
          socket.destroy();
          resolve(times);
          return;
        }
        start = process.hrtime.bigint();
        socket.write(REQUEST_KEEP);
      }
    });
    socket.on('error', reject);
  });
}

function stats(times) {
  const sorted = [...times].sort((a, b) => a - b);
  const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { mean, p50: at(0.5), p99: at(0.99) };
}

async function latency() {
  const ROUNDS = Number(process.env.BENCH_PP_ROUNDS ?? 5);
  const CONNECTIONS = Number(process.env.BENCH_PP_CONNECTIONS ?? 2000);
  const REQUESTS = Number(process.env.BENCH_PP_REQUESTS ?? 5000);
  const plain = await startServer(false);
  const receiving = await startServer(true);
  const runs = { close: { plain: [], pp: [] }, keep: { plain: [], pp: [] } };
  const cpu = { plain: 0, pp: 0 }; /* µs of process CPU (client and server) for the close runs */
  // Interleaved rounds, so drift on a shared machine hits both sides alike.
  for (let round = 0; round < ROUNDS; round++) {
    for (const [key, server, header] of [
      ['plain', plain, undefined],
      ['pp', receiving, LINE],
    ]) {
      const port = server.address().port;
      const before = process.cpuUsage();
      for (let i = 0; i < CONNECTIONS; i++) runs.close[key].push(await oneConnection(port, header));
      const used = process.cpuUsage(before);
      cpu[key] += used.user + used.system;
      runs.keep[key].push(...(await keepAlive(port, header, REQUESTS)));
    }
  }
  plain.close();
  receiving.close();
  console.log(
    `\n## added latency (${ROUNDS} interleaved rounds; ${CONNECTIONS} connections and ${REQUESTS} keep-alive requests per round and side)\n`,
  );
  console.log(
    '| case | without receiver: mean / p50 / p99 | with receiver (v1 header): mean / p50 / p99 | added (mean) |',
  );
  console.log('|---|---|---|---|');
  for (const [name, label] of [
    ['close', 'new connection per request (`Connection: close`)'],
    ['keep', 'keep-alive, per request'],
  ]) {
    const a = stats(runs[name].plain);
    const b = stats(runs[name].pp);
    const f = (s) => `${s.mean.toFixed(1)} / ${s.p50.toFixed(1)} / ${s.p99.toFixed(1)} µs`;
    console.log(`| ${label} | ${f(a)} | ${f(b)} | ${(b.mean - a.mean).toFixed(1)} µs |`);
  }
  const per = (k) => cpu[k] / (ROUNDS * CONNECTIONS);
  console.log(
    `\nCPU per new connection (client and server, one process): ${per('plain').toFixed(1)} µs without, ${per('pp').toFixed(1)} µs with the receiver (+${(per('pp') - per('plain')).toFixed(1)} µs)`,
  );
}

// ------------------------------------------------------------------ abuse: stalled half-headers

function openFds() {
  return readdirSync('/proc/self/fd').length;
}

function memory() {
  globalThis.gc?.();
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed };
}

async function abuse(count) {
  const TIMEOUT = Number(process.env.BENCH_PP_TIMEOUT ?? 3000);
  const server = http.createServer((_req, res) => res.end('ok'));
  const receiver = acceptProxyProtocol(server, { from: 'loopback', headerTimeout: TIMEOUT });
  let timeouts = 0;
  // Count through the hook without keeping anything.
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = server.address().port;
  // Warm up the accept path and the receiver once.
  await oneConnection(port, LINE);
  await new Promise((r) => setTimeout(r, 200));
  const before = { fds: openFds(), ...memory() };
  const client = fork(fileURLToPath(import.meta.url), ['--abuse-client', String(port), String(count)], {
    stdio: 'inherit',
  });
  const started = Date.now();
  await new Promise((resolve) => client.once('message', resolve)); /* all connected and stalled */
  // The client's connect completes at the kernel's accept queue: wait for the server to catch up.
  for (let i = 0; i < 40 && receiver.pending < count; i++) await new Promise((r) => setTimeout(r, 50));
  const connectedAfter = Date.now() - started;
  const during = { fds: openFds(), pending: receiver.pending, ...memory() };
  while (receiver.pending > 0) await new Promise((r) => setTimeout(r, 50));
  const reclaimedAfter = Date.now() - started;
  const closed = await new Promise((resolve) => {
    client.once('message', resolve);
    client.send('report');
  });
  client.kill();
  await new Promise((resolve) => client.once('exit', resolve));
  await new Promise((r) => setTimeout(r, 500));
  const after = { fds: openFds(), ...memory() };
  timeouts = closed;
  server.close();
  const mb = (b) => `${(b / 2 ** 20).toFixed(1)} MB`;
  console.log(
    `\n## abuse: ${count} connections send half a header and stall (headerTimeout ${TIMEOUT} ms)\n`,
  );
  console.log('| | open fds (server process) | pending headers | RSS | heap used (after GC) |');
  console.log('|---|---|---|---|---|');
  console.log(`| before | ${before.fds} | 0 | ${mb(before.rss)} | ${mb(before.heap)} |`);
  console.log(
    `| all ${count} stalled (${connectedAfter} ms after the first) | ${during.fds} | ${during.pending} | ${mb(during.rss)} | ${mb(during.heap)} |`,
  );
  console.log(
    `| after the timeout (all reclaimed ${reclaimedAfter} ms after the first) | ${after.fds} | ${receiver.pending} | ${mb(after.rss)} | ${mb(after.heap)} |`,
  );
  console.log(`\nclient saw ${timeouts} of ${count} connections closed by the server`);
  if (after.fds > before.fds + 2 || receiver.pending !== 0 || timeouts !== count) process.exitCode = 1;
}

async function abuseClient(port, count) {
  let closed = 0;
  let connected = 0;
  const half = [Buffer.from('PROXY TCP4 198.51.100.7 10.0'), v2Header().subarray(0, 20)];
  await new Promise((resolve) => {
    let opening = 0;
    const open = () => {
      // At most 500 connects in flight: the listen backlog is finite.
      while (opening < 500 && connected + opening < count) {
        opening++;
        const i = connected + opening;
        const socket = net.connect(port, '127.0.0.1', () => {
          opening--;
          connected++;
          socket.write(half[i % 2]);
          if (connected === count) resolve();
          else open();
        });
        socket.on('error', () => {});
        socket.on('close', () => closed++);
      }
    };
    open();
  });
  process.send('stalled');
  process.on('message', () => process.send(closed));
}

const args = process.argv.slice(2);
if (args[0] === '--abuse-client') {
  await abuseClient(Number(args[1]), Number(args[2]));
} else if (args[0] === '--abuse') {
  if (typeof globalThis.gc !== 'function') {
    const child = fork(fileURLToPath(import.meta.url), args, { execArgv: ['--expose-gc'], stdio: 'inherit' });
    child.on('exit', (code) => process.exit(code ?? 1));
  } else {
    await abuse(Number(args[1] ?? 10000));
  }
} else {
  await parseTimes();
  if (args[0] !== '--parse') await latency();
}
