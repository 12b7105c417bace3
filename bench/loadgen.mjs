// Load generator for bench/http.mjs, run in its own process so it does not share a CPU
// queue with the server under test: `node bench/loadgen.mjs <json options>`.
// Options: { url, seconds | amount, connections, headers }.
// Prints one JSON line: { rps, total, seconds, non2xx, errors, p50, p99 }.
import autocannon from 'autocannon';

const { url, seconds, amount, connections, headers } = JSON.parse(process.argv[2] ?? '{}');
// `amount`: a fixed number of requests instead of a duration (bench/deopt.mjs).
const length = amount === undefined ? { duration: seconds } : { amount };
const result = await autocannon({ url, ...length, connections, pipelining: 1, headers });
process.stdout.write(
  `${JSON.stringify({
    rps: result.requests.total / result.duration,
    total: result.requests.total,
    seconds: result.duration,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    p50: result.latency.p50,
    p99: result.latency.p99,
  })}\n`,
);
