// R22 requireProof at the unit level: validation (config errors never quote a secret), the
// constant-time comparison, rotation, and what resolution reports.
import { describe, expect, it } from 'vitest';
import { compileProof, constantTimeDifference } from '../../src/core/proof.js';
import { proxyInfo, type RequireProof, TrustedProxyConfigError, trustedProxy } from '../../src/index.js';
import { fakeRequest } from '../helpers/request.js';

const SECRET = 'k3y-0ne-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const NEXT = 'k3y-tw0-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';

function configErrorOf(requireProof: unknown): TrustedProxyConfigError {
  try {
    trustedProxy({
      trustedHeaders: ['CF-Connecting-IP'],
      trustedProxies: 'cloudflare',
      requireProof: requireProof as RequireProof,
    });
  } catch (err) {
    if (err instanceof TrustedProxyConfigError) return err;
    throw err;
  }
  throw new Error('no config error');
}

describe('requireProof › configuration errors', () => {
  const cases: Array<{ name: string; value: unknown; message: RegExp }> = [
    { name: 'not an object', value: 'X-Origin-Auth', message: /requireProof must be an object/ },
    { name: 'an array', value: [SECRET], message: /requireProof must be an object/ },
    {
      name: 'unknown key',
      value: { header: 'X-A', secrets: [SECRET], secret: SECRET },
      message: /unknown key.*"secret"/,
    },
    { name: 'no header', value: { secrets: [SECRET] }, message: /requireProof.header must be a header name/ },
    { name: 'empty header', value: { header: '', secrets: [SECRET] }, message: /header name/ },
    {
      name: 'header with a space',
      value: { header: 'X Auth', secrets: [SECRET] },
      message: /not a valid header name \(RFC 9110 token\): character 1 is code 32/,
    },
    {
      name: 'header with a colon',
      value: { header: 'X-Auth:', secrets: [SECRET] },
      message: /not a valid header name/,
    },
    {
      name: 'registry header',
      value: { header: 'X-Forwarded-For', secrets: [SECRET] },
      message: /not a forwarding header from the registry.*X-Forwarded-For/,
    },
    {
      name: 'registry header, any case',
      value: { header: 'cf-connecting-ip', secrets: [SECRET] },
      message: /registry/,
    },
    {
      name: 'Host',
      value: { header: 'Host', secrets: [SECRET] },
      message: /not one HTTP or the app relies on/,
    },
    { name: 'Authorization', value: { header: 'authorization', secrets: [SECRET] }, message: /relies on/ },
    {
      name: 'header too long',
      value: { header: 'X'.repeat(65), secrets: [SECRET] },
      message: /longer than 64 characters: is it the secret/,
    },
    {
      name: 'secrets a string',
      value: { header: 'X-Origin-Auth', secrets: SECRET },
      message: /array of one or two secrets \(got string\)/,
    },
    {
      name: 'no secret',
      value: { header: 'X-Origin-Auth', secrets: [] },
      message: /one secret, or two while rotating \(got 0\)/,
    },
    {
      name: 'three secrets',
      value: { header: 'X-Origin-Auth', secrets: [SECRET, NEXT, `${SECRET}x`] },
      message: /got 3/,
    },
    {
      name: 'short secret',
      value: { header: 'X-Origin-Auth', secrets: ['short-secret'] },
      message: /secrets\[0\] is shorter than 16/,
    },
    {
      name: 'empty secret',
      value: { header: 'X-Origin-Auth', secrets: [SECRET, ''] },
      message: /secrets\[1\] is shorter than 16/,
    },
    {
      name: 'secret not a string',
      value: { header: 'X-Origin-Auth', secrets: [42] },
      message: /secrets\[0\] must be a string/,
    },
    {
      name: 'secret with a space',
      value: { header: 'X-Origin-Auth', secrets: ['has a space in the middle'] },
      message: /index 3 that is not visible ASCII/,
    },
    {
      name: 'secret with a newline',
      value: { header: 'X-Origin-Auth', secrets: [`${SECRET}\n`] },
      message: /not visible ASCII/,
    },
    {
      name: 'secret too long',
      value: { header: 'X-Origin-Auth', secrets: ['x'.repeat(1025)] },
      message: /longer than 1024/,
    },
    {
      name: 'the same secret twice',
      value: { header: 'X-Origin-Auth', secrets: [SECRET, SECRET] },
      message: /same secret twice/,
    },
  ];
  it.each(cases)('$name', ({ value, message }) => {
    const err = configErrorOf(value);
    expect(err.code).toBe('ERR_TRUSTED_PROXY_CONFIG');
    expect(err.message).toMatch(message);
  });

  it('never quotes a secret given as the header by mistake', () => {
    for (const secret of ['c2VjcmV0LXZhbHVlLWluLWJhc2U2NA==', 'x'.repeat(80)]) {
      const err = configErrorOf({ header: secret, secrets: [SECRET] });
      expect(err.message).not.toContain(secret.slice(0, 10));
    }
  });

  it('never quotes a secret, whatever is wrong', () => {
    const secrets = ['short-secret', 'has a space in the middle', `${SECRET}\n`, 'x'.repeat(1025)];
    for (const secret of secrets) {
      const err = configErrorOf({ header: 'X-Origin-Auth', secrets: [secret] });
      expect(err.message).not.toContain(secret.trim().slice(0, 12));
    }
    const twice = configErrorOf({ header: 'X-Origin-Auth', secrets: [SECRET, SECRET] });
    expect(twice.message).not.toContain(SECRET);
    const asString = configErrorOf({ header: 'X-Origin-Auth', secrets: SECRET });
    expect(asString.message).not.toContain(SECRET);
  });

  it('accepts one secret, or two while rotating; the name is case-insensitive', () => {
    expect(compileProof({ header: 'X-Origin-Auth', secrets: [SECRET] })?.header).toBe('x-origin-auth');
    expect(compileProof({ header: 'X-Azure-FDID', secrets: [SECRET, NEXT] })?.count).toBe(2);
    expect(compileProof(undefined)).toBeUndefined();
  });
});

describe('requireProof › the comparison', () => {
  it('is constant time: it reads every character of the secret even when the first differs', () => {
    // A string-like probe records which positions the comparison reads.
    const read = new Set<number>();
    const probe = {
      length: SECRET.length,
      charCodeAt(i: number) {
        read.add(i);
        return 0x21; /* '!' differs from every character of SECRET */
      },
    } as unknown as string;
    expect(constantTimeDifference(probe, SECRET)).not.toBe(0);
    expect(read.size).toBe(SECRET.length);
    // A short guess is still compared over the secret's whole length.
    const shortRead = new Set<number>();
    const short = {
      length: 1,
      charCodeAt(i: number) {
        shortRead.add(i);
        return Number.NaN;
      },
    } as unknown as string;
    expect(constantTimeDifference(short, SECRET)).not.toBe(0);
    expect(shortRead.size).toBe(SECRET.length);
  });

  const table: Array<{ presented: string | string[] | undefined; ok: boolean; name: string }> = [
    { name: 'the first secret', presented: SECRET, ok: true },
    { name: 'the second secret', presented: NEXT, ok: true },
    { name: 'missing', presented: undefined, ok: false },
    { name: 'empty', presented: '', ok: false },
    { name: 'a prefix', presented: SECRET.slice(0, -1), ok: false },
    { name: 'longer', presented: `${SECRET}x`, ok: false },
    { name: 'other case', presented: SECRET.toUpperCase(), ok: false },
    { name: 'two lines joined', presented: `${SECRET}, ${SECRET}`, ok: false },
    { name: 'an array', presented: [SECRET], ok: false },
    { name: 'a huge value', presented: SECRET.repeat(1000), ok: false },
  ];
  it.each(table)('$name → $ok', ({ presented, ok }) => {
    const proof = compileProof({ header: 'X-Origin-Auth', secrets: [SECRET, NEXT] })!;
    expect(proof.check(presented)).toBe(ok);
  });
});

describe('requireProof › resolution (unit)', () => {
  const proxy = trustedProxy({
    trustedHeaders: ['CF-Connecting-IP'],
    trustedProxies: ['cloudflare', 'unix'],
    requireProof: { header: 'X-Origin-Auth', secrets: [SECRET] },
  });

  it('a trusted peer with the proof: the client from CF-Connecting-IP, the proof header gone', () => {
    const req = fakeRequest({
      peer: '162.158.1.1',
      headers: [
        ['Host', 'app.example'],
        ['X-Origin-Auth', SECRET],
        ['CF-Connecting-IP', '203.0.113.9'],
      ],
    });
    const info = proxy.process(req);
    expect(info.trusted).toBe(true);
    expect(info.remoteAddress).toBe('203.0.113.9');
    expect(info.rejected).toEqual([]);
    expect(req.headers['x-origin-auth']).toBeUndefined();
    expect(req.rawHeaders).toEqual(['Host', 'app.example', 'CF-Connecting-IP', '203.0.113.9']);
    expect(info.original.headers).not.toHaveProperty('x-origin-auth');
    expect(JSON.stringify(proxyInfo(req))).not.toContain(SECRET);
  });

  it('a trusted peer without the proof: proof-failed, untrusted, CF-Connecting-IP stripped', () => {
    const req = fakeRequest({
      peer: '162.158.1.1',
      headers: [
        ['Host', 'app.example'],
        ['CF-Connecting-IP', '203.0.113.9'],
      ],
    });
    const info = proxy.process(req);
    expect(info.trusted).toBe(false);
    expect(info.remoteAddress).toBe('162.158.1.1');
    expect(info.rejected).toEqual([
      { header: 'x-origin-auth', value: '', reason: 'proof-failed' },
      { header: 'cf-connecting-ip', value: '203.0.113.9', reason: 'untrusted-peer' },
    ]);
    expect(req.headers['cf-connecting-ip']).toBeUndefined();
  });

  it('a UNIX-socket peer needs the proof too', () => {
    const req = fakeRequest({ peer: undefined, unix: true, headers: [['X-Origin-Auth', `${SECRET}x`]] });
    const info = proxy.process(req);
    expect(info.trusted).toBe(false);
    expect(info.rejected).toEqual([{ header: 'x-origin-auth', value: '[redacted]', reason: 'proof-failed' }]);
    expect(req.headers).not.toHaveProperty('x-origin-auth');
  });

  it('the proof is checked per request: a keep-alive peer cache never remembers it', () => {
    const good = proxy.process(
      fakeRequest({
        peer: '162.158.1.1',
        headers: [
          ['X-Origin-Auth', SECRET],
          ['CF-Connecting-IP', '203.0.113.9'],
        ],
      }),
    );
    const bad = proxy.process(
      fakeRequest({ peer: '162.158.1.1', headers: [['CF-Connecting-IP', '203.0.113.9']] }),
    );
    const again = proxy.process(
      fakeRequest({
        peer: '162.158.1.1',
        headers: [
          ['x-origin-auth', SECRET],
          ['CF-Connecting-IP', '203.0.113.9'],
        ],
      }),
    );
    expect([good.trusted, bad.trusted, again.trusted]).toEqual([true, false, true]);
  });

  it('an untrusted peer loses the proof header silently (no event quotes it)', () => {
    const req = fakeRequest({
      peer: '203.0.113.50',
      headers: [
        ['Host', 'app.example'],
        ['X-Origin-Auth', SECRET],
      ],
    });
    const info = proxy.process(req);
    expect(info.trusted).toBe(false);
    expect(info.rejected).toEqual([]);
    expect(req.headers).toEqual({ host: 'app.example' });
    expect(req.rawHeaders).toEqual(['Host', 'app.example']);
    expect(info.original.headers).toEqual({ host: 'app.example' });
  });
});
