// The backend app the end-to-end suite serves with the package's own CLI
// (`trusted-proxy --trust-proxy … --trust-proxy-header … test/e2e/app.mjs`).
// It answers with what the request resolved to, so the tests see exactly what an app would.
import { proxyInfo, reconstructUrl } from 'trusted-proxy';

/** @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res */
export default function app(req, res) {
  const info = proxyInfo(req);
  const path = (req.url ?? '/').split('?')[0];
  if (path === '/redirect') {
    // An app that builds absolute URLs from what it sees: the internal origin (R14's target).
    const location = `http://${info?.original.host ?? req.headers.host}/landed`;
    res.statusCode = 302;
    res.setHeader('X-App-Location', location);
    res.setHeader('Location', location);
    res.end();
    return;
  }
  const body = JSON.stringify({
    info: info ?? null,
    url: reconstructUrl(req),
    path: req.url,
    ip: /** @type {{ ip?: string }} */ (req).ip,
    headers: req.headers,
    rawHeaders: req.rawHeaders,
  });
  res.setHeader('Content-Type', 'application/json');
  res.end(body);
}
