// Setup file: when a test fails, print what the proxies and backends logged, so a red CI run
// shows the proxy's own error (a refused directive, a failed upstream connect) next to the assertion.
// Once per test file in full; later failures in the same file only name the directory.
import { beforeEach, inject } from 'vitest';
import { tail } from './processes.js';

let printed = false;

beforeEach((ctx) => {
  ctx.onTestFailed(() => {
    const { dir, logs, versions } = inject('e2e');
    const header = `[e2e] "${ctx.task.name}" failed (${Object.values(versions).join('; ')})`;
    if (printed) {
      console.error(`${header}; logs above and in ${dir} (kept with E2E_KEEP_DIR=1)`);
      return;
    }
    printed = true;
    // Proxies first, then the backends (their rejection log, one JSON line per rejected value).
    const entries = Object.entries(logs).sort(
      ([a], [b]) => Number(a.startsWith('backend')) - Number(b.startsWith('backend')),
    );
    const out = [header];
    for (const [name, files] of entries) {
      const lines = name.startsWith('backend') ? 8 : 25;
      for (const file of files) out.push(`--- ${name}: ${file} (last ${lines} lines)\n${tail(file, lines)}`);
    }
    console.error(out.join('\n'));
  });
});
