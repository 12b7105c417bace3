// Setup file: when a test fails, print what the proxies and backends logged, so a red CI run
// shows the proxy's own error (a refused directive, a failed upstream connect) next to the assertion.
import { beforeEach, inject } from 'vitest';
import { tail } from './processes.js';

beforeEach((ctx) => {
  ctx.onTestFailed(() => {
    const { logs, versions } = inject('e2e');
    const out = [`[e2e] ${ctx.task.name} failed; ${Object.values(versions).join(', ')}`];
    for (const [name, files] of Object.entries(logs)) {
      for (const file of files) out.push(`--- ${name}: ${file}\n${tail(file, 30)}`);
    }
    console.error(out.join('\n'));
  });
});
