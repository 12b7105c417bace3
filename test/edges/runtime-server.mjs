// A server host for the scenario table on Bun and Deno: runs in the runtime itself, imports
// the built package (dist/) and Hono by path (no install, no network), and starts one server
// per command read from stdin: {"id", "kind": "fetch" | "hono" | "hono-wrap", "options",
// "listen": {"host", "tls"}, "key"?, "cert"?}. Answers one JSON line per command on stdout:
// {"id", "port"} or {"id", "error"}. Every server dies with the process.
const root = new URL('../../', import.meta.url);
const { createResolver, proxyInfo, reconstructUrl } = await import(new URL('dist/esm/index.js', root).href);
const { trustedProxy, clientAddress, wrapFetch } = await import(
  new URL('dist/esm/adapters/hono.js', root).href
);
const { Hono } = await import(new URL('node_modules/hono/dist/index.js', root).href);

const isDeno = typeof globalThis.Deno !== 'undefined';
const runtime = isDeno ? 'deno' : 'bun';

function headersOf(request) {
  const headers = {};
  request.headers.forEach((value, key) => {
    headers[key] = value;
  });
  return headers;
}

function json(value, status = 200) {
  return new Response(JSON.stringify(value), { status, headers: { 'content-type': 'application/json' } });
}

/** createResolver on the runtime's own server: the peer straight from the runtime. */
function fetchHandler(options) {
  const resolve = createResolver(options);
  return (req, serverOrInfo) => {
    const peer = isDeno ? serverOrInfo.remoteAddr.hostname : serverOrInfo.requestIP(req)?.address;
    const { request, info } = resolve(req, { peer });
    if (!info.hostAllowed) return new Response('Bad Request: host not allowed\n', { status: 400 });
    return json({
      info: proxyInfo(request),
      url: reconstructUrl(request),
      headers: headersOf(request),
      accessors: { url: request.url },
      runtime,
    });
  };
}

/** Hono with the middleware; its default getPeer reads Bun's server or Deno's info from c.env. */
function honoApp(options) {
  const app = new Hono();
  app.use(trustedProxy(options));
  app.post('/echo', async (c) => c.json({ body: await c.req.text(), url: c.req.url, runtime }));
  app.all('*', (c) =>
    c.json({
      info: c.var.proxyInfo,
      url: reconstructUrl(c.req.raw),
      headers: headersOf(c.req.raw),
      accessors: { url: c.req.url, ip: clientAddress(c), host: c.req.header('host') ?? '' },
      runtime,
    }),
  );
  return app;
}

function handlerFor(command) {
  switch (command.kind) {
    case 'fetch':
      return fetchHandler(command.options);
    case 'hono':
      return honoApp(command.options).fetch;
    case 'hono-wrap':
      return wrapFetch(honoApp(command.options).fetch, command.options);
    default:
      throw new Error(`unknown kind ${command.kind}`);
  }
}

function start(command) {
  const handler = handlerFor(command);
  const tls = command.listen.tls ? { key: command.key, cert: command.cert } : undefined;
  if (isDeno) {
    const server = Deno.serve(
      { hostname: command.listen.host, port: 0, onListen() {}, ...(tls ?? {}) },
      (req, info) => handler(req, info),
    );
    return server.addr.port;
  }
  const server = Bun.serve({
    hostname: command.listen.host,
    port: 0,
    ...(tls ? { tls } : {}),
    fetch: (req, srv) => handler(req, srv),
  });
  return server.port;
}

const input = isDeno ? Deno.stdin.readable : Bun.stdin.stream();
const write = (value) => {
  const line = `${JSON.stringify(value)}\n`;
  if (isDeno) Deno.stdout.writeSync(new TextEncoder().encode(line));
  else process.stdout.write(line);
};
write({ ready: runtime });
let buffered = '';
for await (const chunk of input.pipeThrough(new TextDecoderStream())) {
  buffered += chunk;
  let newline = buffered.indexOf('\n');
  while (newline >= 0) {
    const line = buffered.slice(0, newline);
    buffered = buffered.slice(newline + 1);
    newline = buffered.indexOf('\n');
    if (line.trim() === '') continue;
    const command = JSON.parse(line);
    try {
      write({ id: command.id, port: start(command) });
    } catch (err) {
      write({ id: command.id, error: String(err?.stack ?? err) });
    }
  }
}
