// One server configuration of bench/http.mjs, in its own process so that its CPU time can be
// read alone: `node bench/http-server.mjs <config> <dist url>`. Forked, it reports its port over
// IPC and answers { cpu } with process.cpuUsage() (user + system, µs) when asked. Run alone
// (PORT=8080 to choose the port) it serves until Ctrl-C, e.g. under `node --cpu-prof`.
// `<config A>|<config B>` serves both in turns of 250 requests and reports each one's CPU time.
import { createServer } from 'node:http';
import express4 from 'express4';
import express5 from 'express5';
import { TRUSTED_HEADERS } from './scenarios.mjs';

const [config, dist] = process.argv.slice(2);
const { trustedProxy } = await import(`${dist}/index.js`);
const proxy = trustedProxy({ trustedHeaders: TRUSTED_HEADERS, trustedProxies: 'loopback' });

/** The hello world every configuration serves; `/who` shows what the request resolved to. */
function hello(req, res) {
  if (req.url === '/who') {
    res.end(`${req.ip} ${req.protocol}://${req.hostname}`);
    return;
  }
  res.setHeader('content-type', 'text/plain');
  res.end('hello world');
}

function noopWrap(listener) {
  return function noopListener(req, res) {
    listener(req, res);
  };
}

function expressApp(express, layer, trustProxy = false) {
  const app = express();
  app.set('etag', false);
  app.set('x-powered-by', false);
  if (trustProxy) app.set('trust proxy', 'loopback');
  app.use(layer);
  app.get('/', (_req, res) => res.send('hello world'));
  app.get('/who', (req, res) => res.send(`${req.ip} ${req.protocol}://${req.hostname}`));
  return app;
}
const noop = (_req, _res, next) => next();

const CONFIGS = {
  'node:http': () => hello,
  'node:http + no-op wrapper': () => noopWrap(hello),
  'node:http + proxy.wrap': () => proxy.wrap(hello),
  'express 5 + no-op app.use': () => expressApp(express5, noop),
  'express 5 + app.use(proxy)': () => expressApp(express5, proxy),
  'express 5 + no-op app.use, trust proxy': () => expressApp(express5, noop, true),
  'express 4 + no-op app.use': () => expressApp(express4, noop),
  'express 4 + app.use(proxy)': () => expressApp(express4, proxy),
};

// `A|B`: one server running two configurations in turns of BLOCK requests, recording the CPU
// time of each turn; both then see the same machine, second by second (bench/http.mjs).
const names = config.split('|');
const unknown = names.find((name) => CONFIGS[name] === undefined);
if (unknown !== undefined) {
  console.error(`unknown configuration ${unknown}; one of: ${Object.keys(CONFIGS).join(', ')}`);
  process.exit(2);
}
const BLOCK = 250;
const handlers = names.map((name) => CONFIGS[name]());
const stats = names.map(() => ({ cpu: 0, requests: 0 }));
let current = 0;
let served = 0;
let mark = process.cpuUsage();
function switchTurn() {
  const { user, system } = process.cpuUsage(mark);
  stats[current].cpu += user + system;
  stats[current].requests += served;
  served = 0;
  current = (current + 1) % handlers.length;
  mark = process.cpuUsage();
}
const server = createServer(
  handlers.length === 1
    ? handlers[0]
    : (req, res) => {
        if (served === BLOCK) switchTurn();
        served++;
        handlers[current](req, res);
      },
);
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const { port } = server.address();
  // Forked by bench/http.mjs or bench/deopt.mjs: report over IPC. Run alone (to profile it):
  // print the address and serve until interrupted.
  if (process.send) process.send({ port });
  else console.log(`${config} listening on http://127.0.0.1:${port}/`);
});
process.on('message', (message) => {
  if (message === 'cpu') {
    const { user, system } = process.cpuUsage();
    process.send({ cpu: user + system });
  } else if (message === 'turns') {
    // Per configuration: CPU µs and requests since the last 'turns' (a pair server).
    process.send({ turns: stats.map((t) => ({ ...t })) });
    for (const t of stats) {
      t.cpu = 0;
      t.requests = 0;
    }
  } else if (message === 'exit') {
    server.closeAllConnections();
    server.close();
    process.disconnect();
  }
});
// Run alone: Ctrl-C ends the process normally, so --cpu-prof writes its profile.
if (!process.send) process.once('SIGINT', () => process.exit(0));
