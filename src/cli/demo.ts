// The built-in demo app: the Node twin of the URL-reconstruction test application in
// "Proxying to a Python web application running in Docker" (PEP 3333 reconstruct_url).
// Every value shown may come from a client: HTML-escaped, JSON-encoded, or quoted.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ProxyInfo } from '../core/types.js';
import { proxyInfo, reconstructUrl } from '../index.js';
import { negotiateType } from './accept.js';

const OFFERS = ['text/plain', 'text/html', 'application/json'] as const;

/** What the demo reports for one request. */
export interface DemoReport {
  /** `reconstructUrl(req)`: the URL the client used, as the app now sees it. */
  url: string;
  proxyInfo: ProxyInfo | undefined;
  /** Lower-case names of request headers that were removed. */
  stripped: string[];
  /** `req.headers` after processing. */
  headers: IncomingMessage['headers'];
}

export function buildReport(req: IncomingMessage): DemoReport {
  const info = proxyInfo(req);
  const stripped: string[] = [];
  if (info !== undefined) {
    for (const name of Object.keys(info.original.headers)) {
      if (!Object.hasOwn(req.headers, name)) stripped.push(name);
    }
  }
  return { url: reconstructUrl(req), proxyInfo: info, stripped, headers: req.headers };
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

// For text/plain: a client value is JSON-quoted, so it cannot fake a line of the report.
function quote(value: unknown): string {
  return JSON.stringify(String(value));
}

function describeRejected(info: ProxyInfo): string[] {
  return info.rejected.map((e) => `${e.header}: ${e.reason} ${quote(e.value)}`);
}

export function renderText(report: DemoReport): string {
  const info = report.proxyInfo;
  const lines = [report.url];
  if (info === undefined) {
    lines.push('(request not processed)');
    return `${lines.join('\n')}\n`;
  }
  lines.push(
    '',
    `remote address: ${info.remoteAddress ?? '-'}`,
    `peer: ${info.peerAddress ?? '(unix socket)'} (${info.trusted ? 'trusted' : 'not trusted'})`,
    `chain: ${info.addresses.join(' -> ') || '-'}`,
    `protocol: ${info.protocol}`,
    `host: ${info.host}`,
    `port: ${info.port}`,
    `server name: ${info.serverName}`,
    `prefix: ${info.prefix === '' ? "''" : info.prefix}`,
    `host allowed: ${info.hostAllowed ? 'yes' : 'no'}`,
    `applied: ${info.applied.join(', ') || '-'}`,
    `stripped: ${report.stripped.join(', ') || '-'}`,
    `rejected: ${info.rejected.length === 0 ? '-' : ''}`,
    ...describeRejected(info).map((line) => `  ${line}`),
    `received: ${info.original.protocol}, Host ${info.original.host === undefined ? '(none)' : quote(info.original.host)}, from ${info.original.remoteAddress ?? '(unix socket)'}`,
  );
  return `${lines.join('\n')}\n`;
}

function row(name: string, value: unknown): string {
  return `<tr><th>${escapeHtml(name)}</th><td>${escapeHtml(value)}</td></tr>`;
}

function headerTable(headers: Record<string, string | string[] | undefined>): string {
  const rows = Object.keys(headers).map((name) => {
    const value = headers[name];
    return row(name, Array.isArray(value) ? value.join('\n') : (value ?? ''));
  });
  return `<table>${rows.join('')}</table>`;
}

export function renderHtml(report: DemoReport): string {
  const info = report.proxyInfo;
  const sections: string[] = [`<h1><code>${escapeHtml(report.url)}</code></h1>`];
  if (info === undefined) {
    sections.push('<p>This request was not processed by trusted-proxy.</p>');
  } else {
    sections.push(
      '<h2>ProxyInfo</h2><table>',
      row('remoteAddress', info.remoteAddress ?? '-'),
      row(
        'peerAddress',
        `${info.peerAddress ?? '(unix socket)'} (${info.trusted ? 'trusted' : 'not trusted'})`,
      ),
      row('addresses', info.addresses.join(' → ') || '-'),
      row('protocol', info.protocol),
      row('host', info.host),
      row('port', info.port),
      row('serverName', info.serverName),
      row('prefix', info.prefix === '' ? "''" : info.prefix),
      row('hostAllowed', info.hostAllowed),
      row('applied', info.applied.join(', ') || '-'),
      row('stripped', report.stripped.join(', ') || '-'),
      '</table>',
      '<h2>Rejected</h2>',
      info.rejected.length === 0
        ? '<p>none</p>'
        : `<table><tr><th>header</th><th>reason</th><th>value</th></tr>${info.rejected
            .map(
              (e) =>
                `<tr><td>${escapeHtml(e.header)}</td><td>${escapeHtml(e.reason)}</td><td><code>${escapeHtml(e.value)}</code></td></tr>`,
            )
            .join('')}</table>`,
      '<h2>Request headers as received</h2>',
      headerTable(info.original.headers),
      '<h2>Request headers after trusted-proxy</h2>',
      headerTable(report.headers),
    );
  }
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>trusted-proxy demo</title>
<style>body{font:14px/1.4 system-ui,sans-serif;margin:2em}table{border-collapse:collapse}th,td{border:1px solid #ccc;padding:.2em .5em;text-align:left;vertical-align:top;white-space:pre-wrap}h1 code{word-break:break-all}</style>
</head><body>
${sections.join('\n')}
</body></html>
`;
}

/** The demo's `(req, res)` listener. Never throws. */
export function demoListener(req: IncomingMessage, res: ServerResponse): void {
  let type: string;
  let body: string;
  try {
    const report = buildReport(req);
    type = negotiateType(req.headers.accept, OFFERS);
    body =
      type === 'application/json'
        ? `${JSON.stringify(report, null, 2)}\n`
        : type === 'text/html'
          ? renderHtml(report)
          : renderText(report);
  } catch {
    res.statusCode = 500;
    type = 'text/plain';
    body = 'Internal Server Error\n';
  }
  res.setHeader('Content-Type', `${type}; charset=utf-8`);
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Vary', 'Accept');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
  res.end(req.method === 'HEAD' ? undefined : body);
}
