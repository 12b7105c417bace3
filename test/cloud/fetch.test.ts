// R22 on the fetch edge (R18): the same proof check, and the proof header never reaches the
// Request the app gets, ProxyInfo or onReject.
import { describe, expect, it } from 'vitest';
import { createResolver, proxyInfo, type RejectEvent } from '../../src/index.js';

const SECRET = 'fetch-edge-secret-6b5a4c3d2e1f0a9b';

describe('createResolver() › requireProof', () => {
  const events: RejectEvent[] = [];
  const resolve = createResolver({
    trustedHeaders: ['CF-Connecting-IP', 'X-Forwarded-Proto'],
    trustedProxies: 'cloudflare',
    requireProof: { header: 'X-Origin-Auth', secrets: [SECRET] },
    onReject: (event) => {
      events.push(event);
    },
  });
  const make = (headers: Record<string, string>) =>
    new Request('http://origin.internal/path?q=1', { headers: { Host: 'app.example', ...headers } });

  it('a Cloudflare peer with the proof: trusted, the proof header gone from the new Request', () => {
    const { request, info } = resolve(
      make({ 'CF-Connecting-IP': '198.51.100.7', 'X-Forwarded-Proto': 'https', 'X-Origin-Auth': SECRET }),
      { peer: '104.16.0.1' },
    );
    expect(info.trusted).toBe(true);
    expect(info.remoteAddress).toBe('198.51.100.7');
    expect(request.url).toBe('https://app.example/path?q=1');
    expect(request.headers.get('x-origin-auth')).toBeNull();
    expect(request.headers.get('cf-connecting-ip')).toBe('198.51.100.7');
    expect(info.original.headers).not.toHaveProperty('x-origin-auth');
    expect(JSON.stringify(proxyInfo(request))).not.toContain(SECRET);
  });

  it('a wrong proof: proof-failed, CF-Connecting-IP stripped, nothing quotes the guess', () => {
    events.length = 0;
    const guess = `${SECRET}-guess`;
    const { request, info } = resolve(make({ 'CF-Connecting-IP': '198.51.100.7', 'X-Origin-Auth': guess }), {
      peer: '104.16.0.1',
    });
    expect(info.trusted).toBe(false);
    expect(info.remoteAddress).toBe('104.16.0.1');
    expect(request.headers.get('cf-connecting-ip')).toBeNull();
    expect(request.headers.get('x-origin-auth')).toBeNull();
    expect(events[0]).toEqual({ header: 'x-origin-auth', value: '[redacted]', reason: 'proof-failed' });
    expect(JSON.stringify(events)).not.toContain(guess);
  });

  it('an untrusted peer: the proof header is removed even when nothing else changes', () => {
    const original = new Request('http://app.example/', { headers: { 'X-Origin-Auth': SECRET } });
    const { request, info } = resolve(original, { peer: '203.0.113.9' });
    expect(info.trusted).toBe(false);
    expect(request).not.toBe(original);
    expect(request.headers.get('x-origin-auth')).toBeNull();
  });
});
