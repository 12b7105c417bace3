/**
 * Runs the scenario table through one edge. An edge starts a real server for a row's options
 * whose app answers every request with an {@link Observation} as JSON; the runner sends the
 * row's exact bytes from the row's own loopback address and checks the answer.
 *
 * To add an edge (Fastify, Koa, HTTP/2 …): write `test/edges/<name>.test.ts` that calls
 * `describeEdge({ name, start })`, with `send` for a transport other than HTTP/1.1.
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { afterAll, describe, expect, it } from 'vitest';
import type { ProxyInfo } from '../../src/index.js';
import {
  type Expected,
  type ListenHost,
  PATH,
  REGISTRY_NAMES,
  SCENARIOS,
  type Scenario,
  type ScenarioOptions,
} from './scenarios.js';

/** What the app behind an edge reports for one request. */
export interface Observation {
  /** proxyInfo(request) */
  info: ProxyInfo;
  /** reconstructUrl(request) */
  url: string;
  /** The request headers the app sees, lower-case names (repeated lines joined as the edge joins them). */
  headers: Record<string, string | string[]>;
  /**
   * The framework's own accessors, where it has them (e.g. Express `req.ip`, Hono `c.req.url`).
   * Each present key is checked: `ip` = remoteAddress, `protocol`, `hostname`, `host`,
   * `url` = the public origin + the routed path (no prefix, R18).
   */
  accessors?: { ip?: string | undefined; protocol?: string; hostname?: string; host?: string; url?: string };
}

export interface Listen {
  host: ListenHost;
  tls: boolean;
}

export interface EdgeServer {
  port: number;
  close(): Promise<void>;
}

export interface Answer {
  status: number;
  body: string;
}

export interface Edge {
  name: string;
  /**
   * The edge reads `Forwarded` line by line (it has the raw lines). False for Web `Headers`
   * without `transport.rawHeaders`: rows with a `joined` expectation use it (R18).
   */
  rawLines: boolean;
  /** Starts a server for `options` whose app answers with an Observation (status 200). */
  start(options: ScenarioOptions, listen: Listen): Promise<EdgeServer>;
  /** Sends a row's request; default: raw HTTP/1.1 over TCP or TLS from `scenario.from`. */
  send?(scenario: Scenario, port: number): Promise<Answer>;
  /** Rows this edge cannot carry (say why in the edge's file). Default: every row. */
  filter?(scenario: Scenario): boolean;
}

export const TLS_KEY = readFileSync(new URL('../fixtures/tls-key.pem', import.meta.url));
export const TLS_CERT = readFileSync(new URL('../fixtures/tls-cert.pem', import.meta.url));

function connectHost(listen: ListenHost): string {
  return listen === '::1' ? '::1' : '127.0.0.1';
}

/** One request on its own connection, written byte for byte; reads one response. */
export async function sendRaw(scenario: Scenario, port: number): Promise<Answer> {
  const host = connectHost(scenario.listen ?? '127.0.0.1');
  const socket: net.Socket = scenario.tls
    ? tls.connect({
        host,
        port,
        localAddress: scenario.from,
        rejectUnauthorized: false,
        servername: 'localhost',
      } as tls.ConnectionOptions)
    : net.connect({ host, port, localAddress: scenario.from });
  await new Promise<void>((done, fail) => {
    socket.once(scenario.tls ? 'secureConnect' : 'connect', () => done());
    socket.once('error', fail);
  });
  let text = `GET ${scenario.path ?? PATH} HTTP/1.1\r\n`;
  for (const [name, value] of scenario.headers) text += `${name}: ${value}\r\n`;
  text += 'Connection: close\r\n\r\n';
  socket.end(text);
  const chunks: Buffer[] = [];
  await new Promise<void>((done, fail) => {
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.once('close', () => done());
    socket.once('error', fail);
  });
  const raw = Buffer.concat(chunks);
  const end = raw.indexOf('\r\n\r\n');
  const head = raw.subarray(0, end).toString('latin1');
  let body: Buffer = raw.subarray(end + 4);
  if (/\r\ntransfer-encoding: *chunked/i.test(head)) body = dechunk(body);
  return { status: Number(head.slice(9, 12)), body: body.toString('utf8') };
}

function dechunk(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = data.indexOf('\r\n', at);
    if (eol < 0) break;
    const size = Number.parseInt(data.subarray(at, eol).toString('latin1'), 16);
    if (!(size > 0)) break;
    parts.push(data.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

function expectedFor(scenario: Scenario, edge: Edge): Expected {
  const base = scenario.expected!;
  return edge.rawLines || scenario.joined === undefined ? base : { ...base, ...scenario.joined };
}

function asSet(events: ReadonlyArray<{ header: string; reason: string }>): string[] {
  return events.map((e) => `${e.header} ${e.reason}`).sort();
}

/** The registry headers left on the request, values as strings. */
export function forwardingHeaders(headers: Observation['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) {
    const name = key.toLowerCase();
    if (REGISTRY_NAMES.includes(name)) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** The routed URL an edge's framework should report: public origin + path as sent, no prefix. */
function routedUrl(scenario: Scenario, expected: Expected): string {
  return `${expected.protocol}://${expected.host}${scenario.path ?? PATH}`;
}

/** Checks one observation against a row: the same assertions for every edge. */
export function checkObservation(scenario: Scenario, edge: Edge, got: Observation): void {
  const want = expectedFor(scenario, edge);
  const info = got.info;
  expect(info, 'proxyInfo(request)').toBeDefined();
  expect({
    remoteAddress: info.remoteAddress,
    addresses: info.addresses,
    protocol: info.protocol,
    secure: info.secure,
    hostname: info.hostname,
    port: info.port,
    host: info.host,
    prefix: info.prefix,
    applied: info.applied,
    hostAllowed: info.hostAllowed,
  }).toEqual({
    remoteAddress: want.remoteAddress,
    addresses: want.addresses,
    protocol: want.protocol,
    secure: want.protocol === 'https',
    hostname: want.hostname,
    port: want.port,
    host: want.host,
    prefix: want.prefix,
    applied: want.applied,
    hostAllowed: true,
  });
  expect(asSet(info.rejected)).toEqual(asSet(want.rejected.map(([header, reason]) => ({ header, reason }))));
  expect(forwardingHeaders(got.headers), 'forwarding headers after R11').toEqual(want.forwarded);
  const host = got.headers.host ?? got.headers[':authority'];
  expect(host, 'Host = ProxyInfo.host (R12)').toBe(want.host);
  expect(got.url, 'reconstructUrl (R15)').toBe(want.url);
  const a = got.accessors;
  if (a !== undefined) {
    if ('ip' in a) expect(a.ip, 'framework ip').toBe(want.remoteAddress);
    if ('protocol' in a) expect(a.protocol, 'framework protocol').toBe(want.protocol);
    if ('hostname' in a) expect(a.hostname, 'framework hostname').toBe(want.hostname);
    if ('host' in a) expect(a.host, 'framework host').toBe(want.host);
    if ('url' in a) expect(a.url, 'framework url').toBe(routedUrl(scenario, want));
  }
}

/** Registers one `it` per row of the table for `edge`. Servers are shared by rows with equal options. */
export function describeEdge(edge: Edge, scenarios: Scenario[] = SCENARIOS): void {
  describe(`scenario table › ${edge.name}`, () => {
    const servers = new Map<string, Promise<EdgeServer>>();
    afterAll(async () => {
      await Promise.all([...servers.values()].map(async (s) => (await s).close()));
    });
    function serverFor(scenario: Scenario): Promise<EdgeServer> {
      const listen: Listen = { host: scenario.listen ?? '127.0.0.1', tls: scenario.tls === true };
      const key = JSON.stringify([scenario.options, listen]);
      let server = servers.get(key);
      if (server === undefined) {
        server = edge.start(scenario.options, listen);
        servers.set(key, server);
      }
      return server;
    }
    for (const scenario of scenarios) {
      if (edge.filter !== undefined && !edge.filter(scenario)) continue;
      it(`${scenario.name} (${scenario.rules})`, async () => {
        const { port } = await serverFor(scenario);
        const answer = await (edge.send ?? sendRaw)(scenario, port);
        if (scenario.status === 400) {
          expect(answer.status).toBe(400);
          expect(answer.body).not.toContain('"info"');
          return;
        }
        expect(answer.status, answer.body.slice(0, 300)).toBe(200);
        checkObservation(scenario, edge, JSON.parse(answer.body) as Observation);
      });
    }
  });
}
