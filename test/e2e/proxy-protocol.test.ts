// PROXY protocol (R21) end to end: real HAProxy 2.6 (`send-proxy`, `send-proxy-v2`,
// `send-proxy-v2-ssl`, TLS passthrough) and nginx `stream { proxy_protocol on; }` in front of the
// CLI with --proxy-protocol, over HTTP and HTTPS; `curl --haproxy-protocol`; and the control: the
// same CLI without the flag answers a PROXY line with 400.
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { proxyInfo, trustedProxy } from '../../src/index.js';
import { acceptProxyProtocol } from '../../src/proxy-protocol/index.js';
import { type AppReply, get } from './client.js';
import { type Server, startServer, stopServer, waitForListening } from './processes.js';
import { PP, type PPPaths, ppHaproxyConfig, ppNginxConfig } from './proxy-protocol-configs.js';
import { CLIENT } from './topology.js';

const run = promisify(execFile);
const servers: Server[] = [];
let passthrough: https.Server | undefined;
let dir = '';

function cliArgs(port: number, proxyProtocol: boolean): string[] {
  const root = join(import.meta.dirname, '../..');
  const args = [join(root, 'dist/esm/cli.js'), '--host', PP.backend.host, '--port', String(port)];
  args.push(
    '--trust-proxy',
    PP.haproxy.source,
    '--trust-proxy-header',
    'X-Forwarded-For',
    '--log-rejections',
  );
  if (proxyProtocol) {
    args.push('--proxy-protocol');
    for (const from of [PP.haproxy.source, PP.nginx.source, PP.curlSource])
      args.push('--proxy-protocol-from', from);
  }
  args.push(join(root, 'test/e2e/app.mjs'));
  return args;
}

beforeAll(async () => {
  dir = inject('e2e').dir;
  const paths: PPPaths = {
    dir,
    cert: join(dir, 'cert.pem'),
    key: join(dir, 'key.pem'),
    pem: join(dir, 'haproxy.pem'),
  };
  writeFileSync(join(dir, 'haproxy-pp.cfg'), ppHaproxyConfig(paths));
  writeFileSync(join(dir, 'nginx-pp.conf'), ppNginxConfig(paths));

  const backend = startServer('backend proxy-protocol', process.execPath, cliArgs(PP.backend.port, true), {
    logFile: join(dir, 'backend-pp.log'),
  });
  const control = startServer('backend control', process.execPath, cliArgs(PP.control.port, false), {
    logFile: join(dir, 'backend-control.log'),
  });
  servers.push(backend, control);
  // The proxies start once the backends listen, so HAProxy's first health checks pass.
  await Promise.all([waitForListening(backend, [PP.backend]), waitForListening(control, [PP.control])]);
  const haproxy = startServer('haproxy pp', '/usr/sbin/haproxy', ['-f', join(dir, 'haproxy-pp.cfg'), '-db'], {
    logFile: join(dir, 'haproxy-pp.log'),
  });
  const nginx = startServer(
    'nginx pp',
    '/usr/sbin/nginx',
    ['-p', dir, '-e', join(dir, 'nginx-pp.error.log'), '-c', join(dir, 'nginx-pp.conf'), '-g', 'daemon off;'],
    { logFile: join(dir, 'nginx-pp.stderr.log'), extraLogs: [join(dir, 'nginx-pp.error.log')] },
  );
  servers.push(haproxy, nginx);

  // TLS passthrough: HAProxy forwards the client's TLS bytes behind a v2 header; this server
  // reads the header, then does the TLS handshake itself.
  const proxy = trustedProxy({ trustedHeaders: ['X-Forwarded-For'], trustedProxies: 'loopback' });
  passthrough = https.createServer(
    { cert: readFileSync(paths.cert), key: readFileSync(paths.key) },
    (req, res) => {
      proxy.process(req);
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ info: proxyInfo(req), path: req.url }));
    },
  );
  acceptProxyProtocol(passthrough, { from: PP.haproxy.source, versions: [2] });
  await new Promise<void>((resolve) => passthrough!.listen(PP.https.port, PP.https.host, resolve));

  const on = (host: string, ports: number[]) => ports.map((port) => ({ host, port }));
  await Promise.all([
    waitForListening(
      haproxy,
      on(PP.haproxy.listen, [PP.haproxy.v1, PP.haproxy.v2, PP.haproxy.v2ssl, PP.haproxy.passthrough]),
    ),
    waitForListening(nginx, on(PP.nginx.listen, [PP.nginx.http, PP.nginx.https])),
  ]);
}, 60_000);

afterAll(async () => {
  await Promise.all(servers.map((s) => stopServer(s)));
  await new Promise<void>((resolve) => (passthrough ? passthrough.close(() => resolve()) : resolve()));
});

async function app(target: { address: string; port: number; tls?: boolean }): Promise<AppReply> {
  const reply = await get(target, 'blog.example.com', '/path?q=1');
  expect(reply.status).toBe(200);
  return JSON.parse(reply.body) as AppReply;
}

async function curl(args: string[]): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = await run('/usr/bin/curl', ['-sS', '--max-time', '10', ...args]);
    return { code: 0, stdout };
  } catch (err) {
    const e = err as { code?: number; stdout?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '' };
  }
}

describe('PROXY protocol › HAProxy mode tcp in front of the CLI', () => {
  it('send-proxy (v1): the client is the header source; the socket peer stays HAProxy', async () => {
    const reply = await app({ address: PP.haproxy.listen, port: PP.haproxy.v1 });
    expect(reply.info).toMatchObject({
      peerAddress: CLIENT,
      remoteAddress: CLIENT,
      original: { remoteAddress: PP.haproxy.source },
      transport: {
        version: 1,
        sourceAddress: CLIENT,
        destinationAddress: PP.haproxy.listen,
        destinationPort: PP.haproxy.v1,
        proxyAddress: PP.haproxy.source,
      },
    });
    expect(reply.ip).toBe(CLIENT);
  });

  it('send-proxy-v2 (v2)', async () => {
    const reply = await app({ address: PP.haproxy.listen, port: PP.haproxy.v2 });
    expect(reply.info?.remoteAddress).toBe(CLIENT);
    expect(reply.info?.transport).toMatchObject({
      version: 2,
      sourceAddress: CLIENT,
      destinationPort: PP.haproxy.v2,
    });
  });

  it('send-proxy-v2-ssl over HTTPS: TLS facts, the SNI authority and a verified CRC32C', async () => {
    const reply = await app({ address: PP.haproxy.listen, port: PP.haproxy.v2ssl, tls: true });
    expect(reply.info?.remoteAddress).toBe(CLIENT);
    expect(reply.info?.transport).toMatchObject({
      version: 2,
      sourceAddress: CLIENT,
      authority: 'blog.example.com',
      ssl: { tls: true, version: expect.stringMatching(/^TLSv1\.[23]$/) },
    });
    // R10: the hop that reached the app was plain HTTP; the SSL TLV is reported, not applied.
    expect(reply.info?.protocol).toBe('http');
  });

  it('TLS passthrough: the header arrives before the ClientHello and the handshake still works', async () => {
    const reply = await get(
      { address: PP.haproxy.listen, port: PP.haproxy.passthrough, tls: true },
      'blog.example.com',
      '/p',
    );
    expect(reply.status).toBe(200);
    const { info, path } = JSON.parse(reply.body);
    expect(path).toBe('/p');
    expect(info).toMatchObject({
      remoteAddress: CLIENT,
      protocol: 'https',
      original: { remoteAddress: PP.haproxy.source },
    });
  });
});

describe('PROXY protocol › HAProxy health checks', () => {
  it('pass: the checks carry the header, and the receiver refuses none of them', async () => {
    await new Promise((resolve) => setTimeout(resolve, 1200)); /* several check intervals */
    // Checks may fail while the CLI is still starting; what counts is the state they settle in.
    const states =
      readFileSync(join(dir, 'haproxy-pp.log'), 'utf8').match(/Server pp_v[12]\/cli is (UP|DOWN)/g) ?? [];
    const last = (name: string) =>
      states.filter((line) => line.includes(`${name}/cli`)).at(-1) ?? 'UP (never down)';
    expect(last('pp_v1')).toMatch(/UP/);
    expect(last('pp_v2')).toMatch(/UP/);
    const log = readFileSync(join(dir, 'backend-pp.log'), 'utf8');
    expect(log).not.toContain(`"peer":"${PP.haproxy.source}"`);
  });
});

describe('PROXY protocol › nginx stream { proxy_protocol on; } in front of the CLI', () => {
  it('over HTTP', async () => {
    const reply = await app({ address: PP.nginx.listen, port: PP.nginx.http });
    expect(reply.info).toMatchObject({
      remoteAddress: CLIENT,
      original: { remoteAddress: PP.nginx.source },
      transport: {
        version: 1,
        sourceAddress: CLIENT,
        destinationAddress: PP.nginx.listen,
        destinationPort: PP.nginx.http,
      },
    });
  });

  it('over HTTPS (TLS terminated by the stream ssl module)', async () => {
    const reply = await app({ address: PP.nginx.listen, port: PP.nginx.https, tls: true });
    expect(reply.info?.remoteAddress).toBe(CLIENT);
    expect(reply.info?.transport).toMatchObject({ version: 1, destinationPort: PP.nginx.https });
  });
});

describe('PROXY protocol › curl --haproxy-protocol', () => {
  const url = `http://${PP.backend.host}:${PP.backend.port}/c`;

  it('from a peer in --proxy-protocol-from: curl’s own addresses in a v1 line', async () => {
    const { code, stdout } = await curl([
      '--haproxy-protocol',
      '--interface',
      PP.curlSource,
      '-H',
      'Accept: application/json',
      url,
    ]);
    expect(code).toBe(0);
    const reply = JSON.parse(stdout) as AppReply;
    expect(reply.info?.transport).toMatchObject({
      version: 1,
      sourceAddress: PP.curlSource,
      proxyAddress: PP.curlSource,
    });
    expect(reply.info?.remoteAddress).toBe(PP.curlSource);
  });

  it('from anyone else the connection is closed, header or not: nothing is believed', async () => {
    for (const extra of [['--haproxy-protocol'], []]) {
      const { code, stdout } = await curl([...extra, '--interface', CLIENT, url]);
      expect(stdout).toBe('');
      expect([52, 55, 56]).toContain(code); /* curl: empty reply, or reset while sending or receiving */
    }
    // The log line may land just after curl saw the close: wait for it, bounded.
    const line = `"reason":"not-from","peer":"${CLIENT}"`;
    const log = () => readFileSync(join(dir, 'backend-pp.log'), 'utf8');
    for (let i = 0; i < 100 && !log().includes(line); i++) await new Promise((r) => setTimeout(r, 20));
    expect(log()).toContain(line);
  });

  it('control: without --proxy-protocol the PROXY line is a bad request', async () => {
    const control = `http://${PP.control.host}:${PP.control.port}/c`;
    const { stdout } = await curl([
      '--haproxy-protocol',
      '--interface',
      CLIENT,
      '-o',
      '/dev/null',
      '-w',
      '%{http_code}',
      control,
    ]);
    expect(stdout).toBe('400');
  });
});
