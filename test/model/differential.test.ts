/**
 * Whole-request differential fuzzing: the package against the executable model of SPEC
 * (test/model/index.ts), request by request — ProxyInfo, the rewritten headers and rawHeaders,
 * the getters, reconstructUrl, idempotency — through the fake-socket path (`proxy.process` on
 * a hand-built request) and through real node:http / node:https servers on 127.0.0.1, ::1,
 * a mapped address and a UNIX socket, with the middleware, `.wrap` and `.process` mounts.
 * Configurations are compared too: the model and `trustedProxy()` must agree on which are
 * config errors.
 *
 * `npm test` runs a short seeded share; `npm run test:fuzz` (FUZZ_LONG=1) runs at least
 * 1,000,000 requests with a fresh seed (printed; replay with FC_SEED=<seed>). A divergence
 * fails with a minimised reproduction, to be kept in test/model/regressions.test.ts.
 */

import { appendFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrustedProxyOptions } from '../../src/core/types.js';
import { TrustedProxyConfigError, trustedProxy } from '../../src/index.js';
import { LONG, MUTATION, SEED } from '../property/support/config.js';
import { fuzzRequest } from '../property/support/fuzzgen.js';
import { type RawRequest, serialize } from '../property/support/harness.js';
import { describeCase, diffProcess } from './compare.js';
import {
  BAD_CONFIG_VALUES,
  ODD_GOOD_VALUES,
  PEERS,
  Rng,
  randomConfig,
  randomRequest,
  TRUSTABLE,
} from './generate.js';
import { modelConfigError } from './index.js';
import { type ModelServer, refusedDiffs, type ServerKind, startServer, WireClient } from './wire.js';

/**
 * Requests per path. The long run totals 1,000,000; FUZZ_SCALE (e.g. 0.25) runs a share of it,
 * so a long run can be split into shards with different seeds (FC_SEED) on a busy machine.
 */
const SCALE = Number(process.env.FUZZ_SCALE ?? 1);
const FULL = LONG
  ? { structured: 800_000, grammar: 150_000, wirePerKind: 10_000, configs: 20_000, proxyProtocol: 10_000 }
  : MUTATION /* under Stryker every covering mutant reruns this */
    ? { structured: 400, grammar: 100, wirePerKind: 4, configs: 100, proxyProtocol: 5 }
    : { structured: 12_000, grammar: 3_000, wirePerKind: 100, configs: 1_500, proxyProtocol: 100 };
const COUNTS = Object.fromEntries(
  Object.entries(FULL).map(([k, v]) => [k, LONG ? Math.round(v * SCALE) : v]),
) as typeof FULL;

/** FUZZ_PROGRESS=<file>: a long run appends `<path> <requests agreed>` every 5,000 requests. */
function progress(path: string, done: number): void {
  const file = process.env.FUZZ_PROGRESS;
  if (file !== undefined && done % 5_000 === 0 && done > 0) appendFileSync(file, `${path} ${done}\n`);
}

/** Drops header lines and list entries while the divergence persists. */
function minimise(raw: RawRequest, diverges: (r: RawRequest) => boolean): RawRequest {
  let best = raw;
  let progress = true;
  while (progress) {
    progress = false;
    for (let i = 0; i < best.lines.length; i++) {
      const candidate = { ...best, lines: best.lines.filter((_, j) => j !== i) };
      if (diverges(candidate)) {
        best = candidate;
        progress = true;
        break;
      }
    }
    if (progress) continue;
    for (let i = 0; i < best.lines.length && !progress; i++) {
      const [name, value] = best.lines[i]!;
      const parts = value.split(',');
      for (let k = 0; k < parts.length && parts.length > 1; k++) {
        const lines = best.lines.slice();
        lines[i] = [name, parts.filter((_, j) => j !== k).join(',')];
        const candidate = { ...best, lines };
        if (diverges(candidate)) {
          best = candidate;
          progress = true;
          break;
        }
      }
    }
  }
  return best;
}

function safeDiff(options: TrustedProxyOptions, raw: RawRequest): string[] {
  try {
    return diffProcess(options, trustedProxy(options), raw);
  } catch (err) {
    return [`threw ${(err as Error).message}`];
  }
}

function report(options: TrustedProxyOptions, raw: RawRequest, diffs: string[]): string {
  const small = minimise(raw, (r) => safeDiff(options, r).length > 0);
  return `${diffs.slice(0, 6).join('\n')}\nminimised: ${describeCase(options, small)}\n(seed ${SEED})`;
}

describe(`model differential › configurations (seed ${SEED})`, () => {
  const base: TrustedProxyOptions = { trustedHeaders: ['X-Forwarded-For'], trustedProxies: 'loopback' };

  function agree(options: TrustedProxyOptions): string | undefined {
    const model = modelConfigError(options);
    let thrown: unknown;
    try {
      trustedProxy(options);
    } catch (err) {
      thrown = err;
    }
    if (thrown !== undefined && !(thrown instanceof TrustedProxyConfigError))
      return `threw ${String(thrown)}`;
    if ((model === undefined) !== (thrown === undefined)) {
      return `model: ${model ?? 'valid'}; package: ${thrown === undefined ? 'valid' : (thrown as Error).message}`;
    }
    return undefined;
  }

  it('agrees on the known bad and odd-but-good values (R2)', () => {
    for (const v of BAD_CONFIG_VALUES) {
      const options = { ...base, ...v } as TrustedProxyOptions;
      expect(modelConfigError(options), JSON.stringify(v)).toBeDefined();
      expect(agree(options), JSON.stringify(v)).toBeUndefined();
    }
    for (const v of ODD_GOOD_VALUES) {
      const options = { ...base, ...v } as TrustedProxyOptions;
      expect(modelConfigError(options), JSON.stringify(v)).toBeUndefined();
      expect(agree(options), JSON.stringify(v)).toBeUndefined();
    }
  });

  it(`agrees on ${COUNTS.configs} mutated configurations`, () => {
    const rng = new Rng(SEED ^ 0xc0f1);
    const ENTRIES = [
      '10.0.0.0/8',
      '::1',
      'fe80::/10',
      '192.168.0.0/255.255.0.0',
      '::ffff:10.0.0.0/104',
      'loopback',
      'unix',
      '2001:db8::/32',
      '127.0.0.1',
    ];
    const HOSTS = ['example.com', '*.example.com', '[::1]', '127.0.0.1', 'a.b.example.', '::1'];
    const PUNCT = [
      '%',
      '.',
      '/',
      ':',
      '0',
      '1',
      '9',
      '*',
      '[',
      ']',
      ' ',
      ',',
      'x',
      '..',
      '%25eth0',
      '/0',
      '/97',
      '/96',
    ];
    const mutate = (text: string) => {
      const at = rng.int(text.length + 1);
      return rng.chance(0.5)
        ? text.slice(0, at) + rng.pick(PUNCT) + text.slice(at)
        : text.slice(0, at) + text.slice(at + 1);
    };
    const failures: string[] = [];
    for (let i = 0; i < COUNTS.configs; i++) {
      const options: TrustedProxyOptions = {
        trustedHeaders: [rng.pick(TRUSTABLE)],
        trustedProxies: [mutate(rng.pick(ENTRIES)), ...(rng.chance(0.5) ? [rng.pick(ENTRIES)] : [])],
      };
      if (rng.chance(0.5))
        options.allowedHosts = [rng.chance(0.7) ? mutate(rng.pick(HOSTS)) : rng.pick(HOSTS)];
      const problem = agree(options);
      if (problem !== undefined) failures.push(`${JSON.stringify(options)}: ${problem}`);
    }
    expect(failures.slice(0, 10)).toEqual([]);
  });
});

describe(`model differential › fake-socket path (seed ${SEED})`, () => {
  it(`agrees on ${COUNTS.structured} proxy-chain requests`, () => {
    const rng = new Rng(SEED);
    let done = 0;
    while (done < COUNTS.structured) {
      const options = randomConfig(rng);
      // One middleware reused across many requests (its one-entry caches included).
      const proxy = trustedProxy(options);
      for (let i = 0; i < 100 && done < COUNTS.structured; i++, done++) {
        const peer = rng.pick(PEERS);
        const raw = randomRequest(
          rng,
          {
            wire: rng.chance(0.5),
            peer,
            unix: peer === undefined && rng.chance(0.7),
            tls: rng.chance(0.3),
            localAddress: rng.pick(['10.9.8.7', '::ffff:10.9.8.7', 'fd00::9', '127.0.0.1']),
            localPort: rng.pick([8080, 80, 443]),
          },
          options.trustedHeaders,
        );
        const diffs = diffProcess(options, proxy, raw);
        if (diffs.length > 0) throw new Error(`request #${done}:\n${report(options, raw, diffs)}`);
        progress('structured', done + 1);
      }
    }
    expect(done).toBe(COUNTS.structured);
  }, 3_600_000);

  it(`agrees on ${COUNTS.grammar} random-grammar requests (random bytes, near-valid values, 16 KB lists)`, () => {
    const rng = new Rng(SEED ^ 0x9a33);
    let done = 0;
    while (done < COUNTS.grammar) {
      const options = randomConfig(rng);
      const proxy = trustedProxy(options);
      for (let i = 0; i < 100 && done < COUNTS.grammar; i++, done++) {
        const raw = fuzzRequest(rng, rng.pick(PEERS), {
          wire: rng.chance(0.5),
          limit: rng.chance(0.05) ? 16_384 : 2_000,
        });
        const diffs = diffProcess(options, proxy, raw);
        if (diffs.length > 0) throw new Error(`request #${done}:\n${report(options, raw, diffs)}`);
        progress('grammar', done + 1);
      }
    }
    expect(done).toBe(COUNTS.grammar);
  }, 3_600_000);
});

describe(`model differential › real servers (seed ${SEED})`, () => {
  const KINDS: ServerKind[] = ['tcp4', 'tcp6', 'mapped', 'unix', 'tls'];
  const rng = new Rng(SEED ^ 0x5e77);
  const configs: TrustedProxyOptions[] = Array.from({ length: 24 }, () => randomConfig(rng));
  const proxies = configs.map((c) => trustedProxy(c));
  const servers: ModelServer[] = [];

  beforeAll(async () => {
    for (const kind of KINDS) servers.push(await startServer(kind, configs, proxies));
  });
  afterAll(async () => {
    for (const s of servers) await s.close();
  });

  it.each(KINDS)(
    `agrees on ${COUNTS.wirePerKind} requests over %s`,
    async (kind) => {
      const server = servers.find((s) => s.kind === kind)!;
      const client = new WireClient(server.connect);
      const local = new Rng(SEED ^ KINDS.indexOf(kind));
      let ok = 0;
      try {
        for (let i = 0; i < COUNTS.wirePerKind; i++) {
          const which = local.int(configs.length);
          const raw = randomRequest(
            local,
            { wire: true, peer: '127.0.0.1', unix: false, tls: false, localAddress: '', localPort: 0 },
            configs[which]!.trustedHeaders,
          );
          const lines = [
            ...raw.lines,
            ['X-Model-Config', String(which)] as const,
            ['X-Model-Mount', local.pick(['middleware', 'wrap', 'process'])] as const,
          ];
          // An absolute-form or `*` target is fine on the wire; a raw `é` or `#` is not (Node refuses it).
          const url = /[^\x21-\x7e]/.test(raw.url) ? '/%C3%A9' : raw.url.replace('#', '%23');
          const bytes = serialize({ method: 'GET', url, lines });
          const res = await client.send(bytes).catch((err: Error) => {
            throw new Error(
              `${kind} request #${i}: ${err.message}\n${JSON.stringify(bytes.toString('latin1').slice(0, 2000))}`,
            );
          });
          if (res.status === 400 && res.body.startsWith('Bad Request: host not allowed')) {
            ok++;
            continue;
          }
          expect(res.status, `${res.body} ${JSON.stringify(lines).slice(0, 600)}`).toBe(200);
          const { diffs } = JSON.parse(res.body) as { diffs: string[] };
          if (diffs.length > 0) {
            throw new Error(
              `${kind} request #${i}:\n${diffs.slice(0, 6).join('\n')}\n${describeCase(configs[which]!, { ...raw, lines })}`,
            );
          }
          ok++;
          progress(`wire-${kind}`, ok);
        }
      } finally {
        client.close();
      }
      expect(ok).toBe(COUNTS.wirePerKind);
      expect(refusedDiffs).toEqual([]);
    },
    3_600_000,
  );
});

describe(`model differential › PROXY protocol peer (R21) (seed ${SEED})`, () => {
  const rng = new Rng(SEED ^ 0x9909);
  const configs: TrustedProxyOptions[] = Array.from({ length: 12 }, () => randomConfig(rng));
  const proxies = configs.map((c) => trustedProxy(c));
  let server: ModelServer;
  const SOURCES: Array<[family: 'TCP4' | 'TCP6', address: string]> = [
    ['TCP4', '10.0.0.1'],
    ['TCP4', '127.0.0.1'],
    ['TCP4', '192.168.1.20'],
    ['TCP4', '203.0.113.5'],
    ['TCP6', '::1'],
    ['TCP6', 'fd00::5'],
    ['TCP6', '2001:db8::1'],
  ];

  beforeAll(async () => {
    server = await startServer('proxy-protocol', configs, proxies);
  });
  afterAll(() => server.close());

  it(`agrees on ${COUNTS.proxyProtocol} requests whose peer is the header's source`, async () => {
    let done = 0;
    while (done < COUNTS.proxyProtocol) {
      const [family, source] = rng.pick(SOURCES);
      const destination = family === 'TCP4' ? '10.9.8.7' : 'fd00::9';
      const sourcePort = 1 + rng.int(65535);
      const preamble = Buffer.from(
        `PROXY ${family} ${source} ${destination} ${sourcePort} 443\r\n`,
        'latin1',
      );
      const client = new WireClient(() => {
        const socket = netConnect({ host: '127.0.0.1', port: server.port });
        socket.write(preamble);
        return socket;
      });
      try {
        for (let k = 0; k < 5 && done < COUNTS.proxyProtocol; k++, done++) {
          const which = rng.int(configs.length);
          const raw = randomRequest(
            rng,
            { wire: true, peer: source, unix: false, tls: false, localAddress: '', localPort: 0 },
            configs[which]!.trustedHeaders,
          );
          const lines = [
            ...raw.lines,
            ['X-Model-Config', String(which)] as const,
            ['X-Model-Mount', rng.pick(['middleware', 'process'])] as const,
            ['X-Model-Source', `${source} ${sourcePort} ${destination} 443`] as const,
          ];
          const url = /[^\x21-\x7e]/.test(raw.url) ? '/' : raw.url.replace('#', '%23');
          const res = await client.send(serialize({ method: 'GET', url, lines }));
          expect(res.status, res.body).toBe(200);
          const { diffs } = JSON.parse(res.body) as { diffs: string[] };
          if (diffs.length > 0) {
            throw new Error(
              `request #${done}:\n${diffs.slice(0, 6).join('\n')}\n${describeCase(configs[which]!, { ...raw, lines })}`,
            );
          }
        }
      } finally {
        client.close();
      }
    }
    expect(done).toBe(COUNTS.proxyProtocol);
  }, 3_600_000);
});
