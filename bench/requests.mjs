// Real request objects for the micro-benchmark and the heap check: `http.IncomingMessage`
// instances made by Node's own HTTP parser from raw request bytes, with fresh header strings
// and the lazily built `req.headers` Node gives every listener.
//
// A loopback server collects the requests a client connection writes, pipelined, without
// answering them; the connection stays open while they are measured (as a keep-alive
// connection does), and closes when the batch is released. Each scenario names its socket
// peer; the server-side socket is given that peer address before the first request is
// parsed (Node caches the result of getpeername() the same way after the first read), so
// any scenario address can be measured over a real loopback socket.
import { createServer } from 'node:http';
import { connect } from 'node:net';

/** Wire bytes of `count` requests for a scenario, pipelined on one connection. */
function wire(scenario, count) {
  let head = `${scenario.method} ${scenario.url} HTTP/1.1\r\n`;
  for (let i = 0; i < scenario.rawHeaders.length; i += 2) {
    const name = scenario.rawHeaders[i];
    // Pipelined on one connection: `Connection: close` (nginx's default upstream) would end it.
    const value = name.toLowerCase() === 'connection' ? 'keep-alive' : scenario.rawHeaders[i + 1];
    head += `${name}: ${value}\r\n`;
  }
  head += '\r\n';
  return Buffer.from(head.repeat(count), 'latin1');
}

/**
 * Starts the collecting server. `make(scenario, count, proto?)` resolves to `count` fresh
 * requests (with `proto` as their prototype when given: the prototype Express swaps in) and a
 * `release()` that closes their connection.
 */
export async function requestFactory() {
  let collecting; // { peer, count, list, done }
  const server = createServer({ maxHeaderSize: 64 * 1024 }, (req) => {
    const c = collecting;
    c.list.push(req);
    if (c.list.length === c.count) c.done();
  });
  server.on('connection', (socket) => {
    collecting.socket = socket;
    const family = collecting.peer.includes(':') ? 'IPv6' : 'IPv4';
    // What socket.remoteAddress reads (and caches) on its first access.
    socket._peername = { address: collecting.peer, family, port: 40_000 };
  });
  server.keepAliveTimeout = 0;
  server.headersTimeout = 0;
  server.requestTimeout = 0;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  const bytes = new Map();

  async function make(scenario, count, proto) {
    const key = `${scenario.id}/${count}`;
    if (!bytes.has(key)) bytes.set(key, wire(scenario, count));
    const list = [];
    const client = connect({ host: '127.0.0.1', port });
    const state = { peer: scenario.socket.remoteAddress, count, list, done: undefined, socket: undefined };
    await new Promise((resolve, reject) => {
      state.done = resolve;
      collecting = state;
      client.once('error', reject);
      client.on('connect', () => client.write(bytes.get(key)));
    });
    collecting = undefined; // hold the requests only through what `make` returns
    if (proto !== undefined) for (const req of list) Object.setPrototypeOf(req, proto);
    return {
      requests: list,
      /** Closes the connection; resolves once the server has let go of it and its requests. */
      release() {
        const closed = new Promise((resolve) => state.socket.once('close', resolve));
        client.destroy();
        return closed;
      },
    };
  }

  return {
    make,
    close() {
      server.closeAllConnections();
      server.close();
    },
  };
}
