/**
 * The scenario table through the Koa middleware (trusted-proxy/koa, R19): a real Koa server
 * over real sockets; the app answers with ProxyInfo and Koa's own accessors, `ctx.href` included.
 * (The same over HTTP/2: test/edges/http2.test.ts.)
 */
import { startKoa } from './adapters.js';
import { describeEdge } from './runner.js';

describeEdge({
  name: 'Koa 3 (trusted-proxy/koa)',
  rawLines: true,
  start: (options, listen) => startKoa(options, listen),
});
