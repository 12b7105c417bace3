// Fastify 5 behind a reverse proxy: request.ip, request.host, request.protocol … report the
// client and the public origin; Fastify's own trustProxy stays off (the plugin refuses it).
//
//   PORT=3000 node examples/fastify-app.mjs
import Fastify from 'fastify';
import trustedProxy from 'trusted-proxy/fastify';

const app = Fastify();
await app.register(trustedProxy, {
  trustedHeaders: ['X-Forwarded-For', 'X-Forwarded-Host', 'X-Forwarded-Proto'],
  trustedProxies: ['127.0.0.1'], // your proxy's address or range
  allowedHosts: ['example.com', '*.example.com'],
});
app.get('/*', async (request) => ({
  client: request.ip,
  url: `${request.protocol}://${request.host}${request.url}`,
  framework: 'fastify',
}));

const address = await app.listen({ port: Number(process.env.PORT ?? 3000), host: '127.0.0.1' });
console.log(`listening on ${address}`);
process.once('SIGTERM', () => app.close().then(() => process.exit(0)));
