import { describe, expect, it } from 'vitest';
import {
  type ProxyInfo,
  proxyInfo,
  reconstructUrl,
  type TrustedProxyOptions,
  trustedProxy,
} from '../../src/index.js';
import { type FakeRequestInit, fakeRequest } from '../helpers/request.js';

function run(options: TrustedProxyOptions, init: FakeRequestInit) {
  const req = fakeRequest(init);
  const info = trustedProxy(options).process(req);
  return { req, info, headers: req.headers, raw: req.rawHeaders };
}

const APACHE: TrustedProxyOptions = {
  trustedHeaders: ['X-Forwarded-For', 'X-Forwarded-Host', 'X-Forwarded-Port', 'X-Forwarded-Scheme'],
  trustedProxies: ['127.0.0.31'],
};
const NGINX: TrustedProxyOptions = {
  trustedHeaders: [
    'X-Forwarded-For',
    'X-Forwarded-Host',
    'X-Forwarded-Port',
    'X-Forwarded-Proto',
    'X-Forwarded-Prefix',
  ],
  trustedProxies: ['127.0.0.21'],
};

describe('R3 ProxyInfo', () => {
  it('has every field, with original values kept', () => {
    const { info } = run(NGINX, {
      peer: '::ffff:127.0.0.21',
      headers: [
        ['Host', 'blog.example.com'],
        ['X-Forwarded-For', '6.6.6.6, 127.0.0.50'],
        ['X-Forwarded-Proto', 'http'],
        ['X-Forwarded-Host', 'blog.example.com'],
        ['X-Forwarded-Port', '18180'],
        ['X-Real-IP', '127.0.0.50'],
        ['X-Forwarded-Prefix', '/app'],
      ],
    });
    expect(info).toEqual({
      trusted: true,
      peerAddress: '127.0.0.21',
      remoteAddress: '127.0.0.50',
      addresses: ['127.0.0.50', '127.0.0.21'],
      protocol: 'http',
      secure: false,
      hostname: 'blog.example.com',
      port: 18180,
      host: 'blog.example.com:18180',
      serverName: 'blog.example.com',
      prefix: '/app',
      applied: [
        'x-forwarded-for',
        'x-forwarded-host',
        'x-forwarded-port',
        'x-forwarded-proto',
        'x-forwarded-prefix',
      ],
      rejected: [{ header: 'x-real-ip', value: '127.0.0.50', reason: 'not-trusted-header' }],
      hostAllowed: true,
      original: {
        remoteAddress: '::ffff:127.0.0.21',
        host: 'blog.example.com',
        protocol: 'http',
        headers: {
          host: 'blog.example.com',
          'x-forwarded-for': '6.6.6.6, 127.0.0.50',
          'x-forwarded-proto': 'http',
          'x-forwarded-host': 'blog.example.com',
          'x-forwarded-port': '18180',
          'x-real-ip': '127.0.0.50',
          'x-forwarded-prefix': '/app',
        },
      },
    });
  });

  it('cuts a value quoted in an event to 256 characters', () => {
    const { info } = run(APACHE, {
      peer: '8.8.8.8',
      headers: [['X-Forwarded-For', `1.2.3.4,${'9'.repeat(1000)}`]],
    });
    expect(info.rejected[0]!.value).toHaveLength(256);
  });

  it('is kept under Symbol.for("trusted-proxy") and returned by proxyInfo()', () => {
    const { req, info } = run(APACHE, {});
    expect((req as unknown as Record<symbol, ProxyInfo>)[Symbol.for('trusted-proxy')]).toBe(info);
    expect(proxyInfo(req)).toBe(info);
    expect(proxyInfo(fakeRequest())).toBeUndefined();
  });

  it('calls onReject once per event and swallows its exceptions', () => {
    const events: string[] = [];
    const proxy = trustedProxy({
      ...APACHE,
      onReject: (event) => {
        events.push(`${event.header}:${event.reason}`);
        throw new Error('logger down');
      },
    });
    proxy.process(
      fakeRequest({
        peer: '8.8.8.8',
        headers: [
          ['X-Real-IP', '1.1.1.1'],
          ['X-Forwarded-For', '2.2.2.2'],
        ],
      }),
    );
    expect(events).toEqual(['x-forwarded-for:untrusted-peer', 'x-real-ip:untrusted-peer']);
  });
});

describe('R4 registry › every alias is recognised and stripped', () => {
  const aliases = [
    'X-Real-IP',
    'X-Client-IP',
    'True-Client-IP',
    'CF-Connecting-IP',
    'Fastly-Client-IP',
    'X-Cluster-Client-IP',
    'X-Host',
    'X-Original-Host',
    'X-Forwarded-Server',
    'X-Forwarded-Scheme',
    'X-Scheme',
    'X-Url-Scheme',
    'X-Forwarded-HTTPS',
    'X-Forwarded-SSL',
    'X-HTTPS',
    'Front-End-Https',
    'X-Script-Name',
    'X-Forwarded-Script-Name',
    'X-Original-URL',
    'X-Rewrite-URL',
    'Forwarded',
  ];
  for (const name of aliases) {
    it(`removes ${name} when it is not trusted`, () => {
      const { headers, raw, info } = run(
        { trustedHeaders: ['X-Forwarded-For'], trustedProxies: '10.0.0.1' },
        { headers: [[name, 'https']] },
      );
      expect(headers[name.toLowerCase()]).toBeUndefined();
      expect(raw.map((s) => s.toLowerCase())).not.toContain(name.toLowerCase());
      expect(info.rejected).toEqual([
        { header: name.toLowerCase(), value: 'https', reason: 'not-trusted-header' },
      ]);
    });
  }

  it('each single-value client alias names the client when trusted', () => {
    for (const name of [
      'X-Real-IP',
      'X-Client-IP',
      'True-Client-IP',
      'CF-Connecting-IP',
      'Fastly-Client-IP',
    ]) {
      const { info } = run(
        { trustedHeaders: [name], trustedProxies: '10.0.0.1' },
        { headers: [[name, '203.0.113.9']] },
      );
      expect(info.remoteAddress).toBe('203.0.113.9');
    }
  });
});

describe('R5 peer', () => {
  it('normalises an IPv4-mapped peer to IPv4', () => {
    const { info } = run(APACHE, { peer: '::ffff:127.0.0.31' });
    expect(info.trusted).toBe(true);
    expect(info.peerAddress).toBe('127.0.0.31');
  });

  it('drops zone ids and compresses IPv6 peers', () => {
    const { info } = run(
      { trustedHeaders: ['X-Forwarded-For'], trustedProxies: 'fe80::/10' },
      { peer: 'FE80:0::1%eth0' },
    );
    expect(info.peerAddress).toBe('fe80::1');
    expect(info.trusted).toBe(true);
  });

  it('trusts a UNIX-socket peer only with unix', () => {
    const init = {
      peer: undefined,
      unix: true,
      headers: [['X-Forwarded-For', '203.0.113.9']] as [string, string][],
    };
    expect(
      run({ trustedHeaders: ['X-Forwarded-For'], trustedProxies: 'unix' }, init).info.remoteAddress,
    ).toBe('203.0.113.9');
    expect(run({ trustedHeaders: ['X-Forwarded-For'], trustedProxies: 'loopback' }, init).info.trusted).toBe(
      false,
    );
    expect(run({ trustedHeaders: ['X-Forwarded-For'], trustedProxies: 1 }, init).info.remoteAddress).toBe(
      '203.0.113.9',
    );
    expect(
      run({ trustedHeaders: ['X-Forwarded-For'], trustedProxies: (a) => a === undefined }, init).info.trusted,
    ).toBe(true);
  });

  it('never trusts a socket with no address on a TCP server', () => {
    const { info } = run(
      { trustedHeaders: ['X-Forwarded-For'], trustedProxies: () => true },
      { peer: undefined, headers: [['X-Forwarded-For', '203.0.113.9']] },
    );
    expect(info.trusted).toBe(false);
    expect(info.remoteAddress).toBeUndefined();
    expect(info.addresses).toEqual([]);
  });
});

describe('R6 precedence and conflicts', () => {
  it('the first trusted header of a group in trustedHeaders order wins', () => {
    const init = {
      headers: [
        ['X-Forwarded-For', '203.0.113.5'],
        ['X-Real-IP', '198.51.100.2'],
      ] as [string, string][],
    };
    expect(
      run({ trustedHeaders: ['X-Real-IP', 'X-Forwarded-For'], trustedProxies: '10.0.0.0/8' }, init).info
        .remoteAddress,
    ).toBe('198.51.100.2');
    expect(
      run({ trustedHeaders: ['X-Forwarded-For', 'X-Real-IP'], trustedProxies: '10.0.0.0/8' }, init).info
        .remoteAddress,
    ).toBe('203.0.113.5');
  });

  it('reports a lower-priority header that disagrees as conflict and strips it', () => {
    const { info, headers } = run(
      { trustedHeaders: ['X-Forwarded-Proto', 'X-Forwarded-SSL'], trustedProxies: '10.0.0.1' },
      {
        headers: [
          ['X-Forwarded-Proto', 'https'],
          ['X-Forwarded-SSL', 'off'],
        ],
      },
    );
    expect(info.protocol).toBe('https');
    expect(info.rejected).toEqual([{ header: 'x-forwarded-ssl', value: 'off', reason: 'conflict' }]);
    expect(headers['x-forwarded-ssl']).toBeUndefined();
  });

  it('compares by meaning: https and X-Forwarded-SSL on agree', () => {
    const { info, headers } = run(
      { trustedHeaders: ['X-Forwarded-Proto', 'X-Forwarded-SSL'], trustedProxies: '10.0.0.1' },
      {
        headers: [
          ['X-Forwarded-Proto', 'HTTPS'],
          ['X-Forwarded-SSL', 'on'],
        ],
      },
    );
    expect(info.rejected).toEqual([]);
    expect(headers['x-forwarded-ssl']).toBeUndefined();
  });

  it('an invalid value is rejected, the group keeps its original value, and the next header is not consulted', () => {
    const { info } = run(
      { trustedHeaders: ['X-Forwarded-Proto', 'X-Forwarded-SSL'], trustedProxies: '10.0.0.1' },
      {
        encrypted: true,
        headers: [
          ['X-Forwarded-Proto', 'wss'],
          ['X-Forwarded-SSL', 'off'],
        ],
      },
    );
    expect(info.protocol).toBe('https');
    expect(info.rejected).toEqual([
      { header: 'x-forwarded-proto', value: 'wss', reason: 'invalid-scheme' },
      { header: 'x-forwarded-ssl', value: 'off', reason: 'conflict' },
    ]);
  });

  it('a header with only empty elements is absent, so the next one is consulted', () => {
    const { info } = run(
      { trustedHeaders: ['X-Forwarded-For', 'X-Real-IP'], trustedProxies: '10.0.0.1' },
      {
        headers: [
          ['X-Forwarded-For', ' , '],
          ['X-Real-IP', '203.0.113.7'],
        ],
      },
    );
    expect(info.remoteAddress).toBe('203.0.113.7');
  });

  it('Forwarded without host= is absent from the host group', () => {
    const { info } = run(
      { trustedHeaders: ['Forwarded', 'X-Forwarded-Host'], trustedProxies: '10.0.0.1' },
      {
        headers: [
          ['Forwarded', 'for=203.0.113.7'],
          ['X-Forwarded-Host', 'public.example'],
        ],
      },
    );
    expect(info.remoteAddress).toBe('203.0.113.7');
    expect(info.hostname).toBe('public.example');
  });

  it('a client Forwarded element left of the trusted hop cannot make Forwarded present (R6 under R17)', () => {
    const { info } = run(
      { trustedHeaders: ['Forwarded', 'X-Forwarded-Proto', 'X-Forwarded-For'], trustedProxies: '10.0.0.1' },
      {
        headers: [
          ['Host', 'internal:8000'],
          ['Forwarded', 'for=6.6.6.6;proto=http'],
          ['Forwarded', 'by=_proxy'],
          ['X-Forwarded-Proto', 'https'],
          ['X-Forwarded-For', '203.0.113.7'],
        ],
      },
    );
    expect(info.protocol).toBe('https');
    expect(info.remoteAddress).toBe('203.0.113.7');
  });

  it('Forwarded whose chosen element lacks host= keeps the original host', () => {
    const { info } = run(
      { trustedHeaders: ['Forwarded'], trustedProxies: '10.0.0.1' },
      {
        headers: [
          ['Host', 'internal:8000'],
          ['Forwarded', 'host=a.example;for=1.1.1.1, for=203.0.113.7'],
        ],
      },
    );
    expect(info.hostname).toBe('internal');
  });
});

describe('R7 the walk', () => {
  const trust = { trustedHeaders: ['X-Forwarded-For'], trustedProxies: '10.0.0.0/8' };
  const cases: Array<{
    name: string;
    xff: string;
    remote: string | undefined;
    addresses: string[];
    rewritten?: string;
  }> = [
    { name: 'one client', xff: '203.0.113.5', remote: '203.0.113.5', addresses: ['203.0.113.5', '10.0.0.1'] },
    {
      name: 'a forged leftmost entry is ignored',
      xff: '198.51.100.9, 203.0.113.5',
      remote: '203.0.113.5',
      addresses: ['203.0.113.5', '10.0.0.1'],
      rewritten: '203.0.113.5',
    },
    {
      name: 'stops at the first untrusted hop',
      xff: '1.1.1.1, 203.0.113.5, 10.0.0.2,10.0.0.3',
      remote: '203.0.113.5',
      addresses: ['203.0.113.5', '10.0.0.2', '10.0.0.3', '10.0.0.1'],
      rewritten: '203.0.113.5, 10.0.0.2, 10.0.0.3',
    },
    {
      name: 'all trusted: the leftmost entry',
      xff: '10.0.0.5, 10.0.0.2',
      remote: '10.0.0.5',
      addresses: ['10.0.0.5', '10.0.0.2', '10.0.0.1'],
    },
    {
      name: 'unknown stops the walk; the proxy that reported it is the client',
      xff: '203.0.113.5, unknown, 10.0.0.2',
      remote: '10.0.0.2',
      addresses: ['10.0.0.2', '10.0.0.1'],
      rewritten: '10.0.0.2',
    },
    {
      name: 'garbage from the peer itself: the peer is the client',
      xff: 'garbage',
      remote: '10.0.0.1',
      addresses: ['10.0.0.1'],
    },
    {
      name: 'empty elements are skipped',
      xff: '203.0.113.5,,10.0.0.2, ,',
      remote: '203.0.113.5',
      addresses: ['203.0.113.5', '10.0.0.2', '10.0.0.1'],
      rewritten: '203.0.113.5, 10.0.0.2',
    },
    {
      name: 'an IPv4 node with a port',
      xff: '203.0.113.5:4711, 10.0.0.2',
      remote: '203.0.113.5',
      addresses: ['203.0.113.5', '10.0.0.2', '10.0.0.1'],
      rewritten: '203.0.113.5, 10.0.0.2',
    },
    {
      name: 'a bracketed IPv6 node with a port',
      xff: '[2001:DB8::7]:443',
      remote: '2001:db8::7',
      addresses: ['2001:db8::7', '10.0.0.1'],
      rewritten: '2001:db8::7',
    },
    {
      name: 'an IPv4-mapped node matches an IPv4 range',
      xff: '203.0.113.5, ::ffff:10.0.0.9',
      remote: '203.0.113.5',
      addresses: ['203.0.113.5', '10.0.0.9', '10.0.0.1'],
      rewritten: '203.0.113.5, 10.0.0.9',
    },
    {
      name: 'a leading-zero IPv4 is not an address (no inet_aton)',
      xff: '1.2.3.4, 010.0.0.1',
      remote: '10.0.0.1',
      addresses: ['10.0.0.1'],
    },
    { name: '0.0.0.0 is invalid', xff: '0.0.0.0', remote: '10.0.0.1', addresses: ['10.0.0.1'] },
  ];
  for (const { name, xff, remote, addresses, rewritten } of cases) {
    it(name, () => {
      const { info, headers } = run(trust, { headers: [['X-Forwarded-For', xff]] });
      expect(info.remoteAddress).toBe(remote);
      expect(info.addresses).toEqual(addresses);
      if (rewritten !== undefined) expect(headers['x-forwarded-for']).toBe(rewritten);
    });
  }

  it('reports a non-IP node as invalid-address', () => {
    const { info } = run(trust, { headers: [['X-Forwarded-For', '1.1.1.1, unknown']] });
    expect(info.rejected).toEqual([
      { header: 'x-forwarded-for', value: 'unknown', reason: 'invalid-address' },
    ]);
  });

  it('a hop count trusts the nearest n hops', () => {
    const { info } = run(
      { trustedHeaders: ['X-Forwarded-For'], trustedProxies: 2 },
      { peer: '8.8.8.8', headers: [['X-Forwarded-For', '1.1.1.1, 2.2.2.2, 3.3.3.3']] },
    );
    expect(info.remoteAddress).toBe('2.2.2.2');
  });

  it('a single-value client header holding a list is invalid-address', () => {
    const { info, headers } = run(
      { trustedHeaders: ['X-Real-IP'], trustedProxies: '10.0.0.1' },
      {
        headers: [
          ['X-Real-IP', '1.1.1.1'],
          ['X-Real-IP', '2.2.2.2'],
        ],
      },
    );
    expect(info.remoteAddress).toBe('10.0.0.1');
    expect(info.rejected).toEqual([
      { header: 'x-real-ip', value: '1.1.1.1, 2.2.2.2', reason: 'invalid-address' },
    ]);
    expect(headers['x-real-ip']).toBeUndefined();
  });

  it('repeated header lines are one list', () => {
    const { info } = run(trust, {
      headers: [
        ['X-Forwarded-For', '1.1.1.1'],
        ['X-Forwarded-For', '203.0.113.5'],
      ],
    });
    expect(info.remoteAddress).toBe('203.0.113.5');
  });

  describe('Forwarded', () => {
    const fwd = { trustedHeaders: ['Forwarded'], trustedProxies: '10.0.0.0/8' };
    it('walks for= right to left', () => {
      const { info } = run(fwd, {
        headers: [['Forwarded', 'for=6.6.6.6, for=203.0.113.5;proto=https, for=10.0.0.2']],
      });
      expect(info.remoteAddress).toBe('203.0.113.5');
      // R8: proto= comes from the client's own element
      expect(info.protocol).toBe('https');
    });

    it('reads host= and proto= from the client element', () => {
      const { info } = run(fwd, {
        headers: [['Forwarded', 'for=203.0.113.5;host="pub.example:8443";proto=https, for=10.0.0.2']],
      });
      expect(info.host).toBe('pub.example:8443');
      expect(info.protocol).toBe('https');
    });

    it('parses one line at a time: a malformed client line cannot swallow the proxy line', () => {
      const { info } = run(
        { trustedHeaders: ['Forwarded'], trustedProxies: '127.0.0.41' },
        {
          peer: '127.0.0.41',
          headers: [
            ['Host', 'blog.example.com:18280'],
            ['forwarded', 'for="unterminated'],
            ['forwarded', 'proto=http;host="blog.example.com:18280";for=127.0.0.50'],
          ],
        },
      );
      expect(info.remoteAddress).toBe('127.0.0.50');
      expect(info.host).toBe('blog.example.com:18280');
    });

    it('a malformed element at the client position stops the walk', () => {
      const { info } = run(fwd, { headers: [['Forwarded', 'for=1.1.1.1;for=2.2.2.2, for=10.0.0.2']] });
      expect(info.remoteAddress).toBe('10.0.0.2');
      expect(info.rejected).toEqual([
        { header: 'forwarded', value: 'for=1.1.1.1;for=2.2.2.2', reason: 'malformed-forwarded' },
      ]);
    });

    it('an obfuscated identifier never becomes remoteAddress', () => {
      const { info } = run(fwd, { headers: [['Forwarded', 'for=_hidden, for=10.0.0.2']] });
      expect(info.remoteAddress).toBe('10.0.0.2');
      expect(info.rejected[0]).toMatchObject({ value: '_hidden', reason: 'invalid-address' });
    });

    it('accepts "[v6]:_obf"', () => {
      const { info } = run(fwd, { headers: [['Forwarded', 'for="[2001:db8::1]:_port"']] });
      expect(info.remoteAddress).toBe('2001:db8::1');
    });

    it('rewrites Forwarded to the validated elements from the hop used onward', () => {
      const { headers, raw } = run(fwd, {
        headers: [
          ['Forwarded', 'for=6.6.6.6;host=evil'],
          ['Forwarded', 'for=203.0.113.5;host=pub.example;proto=https;by=_x, for=10.0.0.2'],
        ],
      });
      expect(headers.forwarded).toBe('for=203.0.113.5;host=pub.example;proto=https, for=10.0.0.2');
      expect(raw.filter((s) => s.toLowerCase() === 'forwarded')).toHaveLength(1);
    });
  });
});

describe('R8 hop-aligned values', () => {
  it('Apache appends: the outermost trusted entry, not the client-forged first one', () => {
    const { info, headers } = run(APACHE, {
      peer: '127.0.0.31',
      headers: [
        ['Host', '127.0.0.10:18002'],
        ['X-Forwarded-For', '6.6.6.6, 127.0.0.50'],
        ['X-Forwarded-Host', 'evil.example, blog.example.com:18080'],
        ['X-Forwarded-Port', '18080'],
      ],
    });
    expect(info.host).toBe('blog.example.com:18080');
    expect(headers['x-forwarded-host']).toBe('blog.example.com:18080');
  });

  it('two trusted proxies: the edge entry', () => {
    const { info } = run(
      {
        trustedHeaders: ['X-Forwarded-For', 'X-Forwarded-Host'],
        trustedProxies: ['127.0.0.31', '127.0.0.21'],
      },
      {
        peer: '127.0.0.31',
        headers: [
          ['X-Forwarded-For', '127.0.0.50, 127.0.0.21'],
          ['X-Forwarded-Host', 'www.example.com:18380, www.example.com'],
        ],
      },
    );
    expect(info.remoteAddress).toBe('127.0.0.50');
    expect(info.host).toBe('www.example.com:18380');
  });

  it('an overwriting proxy: one entry is used whatever the hop count', () => {
    const { info } = run(
      {
        trustedHeaders: ['X-Forwarded-For', 'X-Forwarded-Proto'],
        trustedProxies: ['127.0.0.31', '127.0.0.21'],
      },
      {
        peer: '127.0.0.31',
        headers: [
          ['X-Forwarded-For', '127.0.0.50, 127.0.0.21'],
          ['X-Forwarded-Proto', 'https'],
        ],
      },
    );
    expect(info.protocol).toBe('https');
  });
});

describe('R9 validation', () => {
  const trust = {
    trustedHeaders: [
      'X-Forwarded-Host',
      'X-Forwarded-Port',
      'X-Forwarded-Proto',
      'X-Forwarded-Prefix',
      'X-Forwarded-Server',
    ],
    trustedProxies: '10.0.0.1',
  };
  const cases: Array<{ header: string; value: string; reason: string }> = [
    { header: 'X-Forwarded-Host', value: 'evil.com:x@good.com', reason: 'invalid-host' },
    { header: 'X-Forwarded-Host', value: 'a b', reason: 'invalid-host' },
    { header: 'X-Forwarded-Port', value: 'abc', reason: 'invalid-port' },
    { header: 'X-Forwarded-Port', value: '0', reason: 'invalid-port' },
    { header: 'X-Forwarded-Proto', value: 'gopher', reason: 'invalid-scheme' },
    { header: 'X-Forwarded-Prefix', value: '//evil.com', reason: 'invalid-prefix' },
    { header: 'X-Forwarded-Prefix', value: '/%2e%2e', reason: 'invalid-prefix' },
    { header: 'X-Forwarded-Server', value: 'a.example:80', reason: 'invalid-host' },
  ];
  for (const { header, value, reason } of cases) {
    it(`${header}: ${JSON.stringify(value)} is ${reason} and never applied`, () => {
      const { info, headers } = run(trust, {
        headers: [
          ['Host', 'internal:8000'],
          [header, value],
        ],
      });
      expect(info.rejected).toEqual([{ header: header.toLowerCase(), value, reason }]);
      expect(info.applied).toEqual([]);
      expect(info.host).toBe('internal:8000');
      expect(info.prefix).toBe('');
      expect(headers[header.toLowerCase()]).toBeUndefined();
    });
  }
});

describe('R10 coherence', () => {
  const all = {
    trustedHeaders: ['X-Forwarded-Host', 'X-Forwarded-Port', 'X-Forwarded-Proto', 'X-Forwarded-Server'],
    trustedProxies: '10.0.0.1',
  };
  const cases: Array<{ name: string; init: FakeRequestInit; host: string; port: number; protocol: string }> =
    [
      {
        name: 'the port in the trusted host wins over X-Forwarded-Port',
        init: {
          headers: [
            ['X-Forwarded-Host', 'pub.example:8443'],
            ['X-Forwarded-Port', '9999'],
            ['X-Forwarded-Proto', 'https'],
          ],
        },
        host: 'pub.example:8443',
        port: 8443,
        protocol: 'https',
      },
      {
        name: 'X-Forwarded-Port when the host has none',
        init: {
          headers: [
            ['X-Forwarded-Host', 'pub.example'],
            ['X-Forwarded-Port', '8080'],
          ],
        },
        host: 'pub.example:8080',
        port: 8080,
        protocol: 'http',
      },
      {
        name: 'a trusted host without a port: the default port of the final protocol',
        init: {
          headers: [
            ['Host', 'internal:8000'],
            ['X-Forwarded-Host', 'pub.example'],
            ['X-Forwarded-Proto', 'https'],
          ],
        },
        host: 'pub.example',
        port: 443,
        protocol: 'https',
      },
      {
        name: 'a scheme change alone keeps the Host port',
        init: {
          headers: [
            ['Host', 'backend:8000'],
            ['X-Forwarded-Proto', 'https'],
          ],
        },
        host: 'backend:8000',
        port: 8000,
        protocol: 'https',
      },
      {
        name: 'X-Forwarded-Port replaces the Host port',
        init: {
          headers: [
            ['Host', 'www.example.com'],
            ['X-Forwarded-Proto', 'https'],
            ['X-Forwarded-Port', '443'],
          ],
        },
        host: 'www.example.com',
        port: 443,
        protocol: 'https',
      },
      {
        name: 'no Host (HTTP/1.0): X-Forwarded-Server, and the scheme default port',
        init: {
          headers: [
            ['X-Forwarded-Server', 'Pub.Example'],
            ['X-Forwarded-Proto', 'https'],
          ],
        },
        host: 'pub.example',
        port: 443,
        protocol: 'https',
      },
      {
        name: 'no Host and nothing trusted: the socket local address and port',
        init: { localAddress: '::ffff:10.0.0.100', localPort: 8000 },
        host: '10.0.0.100:8000',
        port: 8000,
        protocol: 'http',
      },
      {
        name: 'an IPv6 local address is bracketed',
        init: { localAddress: '2001:DB8::100', localPort: 8000 },
        host: '[2001:db8::100]:8000',
        port: 8000,
        protocol: 'http',
      },
      {
        name: 'a trusted http downgrades a TLS hop',
        init: {
          encrypted: true,
          headers: [
            ['Host', 'pub.example'],
            ['X-Forwarded-Proto', 'http'],
          ],
        },
        host: 'pub.example',
        port: 80,
        protocol: 'http',
      },
      {
        name: 'TLS with no scheme header is https',
        init: { encrypted: true, headers: [['Host', 'pub.example']] },
        host: 'pub.example',
        port: 443,
        protocol: 'https',
      },
      {
        name: 'an invalid Host counts as absent',
        init: { headers: [['Host', 'evil.com:x@good.com']], localAddress: '10.0.0.100', localPort: 8000 },
        host: '10.0.0.100:8000',
        port: 8000,
        protocol: 'http',
      },
    ];
  for (const { name, init, host, port, protocol } of cases) {
    it(name, () => {
      const { info } = run(all, init);
      expect(info.host).toBe(host);
      expect(info.port).toBe(port);
      expect(info.protocol).toBe(protocol);
      expect(info.secure).toBe(protocol === 'https');
    });
  }

  it('serverName is X-Forwarded-Server when applied, else hostname', () => {
    expect(
      run(all, {
        headers: [
          ['Host', 'a.example'],
          ['X-Forwarded-Server', 'b.example'],
        ],
      }).info.serverName,
    ).toBe('b.example');
    expect(run(all, { headers: [['Host', 'A.example']] }).info.serverName).toBe('a.example');
  });

  it('reports an invalid Host as invalid-host', () => {
    expect(run(all, { headers: [['Host', 'a b']] }).info.rejected).toEqual([
      { header: 'host', value: 'a b', reason: 'invalid-host' },
    ]);
  });
});

describe('R11 stripping', () => {
  it('an untrusted peer: the raw transport values, every forwarding header gone', () => {
    const { info, headers, raw } = run(APACHE, {
      peer: '198.51.100.7',
      headers: [
        ['Host', 'backend:8000'],
        ['X-Forwarded-For', '1.2.3.4'],
        ['X-Forwarded-Host', 'spoof.example'],
        ['X-Forwarded-Proto', 'https'],
        ['X-Real-IP', '5.5.5.5'],
        ['X-Forwarded-Port', '443'],
        ['X-Script-Name', '/s'],
        ['Accept', 'text/html'],
      ],
    });
    expect(info).toMatchObject({
      trusted: false,
      remoteAddress: '198.51.100.7',
      addresses: ['198.51.100.7'],
      host: 'backend:8000',
      protocol: 'http',
      prefix: '',
      applied: [],
    });
    expect(info.rejected.every((e) => e.reason === 'untrusted-peer')).toBe(true);
    expect(info.rejected).toHaveLength(6);
    expect(headers).toEqual({ host: 'backend:8000', accept: 'text/html' });
    expect(raw).toEqual(['Host', 'backend:8000', 'Accept', 'text/html']);
  });

  it('an applied list header is trimmed to the hop used onward in headers and rawHeaders', () => {
    const { headers, raw } = run(
      { trustedHeaders: ['X-Forwarded-For'], trustedProxies: '127.0.0.41' },
      {
        peer: '127.0.0.41',
        headers: [
          ['x-forwarded-for', '6.6.6.6'],
          ['x-forwarded-for', '127.0.0.50'],
        ],
      },
    );
    expect(headers['x-forwarded-for']).toBe('127.0.0.50');
    expect(raw).toEqual(['x-forwarded-for', '127.0.0.50', 'Host', '10.0.0.100:8000']);
  });

  it('keeps the originals in ProxyInfo.original: no data is lost', () => {
    const { info } = run(APACHE, {
      peer: '8.8.8.8',
      headers: [
        ['X-Forwarded-For', '1.2.3.4'],
        ['X-Real-IP', '5.5.5.5'],
      ],
    });
    expect(info.original.headers).toMatchObject({ 'x-forwarded-for': '1.2.3.4', 'x-real-ip': '5.5.5.5' });
  });

  it('never writes a rejected value into a header', () => {
    const { headers } = run(
      { trustedHeaders: ['X-Forwarded-Host'], trustedProxies: '10.0.0.1' },
      { headers: [['X-Forwarded-Host', 'ok.example, bad host']] },
    );
    expect(JSON.stringify(headers)).not.toContain('bad host');
  });
});

describe('R12 rewriting', () => {
  it('Host becomes ProxyInfo.host in headers and every rawHeaders line', () => {
    const { headers, raw } = run(APACHE, {
      peer: '127.0.0.31',
      headers: [
        ['Host', '127.0.0.10:18002'],
        ['Host', 'second.example'],
        ['X-Forwarded-Host', 'Blog.Example.com:80'],
      ],
    });
    expect(headers.host).toBe('blog.example.com');
    expect(raw).toEqual([
      'Host',
      'blog.example.com',
      'Host',
      'blog.example.com',
      'X-Forwarded-Host',
      'Blog.Example.com:80',
    ]);
  });

  it('rewrites a second Host line even when the first already is the final host', () => {
    const { headers, raw } = run(APACHE, {
      peer: '8.8.8.8',
      headers: [
        ['Host', 'a.example'],
        ['Host', 'evil.example'],
      ],
    });
    expect(headers.host).toBe('a.example');
    expect(raw).toEqual(['Host', 'a.example', 'Host', 'a.example']);
  });

  it('shadows ip, ips, protocol, secure and hostname with own properties', () => {
    const { req } = run(NGINX, {
      peer: '127.0.0.21',
      headers: [
        ['X-Forwarded-For', '203.0.113.9, 127.0.0.50'],
        ['X-Forwarded-Proto', 'https'],
        ['X-Forwarded-Host', 'a.example'],
      ],
    });
    const own = Object.getOwnPropertyDescriptors(req);
    expect(own.ip?.value).toBe('127.0.0.50');
    expect(own.ips?.value).toEqual(['127.0.0.50']);
    expect(own.protocol?.value).toBe('https');
    expect(own.secure?.value).toBe(true);
    expect(own.hostname?.value).toBe('a.example');
    expect('host' in own).toBe(false);
  });

  it('refuses a host outside allowedHosts', () => {
    const proxy = trustedProxy({
      ...NGINX,
      allowedHosts: ['example.com', '*.example.com', '[::1]', '127.0.0.1'],
    });
    const check = (host: string) => proxy.process(fakeRequest({ headers: [['Host', host]] })).hostAllowed;
    expect(check('example.com')).toBe(true);
    expect(check('EXAMPLE.com.')).toBe(true);
    expect(check('a.b.example.com:8080')).toBe(true);
    expect(check('[0:0::1]')).toBe(true);
    expect(check('127.0.0.1')).toBe(true);
    expect(check('evil.com')).toBe(false);
    expect(check('notexample.com')).toBe(false);
    const refused = proxy.process(fakeRequest({ headers: [['Host', 'evil.com']] }));
    expect(refused.rejected).toEqual([{ header: 'host', value: 'evil.com', reason: 'host-not-allowed' }]);
  });

  it('the apex is not matched by *.example.com', () => {
    const proxy = trustedProxy({ ...NGINX, allowedHosts: ['*.example.com'] });
    expect(proxy.process(fakeRequest({ headers: [['Host', 'example.com']] })).hostAllowed).toBe(false);
  });
});

describe('R13 idempotency', () => {
  it('processing twice returns the first ProxyInfo and changes nothing', () => {
    const { req, info } = run(APACHE, {
      peer: '127.0.0.31',
      headers: [
        ['X-Forwarded-For', '6.6.6.6, 127.0.0.50'],
        ['X-Forwarded-Host', 'evil, blog.example.com'],
      ],
    });
    const headers = { ...req.headers };
    const raw = [...req.rawHeaders];
    const other = trustedProxy({ trustedHeaders: ['X-Forwarded-For'], trustedProxies: 2 });
    expect(other.process(req)).toBe(info);
    expect(req.headers).toEqual(headers);
    expect(req.rawHeaders).toEqual(raw);
    expect(reconstructUrl(req)).toBe('http://blog.example.com/app/x');
  });
});

describe('mod_wsgi behaviours we keep (mod_wsgi.md §7)', () => {
  const xff = { trustedHeaders: ['X-Forwarded-For'], trustedProxies: '10.0.0.0/8' };
  it('B2: XFF is rewritten to the client', () => {
    const { info, headers } = run(xff, { headers: [['X-Forwarded-For', '198.51.100.9, 203.0.113.5']] });
    expect(info.remoteAddress).toBe('203.0.113.5');
    expect(headers['x-forwarded-for']).toBe('203.0.113.5');
  });
  it('B5: an all-trusted chain yields its leftmost entry', () => {
    expect(run(xff, { headers: [['X-Forwarded-For', '10.0.0.5, 10.0.0.2']] }).info.remoteAddress).toBe(
      '10.0.0.5',
    );
  });
  it('B11: an untrusted peer gets nothing, and every forwarding header is hidden', () => {
    const { info, headers } = run(
      {
        trustedHeaders: ['X-Forwarded-For', 'X-Forwarded-Proto', 'X-Forwarded-Host'],
        trustedProxies: '10.0.0.0/8',
      },
      {
        peer: '198.51.100.7',
        headers: [
          ['X-Forwarded-For', '1.2.3.4'],
          ['X-Forwarded-Proto', 'https'],
          ['X-Real-IP', '5.5.5.5'],
        ],
      },
    );
    expect(info.remoteAddress).toBe('198.51.100.7');
    expect(info.protocol).toBe('http');
    expect(Object.keys(headers)).toEqual(['host']);
  });
  it('A16: X-Forwarded-SSL on means https', () => {
    expect(
      run(
        { trustedHeaders: ['X-Forwarded-SSL'], trustedProxies: '10.0.0.1' },
        { headers: [['X-Forwarded-SSL', 'on']] },
      ).info.protocol,
    ).toBe('https');
  });
  it('A23: X-Script-Name sets the mount point', () => {
    const { info, req } = run(
      { trustedHeaders: ['X-Script-Name'], trustedProxies: '10.0.0.1' },
      {
        headers: [
          ['Host', 'backend:8000'],
          ['X-Script-Name', '/public'],
        ],
        url: '/x',
      },
    );
    expect(info.prefix).toBe('/public');
    expect(reconstructUrl(req)).toBe('http://backend:8000/public/x');
  });
  it('B18: a trusted http downgrades a TLS hop (mod_wsgi 6.0)', () => {
    expect(
      run(
        { trustedHeaders: ['X-Forwarded-Proto'], trustedProxies: '10.0.0.1' },
        { encrypted: true, headers: [['X-Forwarded-Proto', 'http']] },
      ).info.protocol,
    ).toBe('http');
  });
});

describe('mod_wsgi behaviours we deliberately change (mod_wsgi.md §8)', () => {
  it('W3: there is no "trust every peer" default: trustedProxies is required', () => {
    expect(() => trustedProxy({ trustedHeaders: ['X-Forwarded-For'] } as never)).toThrow(
      /trustedProxies is required/,
    );
  });
  it('W4/A10: a multi-valued X-Forwarded-Host is hop-aligned, never "a.example, b.example"', () => {
    const { info } = run(
      { trustedHeaders: ['X-Forwarded-Host'], trustedProxies: '10.0.0.1' },
      { headers: [['X-Forwarded-Host', 'a.example, b.example']] },
    );
    expect(info.host).toBe('b.example');
  });
  it('W5/B6: unknown never becomes REMOTE_ADDR', () => {
    const { info } = run(
      { trustedHeaders: ['X-Forwarded-For'], trustedProxies: '10.0.0.0/8' },
      { headers: [['X-Forwarded-For', '203.0.113.5, unknown']] },
    );
    expect(info.remoteAddress).toBe('10.0.0.1');
  });
  it('W5/A6: X-Real-IP holding a list is rejected, not copied', () => {
    const { info } = run(
      { trustedHeaders: ['X-Real-IP'], trustedProxies: '10.0.0.1' },
      { headers: [['X-Real-IP', '1.2.3.4, 5.6.7.8']] },
    );
    expect(info.remoteAddress).toBe('10.0.0.1');
  });
  it('W5/A21: X-Forwarded-Port abc is rejected', () => {
    const { info } = run(
      { trustedHeaders: ['X-Forwarded-Port'], trustedProxies: '10.0.0.1' },
      {
        headers: [
          ['Host', 'backend:8000'],
          ['X-Forwarded-Port', 'abc'],
        ],
      },
    );
    expect(info.port).toBe(8000);
  });
  it('W5/A24: X-Script-Name /public/ loses its trailing slash', () => {
    const { info } = run(
      { trustedHeaders: ['X-Script-Name'], trustedProxies: '10.0.0.1' },
      { headers: [['X-Script-Name', '/public/']] },
    );
    expect(info.prefix).toBe('/public');
  });
  it('W1: Forwarded is understood', () => {
    const { info } = run(
      { trustedHeaders: ['Forwarded'], trustedProxies: '10.0.0.1' },
      { headers: [['Forwarded', 'for=1.2.3.4;proto=https']] },
    );
    expect(info).toMatchObject({ remoteAddress: '1.2.3.4', protocol: 'https' });
  });
  it('W2: X-Forwarded-Prefix is understood', () => {
    const { info } = run(
      { trustedHeaders: ['X-Forwarded-Prefix'], trustedProxies: '10.0.0.1' },
      { headers: [['X-Forwarded-Prefix', '/app']] },
    );
    expect(info.prefix).toBe('/app');
  });
  it('W7/A12: a scheme change adjusts the port when the host is forwarded', () => {
    const { info } = run(
      { trustedHeaders: ['X-Forwarded-Host', 'X-Forwarded-Proto'], trustedProxies: '10.0.0.1' },
      {
        headers: [
          ['Host', 'backend:8000'],
          ['X-Forwarded-Host', 'www.example.com'],
          ['X-Forwarded-Proto', 'https'],
        ],
      },
    );
    expect(info.port).toBe(443);
    expect(info.host).toBe('www.example.com');
  });
  it('W10/B12: spoofable headers of groups not trusted are stripped, not passed through', () => {
    const { headers } = run(
      { trustedHeaders: ['X-Forwarded-For'], trustedProxies: '10.0.0.0/8' },
      {
        headers: [
          ['X-Forwarded-For', '1.2.3.4'],
          ['X-Forwarded-Host', 'spoof.example'],
        ],
      },
    );
    expect(headers['x-forwarded-host']).toBeUndefined();
  });
  it('W6/B26: 010.0.0.1 is never read as octal', () => {
    const { info } = run(
      { trustedHeaders: ['X-Forwarded-For'], trustedProxies: '10.0.0.0/8' },
      { headers: [['X-Forwarded-For', '1.2.3.4, 010.0.0.1']] },
    );
    expect(info.remoteAddress).toBe('10.0.0.1');
  });
});

describe('R6–R11 edge cases (found by mutation testing)', () => {
  const cidr = '10.0.0.0/8';

  it('R8: Forwarded with fewer elements than trusted hops gives its leftmost element', () => {
    const { info } = run(
      { trustedHeaders: ['X-Forwarded-For', 'Forwarded'], trustedProxies: cidr },
      {
        headers: [
          ['X-Forwarded-For', '1.1.1.1, 10.0.0.3, 10.0.0.2'],
          ['Forwarded', 'host=pub.example;proto=https'],
        ],
      },
    );
    expect(info.remoteAddress).toBe('1.1.1.1');
    expect(info.host).toBe('pub.example');
    expect(info.protocol).toBe('https');
  });

  it('R7/R11: a non-IP for= stops the walk; proto= of that element is still used and the rewrite drops the bad node', () => {
    const { info, headers } = run(
      { trustedHeaders: ['Forwarded'], trustedProxies: cidr },
      { headers: [['Forwarded', 'for=unknown;proto=https;host="pub.example:8443", for=10.0.0.2']] },
    );
    expect(info.remoteAddress).toBe('10.0.0.2');
    expect(info.protocol).toBe('https');
    expect(info.host).toBe('pub.example:8443');
    expect(headers.forwarded).toBe('host="pub.example:8443";proto=https, for=10.0.0.2');
  });

  it('R11: the rewrite keeps an RFC 7239 obfuscated-port node as its address', () => {
    const { info, headers } = run(
      { trustedHeaders: ['Forwarded'], trustedProxies: cidr },
      { headers: [['Forwarded', 'for="[2001:db8::9]:_p";proto=https, for=10.0.0.2']] },
    );
    expect(info.remoteAddress).toBe('2001:db8::9');
    expect(headers.forwarded).toBe('for="[2001:db8::9]";proto=https, for=10.0.0.2');
  });

  it('R7: a Forwarded element without for= is invalid-address and its proxy is the client', () => {
    const { info } = run(
      { trustedHeaders: ['Forwarded'], trustedProxies: cidr },
      { headers: [['Forwarded', 'proto=https;host=a.example, for=10.0.0.2;host=b.example']] },
    );
    expect(info.remoteAddress).toBe('10.0.0.2');
    expect(info.rejected).toEqual([
      { header: 'forwarded', value: 'proto=https;host=a.example', reason: 'invalid-address' },
    ]);
    // trustedHops = 2: host and proto come from the element that reported the bad node
    expect(info.host).toBe('a.example');
    expect(info.protocol).toBe('https');
  });

  it('R8: a non-IP X-Forwarded-For node counts as a hop for the other headers', () => {
    const { info } = run(
      { trustedHeaders: ['X-Forwarded-For', 'X-Forwarded-Host'], trustedProxies: cidr },
      {
        headers: [
          ['X-Forwarded-For', '1.1.1.1, unknown, 10.0.0.2'],
          ['X-Forwarded-Host', 'a.example, b.example'],
        ],
      },
    );
    expect(info.remoteAddress).toBe('10.0.0.2');
    expect(info.host).toBe('a.example');
  });

  it('R6: a lower-priority client header is walked silently: one conflict, no invalid-address', () => {
    const xff = run(
      { trustedHeaders: ['X-Real-IP', 'X-Forwarded-For'], trustedProxies: cidr },
      {
        headers: [
          ['X-Real-IP', '203.0.113.7'],
          ['X-Forwarded-For', 'unknown'],
        ],
      },
    );
    expect(xff.info.rejected).toEqual([{ header: 'x-forwarded-for', value: 'unknown', reason: 'conflict' }]);
    const single = run(
      { trustedHeaders: ['X-Forwarded-For', 'X-Real-IP'], trustedProxies: cidr },
      {
        headers: [
          ['X-Forwarded-For', '203.0.113.7'],
          ['X-Real-IP', '1.1.1.1, 2.2.2.2'],
        ],
      },
    );
    expect(single.info.rejected).toEqual([
      { header: 'x-real-ip', value: '1.1.1.1, 2.2.2.2', reason: 'conflict' },
    ]);
    const fwd = run(
      { trustedHeaders: ['X-Forwarded-For', 'Forwarded'], trustedProxies: cidr },
      {
        headers: [
          ['X-Forwarded-For', '203.0.113.7'],
          ['Forwarded', 'for=unknown'],
        ],
      },
    );
    expect(fwd.info.rejected).toEqual([{ header: 'forwarded', value: 'for=unknown', reason: 'conflict' }]);
  });

  it('R6: a malformed Forwarded element chosen for the host group keeps the original host', () => {
    const { info } = run(
      { trustedHeaders: ['X-Forwarded-For', 'Forwarded'], trustedProxies: cidr },
      {
        headers: [
          ['Host', 'internal:8000'],
          ['X-Forwarded-For', '203.0.113.7'],
          ['Forwarded', 'host=a.example;host=b.example'],
        ],
      },
    );
    expect(info.host).toBe('internal:8000');
    expect(info.rejected).toEqual([
      // as a lower-priority client header it names no client, unlike X-Forwarded-For
      { header: 'forwarded', value: 'host=a.example;host=b.example', reason: 'conflict' },
      { header: 'forwarded', value: 'host=a.example;host=b.example', reason: 'malformed-forwarded' },
    ]);
  });

  it('R9: an invalid Forwarded host= or proto= is rejected by name', () => {
    const { info } = run(
      { trustedHeaders: ['Forwarded'], trustedProxies: cidr },
      {
        headers: [
          ['Host', 'internal:8000'],
          ['Forwarded', 'for=203.0.113.7;host="a b";proto=gopher'],
        ],
      },
    );
    expect(info.host).toBe('internal:8000');
    expect(info.protocol).toBe('http');
    expect(info.rejected).toEqual([
      { header: 'forwarded', value: 'a b', reason: 'invalid-host' },
      { header: 'forwarded', value: 'gopher', reason: 'invalid-scheme' },
    ]);
  });

  it('R6: Forwarded first and X-Forwarded-Host second: Forwarded wins, the other is a conflict and stripped', () => {
    const { info, headers } = run(
      { trustedHeaders: ['Forwarded', 'X-Forwarded-Host'], trustedProxies: cidr },
      {
        headers: [
          ['Forwarded', 'for=203.0.113.7;host=a.example'],
          ['X-Forwarded-Host', 'b.example'],
        ],
      },
    );
    expect(info.host).toBe('a.example');
    expect(info.applied).toEqual(['forwarded']);
    expect(info.rejected).toEqual([{ header: 'x-forwarded-host', value: 'b.example', reason: 'conflict' }]);
    expect(headers['x-forwarded-host']).toBeUndefined();
  });

  it('R6: X-Forwarded-Host first and Forwarded second: a different host= is a conflict', () => {
    const { info, headers } = run(
      { trustedHeaders: ['X-Forwarded-Host', 'Forwarded'], trustedProxies: cidr },
      {
        headers: [
          ['X-Forwarded-Host', 'a.example'],
          ['Forwarded', 'host=b.example'],
        ],
      },
    );
    expect(info.host).toBe('a.example');
    expect(info.rejected).toEqual([{ header: 'forwarded', value: 'b.example', reason: 'conflict' }]);
    expect(headers.forwarded).toBeUndefined();
  });

  it('R11: a single list entry is trimmed of surrounding whitespace when rewritten', () => {
    for (const value of [' pub.example', 'pub.example\t']) {
      const { headers } = run(
        { trustedHeaders: ['X-Forwarded-Host'], trustedProxies: cidr },
        { headers: [['X-Forwarded-Host', value]] },
      );
      expect(headers['x-forwarded-host']).toBe('pub.example');
    }
  });

  it('R4: a header value given as an array (set by earlier code) is read as one list', () => {
    const req = fakeRequest({ headers: [['Host', 'a.example']] });
    (req.headers as Record<string, unknown>)['x-forwarded-for'] = ['1.1.1.1', '203.0.113.7'];
    const info = trustedProxy({ trustedHeaders: ['X-Forwarded-For'], trustedProxies: cidr }).process(req);
    expect(info.remoteAddress).toBe('203.0.113.7');
  });

  it('R5: a trust function is asked again for every request (never cached)', () => {
    let calls = 0;
    const proxy = trustedProxy({
      trustedHeaders: ['X-Forwarded-For'],
      trustedProxies: (_address, hop) => {
        if (hop === 0) calls++;
        return calls % 2 === 1;
      },
    });
    const first = proxy.process(fakeRequest({ headers: [['X-Forwarded-For', '203.0.113.7']] }));
    const second = proxy.process(fakeRequest({ headers: [['X-Forwarded-For', '203.0.113.7']] }));
    expect([first.trusted, second.trusted]).toEqual([true, false]);
  });

  it('R5: the compiled peer decision is per middleware, and a new peer is checked afresh', () => {
    const proxy = trustedProxy({ trustedHeaders: ['X-Forwarded-For'], trustedProxies: '10.0.0.1' });
    const a = proxy.process(fakeRequest({ peer: '10.0.0.1', headers: [['X-Forwarded-For', '203.0.113.7']] }));
    const b = proxy.process(fakeRequest({ peer: '10.0.0.2', headers: [['X-Forwarded-For', '203.0.113.7']] }));
    const c = proxy.process(fakeRequest({ peer: '10.0.0.1', headers: [['X-Forwarded-For', '203.0.113.7']] }));
    expect([a.remoteAddress, b.remoteAddress, c.remoteAddress]).toEqual([
      '203.0.113.7',
      '10.0.0.2',
      '203.0.113.7',
    ]);
  });

  it('R10: a cached Host is still reported as invalid on every request', () => {
    const proxy = trustedProxy({ trustedHeaders: ['X-Forwarded-For'], trustedProxies: cidr });
    for (let i = 0; i < 2; i++) {
      const info = proxy.process(fakeRequest({ headers: [['Host', 'a b']] }));
      expect(info.rejected).toEqual([{ header: 'host', value: 'a b', reason: 'invalid-host' }]);
    }
  });

  it('R10: with no Host and no usable local port, the port is the default of the protocol', () => {
    const { info } = run({ trustedHeaders: ['X-Forwarded-For'], trustedProxies: cidr }, { localPort: 0 });
    expect(info.port).toBe(80);
  });
});
