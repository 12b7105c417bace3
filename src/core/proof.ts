/**
 * Proof of proxy (R22): a shared secret the CDN adds to every request it forwards (a
 * CloudFront custom origin header, Azure Front Door's X-Azure-FDID, a Cloudflare request
 * header transform). A range list proves only that a request came through the CDN; anyone can
 * point their own zone or distribution at your origin. The secret proves it came through yours.
 *
 * Pure code, no Node objects, so every edge (node:http, fetch) gets the same check.
 */
import { configError, TrustedProxyConfigError } from './errors.js';
import { findHeader } from './registry.js';
import type { RequireProof } from './types.js';

/** `requireProof` compiled: the lower-case header name and the check. */
export interface CompiledProof {
  /** Lower-case header name, as a `req.headers` key. */
  readonly header: string;
  /** Number of secrets (1 or 2), for descriptions; the secrets themselves are never exposed. */
  readonly count: number;
  /** Does the header's value equal one of the secrets? Constant time in the presented value. */
  check(value: string | string[] | undefined): boolean;
}

export const MIN_SECRET_LENGTH = 16;
export const MAX_SECRET_LENGTH = 1024;

// Headers HTTP itself or the app needs: removing them from every request would break it.
const RESERVED = new Set([
  'host',
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
  'authorization',
  'proxy-authorization',
]);

/** RFC 9110 §5.6.2 tchar. */
function isTokenChar(c: number): boolean {
  if ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) return true;
  // ! # $ % & ' * + - . ^ _ ` | ~
  return "!#$%&'*+-.^_`|~".indexOf(String.fromCharCode(c)) >= 0;
}

/**
 * Compares a presented value with a secret without stopping at the first difference: the loop
 * always runs over the whole secret, so the time taken does not tell an attacker how much of
 * a guess was right. Returns 0 when equal. (Only the secret's length could be learnt from the
 * timing, and secrets are at least 16 characters of the operator's choosing.)
 */
export function constantTimeDifference(presented: string, secret: string): number {
  let diff = presented.length ^ secret.length;
  for (let i = 0; i < secret.length; i++) {
    // Past the end of `presented`, charCodeAt is NaN, which `^` reads as 0: diff is already non-zero.
    diff |= presented.charCodeAt(i) ^ secret.charCodeAt(i);
  }
  return diff;
}

function describeSecret(index: number): string {
  return `requireProof.secrets[${index}]`;
}

function validateSecret(secret: unknown, index: number): string {
  // Never quote a secret in a message: config errors end up in logs.
  if (typeof secret !== 'string') {
    throw new TrustedProxyConfigError(`${describeSecret(index)} must be a string (got ${typeof secret})`);
  }
  if (secret.length < MIN_SECRET_LENGTH) {
    throw new TrustedProxyConfigError(
      `${describeSecret(index)} is shorter than ${MIN_SECRET_LENGTH} characters; use a long random value (e.g. openssl rand -hex 32)`,
    );
  }
  if (secret.length > MAX_SECRET_LENGTH) {
    throw new TrustedProxyConfigError(
      `${describeSecret(index)} is longer than ${MAX_SECRET_LENGTH} characters`,
    );
  }
  for (let i = 0; i < secret.length; i++) {
    const c = secret.charCodeAt(i);
    if (c < 0x21 || c > 0x7e) {
      throw new TrustedProxyConfigError(
        `${describeSecret(index)} has a character at index ${i} that is not visible ASCII (spaces and control characters cannot survive a header)`,
      );
    }
  }
  return secret;
}

/** Validates `requireProof` (R2 style: a config error names the problem, never a secret). */
export function compileProof(value: RequireProof | undefined): CompiledProof | undefined {
  if (value === undefined) return undefined;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TrustedProxyConfigError('requireProof must be an object { header, secrets }');
  }
  for (const key of Object.keys(value)) {
    if (key !== 'header' && key !== 'secrets') {
      throw configError('unknown key in requireProof (known: header, secrets)', key);
    }
  }
  const { header, secrets } = value;
  // A malformed name is not quoted either: a secret given as the header by mistake must not
  // end up in a log. Known names (registry, reserved) are quoted below.
  if (typeof header !== 'string' || header.length === 0) {
    throw new TrustedProxyConfigError(
      `requireProof.header must be a header name (got ${header === '' ? 'an empty string' : typeof header})`,
    );
  }
  if (header.length > 64) {
    throw new TrustedProxyConfigError(
      'requireProof.header is longer than 64 characters: is it the secret? Put that in secrets',
    );
  }
  for (let i = 0; i < header.length; i++) {
    const c = header.charCodeAt(i);
    if (!isTokenChar(c)) {
      throw new TrustedProxyConfigError(
        `requireProof.header is not a valid header name (RFC 9110 token): character ${i} is ${c < 0x21 || c > 0x7e ? `code ${c}` : JSON.stringify(String.fromCharCode(c))}`,
      );
    }
  }
  const name = header.toLowerCase();
  if (findHeader(name) !== undefined) {
    throw configError(
      'requireProof.header must be a header of its own, not a forwarding header from the registry',
      header,
    );
  }
  if (RESERVED.has(name)) {
    throw configError(
      'requireProof.header must be a header of its own, not one HTTP or the app relies on',
      header,
    );
  }
  if (!Array.isArray(secrets)) {
    throw new TrustedProxyConfigError(
      `requireProof.secrets must be an array of one or two secrets (got ${secrets === null ? 'null' : typeof secrets})`,
    );
  }
  if (secrets.length < 1 || secrets.length > 2) {
    throw new TrustedProxyConfigError(
      `requireProof.secrets must hold one secret, or two while rotating (got ${secrets.length})`,
    );
  }
  const list = (secrets as readonly unknown[]).map(validateSecret);
  if (list.length === 2 && list[0] === list[1]) {
    throw new TrustedProxyConfigError('requireProof.secrets holds the same secret twice');
  }
  const first = list[0]!;
  const second = list.length === 2 ? list[1]! : first;
  return {
    header: name,
    count: list.length,
    check(presented) {
      // Two header lines were joined by the parser (or kept as an array): never a secret.
      if (typeof presented !== 'string') return false;
      // Both secrets are always compared: which one matched must not show in the timing.
      const a = constantTimeDifference(presented, first);
      const b = constantTimeDifference(presented, second);
      return a === 0 || b === 0;
    },
  };
}
