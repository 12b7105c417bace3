#!/usr/bin/env node
// The trusted-proxy command line (SPEC R16): the package's `bin` (ESM only). The command line
// itself is src/cli/main.ts, where tests run it in process.
import { start } from './cli/main.js';

void start();
