// Installs the proxies from Debian's packages when they are missing. Debian's postinst scripts
// start the services they install; a policy-rc.d that exits 101 ("action forbidden") stops that,
// so the system's services and configuration are left as the package install leaves them.
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';

/** Binary each package must provide, by package name. */
const PACKAGES: Record<string, string> = {
  apache2: '/usr/sbin/apache2',
  nginx: '/usr/sbin/nginx',
  haproxy: '/usr/sbin/haproxy',
  openssl: '/usr/bin/openssl',
  curl: '/usr/bin/curl',
  // nginx's `stream` module (PROXY protocol e2e, test/e2e/proxy-protocol.test.ts): Debian ships it apart.
  'libnginx-mod-stream': '/usr/lib/nginx/modules/ngx_stream_module.so',
};

const POLICY_RC_D = '/usr/sbin/policy-rc.d';

export function missingPackages(): string[] {
  return Object.entries(PACKAGES)
    .filter(([, binary]) => !existsSync(binary))
    .map(([name]) => name);
}

function run(command: string, args: string[]): void {
  const asRoot = process.getuid?.() === 0;
  const [cmd, argv] = asRoot ? [command, args] : ['sudo', ['-n', command, ...args]];
  const result = spawnSync(cmd, argv, {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (result.status !== 0) {
    throw new Error(`${cmd} ${argv.join(' ')} failed with status ${result.status ?? result.signal}`);
  }
}

/** apt-get update once, then install what is missing, never starting a service. */
export function ensurePackages(): void {
  const missing = missingPackages();
  if (missing.length === 0) return;
  console.log(`[e2e] installing from Debian packages: ${missing.join(' ')}`);
  const ownPolicy = !existsSync(POLICY_RC_D);
  if (ownPolicy)
    writeFileSync(POLICY_RC_D, '#!/bin/sh\n# written by trusted-proxy test/e2e\nexit 101\n', { mode: 0o755 });
  try {
    run('apt-get', ['update']);
    run('apt-get', ['install', '-y', '--no-install-recommends', ...missing]);
  } finally {
    if (ownPolicy) rmSync(POLICY_RC_D, { force: true });
  }
  const still = missingPackages();
  if (still.length > 0) throw new Error(`still missing after apt-get install: ${still.join(' ')}`);
}
