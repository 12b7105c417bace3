// R22 registry additions: CloudFront-Viewer-Address (ip:port, IPv6 unbracketed, split at the
// last colon) and Fly-Client-IP, both single-value client headers, stripped from untrusted peers.
import { describe, expect, it } from 'vitest';
import { parseViewerAddress } from '../../src/core/ip.js';
import { findHeader } from '../../src/core/registry.js';
import { trustedProxy } from '../../src/index.js';
import { fakeRequest } from '../helpers/request.js';

describe('parseViewerAddress()', () => {
  const cases: Array<{ input: string; out: string | undefined }> = [
    { input: '198.51.100.10:46532', out: '198.51.100.10' },
    { input: '2001:db8::1:443', out: '2001:db8::1' },
    { input: '2001:0db8:0000:0000:0000:0000:0000:0001:46532', out: '2001:db8::1' },
    { input: '2001:DB8::A:1', out: '2001:db8::a' },
    { input: '::ffff:198.51.100.10:80', out: '198.51.100.10' },
    { input: 'fe80::1%eth0:443', out: 'fe80::1' },
    { input: '198.51.100.10', out: undefined },
    { input: '198.51.100.10:', out: undefined },
    { input: '198.51.100.10:0', out: undefined },
    { input: '198.51.100.10:65536', out: undefined },
    { input: '198.51.100.10:080', out: undefined },
    { input: '198.51.100.10:+80', out: undefined },
    { input: '[2001:db8::1]:443', out: undefined },
    // Without a port, "1" is read as the port and "2001:db8:" is no address: invalid.
    { input: '2001:db8::1', out: undefined },
    { input: '0.0.0.0:80', out: undefined },
    { input: ':::80', out: undefined },
    { input: ':80', out: undefined },
    { input: 'unknown:80', out: undefined },
    { input: '127.1:80', out: undefined },
    { input: '', out: undefined },
  ];
  it.each(cases)('$input → $out', ({ input, out }) => {
    expect(parseViewerAddress(input)?.text).toBe(out);
  });
});

describe('registry › CloudFront-Viewer-Address and Fly-Client-IP', () => {
  it('both are single-value client headers', () => {
    expect(findHeader('CloudFront-Viewer-Address')).toMatchObject({ kind: 'viewer-address' });
    expect(findHeader('fly-client-ip')).toMatchObject({ kind: 'node' });
  });

  const cloudfront = trustedProxy({
    trustedHeaders: ['CloudFront-Viewer-Address', 'X-Forwarded-Proto'],
    trustedProxies: 'cloudfront',
  });

  it('from a CloudFront origin-facing peer: the viewer, its port dropped; the header stays as sent', () => {
    const req = fakeRequest({
      peer: '130.176.1.1',
      headers: [
        ['Host', 'app.example'],
        ['CloudFront-Viewer-Address', '2001:db8::7:51234'],
        ['X-Forwarded-For', '203.0.113.1'],
      ],
    });
    const info = cloudfront.process(req);
    expect(info.remoteAddress).toBe('2001:db8::7');
    expect(info.applied).toEqual(['cloudfront-viewer-address']);
    expect(req.headers['cloudfront-viewer-address']).toBe('2001:db8::7:51234');
    // X-Forwarded-For is not trusted here: gone.
    expect(req.headers['x-forwarded-for']).toBeUndefined();
  });

  it('a malformed value is invalid-address and the peer stays the client', () => {
    const req = fakeRequest({
      peer: '130.176.1.1',
      headers: [['CloudFront-Viewer-Address', '[2001:db8::7]:51234']],
    });
    const info = cloudfront.process(req);
    expect(info.remoteAddress).toBe('130.176.1.1');
    expect(info.rejected).toEqual([
      { header: 'cloudfront-viewer-address', value: '[2001:db8::7]:51234', reason: 'invalid-address' },
    ]);
  });

  it('a list is invalid-address (one viewer only)', () => {
    const req = fakeRequest({
      peer: '130.176.1.1',
      headers: [['CloudFront-Viewer-Address', '198.51.100.1:1, 198.51.100.2:2']],
    });
    expect(cloudfront.process(req).remoteAddress).toBe('130.176.1.1');
  });

  it('both are stripped from an untrusted peer, like every registry header', () => {
    const req = fakeRequest({
      peer: '203.0.113.50',
      headers: [
        ['Host', 'app.example'],
        ['CloudFront-Viewer-Address', '198.51.100.1:443'],
        ['Fly-Client-IP', '198.51.100.2'],
      ],
    });
    const info = cloudfront.process(req);
    expect(info.remoteAddress).toBe('203.0.113.50');
    expect(req.headers).toEqual({ host: 'app.example' });
    expect(req.rawHeaders).toEqual(['Host', 'app.example']);
    expect(info.rejected.map((e) => `${e.header}:${e.reason}`)).toEqual([
      'cloudfront-viewer-address:untrusted-peer',
      'fly-client-ip:untrusted-peer',
    ]);
  });

  it('are stripped from a trusted peer that does not list them (not-trusted-header)', () => {
    const req = fakeRequest({ peer: '130.176.1.1', headers: [['Fly-Client-IP', '198.51.100.2']] });
    const info = cloudfront.process(req);
    expect(info.rejected).toEqual([
      { header: 'fly-client-ip', value: '198.51.100.2', reason: 'not-trusted-header' },
    ]);
    expect(req.headers['fly-client-ip']).toBeUndefined();
  });

  it('Fly-Client-IP names the client when trusted', () => {
    const fly = trustedProxy({ trustedHeaders: ['Fly-Client-IP'], trustedProxies: 'private' });
    const info = fly.process(
      fakeRequest({ peer: '172.16.5.5', headers: [['Fly-Client-IP', '198.51.100.2']] }),
    );
    expect(info.remoteAddress).toBe('198.51.100.2');
  });
});
