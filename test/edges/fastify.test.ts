/**
 * The scenario table through the Fastify plugin (trusted-proxy/fastify, R19): a real Fastify 5
 * server over real sockets; the route answers with ProxyInfo and Fastify's own accessors.
 * (The same over HTTP/2: test/edges/http2.test.ts.)
 */
import { startFastify } from './adapters.js';
import { describeEdge } from './runner.js';

describeEdge({
  name: 'Fastify 5 (trusted-proxy/fastify)',
  rawLines: true,
  start: (options, listen) => startFastify(options, listen),
});
