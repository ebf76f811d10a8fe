import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * Path of the installed Electron executable, or null with the reason. Mirrors what `require('electron')`
 * returns, without its side effect: requiring the package when the binary is missing starts a download.
 */
export function electronBinary(): { path: string } | { path: null; reason: string } {
  const override = process.env.VIGIL_ELECTRON;
  if (override) return existsSync(override) ? { path: override } : { path: null, reason: `VIGIL_ELECTRON=${override} does not exist` };
  let dir: string;
  try {
    dir = path.dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return { path: null, reason: 'the electron package is not installed' };
  }
  const pathFile = path.join(dir, 'path.txt');
  if (!existsSync(pathFile)) return { path: null, reason: 'Electron binary not installed (node_modules/electron/path.txt missing; run `npx install-electron` with internet access)' };
  const rel = readFileSync(pathFile, 'utf8').trim();
  const base = process.env.ELECTRON_OVERRIDE_DIST_PATH ?? path.join(dir, 'dist');
  const exe = path.join(base, rel);
  return existsSync(exe) ? { path: exe } : { path: null, reason: `Electron binary missing at ${exe}` };
}
