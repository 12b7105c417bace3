// A Cloudflare Worker. The platform is the only way in, and it sets CF-Connecting-IP on every
// request (a client's own value is replaced), so that header plays the socket peer here: the
// client's forged X-Forwarded-* are stripped before the Worker forwards to the origin.
//
//   wrangler deploy examples/cloudflare-worker.mjs
import { createResolver } from 'trusted-proxy';

const resolve = createResolver({
  // No proxy of yours stands between Cloudflare and the Worker: trust nobody, so every
  // forwarding header a client sent is stripped and reported.
  trustedHeaders: ['X-Forwarded-For'],
  trustedProxies: () => false,
});

export default {
  async fetch(request, env) {
    const { request: clean, info } = resolve(request, {
      peer: request.headers.get('cf-connecting-ip') ?? undefined,
    });
    if (env?.ORIGIN === undefined) {
      return Response.json({
        client: info.remoteAddress,
        url: clean.url,
        dropped: info.rejected.map((e) => e.header),
      });
    }
    // Forward to your origin with the client's claims removed.
    const url = new URL(clean.url);
    url.host = env.ORIGIN;
    return fetch(new Request(url, clean));
  },
};
