// A plain node:http listener in CommonJS, served by the trusted-proxy command line:
//
//   TRUSTED_PROXY_HEADERS='X-Forwarded-For X-Forwarded-Host X-Forwarded-Port' \
//   TRUSTED_PROXIES=loopback npx trusted-proxy examples/plain-listener.cjs
//
// module.exports is the (req, res) listener; the command line wraps it with the middleware.
const { proxyInfo, reconstructUrl } = require('trusted-proxy');

module.exports = function listener(req, res) {
  const info = proxyInfo(req);
  const body = `${JSON.stringify(
    {
      url: reconstructUrl(req),
      client: info?.remoteAddress,
      viaTrustedProxy: info?.trusted,
      applied: info?.applied,
    },
    null,
    2,
  )}\n`;
  res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
};
