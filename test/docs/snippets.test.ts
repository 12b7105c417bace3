// Runs every code block marked `runnable` in README.md and docs/**/*.md (see docs/README.md,
// "Runnable examples"). Each block runs in its own node process from the repo root, so
// `import … from 'trusted-proxy'` resolves to this package's build through its exports map.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { type CodeBlock, codeBlocks, markdownFiles, repoRoot } from './markdown.js';

const TIMEOUT_MS = 15_000;

const RUNNABLE_LANGS: Record<string, 'module' | 'commonjs' | 'typescript'> = {
  js: 'module',
  mjs: 'module',
  javascript: 'module',
  cjs: 'commonjs',
  ts: 'typescript',
  typescript: 'typescript',
  mts: 'typescript',
};

function runnable(): CodeBlock[] {
  return markdownFiles().flatMap((file) => codeBlocks(file).filter((b) => b.flags.includes('runnable')));
}

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

function runNode(source: string, inputType: 'module' | 'commonjs'): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [`--input-type=${inputType}`], {
      cwd: repoRoot,
      env: { ...process.env, NODE_OPTIONS: '', NODE_ENV: 'test' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      output += d.toString();
    });
    const timer = setTimeout(() => {
      output += `\n[killed after ${TIMEOUT_MS} ms: does the snippet close its servers?]`;
      child.kill('SIGKILL');
    }, TIMEOUT_MS);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, output });
    });
    child.stdin.end(source);
  });
}

function toJavaScript(block: CodeBlock): { source: string; inputType: 'module' | 'commonjs' } {
  const kind = RUNNABLE_LANGS[block.lang];
  if (kind === undefined)
    throw new Error(`${block.file}:${block.line}: cannot run a \`${block.lang}\` block`);
  if (kind !== 'typescript') return { source: block.code, inputType: kind };
  const out = ts.transpileModule(block.code, {
    fileName: 'snippet.mts',
    reportDiagnostics: true,
    compilerOptions: {
      module: ts.ModuleKind.ESNext,
      target: ts.ScriptTarget.ES2022,
      verbatimModuleSyntax: true,
    },
  });
  const problems = (out.diagnostics ?? []).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  if (problems.length > 0) throw new Error(`${block.file}:${block.line}: ${problems.join('; ')}`);
  return { source: out.outputText, inputType: 'module' };
}

const blocks = runnable();

describe('docs › runnable examples', () => {
  it('finds runnable examples in the docs and the recipes', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(10);
    const files = new Set(blocks.map((b) => b.file));
    for (const page of ['docs/index.md', 'docs/getting-started.md', 'docs/api/trustedProxy.md']) {
      expect(files, `${page} has a runnable example`).toContain(page);
    }
  });

  it('checks every recipe with a runnable example', () => {
    const recipes = markdownFiles().filter((f) => f.startsWith('docs/recipes/'));
    expect(recipes.length).toBeGreaterThanOrEqual(10);
    const files = new Set(blocks.map((b) => b.file));
    expect(recipes.filter((r) => !files.has(r))).toEqual([]);
  });

  it('marks only languages the runner understands as runnable', () => {
    const unknown = blocks
      .filter((b) => RUNNABLE_LANGS[b.lang] === undefined)
      .map((b) => `${b.file}:${b.line}`);
    expect(unknown).toEqual([]);
  });

  it('runs against a build of the package', () => {
    const built = ['dist/esm/index.js', 'dist/cjs/index.js'].every((f) => existsSync(join(repoRoot, f)));
    expect(built, 'run `npm run build` first (npm test does it in pretest)').toBe(true);
  });

  for (const block of blocks) {
    it(`${block.file}:${block.line} (${block.lang}) runs and exits 0`, async () => {
      const { source, inputType } = toJavaScript(block);
      const run = await runNode(source, inputType);
      expect(run.output && run.code !== 0 ? run.output : '', `${block.file}:${block.line}`).toBe('');
      expect(run.signal).toBeNull();
      expect(run.code).toBe(0);
    });
  }
});

describe('docs › the runner itself', () => {
  it('reports a failing assertion as a non-zero exit', async () => {
    const run = await runNode("import assert from 'node:assert/strict'; assert.equal(1, 2);", 'module');
    expect(run.code).not.toBe(0);
    expect(run.output).toContain('AssertionError');
  });

  it('transpiles TypeScript examples', () => {
    const block: CodeBlock = {
      file: 'x.md',
      line: 1,
      lang: 'ts',
      flags: ['runnable'],
      code: "import type { X } from 'y';\nconst n: number = 1;\nexport {};\n",
    };
    const { source } = toJavaScript(block);
    expect(source).not.toContain('import type');
    expect(source).toContain('const n = 1');
  });

  it('extracts blocks with their info string', () => {
    const md = 'text\n\n```js runnable\nconsole.log(1)\n```\n\n```ts\nlet a = 1\n```\n';
    const found = codeBlocks('x.md', md);
    expect(found.map((b) => [b.lang, b.flags, b.line])).toEqual([
      ['js', ['runnable'], 3],
      ['ts', [], 7],
    ]);
    expect(found[0]?.code).toBe('console.log(1)\n');
  });
});
