import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchLocal, NPM_START_FLAGS, type Running, startCli } from './helpers.js';

const BROWSER_ACCEPT =
  'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';

describe('trusted-proxy CLI › the built-in demo (npm start flags)', () => {
  let cli: Running;
  beforeAll(async () => {
    cli = await startCli(NPM_START_FLAGS);
  });
  afterAll(async () => {
    await cli.stop();
  });

  it("prints https://blog.example.com/ on the first line for the README's curl command", async () => {
    const answer = await fetchLocal(cli.port, '/', {
      Accept: '*/*',
      'User-Agent': 'curl/7.88.1',
      'X-Forwarded-Host': 'blog.example.com',
      'X-Forwarded-Proto': 'https',
    });
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(answer.body.split('\n')[0]).toBe('https://blog.example.com/');
    expect(answer.body).toContain('applied: x-forwarded-host, x-forwarded-proto');
  });

  it('answers text/plain when there is no Accept header', async () => {
    const answer = await fetchLocal(cli.port, '/path?q=1');
    expect(answer.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(answer.body.split('\n')[0]).toBe(`http://127.0.0.1:${cli.port}/path?q=1`);
  });

  it('shows the prefix, port and client address it resolved', async () => {
    const answer = await fetchLocal(cli.port, '/x', {
      'X-Forwarded-For': '203.0.113.7',
      'X-Forwarded-Host': 'blog.example.com',
      'X-Forwarded-Port': '8443',
      'X-Forwarded-Proto': 'https',
      'X-Forwarded-Prefix': '/blog',
    });
    const lines = answer.body.split('\n');
    expect(lines[0]).toBe('https://blog.example.com:8443/blog/x');
    expect(lines).toContain('remote address: 203.0.113.7');
    expect(lines).toContain('prefix: /blog');
  });

  it('answers JSON when Accept prefers application/json', async () => {
    const answer = await fetchLocal(cli.port, '/api?x=1', {
      Accept: 'application/json',
      'X-Forwarded-Host': 'blog.example.com',
      'X-Real-IP': '6.6.6.6',
    });
    expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
    const report = JSON.parse(answer.body);
    expect(report.url).toBe('http://blog.example.com/api?x=1');
    expect(report.proxyInfo).toMatchObject({
      trusted: true,
      host: 'blog.example.com',
      applied: ['x-forwarded-host'],
      rejected: [{ header: 'x-real-ip', value: '6.6.6.6', reason: 'not-trusted-header' }],
    });
    expect(report.stripped).toEqual(['x-real-ip']);
    expect(report.headers['x-real-ip']).toBeUndefined();
    expect(report.proxyInfo.original.headers['x-real-ip']).toBe('6.6.6.6');
  });

  it('answers JSON to a client that lists application/json first among equals', async () => {
    const answer = await fetchLocal(cli.port, '/', { Accept: 'application/json, text/plain, */*' });
    expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
  });

  it('answers HTML to a browser', async () => {
    const answer = await fetchLocal(cli.port, '/', {
      Accept: BROWSER_ACCEPT,
      'X-Forwarded-Host': 'blog.example.com',
    });
    expect(answer.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
    expect(answer.body).toContain('<h1><code>http://blog.example.com/</code></h1>');
    expect(answer.body).toContain('<tr><th>applied</th><td>x-forwarded-host</td></tr>');
  });

  it('escapes client-supplied values in the HTML page', async () => {
    const answer = await fetchLocal(cli.port, '/', {
      Accept: 'text/html',
      'X-Forwarded-Host': '<script>alert(1)</script>',
      'X-Real-IP': '"><img src=x onerror=alert(2)>',
      'X-Anything': "<b>'bold'</b> & co",
    });
    expect(answer.body).not.toContain('<script>');
    expect(answer.body).not.toContain('<img');
    expect(answer.body).not.toContain('<b>');
    expect(answer.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(answer.body).toContain('&quot;&gt;&lt;img src=x onerror=alert(2)&gt;');
    expect(answer.body).toContain('&lt;b&gt;&#39;bold&#39;&lt;/b&gt; &amp; co');
  });

  it('quotes client-supplied values in the text report so they cannot fake a line', async () => {
    const answer = await fetchLocal(cli.port, '/', { 'X-Real-IP': 'x rejected: -' });
    expect(answer.body).toContain('  x-real-ip: not-trusted-header "x rejected: -"');
  });

  it('sends no body to HEAD', async () => {
    const answer = await fetchLocal(cli.port, '/', {}, 'HEAD');
    expect(answer.status).toBe(200);
    expect(Number(answer.headers['content-length'])).toBeGreaterThan(0);
    expect(answer.body).toBe('');
  });

  it('varies on Accept and is never cached', async () => {
    const answer = await fetchLocal(cli.port, '/');
    expect(answer.headers.vary).toBe('Accept');
    expect(answer.headers['cache-control']).toBe('no-store');
  });
});
