// R22 configuration from outside the code: optionsFromEnv reads the proof header and its
// secrets from the environment or a file; the command line takes the header name and a
// secrets file (never a secret on argv, where ps shows it). Nothing prints a secret.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCommand, UsageError } from '../../src/cli/args.js';
import { optionsFromEnv, TrustedProxyConfigError } from '../../src/index.js';
import { fetchLocal, runCli, startCli } from '../cli/helpers.js';

const SECRET = 'env-secret-3c1d9f7e2b4a6c8e0f1a3b5c';
const NEXT = 'env-secret-next-7d2e4f6a8b0c1d3e5f7a';
const dir = mkdtempSync(join(tmpdir(), 'proof-secrets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text, { mode: 0o600 });
  return path;
}

const base = { TRUSTED_PROXY_HEADERS: 'CF-Connecting-IP', TRUSTED_PROXIES: 'cloudflare' };

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('no error');
}

describe('optionsFromEnv › requireProof', () => {
  it('reads the header and inline secrets (one, or two comma separated)', () => {
    expect(
      optionsFromEnv({
        ...base,
        TRUSTED_PROXY_PROOF_HEADER: 'X-Origin-Auth',
        TRUSTED_PROXY_PROOF_SECRETS: SECRET,
      }).requireProof,
    ).toEqual({ header: 'X-Origin-Auth', secrets: [SECRET] });
    expect(
      optionsFromEnv({
        ...base,
        TRUSTED_PROXY_PROOF_HEADER: 'X-Origin-Auth',
        TRUSTED_PROXY_PROOF_SECRETS: `${SECRET},${NEXT}`,
      }).requireProof?.secrets,
    ).toEqual([SECRET, NEXT]);
  });

  it('reads the secrets from a file: one a line, blank lines and # comments ignored', () => {
    const path = file('two.txt', `# rotated 2026-12-01\n${SECRET}\n\n${NEXT}\r\n`);
    expect(
      optionsFromEnv({
        ...base,
        TRUSTED_PROXY_PROOF_HEADER: 'X-Origin-Auth',
        TRUSTED_PROXY_PROOF_SECRETS_FILE: path,
      }).requireProof,
    ).toEqual({ header: 'X-Origin-Auth', secrets: [SECRET, NEXT] });
  });

  it('no proof variables: no requireProof', () => {
    expect(optionsFromEnv(base)).not.toHaveProperty('requireProof');
  });

  const errors: Array<{ name: string; env: Record<string, string>; message: RegExp }> = [
    {
      name: 'secrets without a header',
      env: { TRUSTED_PROXY_PROOF_SECRETS: SECRET },
      message: /TRUSTED_PROXY_PROOF_SECRETS is set but TRUSTED_PROXY_PROOF_HEADER is not/,
    },
    {
      name: 'a header without secrets',
      env: { TRUSTED_PROXY_PROOF_HEADER: 'X-Origin-Auth' },
      message: /TRUSTED_PROXY_PROOF_HEADER is set but there is no secret/,
    },
    {
      name: 'both inline and file',
      env: {
        TRUSTED_PROXY_PROOF_HEADER: 'X-Origin-Auth',
        TRUSTED_PROXY_PROOF_SECRETS: SECRET,
        TRUSTED_PROXY_PROOF_SECRETS_FILE: '/nonexistent',
      },
      message: /not both/,
    },
    {
      name: 'a missing file',
      env: {
        TRUSTED_PROXY_PROOF_HEADER: 'X-Origin-Auth',
        TRUSTED_PROXY_PROOF_SECRETS_FILE: '/nonexistent/secrets',
      },
      message:
        /TRUSTED_PROXY_PROOF_SECRETS_FILE: cannot read the secrets file "\/nonexistent\/secrets" \(ENOENT\)/,
    },
    {
      name: 'a short secret',
      env: { TRUSTED_PROXY_PROOF_HEADER: 'X-Origin-Auth', TRUSTED_PROXY_PROOF_SECRETS: 'tooshort' },
      message:
        /TRUSTED_PROXY_PROOF_HEADER \/ TRUSTED_PROXY_PROOF_SECRETS: requireProof.secrets\[0\] is shorter/,
    },
    {
      name: 'three secrets',
      env: {
        TRUSTED_PROXY_PROOF_HEADER: 'X-Origin-Auth',
        TRUSTED_PROXY_PROOF_SECRETS: `${SECRET} ${NEXT} ${SECRET}x`,
      },
      message: /got 3/,
    },
    {
      name: 'a registry header as the proof',
      env: { TRUSTED_PROXY_PROOF_HEADER: 'X-Real-IP', TRUSTED_PROXY_PROOF_SECRETS: SECRET },
      message: /registry/,
    },
  ];
  it.each(errors)('$name: a config error naming the variable, never the secret', ({ env, message }) => {
    const err = errorOf(() => optionsFromEnv({ ...base, ...env }));
    expect(err).toBeInstanceOf(TrustedProxyConfigError);
    expect(err.message).toMatch(message);
    expect(err.message).not.toContain(SECRET);
    expect(err.message).not.toContain('tooshort');
  });
});

describe('command line › parseCommand', () => {
  it('--proof-header and --proof-secrets-file', () => {
    const path = file('one.txt', `${SECRET}\n`);
    const command = parseCommand(['--proof-header', 'X-Origin-Auth', '--proof-secrets-file', path], base);
    expect(command.kind).toBe('run');
    if (command.kind !== 'run') return;
    expect(command.config.options.requireProof).toEqual({ header: 'X-Origin-Auth', secrets: [SECRET] });
    expect(command.config.sources.proof).toBe('--proof-header, --proof-secrets-file');
  });

  it('flags override the environment; the environment fills in', () => {
    const path = file('flag.txt', `${NEXT}\n`);
    const env = { ...base, TRUSTED_PROXY_PROOF_HEADER: 'X-Env-Auth', TRUSTED_PROXY_PROOF_SECRETS: SECRET };
    const command = parseCommand(['--proof-secrets-file', path], env);
    if (command.kind !== 'run') throw new Error('expected run');
    expect(command.config.options.requireProof).toEqual({ header: 'X-Env-Auth', secrets: [NEXT] });
  });

  it('there is no flag that takes a secret itself', () => {
    expect(() => parseCommand(['--proof-secret', SECRET], base)).toThrow(UsageError);
    expect(() => parseCommand(['--proof-secrets', SECRET], base)).toThrow(UsageError);
  });
});

describe('command line › a running server', () => {
  it('takes the proof from a file, logs rejections without the secret, and the demo never shows it', async () => {
    const path = file('cli.txt', `${SECRET}\n${NEXT}\n`);
    const cli = await startCli(
      [
        '--trust-proxy',
        'loopback',
        '--trust-proxy-header',
        'X-Forwarded-For',
        '--proof-header',
        'X-Origin-Auth',
        '--proof-secrets-file',
        path,
        '--log-rejections',
      ],
      {},
    );
    try {
      expect(cli.startLine).toContain(
        'proof: header X-Origin-Auth, 2 secrets [--proof-header, --proof-secrets-file]',
      );
      expect(cli.startLine).not.toContain(SECRET);
      // The secret is not on the command line that ps shows.
      expect(cli.child.spawnargs.join(' ')).not.toContain(SECRET);

      const good = await fetchLocal(cli.port, '/', {
        Accept: 'application/json',
        'X-Forwarded-For': '198.51.100.7',
        'X-Origin-Auth': NEXT,
      });
      expect(good.status).toBe(200);
      expect(JSON.parse(good.body).proxyInfo.remoteAddress).toBe('198.51.100.7');

      for (const accept of ['text/plain', 'text/html', 'application/json']) {
        const bad = await fetchLocal(cli.port, '/', {
          Accept: accept,
          'X-Forwarded-For': '198.51.100.7',
          'X-Origin-Auth': `${SECRET}-guess`,
        });
        expect(bad.status).toBe(200);
        expect(bad.body).toContain('proof-failed');
        expect(bad.body).not.toContain(SECRET);
        expect(bad.body).not.toContain(NEXT);
        for (const body of [good.body, bad.body]) expect(body).not.toContain(SECRET);
      }
      // The log line is written before the answer, but stderr is a separate pipe: wait for it.
      for (let i = 0; i < 100 && !cli.stderr().includes('proof-failed'); i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const logs = cli.stderr();
      expect(logs).toContain('"reason":"proof-failed"');
      expect(logs).toContain('"header":"x-origin-auth"');
      expect(logs).not.toContain(SECRET);
      expect(logs).not.toContain(NEXT);
      expect(cli.stdout()).not.toContain(SECRET);
    } finally {
      await cli.stop();
    }
  });

  it('a bad secrets file is a usage error (exit 2) that names the flag, not the content', async () => {
    const path = file('short.txt', 'tooshort\n');
    const result = await runCli([
      '--trust-proxy',
      'loopback',
      '--trust-proxy-header',
      'X-Forwarded-For',
      '--proof-header',
      'X-Origin-Auth',
      '--proof-secrets-file',
      path,
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /--proof-header \/ --proof-secrets-file: requireProof.secrets\[0\] is shorter/,
    );
    expect(result.stderr).not.toContain('tooshort');
  });

  it('the environment works for the command line too', async () => {
    const path = file('env.txt', `${SECRET}\n`);
    const cli = await startCli(['--trust-proxy', 'loopback', '--trust-proxy-header', 'X-Forwarded-For'], {
      TRUSTED_PROXY_PROOF_HEADER: 'X-Origin-Auth',
      TRUSTED_PROXY_PROOF_SECRETS_FILE: path,
    });
    try {
      expect(cli.startLine).toContain(
        'proof: header X-Origin-Auth, 1 secret [TRUSTED_PROXY_PROOF_HEADER, TRUSTED_PROXY_PROOF_SECRETS_FILE]',
      );
      const missing = await fetchLocal(cli.port, '/', {
        Accept: 'application/json',
        'X-Forwarded-For': '198.51.100.7',
      });
      expect(JSON.parse(missing.body).proxyInfo.trusted).toBe(false);
    } finally {
      await cli.stop();
    }
  });
});
