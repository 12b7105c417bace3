/**
 * A real HTTP/2 client for the tests: `http2.connect` over a socket bound to a chosen loopback
 * address (the peer the server sees), h2c or h2 over TLS. A row's Host line becomes `:authority`.
 */
import http2 from 'node:http2';
import net from 'node:net';
import tls from 'node:tls';
import type { Answer } from '../edges/runner.js';
import { PATH, type Scenario } from '../edges/scenarios.js';

export type Http2Answer = Answer & { headers: http2.IncomingHttpHeaders };

/** One HTTP/2 request on its own session from `from`; Host becomes `:authority`. */
export async function sendHttp2(
  scenario: Pick<Scenario, 'from' | 'headers' | 'listen' | 'tls' | 'path'>,
  port: number,
  extra: http2.OutgoingHttpHeaders = {},
): Promise<Http2Answer> {
  const host = scenario.listen === '::1' ? '::1' : '127.0.0.1';
  const authority = `${scenario.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const session = http2.connect(authority, {
    createConnection: () =>
      scenario.tls
        ? tls.connect({
            host,
            port,
            localAddress: scenario.from,
            rejectUnauthorized: false,
            servername: 'localhost',
            ALPNProtocols: ['h2'],
          } as tls.ConnectionOptions)
        : net.connect({ host, port, localAddress: scenario.from }),
  });
  session.on('error', () => {});
  const headers: http2.OutgoingHttpHeaders = { ':method': 'GET', ':path': scenario.path ?? PATH, ...extra };
  for (const [name, value] of scenario.headers) {
    const key = name.toLowerCase() === 'host' ? ':authority' : name.toLowerCase();
    const before = headers[key];
    // Repeated lines stay separate lines on the wire.
    headers[key] =
      before === undefined ? value : [...(Array.isArray(before) ? before : [String(before)]), value];
  }
  try {
    const stream = session.request(headers);
    const response = await new Promise<http2.IncomingHttpHeaders>((done, fail) => {
      stream.once('response', done);
      stream.once('error', fail);
    });
    stream.setEncoding('utf8');
    let body = '';
    for await (const chunk of stream) body += chunk;
    return { status: Number(response[':status']), body, headers: response };
  } finally {
    session.close();
  }
}
