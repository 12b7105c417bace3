// An Express app served by the trusted-proxy command line. The module only exports the app:
// the command line wraps it with the middleware, listens, and shuts down cleanly on SIGTERM.
//
//   npx trusted-proxy --trust-proxy loopback \
//     --trust-proxy-header X-Forwarded-For --trust-proxy-header X-Forwarded-Host \
//     --trust-proxy-header X-Forwarded-Proto --trust-proxy-header X-Forwarded-Prefix \
//     --rewrite-location examples/express-app.mjs
//
//   curl -H 'X-Forwarded-Host: blog.example.com' -H 'X-Forwarded-Proto: https' http://127.0.0.1:8000/
import express from 'express';
import { proxyInfo, reconstructUrl } from 'trusted-proxy';

const app = express();

// The public URL of this request, as the client typed it (PEP 3333 reconstruction).
app.get('/', (req, res) => {
  res.type('text/plain').send(`${reconstructUrl(req)}\nclient: ${req.ip}\n`);
});

// What the middleware resolved. Express's own getters agree with it.
app.get('/whoami', (req, res) => {
  res.json({
    url: reconstructUrl(req),
    ip: req.ip,
    protocol: req.protocol,
    secure: req.secure,
    host: req.host,
    info: proxyInfo(req),
  });
});

// Links for the page the client is on: reconstructUrl(req, path) puts the public origin and
// the mount prefix in front.
app.get('/links', (req, res) => {
  res.json({ home: reconstructUrl(req, '/'), login: reconstructUrl(req, '/login?next=%2F') });
});

// A root-relative redirect. Behind a proxy that mounts the app under /blog, it only works with
// --rewrite-location, which turns `/` into `/blog/`.
app.get('/login', (_req, res) => {
  res.redirect('/');
});

export default app;
