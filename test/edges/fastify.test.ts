/**
 * The scenario table through the Fastify plugin (trusted-proxy/fastify, R19): a real Fastify 5
 * server over real sockets; the route answers with ProxyInfo and Fastify's own accessors.
 */
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import trustedProxy from '../../src/adapters/fastify.js';
import { proxyInfo, reconstructUrl } from '../../src/index.js';
import { describeEdge, type EdgeServer, type Listen, type Observation, TLS_CERT, TLS_KEY } from './runner.js';
import type { ScenarioOptions } from './scenarios.js';

export function observeFastify(request: FastifyRequest): Observation {
  const info = proxyInfo(request.raw)!;
  if (request.proxyInfo !== info) throw new Error('request.proxyInfo is not proxyInfo(request.raw)');
  return {
    info,
    url: reconstructUrl(request.raw),
    headers: request.headers as Record<string, string>,
    accessors: {
      ip: request.ip,
      protocol: request.protocol,
      hostname: request.hostname,
      host: request.host,
    },
  };
}

export async function startFastify(options: ScenarioOptions, listen: Listen): Promise<EdgeServer> {
  const app: FastifyInstance = (
    listen.tls ? Fastify({ https: { key: TLS_KEY, cert: TLS_CERT } }) : Fastify()
  ) as FastifyInstance;
  await app.register(trustedProxy, options);
  app.get('/*', async (request) => observeFastify(request));
  await app.listen({ port: 0, host: listen.host });
  const address = app.server.address();
  return {
    port: typeof address === 'object' && address !== null ? address.port : 0,
    close: () => app.close(),
  };
}

describeEdge({ name: 'Fastify 5 (trusted-proxy/fastify)', rawLines: true, start: startFastify });
