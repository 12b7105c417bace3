/**
 * R16 optionsFromEnv: what each variable becomes, exact errors naming the variable, and the
 * model's verdict on the options it returns (a valid result is never a config error).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TrustedProxyConfigError } from '../../../src/core/errors.js';
import {
  ENV_ALLOWED_HOSTS,
  ENV_HEADERS,
  ENV_PROOF_HEADER,
  ENV_PROOF_SECRETS,
  ENV_PROOF_SECRETS_FILE,
  ENV_PROXIES,
  ENV_PROXY_PROTOCOL_FROM,
  optionsFromSources,
  readSecretsFile,
  splitList,
} from '../../../src/env.js';
import { optionsFromEnv } from '../../../src/index.js';
import { Rng } from '../../model/generate.js';
import { modelConfigError } from '../../model/index.js';

const BASE = { TRUSTED_PROXY_HEADERS: 'X-Forwarded-For', TRUSTED_PROXIES: 'loopback' };

function message(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(TrustedProxyConfigError);
    return (err as Error).message;
  }
  throw new Error('did not throw');
}

describe('splitList', () => {
  it.each([
    [undefined, []],
    ['', []],
    ['a', ['a']],
    [' a , b\tc\nd,,e ', ['a', 'b', 'c', 'd', 'e']],
    [',,, ', []],
  ])('%j → %j', (input, out) => {
    expect(splitList(input as string | undefined)).toEqual(out);
  });
});

describe('optionsFromEnv', () => {
  it('reads the three variables', () => {
    expect(
      optionsFromEnv({
        TRUSTED_PROXY_HEADERS: 'X-Forwarded-For, X-Forwarded-Proto',
        TRUSTED_PROXIES: '10.0.0.0/8 ::1',
        TRUSTED_PROXY_ALLOWED_HOSTS: 'example.com,*.example.com',
      }),
    ).toEqual({
      trustedHeaders: ['X-Forwarded-For', 'X-Forwarded-Proto'],
      trustedProxies: ['10.0.0.0/8', '::1'],
      allowedHosts: ['example.com', '*.example.com'],
    });
  });

  it('reads a lone integer as a hop count, and anything else as a list', () => {
    expect(optionsFromEnv({ ...BASE, TRUSTED_PROXIES: '2' }).trustedProxies).toBe(2);
    expect(optionsFromEnv({ ...BASE, TRUSTED_PROXIES: ' 3 ' }).trustedProxies).toBe(3);
    expect(message(() => optionsFromEnv({ ...BASE, TRUSTED_PROXIES: '2, loopback' }))).toBe(
      'TRUSTED_PROXIES: invalid IP address in trustedProxies: "2"',
    );
    expect(message(() => optionsFromEnv({ ...BASE, TRUSTED_PROXIES: '0' }))).toMatch(
      /^TRUSTED_PROXIES: .*hop count/,
    );
    expect(message(() => optionsFromEnv({ ...BASE, TRUSTED_PROXIES: '-1' }))).toMatch(
      /^TRUSTED_PROXIES: .*hop count/,
    );
    expect(optionsFromEnv({ ...BASE, TRUSTED_PROXIES: '+1' }).trustedProxies).toBe(1);
  });

  it('leaves allowedHosts out when the variable is empty or missing', () => {
    expect('allowedHosts' in optionsFromEnv(BASE)).toBe(false);
    expect('allowedHosts' in optionsFromEnv({ ...BASE, TRUSTED_PROXY_ALLOWED_HOSTS: ' , ' })).toBe(false);
  });

  it('names the missing variable', () => {
    expect(message(() => optionsFromEnv({ TRUSTED_PROXIES: 'loopback' }))).toBe(
      'TRUSTED_PROXY_HEADERS is required: a comma or space separated list of header names, e.g. "X-Forwarded-For,X-Forwarded-Proto"',
    );
    expect(
      message(() => optionsFromEnv({ TRUSTED_PROXY_HEADERS: 'X-Forwarded-For', TRUSTED_PROXIES: ' ' })),
    ).toBe(
      'TRUSTED_PROXIES is required: a comma or space separated list of IPs, CIDRs or named ranges (loopback, private, unix …), or a hop count',
    );
  });

  it('names the variable that holds the mistake', () => {
    expect(message(() => optionsFromEnv({ ...BASE, TRUSTED_PROXY_HEADERS: 'X-Bogus' }))).toMatch(
      /^TRUSTED_PROXY_HEADERS: unknown header/,
    );
    expect(message(() => optionsFromEnv({ ...BASE, TRUSTED_PROXIES: 'fe80::1%eth0' }))).toMatch(
      /^TRUSTED_PROXIES: zone/,
    );
    expect(message(() => optionsFromEnv({ ...BASE, TRUSTED_PROXY_ALLOWED_HOSTS: 'a..b' }))).toMatch(
      /^TRUSTED_PROXY_ALLOWED_HOSTS: invalid allowedHosts pattern/,
    );
  });

  it('defaults to process.env', () => {
    const saved = { ...process.env };
    try {
      process.env.TRUSTED_PROXY_HEADERS = 'X-Real-IP';
      process.env.TRUSTED_PROXIES = '127.0.0.1';
      delete process.env.TRUSTED_PROXY_ALLOWED_HOSTS;
      delete process.env.TRUSTED_PROXY_PROOF_HEADER;
      delete process.env.TRUSTED_PROXY_PROOF_SECRETS;
      delete process.env.TRUSTED_PROXY_PROOF_SECRETS_FILE;
      expect(optionsFromEnv()).toEqual({ trustedHeaders: ['X-Real-IP'], trustedProxies: ['127.0.0.1'] });
    } finally {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    }
  });

  it('agrees with the model on random variables: valid results are valid options', () => {
    const rng = new Rng(0xe7);
    const HEADERS = ['X-Forwarded-For', 'x-forwarded-proto', 'Forwarded', 'X-Bogus', 'X-Original-URL', ''];
    const PROXIES = [
      '10.0.0.0/8',
      'loopback',
      '2',
      '0',
      'fe80::1%eth0',
      '::1',
      'proxy.local',
      '10.0.0.0/33',
      'unix',
    ];
    const HOSTS = ['example.com', '*.example.com', 'a..b', '.', '[::1]', 'example.com:80', ''];
    for (let i = 0; i < 500; i++) {
      const env = {
        TRUSTED_PROXY_HEADERS: [rng.pick(HEADERS), rng.pick(HEADERS)].join(rng.pick([',', ' ', ', '])),
        TRUSTED_PROXIES: rng.chance(0.5) ? rng.pick(PROXIES) : `${rng.pick(PROXIES)} ${rng.pick(PROXIES)}`,
        TRUSTED_PROXY_ALLOWED_HOSTS: rng.chance(0.5) ? rng.pick(HOSTS) : undefined,
      };
      let options: ReturnType<typeof optionsFromEnv> | undefined;
      try {
        options = optionsFromEnv(env);
      } catch (err) {
        expect(err, JSON.stringify(env)).toBeInstanceOf(TrustedProxyConfigError);
        expect((err as Error).message).toMatch(/^TRUSTED_PROX(Y_HEADERS|IES|Y_ALLOWED_HOSTS)\b/);
      }
      if (options !== undefined) expect(modelConfigError(options), JSON.stringify(env)).toBeUndefined();
    }
  });
});

describe('optionsFromSources', () => {
  it('checks each source against known-good partners, so the error names the right one', () => {
    expect(
      message(() =>
        optionsFromSources(
          { name: 'H', entries: ['X-Forwarded-For'] },
          { name: 'P', entries: ['nope.example'] },
          { name: 'A', entries: ['bad host'] },
        ),
      ),
    ).toMatch(/^P: hostnames are not allowed/);
    expect(
      message(() =>
        optionsFromSources(
          { name: 'H', entries: undefined },
          { name: 'P', entries: ['1'] },
          { name: 'A', entries: [] },
        ),
      ),
    ).toMatch(/^H is required/);
    expect(
      message(() =>
        optionsFromSources(
          { name: 'H', entries: ['X-Forwarded-For'] },
          { name: 'P', entries: undefined },
          {
            name: 'A',
            entries: undefined,
          },
        ),
      ),
    ).toMatch(/^P is required/);
  });

  it('copies the entries', () => {
    const headers = ['X-Forwarded-For'];
    const proxies = ['10.0.0.1'];
    const hosts = ['example.com'];
    const options = optionsFromSources(
      { name: 'H', entries: headers },
      { name: 'P', entries: proxies },
      { name: 'A', entries: hosts },
    );
    expect(options.trustedHeaders).not.toBe(headers);
    expect(options.trustedProxies).not.toBe(proxies);
    expect(options.allowedHosts).not.toBe(hosts);
    expect(options).toEqual({ trustedHeaders: headers, trustedProxies: proxies, allowedHosts: hosts });
  });
});

describe('readSecretsFile', () => {
  it('reads one secret a line, skipping blank lines and comments, and names an unreadable file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tp-env-'));
    const file = join(dir, 'secrets');
    writeFileSync(
      file,
      '# comment\r\n  first-secret-value-0123456789  \n\n second-secret-value-0123456789\n',
    );
    expect(readSecretsFile(file, 'SRC')).toEqual([
      'first-secret-value-0123456789',
      'second-secret-value-0123456789',
    ]);
    const missing = message(() => readSecretsFile(join(dir, 'missing'), 'SRC'));
    expect(missing).toMatch(/^SRC: cannot read the secrets file .*missing.* \(ENOENT\)$/);
  });
});

describe('env.ts › survivors of the first mutation run', () => {
  const SECRET = 'a-long-enough-secret-0123456789abcdef';

  it('exports the variable names', () => {
    expect([ENV_HEADERS, ENV_PROXIES, ENV_ALLOWED_HOSTS]).toEqual([
      'TRUSTED_PROXY_HEADERS',
      'TRUSTED_PROXIES',
      'TRUSTED_PROXY_ALLOWED_HOSTS',
    ]);
    expect([ENV_PROOF_HEADER, ENV_PROOF_SECRETS, ENV_PROOF_SECRETS_FILE, ENV_PROXY_PROTOCOL_FROM]).toEqual([
      'TRUSTED_PROXY_PROOF_HEADER',
      'TRUSTED_PROXY_PROOF_SECRETS',
      'TRUSTED_PROXY_PROOF_SECRETS_FILE',
      'TRUSTED_PROXY_PROTOCOL_FROM',
    ]);
  });

  it('a hop count of several digits', () => {
    expect(optionsFromEnv({ ...BASE, TRUSTED_PROXIES: '15' }).trustedProxies).toBe(15);
  });

  it('allowedHosts entries undefined means none', () => {
    const options = optionsFromSources(
      { name: 'H', entries: ['X-Forwarded-For'] },
      { name: 'P', entries: ['loopback'] },
      { name: 'A', entries: undefined },
    );
    expect('allowedHosts' in options).toBe(false);
  });

  it('requireProof from the environment: header and inline secrets, or a file', () => {
    expect(
      optionsFromEnv({
        ...BASE,
        TRUSTED_PROXY_PROOF_HEADER: ' X-Proof ',
        TRUSTED_PROXY_PROOF_SECRETS: SECRET,
      }).requireProof,
    ).toEqual({ header: 'X-Proof', secrets: [SECRET] });
    const dir = mkdtempSync(join(tmpdir(), 'tp-proof-'));
    const file = join(dir, 'secrets');
    writeFileSync(file, `${SECRET}\n`);
    expect(
      optionsFromEnv({
        ...BASE,
        TRUSTED_PROXY_PROOF_HEADER: 'x-proof',
        TRUSTED_PROXY_PROOF_SECRETS_FILE: file,
      }).requireProof,
    ).toEqual({ header: 'x-proof', secrets: [SECRET] });
    expect('requireProof' in optionsFromEnv({ ...BASE, TRUSTED_PROXY_PROOF_HEADER: ' ' })).toBe(false);
    expect(
      'requireProof' in
        optionsFromEnv({ ...BASE, TRUSTED_PROXY_PROOF_SECRETS: '', TRUSTED_PROXY_PROOF_SECRETS_FILE: '' }),
    ).toBe(false);
  });

  it('requireProof mistakes name the variables, never a secret', () => {
    expect(message(() => optionsFromEnv({ ...BASE, TRUSTED_PROXY_PROOF_SECRETS: SECRET }))).toBe(
      'TRUSTED_PROXY_PROOF_SECRETS is set but TRUSTED_PROXY_PROOF_HEADER is not: name the proof header',
    );
    expect(message(() => optionsFromEnv({ ...BASE, TRUSTED_PROXY_PROOF_HEADER: 'x-proof' }))).toBe(
      'TRUSTED_PROXY_PROOF_HEADER is set but there is no secret: set TRUSTED_PROXY_PROOF_SECRETS_FILE (a file, one secret a line) or TRUSTED_PROXY_PROOF_SECRETS',
    );
    expect(
      message(() =>
        optionsFromEnv({ ...BASE, TRUSTED_PROXY_PROOF_HEADER: 'x-proof', TRUSTED_PROXY_PROOF_SECRETS: ',' }),
      ),
    ).toMatch(/^TRUSTED_PROXY_PROOF_HEADER is set but there is no secret/);
    expect(
      message(() =>
        optionsFromEnv({
          ...BASE,
          TRUSTED_PROXY_PROOF_HEADER: 'x-proof',
          TRUSTED_PROXY_PROOF_SECRETS: SECRET,
          TRUSTED_PROXY_PROOF_SECRETS_FILE: '/nonexistent',
        }),
      ),
    ).toBe('set TRUSTED_PROXY_PROOF_SECRETS or TRUSTED_PROXY_PROOF_SECRETS_FILE, not both');
    const bad = message(() =>
      optionsFromEnv({
        ...BASE,
        TRUSTED_PROXY_PROOF_HEADER: 'x-proof',
        TRUSTED_PROXY_PROOF_SECRETS: 'short',
      }),
    );
    expect(bad).toMatch(/^TRUSTED_PROXY_PROOF_HEADER \/ TRUSTED_PROXY_PROOF_SECRETS: /);
    expect(bad).not.toContain('short"');
    const missing = message(() =>
      optionsFromEnv({
        ...BASE,
        TRUSTED_PROXY_PROOF_HEADER: 'x-proof',
        TRUSTED_PROXY_PROOF_SECRETS_FILE: '/nonexistent/secrets',
      }),
    );
    expect(missing).toMatch(/^TRUSTED_PROXY_PROOF_SECRETS_FILE: cannot read the secrets file .* \(ENOENT\)$/);
  });
});
