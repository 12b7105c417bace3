// Helpers for the docs tests: find the Markdown files, pull out fenced code blocks and headings.
// The runnable-snippet convention is documented in docs/README.md ("Runnable examples").
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const docsDir = join(repoRoot, 'docs');

/** Every Markdown file under docs/, plus README.md at the root when it exists, as repo-relative paths. */
export function markdownFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.md')) out.push(relative(repoRoot, path));
    }
  };
  try {
    statSync(join(repoRoot, 'README.md'));
    out.push('README.md');
  } catch {
    // no README yet
  }
  walk(docsDir);
  return out;
}

export function readDoc(path: string): string {
  return readFileSync(join(repoRoot, path), 'utf8');
}

export interface CodeBlock {
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  lang: string;
  /** The words after the language in the info string, e.g. `['runnable']`. */
  flags: string[];
  code: string;
}

/** Fenced code blocks (``` or ~~~, three or more) in document order. */
export function codeBlocks(file: string, text: string = readDoc(file)): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^ {0,3}(`{3,}|~{3,})\s*([^`\s]*)\s*(.*)$/.exec(lines[i] ?? '');
    if (!open) continue;
    const fence = open[1] ?? '```';
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const line = lines[j] ?? '';
      if (line.trim().startsWith(fence) && line.trim().replaceAll(fence[0] ?? '`', '') === '') break;
      body.push(line);
    }
    blocks.push({
      file,
      line: i + 1,
      lang: (open[2] ?? '').toLowerCase(),
      flags: (open[3] ?? '').split(/\s+/).filter(Boolean),
      code: `${body.join('\n')}\n`,
    });
    i = j;
  }
  return blocks;
}

/** Lines that are ATX headings outside code blocks, without the leading #s. */
export function headings(text: string): { level: number; title: string }[] {
  const out: { level: number; title: string }[] = [];
  let fence: string | undefined;
  for (const line of text.split('\n')) {
    const f = /^ {0,3}(`{3,}|~{3,})/.exec(line);
    if (f) {
      if (fence === undefined) fence = f[1];
      else if (line.trim().startsWith(fence)) fence = undefined;
      continue;
    }
    if (fence !== undefined) continue;
    const h = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (h) out.push({ level: (h[1] ?? '').length, title: h[2] ?? '' });
  }
  return out;
}

/** Markdown text with fenced code blocks blanked out (so examples do not count as prose). */
export function proseOnly(text: string): string {
  let fence: string | undefined;
  return text
    .split('\n')
    .map((line) => {
      const f = /^ {0,3}(`{3,}|~{3,})/.exec(line);
      if (f) {
        if (fence === undefined) fence = f[1];
        else if (line.trim().startsWith(fence)) fence = undefined;
        return '';
      }
      return fence === undefined ? line : '';
    })
    .join('\n');
}
