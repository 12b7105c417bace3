import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, fetchLocal, startCli } from './helpers.js';

const TRUST = [
  '--trust-proxy',
  'loopback',
  '--trust-proxy-header',
  'X-Forwarded-For,X-Forwarded-Host,X-Forwarded-Proto',
];
const PROXIED = {
  'X-Forwarded-For': '203.0.113.7',
  'X-Forwarded-Host': 'blog.example.com',
  'X-Forwarded-Proto': 'https',
};

describe('trusted-proxy CLI › app modules', () => {
  it('serves an ESM module whose default export is an Express app', async () => {
    const cli = await startCli([...TRUST, 'test/fixtures/cli/esm-express-app.mjs']);
    try {
      expect(cli.startLine).toContain('app: test/fixtures/cli/esm-express-app.mjs');
      const answer = await fetchLocal(cli.port, '/?x=1', PROXIED);
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body)).toEqual({
        kind: 'esm-express',
        url: 'https://blog.example.com/?x=1',
        ip: '203.0.113.7',
        protocol: 'https',
        hostname: 'blog.example.com',
        secure: true,
      });
    } finally {
      await cli.stop();
    }
  });

  it('serves a CommonJS module whose module.exports is a (req, res) listener', async () => {
    const cli = await startCli([...TRUST, join(FIXTURES, 'cjs-listener.cjs')]);
    try {
      const answer = await fetchLocal(cli.port, '/p', PROXIED);
      expect(JSON.parse(answer.body)).toEqual({
        kind: 'cjs-listener',
        url: 'https://blog.example.com/p',
        remoteAddress: '203.0.113.7',
        ip: '203.0.113.7',
      });
    } finally {
      await cli.stop();
    }
  });

  it('serves a CommonJS module exporting a Connect app', async () => {
    const cli = await startCli([...TRUST, 'test/fixtures/cli/connect-app.cjs']);
    try {
      const answer = await fetchLocal(cli.port, '/c', PROXIED);
      expect(JSON.parse(answer.body)).toEqual({ kind: 'connect', ip: '203.0.113.7', url: '/c' });
    } finally {
      await cli.stop();
    }
  });

  it('unwraps CommonJS compiled from `export default` (exports.default)', async () => {
    const cli = await startCli([...TRUST, 'test/fixtures/cli/cjs-default-export.cjs']);
    try {
      expect((await fetchLocal(cli.port, '/')).body).toBe('cjs-default-export\n');
    } finally {
      await cli.stop();
    }
  });

  it('resolves APP relative to the working directory', async () => {
    const cli = await startCli([...TRUST, 'cjs-default-export.cjs'], {}, FIXTURES);
    try {
      expect((await fetchLocal(cli.port, '/')).body).toBe('cjs-default-export\n');
    } finally {
      await cli.stop();
    }
  });
});
