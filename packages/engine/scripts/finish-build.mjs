// After tsc: the `vigil` bin must be executable (tsc drops the bit), and data files the modules read beside
// themselves must be in dist too (tsc copies only what it compiles).
import { chmodSync, cpSync } from 'node:fs';
chmodSync(new URL('../dist/cli/main.js', import.meta.url), 0o755);
cpSync(new URL('../src/reasoning/qa/', import.meta.url), new URL('../dist/reasoning/qa/', import.meta.url), { recursive: true });
