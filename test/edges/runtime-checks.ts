/**
 * Checks that the answers really come from the runtime, and that a streamed request body
 * survives the rebuilt Request there.
 */
import http from 'node:http';
import { expect, it } from 'vitest';
import { sendRaw } from './runner.js';
import type { Runtime, RuntimeName } from './runtimes.js';
import { SCENARIOS } from './scenarios.js';

function post(port: number, body: string): Promise<Record<string, string>> {
  return new Promise((done, fail) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        localAddress: '127.0.0.31',
        method: 'POST',
        path: '/echo?x=1',
        headers: { Host: 'internal', 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'pub.example' },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => done(JSON.parse(text) as Record<string, string>));
      },
    );
    req.on('error', fail);
    req.write(body.slice(0, 3));
    setTimeout(() => req.end(body.slice(3)), 10);
  });
}

export function runtimeChecks(name: RuntimeName, runtime: Runtime): void {
  it(`the answers come from ${name}, with the peer it reports`, async () => {
    const scenario = SCENARIOS[1]!;
    const { port } = await runtime.start('fetch', scenario.options, { host: '127.0.0.1', tls: false });
    const answer = JSON.parse((await sendRaw(scenario, port)).body) as {
      runtime: string;
      info: { peerAddress: string };
    };
    expect(answer.runtime).toBe(name);
    expect(answer.info.peerAddress).toBe('127.0.0.31');
  });

  it(`a streamed POST body reaches the Hono handler on ${name} through the replaced request`, async () => {
    const { port } = await runtime.start(
      'hono',
      { trustedHeaders: ['X-Forwarded-Proto', 'X-Forwarded-Host'], trustedProxies: '127.0.0.31' },
      { host: '127.0.0.1', tls: false },
    );
    expect(await post(port, 'body in two chunks')).toEqual({
      body: 'body in two chunks',
      url: 'https://pub.example/echo?x=1',
      runtime: name,
    });
  });
}
