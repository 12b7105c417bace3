/**
 * requireProof (src/core/proof.ts, R22): the exact config errors at each boundary (header name
 * characters, reserved names, lengths, secret characters), which names and secrets pass, and the
 * check itself. Messages never quote a secret.
 */
import { describe, expect, it } from 'vitest';
import { compileProof, constantTimeDifference } from '../../../src/core/proof.js';
import { TrustedProxyConfigError } from '../../../src/index.js';

const SECRET = 'k3y-0ne-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const NEXT = 'k3y-tw0-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';

function errorOf(value: unknown): string {
  try {
    compileProof(value as never);
  } catch (err) {
    expect(err).toBeInstanceOf(TrustedProxyConfigError);
    return (err as Error).message;
  }
  throw new Error('no config error');
}

describe('requireProof › header names', () => {
  it.each([
    'connection',
    'content-length',
    'content-type',
    'transfer-encoding',
    'te',
    'trailer',
    'upgrade',
    'expect',
    'keep-alive',
    'cookie',
    'proxy-authorization',
    'Host',
    'Authorization',
  ])('refuses %s, which HTTP or the app relies on', (header) => {
    expect(errorOf({ header, secrets: [SECRET] })).toBe(
      `requireProof.header must be a header of its own, not one HTTP or the app relies on: ${JSON.stringify(header)}`,
    );
  });

  it('accepts every token character, including the first and last of each range', () => {
    const names = [
      'X-09',
      'AZ-az',
      "!#$%&'*+-.^_`|~",
      'x-!',
      'X-0',
      'X-9',
      'X-A',
      'X-Z',
      'X-a',
      'X-z',
      'x'.repeat(64),
    ];
    for (const header of names) {
      expect(compileProof({ header, secrets: [SECRET] })!.header).toBe(header.toLowerCase());
    }
  });

  it.each([
    ['X/', 1, '"/"'],
    ['X-:', 2, '":"'],
    ['X-@', 2, '"@"'],
    ['X-[', 2, '"["'],
    ['X-{', 2, '"{"'],
    ['X-}', 2, '"}"'],
    ['X-"', 2, '"\\""'],
    ['X-(', 2, '"("'],
    ['X y', 1, 'code 32'],
    ['X-\u007f', 2, 'code 127'],
    ['X-\u00e9', 2, 'code 233'],
    ['\u0000X', 0, 'code 0'],
  ])('refuses %j: character %i is %s', (header, index, shown) => {
    expect(errorOf({ header, secrets: [SECRET] })).toBe(
      `requireProof.header is not a valid header name (RFC 9110 token): character ${index} is ${shown}`,
    );
  });

  it('says what the header was when it is not a name', () => {
    expect(errorOf({ header: '', secrets: [SECRET] })).toBe(
      'requireProof.header must be a header name (got an empty string)',
    );
    expect(errorOf({ header: 42, secrets: [SECRET] })).toBe(
      'requireProof.header must be a header name (got number)',
    );
    expect(errorOf({ secrets: [SECRET] })).toBe('requireProof.header must be a header name (got undefined)');
  });

  it('takes 64 characters as a name and 65 as a misplaced secret', () => {
    expect(compileProof({ header: `X-${'a'.repeat(62)}`, secrets: [SECRET] })!.header).toHaveLength(64);
    expect(errorOf({ header: `X-${'a'.repeat(63)}`, secrets: [SECRET] })).toBe(
      'requireProof.header is longer than 64 characters: is it the secret? Put that in secrets',
    );
  });

  it('refuses what is not an options object', () => {
    for (const value of [null, 'X-Origin-Auth', [SECRET], 42]) {
      expect(errorOf(value)).toBe('requireProof must be an object { header, secrets }');
    }
    expect(compileProof(undefined)).toBeUndefined();
  });
});

describe('requireProof › secrets', () => {
  it('says what the secrets were when they are not an array', () => {
    expect(errorOf({ header: 'X-Origin-Auth', secrets: null })).toBe(
      'requireProof.secrets must be an array of one or two secrets (got null)',
    );
    expect(errorOf({ header: 'X-Origin-Auth' })).toBe(
      'requireProof.secrets must be an array of one or two secrets (got undefined)',
    );
  });

  it('takes 16 characters and 1024 characters, not 15 or 1025', () => {
    expect(compileProof({ header: 'X-A', secrets: ['a'.repeat(16)] })!.check('a'.repeat(16))).toBe(true);
    expect(compileProof({ header: 'X-A', secrets: ['b'.repeat(1024)] })!.check('b'.repeat(1024))).toBe(true);
    expect(errorOf({ header: 'X-A', secrets: ['a'.repeat(15)] })).toBe(
      'requireProof.secrets[0] is shorter than 16 characters; use a long random value (e.g. openssl rand -hex 32)',
    );
    expect(errorOf({ header: 'X-A', secrets: [SECRET, 'b'.repeat(1025)] })).toBe(
      'requireProof.secrets[1] is longer than 1024 characters',
    );
  });

  it('takes every visible ASCII character, ! and ~ included', () => {
    const secret = `!~${Array.from({ length: 94 }, (_, i) => String.fromCharCode(0x21 + i)).join('')}`;
    expect(compileProof({ header: 'X-A', secrets: [secret] })!.check(secret)).toBe(true);
  });

  it.each([
    ['a space', ' ', 5],
    ['DEL', '\u007f', 5],
    ['a non-ASCII letter', '\u00e9', 5],
    ['a tab', '\t', 5],
  ])('refuses %s and names its index', (_name, char, index) => {
    const secret = `${SECRET.slice(0, index)}${char}${SECRET.slice(index)}`;
    expect(errorOf({ header: 'X-A', secrets: [secret] })).toBe(
      `requireProof.secrets[0] has a character at index ${index} that is not visible ASCII (spaces and control characters cannot survive a header)`,
    );
  });

  it('matches either secret while rotating, and only a whole string', () => {
    const proof = compileProof({ header: 'X-Origin-Auth', secrets: [SECRET, NEXT] })!;
    expect(proof.count).toBe(2);
    expect(proof.header).toBe('x-origin-auth');
    expect(proof.check(SECRET)).toBe(true);
    expect(proof.check(NEXT)).toBe(true);
    expect(proof.check(`${SECRET}x`)).toBe(false);
    expect(proof.check(SECRET.slice(0, -1))).toBe(false);
    expect(proof.check([SECRET])).toBe(false);
    expect(proof.check(undefined)).toBe(false);
    const one = compileProof({ header: 'X-Origin-Auth', secrets: [SECRET] })!;
    expect(one.count).toBe(1);
    expect(one.check(NEXT)).toBe(false);
    expect(constantTimeDifference(SECRET, SECRET)).toBe(0);
    expect(constantTimeDifference(SECRET.slice(0, 16), SECRET)).not.toBe(0);
  });
});
