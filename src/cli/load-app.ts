import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UsageError } from './args.js';

/** What the command line serves: an Express/Connect app or a plain `(req, res)` listener. */
export type AppListener = (req: IncomingMessage, res: ServerResponse) => void;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value;
  const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && name !== 'Object' ? `an instance of ${name}` : 'an object';
}

/**
 * Imports APP (a path relative to `cwd`; ESM or CommonJS) and returns its default export
 * (`module.exports` for CommonJS). Throws {@link UsageError} when the module cannot be loaded
 * or exports no function.
 */
export async function loadApp(path: string, cwd: string = process.cwd()): Promise<AppListener> {
  const file = resolve(cwd, path);
  if (!existsSync(file))
    throw new UsageError(`cannot load app ${JSON.stringify(path)}: no such file ${file}`);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new UsageError(`cannot load app ${JSON.stringify(path)}: ${reason}`);
  }
  let candidate = mod.default;
  // CommonJS compiled from TypeScript/Babel: module.exports = { __esModule: true, default: app }.
  if (typeof candidate !== 'function' && candidate !== null && typeof candidate === 'object') {
    const inner = (candidate as { default?: unknown }).default;
    if (typeof inner === 'function') candidate = inner;
  }
  if (typeof candidate !== 'function') {
    const hint =
      candidate !== null &&
      typeof candidate === 'object' &&
      typeof (candidate as { listen?: unknown }).listen === 'function'
        ? ' (export the app or listener itself, not a server: trusted-proxy creates and listens on its own)'
        : '';
    throw new UsageError(
      `app ${JSON.stringify(path)} must export an Express/Connect app or a (req, res) listener as its default export (or module.exports), got ${candidate === undefined ? 'no default export' : describe(candidate)}${hint}`,
    );
  }
  return candidate as AppListener;
}
