// `npm start`: the Electron app when its binary is installed; otherwise the web host in this browser-less
// machine's stead (Electron 45 fetches its binary on first run, which needs the internet).
import { existsSync, readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const require = createRequire(import.meta.url);

function electronBinary() {
  try {
    const dir = dirname(require.resolve('electron/package.json'));
    const pathFile = join(dir, 'path.txt');
    if (!existsSync(pathFile)) return null;
    const exe = join(dir, 'dist', readFileSync(pathFile, 'utf8').trim());
    return existsSync(exe) ? exe : null;
  } catch {
    return null;
  }
}

const db = process.env.VIGIL_DB ?? join(root, 'vigil-data', 'vigil.db');
const exe = process.env.VIGIL_WEB === '1' ? null : electronBinary();
if (exe) {
  spawn(exe, [join(root, 'apps', 'desktop')], { stdio: 'inherit', env: { ...process.env, VIGIL_DB: db } }).on('exit', (c) => process.exit(c ?? 0));
} else {
  console.error('Electron binary not installed (run `npx install-electron` where the internet is reachable); starting the web host instead.');
  const args = [join(root, 'packages', 'engine', 'dist', 'cli', 'main.js'), 'serve', '--db', db];
  if (process.env.VIGIL_PORT) args.push('--port', process.env.VIGIL_PORT);
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  child.stdout.on('data', (d) => {
    process.stdout.write(d);
    const url = /Vigil web host: (\S+)/.exec(String(d))?.[1];
    if (url && process.argv.includes('--open')) spawn(process.platform === 'darwin' ? 'open' : 'xdg-open', [url], { stdio: 'ignore', detached: true }).unref();
  });
  child.on('exit', (c) => process.exit(c ?? 0));
  process.on('SIGINT', () => child.kill('SIGINT'));
  process.on('SIGTERM', () => child.kill('SIGTERM'));
}
