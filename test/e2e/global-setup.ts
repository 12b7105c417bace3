// Starts the whole topology once for the suite: backends (the package's CLI serving app.mjs),
// Apache httpd, nginx and HAProxy, each a foreground child bound to its own loopback address.
// Everything is stopped by process id in the teardown, which vitest runs whether tests pass or fail.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { apacheConfig, haproxyConfig, nginxConfig, type Paths } from './configs.js';
import { ensurePackages } from './install.js';
import { describeLogs, type Server, startServer, stopServer, waitForListening } from './processes.js';
import { APACHE, BACKEND_HOST, BACKENDS, type BackendSpec, HAPROXY, NGINX } from './topology.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const cli = join(root, 'dist/esm/cli.js');
const app = join(root, 'test/e2e/app.mjs');

export interface E2EContext {
  dir: string;
  versions: Record<'apache' | 'nginx' | 'haproxy', string>;
  /** Log files per server name, for printing when a test fails. */
  logs: Record<string, string[]>;
}

declare module 'vitest' {
  export interface ProvidedContext {
    e2e: E2EContext;
  }
}

function firstLine(command: string, args: string[]): string {
  const out = spawnSync(command, args, { encoding: 'utf8' });
  return `${out.stdout}${out.stderr}`.split('\n')[0]?.trim() ?? '';
}

/** A config check gives a clearer message than a server that exits while starting. */
function check(name: string, command: string, args: string[], env?: NodeJS.ProcessEnv): void {
  const out = spawnSync(command, args, { encoding: 'utf8', env: env ?? process.env });
  if (out.status !== 0) throw new Error(`${name} config check failed:\n${out.stdout}${out.stderr}`);
}

function makeCertificate(dir: string): Paths {
  const paths: Paths = {
    dir,
    cert: join(dir, 'cert.pem'),
    key: join(dir, 'key.pem'),
    pem: join(dir, 'haproxy.pem'),
  };
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      paths.key,
      '-out',
      paths.cert,
      '-days',
      '2',
      '-subj',
      '/CN=blog.example.com',
      '-addext',
      'subjectAltName=DNS:blog.example.com,DNS:www.example.com,DNS:wiki.example.com',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  writeFileSync(paths.pem, readFileSync(paths.cert, 'utf8') + readFileSync(paths.key, 'utf8'), {
    mode: 0o600,
  });
  return paths;
}

function backendArgs(spec: BackendSpec): string[] {
  const args = [cli, '--host', BACKEND_HOST, '--port', String(spec.port)];
  for (const address of spec.trustProxy) args.push('--trust-proxy', address);
  for (const header of spec.trustProxyHeader) args.push('--trust-proxy-header', header);
  if (spec.rewriteLocation) args.push('--rewrite-location');
  args.push('--log-rejections');
  args.push(app);
  return args;
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  ensurePackages();
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`npm run build\` first`);

  const dir = mkdtempSync(join(tmpdir(), 'trusted-proxy-e2e-'));
  chmodSync(dir, 0o755);
  for (const sub of ['apache-run']) mkdirSync(join(dir, sub));
  const paths = makeCertificate(dir);
  const apacheConf = join(dir, 'apache.conf');
  const nginxConf = join(dir, 'nginx.conf');
  const haproxyConf = join(dir, 'haproxy.cfg');
  writeFileSync(apacheConf, apacheConfig(paths));
  writeFileSync(nginxConf, nginxConfig(paths));
  writeFileSync(haproxyConf, haproxyConfig(paths));

  // Debian's apache2 binary reads these only through /etc/apache2/envvars, which this config
  // does not use; they are set anyway so nothing falls back to the system's directories.
  const apacheEnv = {
    ...process.env,
    APACHE_RUN_DIR: join(dir, 'apache-run'),
    APACHE_LOCK_DIR: join(dir, 'apache-run'),
    APACHE_LOG_DIR: dir,
    APACHE_PID_FILE: join(dir, 'apache.pid'),
  };
  const nginxArgs = ['-p', dir, '-e', join(dir, 'nginx.error.log'), '-c', nginxConf];
  check('apache2', '/usr/sbin/apache2', ['-t', '-f', apacheConf], apacheEnv);
  check('nginx', '/usr/sbin/nginx', ['-t', '-q', ...nginxArgs]);
  check('haproxy', '/usr/sbin/haproxy', ['-c', '-q', '-f', haproxyConf]);

  const servers: Server[] = [];
  const stopAll = async () => {
    await Promise.all(servers.map((s) => stopServer(s)));
  };
  try {
    const backends = Object.values(BACKENDS).map((spec) => {
      const server = startServer(`backend ${spec.name}`, process.execPath, backendArgs(spec), {
        logFile: join(dir, `backend-${spec.name}.log`),
        cwd: root,
      });
      servers.push(server);
      return { server, spec };
    });
    await Promise.all(
      backends.map(({ server, spec }) => waitForListening(server, [{ host: BACKEND_HOST, port: spec.port }])),
    );

    const apache = startServer('apache2', '/usr/sbin/apache2', ['-f', apacheConf, '-DFOREGROUND'], {
      logFile: join(dir, 'apache.stderr.log'),
      extraLogs: [join(dir, 'apache.error.log')],
      env: apacheEnv,
    });
    servers.push(apache);
    const nginx = startServer('nginx', '/usr/sbin/nginx', [...nginxArgs, '-g', 'daemon off;'], {
      logFile: join(dir, 'nginx.stderr.log'),
      extraLogs: [join(dir, 'nginx.error.log')],
    });
    servers.push(nginx);
    const haproxy = startServer('haproxy', '/usr/sbin/haproxy', ['-f', haproxyConf, '-db'], {
      logFile: join(dir, 'haproxy.stderr.log'),
    });
    servers.push(haproxy);
    const on = (host: string, ports: number[]) => ports.map((port) => ({ host, port }));
    await Promise.all([
      waitForListening(
        apache,
        on(APACHE.listen, [APACHE.http, APACHE.https, APACHE.fixedHttp, APACHE.fixedHttps, APACHE.inner]),
      ),
      waitForListening(nginx, on(NGINX.listen, [NGINX.http, NGINX.https, NGINX.edgeHttp, NGINX.edgeHttps])),
      waitForListening(
        haproxy,
        on(HAPROXY.listen, [HAPROXY.http, HAPROXY.https, HAPROXY.xffHttp, HAPROXY.xffHttps]),
      ),
    ]);
  } catch (err) {
    // The error already carries the failing server's log.
    await stopAll();
    if (!process.env.E2E_KEEP_DIR) rmSync(dir, { recursive: true, force: true });
    throw err;
  }

  project.provide('e2e', {
    dir,
    versions: {
      apache: firstLine('/usr/sbin/apache2', ['-v']),
      nginx: firstLine('/usr/sbin/nginx', ['-v']),
      haproxy: firstLine('/usr/sbin/haproxy', ['-v']),
    },
    logs: Object.fromEntries(servers.map((s) => [s.name, s.logs])),
  });

  return async () => {
    // Surface anything a server said on its way out only when it died on its own.
    for (const s of servers)
      if (s.exited) console.error(`[e2e] ${s.name} had exited early\n${describeLogs(s)}`);
    await stopAll();
    if (!process.env.E2E_KEEP_DIR) rmSync(dir, { recursive: true, force: true });
  };
}
