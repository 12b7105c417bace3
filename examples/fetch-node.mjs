// A fetch-style handler on plain node:http, the way srvx, Remix's node-fetch-server and
// Next.js build a Web Request from Node's request: createResolver() turns it into the request
// the client meant, with the socket's address as the peer and the raw lines for Forwarded.
//
//   PORT=3000 node examples/fetch-node.mjs
import http from 'node:http';
import { Readable } from 'node:stream';
import { createResolver, reconstructUrl } from 'trusted-proxy';

const resolve = createResolver({
  trustedHeaders: [
    'Forwarded',
    'X-Forwarded-For',
    'X-Forwarded-Host',
    'X-Forwarded-Proto',
    'X-Forwarded-Prefix',
  ],
  trustedProxies: ['127.0.0.1'], // your proxy's address or range
});

/** The app: any (Request) => Response. */
async function handle(request) {
  const body = request.method === 'POST' ? await request.text() : undefined;
  return Response.json({ url: request.url, public: reconstructUrl(request), body });
}

function toRequest(req) {
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i], req.rawHeaders[i + 1]);
  const scheme = req.socket.encrypted ? 'https' : 'http';
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  return new Request(`${scheme}://${req.headers.host ?? 'localhost'}${req.url}`, {
    method: req.method,
    headers,
    body: hasBody ? Readable.toWeb(req) : null,
    duplex: 'half',
  });
}

const server = http.createServer(async (req, res) => {
  const { request, info } = resolve(toRequest(req), {
    peer: req.socket.remoteAddress,
    tls: req.socket.encrypted === true,
    rawHeaders: req.rawHeaders, // Forwarded, one line at a time
  });
  const response = info.hostAllowed ? await handle(request) : new Response('Bad Request\n', { status: 400 });
  res.writeHead(response.status, Object.fromEntries(response.headers));
  res.end(Buffer.from(await response.arrayBuffer()));
});
server.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () =>
  console.log(`listening on http://127.0.0.1:${server.address().port}`),
);
process.once('SIGTERM', () => server.close(() => process.exit(0)));
