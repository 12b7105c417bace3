// Keeps the reference pages in step with the code: error codes, options, reject reasons,
// one API page per export, and relative links that resolve.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/core/errors.js';
import { headings, markdownFiles, proseOnly, readDoc, repoRoot } from './markdown.js';

/** Backticked names in headings: "### `trustedHeaders`" → "trustedHeaders". */
function headingNames(text: string, level: number): string[] {
  return headings(text)
    .filter((h) => h.level === level)
    .map((h) => /^`([^`]+)`/.exec(h.title)?.[1])
    .filter((n): n is string => n !== undefined);
}

function sourceFile(path: string): ts.SourceFile {
  return ts.createSourceFile(path, readFileSync(join(repoRoot, path), 'utf8'), ts.ScriptTarget.ES2022, true);
}

function interfaceMembers(path: string, name: string): string[] {
  const file = sourceFile(path);
  const decl = file.statements.find(
    (s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === name,
  );
  if (!decl) throw new Error(`interface ${name} not found in ${path}`);
  return decl.members.map((m) => (m.name && ts.isIdentifier(m.name) ? m.name.text : m.getText(file)));
}

function unionLiterals(path: string, name: string): string[] {
  const file = sourceFile(path);
  const decl = file.statements.find(
    (s): s is ts.TypeAliasDeclaration => ts.isTypeAliasDeclaration(s) && s.name.text === name,
  );
  if (!decl || !ts.isUnionTypeNode(decl.type)) throw new Error(`union type ${name} not found in ${path}`);
  return decl.type.types.map((t) =>
    ts.isLiteralTypeNode(t) && ts.isStringLiteral(t.literal) ? t.literal.text : t.getText(file),
  );
}

/** Node's own error codes that the docs may mention without them being ours. */
const FOREIGN_CODES = new Set(['ERR_INVALID_ARG_TYPE', 'ERR_REQUIRE_ESM', 'ERR_MODULE_NOT_FOUND']);

describe('docs/errors.md', () => {
  const text = readDoc('docs/errors.md');
  const documented = headingNames(text, 2);
  const codes = Object.values(ERROR_CODES) as string[];

  it('has a section for every code in src/core/errors.ts', () => {
    expect(codes.filter((c) => !documented.includes(c))).toEqual([]);
  });

  it('documents no code that src/core/errors.ts does not define', () => {
    expect(documented.filter((c) => !codes.includes(c))).toEqual([]);
  });

  it('says, for every code, when it happens and how to fix it', () => {
    for (const code of codes) {
      const start = text.indexOf(`## \`${code}\``);
      const next = text.indexOf('\n## ', start + 1);
      const section = text.slice(start, next === -1 ? undefined : next);
      expect(section, code).toMatch(/\*\*When\*\*/);
      expect(section, code).toMatch(/\*\*Fix\*\*/);
    }
  });

  it('is the only place codes are defined: every ERR_ code named in the docs exists', () => {
    const unknown: string[] = [];
    for (const file of markdownFiles()) {
      for (const m of readDoc(file).matchAll(/\bERR_[A-Z0-9_]+\b/g)) {
        if (!codes.includes(m[0]) && !FOREIGN_CODES.has(m[0])) unknown.push(`${file}: ${m[0]}`);
      }
    }
    expect(unknown).toEqual([]);
  });
});

describe('docs/api/trustedProxy.md', () => {
  const text = readDoc('docs/api/trustedProxy.md');
  const options = interfaceMembers('src/core/types.ts', 'TrustedProxyOptions');
  const documented = headingNames(text, 3);

  it('has a heading for every option of TrustedProxyOptions', () => {
    expect(options.length).toBeGreaterThanOrEqual(5);
    expect(options.filter((o) => !documented.includes(o))).toEqual([]);
  });

  it('documents no option that TrustedProxyOptions does not have', () => {
    const under = text.slice(
      text.indexOf('\n## Options'),
      text.indexOf('\n## ', text.indexOf('\n## Options') + 1),
    );
    expect(headingNames(under, 3).filter((o) => !options.includes(o))).toEqual([]);
  });

  it('gives every option a type and a default', () => {
    for (const option of options) {
      const start = text.indexOf(`### \`${option}\``);
      const next = text.indexOf('\n##', start + 1);
      const section = text.slice(start, next === -1 ? undefined : next);
      expect(section, option).toMatch(/\*\*Type\*\*/);
      expect(section, option).toMatch(/\*\*Default\*\*/);
    }
  });
});

describe('docs/api/proxyInfo.md', () => {
  const text = readDoc('docs/api/proxyInfo.md');

  it('explains every field of ProxyInfo', () => {
    const fields = interfaceMembers('src/core/types.ts', 'ProxyInfo');
    expect(fields.filter((f) => !headingNames(text, 3).includes(f))).toEqual([]);
  });

  it('explains every rejection reason', () => {
    const reasons = unionLiterals('src/core/types.ts', 'RejectReason');
    expect(reasons.length).toBeGreaterThanOrEqual(10);
    expect(reasons.filter((r) => !proseOnly(text).includes(`\`${r}\``))).toEqual([]);
  });
});

describe('docs/api', () => {
  it('has one page per runtime export of the package', async () => {
    const api = await import('../../src/index.js');
    // ERROR_CODES is documented on docs/errors.md, next to what each code means.
    const page = (name: string) => (name === 'ERROR_CODES' ? 'docs/errors.md' : `docs/api/${name}.md`);
    const missing = Object.keys(api).filter((name) => !existsSync(join(repoRoot, page(name))));
    expect(Object.keys(api).length).toBeGreaterThanOrEqual(5);
    expect(missing).toEqual([]);
  });

  it('follows the page order: purpose, import, usage, options, errors, security notes', () => {
    for (const page of ['trustedProxy', 'reconstructUrl', 'proxyInfo', 'TrustedProxyConfigError']) {
      const titles = headings(readDoc(`docs/api/${page}.md`))
        .filter((h) => h.level === 2)
        .map((h) => h.title);
      const order = ['Import', 'Usage', 'Options', 'Errors', 'Security notes'].filter((t) =>
        titles.includes(t),
      );
      expect(order, page).toEqual(['Import', 'Usage', 'Options', 'Errors', 'Security notes']);
      expect(
        titles.filter((t) => order.includes(t)),
        page,
      ).toEqual(order);
    }
  });
});

describe('docs › links', () => {
  it('every relative link points at a file that exists', () => {
    const broken: string[] = [];
    for (const file of markdownFiles()) {
      for (const m of proseOnly(readDoc(file)).matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
        const target = m[1] ?? '';
        if (/^[a-z]+:/i.test(target) || target.startsWith('#')) continue;
        const path = target.split('#')[0] ?? '';
        if (!existsSync(join(repoRoot, dirname(file), path))) broken.push(`${file} → ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });
});

describe('docs/headers.md', () => {
  it('lists every header of the registry, and only those', async () => {
    const { REGISTRY } = await import('../../src/core/registry.js');
    const text = readDoc('docs/headers.md');
    const start = text.indexOf('## Headers');
    const table = text.slice(start, text.indexOf('\n## ', start + 1));
    const rows = [...table.matchAll(/^\|\s*`([^`]+)`\s*\|/gm)].map((m) => m[1]);
    expect(rows.length).toBeGreaterThanOrEqual(20);
    expect(REGISTRY.map((d) => d.canonical).filter((n) => !rows.includes(n))).toEqual([]);
    expect(rows.filter((n) => !REGISTRY.some((d) => d.canonical === n))).toEqual([]);
  });

  it('gives each header the group the registry gives it', async () => {
    const { REGISTRY, GROUP_NAMES } = await import('../../src/core/registry.js');
    const text = readDoc('docs/headers.md');
    for (const def of REGISTRY) {
      const row = new RegExp(`^\\|\\s*\`${def.canonical}\`\\s*\\|([^|]+)\\|`, 'm').exec(text);
      const expected =
        def.groups.length === 0 ? 'never trusted' : def.groups.map((g) => GROUP_NAMES[g]).join(', ');
      expect(row?.[1]?.trim(), def.canonical).toBe(expected);
    }
  });
});

/** GitHub's heading anchors: lower-case, punctuation dropped, spaces to dashes, duplicates numbered. */
function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const { title } of headings(text)) {
    const base = title
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

describe('docs › anchors', () => {
  it('computes anchors the way GitHub does', () => {
    const found = anchors(
      '## `allowedHosts`\n### `.wrap(listener)`\n## Security notes\n## `ERR_HOST_NOT_ALLOWED`\n## Security notes',
    );
    expect([...found]).toEqual([
      'allowedhosts',
      'wraplistener',
      'security-notes',
      'err_host_not_allowed',
      'security-notes-1',
    ]);
  });

  it('every #anchor in a relative link exists on the target page', () => {
    const broken: string[] = [];
    for (const file of markdownFiles()) {
      for (const m of proseOnly(readDoc(file)).matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
        const target = m[1] ?? '';
        if (/^[a-z]+:/i.test(target) || !target.includes('#')) continue;
        const [path = '', anchor = ''] = target.split('#');
        const page = path === '' ? file : join(dirname(file), path);
        if (!page.endsWith('.md') || !existsSync(join(repoRoot, page))) continue; // the link test reports it
        if (!anchors(readFileSync(join(repoRoot, page), 'utf8')).has(anchor))
          broken.push(`${file} → ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });
});
