// The client: Node's http/https bound to 127.0.0.50, like `curl --interface 127.0.0.50 --resolve`.
// It connects to the proxy's address and sends the public Host (and SNI) itself.
import { readFileSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { inject } from 'vitest';
import type { ProxyInfo } from '../../src/core/types.js';
import { APACHE, CLIENT, HAPROXY, NGINX } from './topology.js';

/** What test/e2e/app.mjs answers. */
export interface AppReply {
  info: ProxyInfo | null;
  url: string;
  path: string;
  ip: string | undefined;
  headers: Record<string, string | string[] | undefined>;
  rawHeaders: string[];
}

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Target {
  /** The proxy's listening address and port. */
  address: string;
  port: number;
  tls?: boolean;
}

const CERT_NAMES = ['blog.example.com', 'www.example.com', 'wiki.example.com'];

let ca: string | undefined;
function certificate(): string {
  ca ??= readFileSync(join(inject('e2e').dir, 'cert.pem'), 'utf8');
  return ca;
}

/**
 * GET `path` through a proxy. `host` is the Host header; the TLS server name is its hostname part.
 * Extra header values given as arrays are sent as repeated lines.
 */
export function get(
  target: Target,
  host: string,
  path: string,
  headers: OutgoingHttpHeaders = {},
): Promise<Reply> {
  const servername = host.replace(/:\d+$/, '');
  const options = {
    host: target.address,
    port: target.port,
    localAddress: CLIENT,
    path,
    method: 'GET',
    headers: { host, accept: 'application/json', ...headers },
    agent: false as const,
  };
  return new Promise((resolve, reject) => {
    const onResponse = (res: import('node:http').IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      res.on('error', reject);
    };
    const req = target.tls
      ? httpsRequest(
          {
            ...options,
            servername,
            ca: certificate(),
            // Names outside the certificate reach the default vhost: check the chain only.
            ...(CERT_NAMES.includes(servername) ? {} : { checkServerIdentity: () => undefined }),
          },
          onResponse,
        )
      : httpRequest(options, onResponse);
    req.setTimeout(10_000, () =>
      req.destroy(new Error(`timeout: ${host}${path} via ${target.address}:${target.port}`)),
    );
    req.on('error', reject);
    req.end();
  });
}

/** GET through a proxy and parse the app's JSON answer; fails with the body if the status is not 200. */
export async function getApp(
  target: Target,
  host: string,
  path: string,
  headers: OutgoingHttpHeaders = {},
): Promise<AppReply> {
  const reply = await get(target, host, path, headers);
  if (reply.status !== 200) {
    throw new Error(`expected 200 from ${host}${path}, got ${reply.status}: ${reply.body.slice(0, 500)}`);
  }
  return JSON.parse(reply.body) as AppReply;
}

/** Every route the suite sends requests through: proxy address, listening port, TLS or not. */
export const via = {
  apache: { address: APACHE.listen, port: APACHE.http },
  apacheTls: { address: APACHE.listen, port: APACHE.https, tls: true },
  apacheFixed: { address: APACHE.listen, port: APACHE.fixedHttp },
  apacheFixedTls: { address: APACHE.listen, port: APACHE.fixedHttps, tls: true },
  nginx: { address: NGINX.listen, port: NGINX.http },
  nginxTls: { address: NGINX.listen, port: NGINX.https, tls: true },
  edge: { address: NGINX.listen, port: NGINX.edgeHttp },
  edgeTls: { address: NGINX.listen, port: NGINX.edgeHttps, tls: true },
  haproxy: { address: HAPROXY.listen, port: HAPROXY.http },
  haproxyTls: { address: HAPROXY.listen, port: HAPROXY.https, tls: true },
  haproxyXff: { address: HAPROXY.listen, port: HAPROXY.xffHttp },
  haproxyXffTls: { address: HAPROXY.listen, port: HAPROXY.xffHttps, tls: true },
} as const satisfies Record<string, Target>;

/** The client's forgeries of issue 4, scenario 5. */
export const SPOOF6 = {
  'X-Forwarded-For': '6.6.6.6',
  'X-Forwarded-Host': 'evil.example',
  'X-Forwarded-Proto': 'https',
  'X-Real-IP': '7.7.7.7',
  'X-Client-IP': '8.8.8.8',
  Forwarded: 'for=9.9.9.9',
} as const;

/** SPOOF6 plus every other header a proxy might be trusted for. */
export const SPOOF_ALL = {
  ...SPOOF6,
  Forwarded: 'for=9.9.9.9;host=evil.example;proto=https',
  'X-Forwarded-Port': '6666',
  'X-Forwarded-Server': 'evil-server.example',
  'X-Forwarded-Scheme': 'https',
  'X-Forwarded-Prefix': '/evil',
} as const;

/** Repeated lines of the list headers. */
export const SPOOF_DUP: OutgoingHttpHeaders = {
  'X-Forwarded-For': ['1.1.1.1', '2.2.2.2'],
  'X-Forwarded-Host': ['dup1.example', 'dup2.example'],
  Forwarded: ['for=3.3.3.3', 'for=4.4.4.4'],
};
