// tsc drops the executable bit; the `vigil` bin must be runnable after a build.
import { chmodSync } from 'node:fs';
chmodSync(new URL('../dist/cli/main.js', import.meta.url), 0o755);
