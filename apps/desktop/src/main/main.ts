/**
 * Electron main: one window on the app protocol, the engine in this process with its jobs in utility
 * processes, the contract over IPC. Security settings come from ./security.ts (tested without Electron).
 */
import { app, BrowserWindow, session } from 'electron';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Engine } from '@vigil/engine';
import { ElectronPrinter } from './electron-printer.js';
import { registerIpc } from './ipc.js';
import { handleProtocols, registerSchemes } from './protocols.js';
import { APP_ORIGIN, hardenWebContents, permissionDecision, secureWebPreferences, type HardenableContents } from './security.js';
import { utilitySpawner } from './utility-spawner.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const rendererDir = join(here, '..', 'renderer');
const preloadPath = join(here, '..', 'preload', 'preload.cjs');

registerSchemes();
app.enableSandbox();

app.on('web-contents-created', (_e, contents) => hardenWebContents(contents as unknown as HardenableContents));

app.whenReady().then(() => {
  const dbPath = process.env.VIGIL_DB ?? join(app.getPath('userData'), 'vigil.db');
  const engine = new Engine({ dbPath, transport: 'ipc', spawn: utilitySpawner, printer: new ElectronPrinter(), log: (m) => console.error(m) });
  session.defaultSession.setPermissionRequestHandler((_wc, permission, callback) => callback(permissionDecision(permission)));
  session.defaultSession.setPermissionCheckHandler((_wc, permission) => permissionDecision(permission));
  handleProtocols(engine, rendererDir);

  const win = new BrowserWindow({ width: 1600, height: 1000, backgroundColor: '#101317', title: 'Vigil', webPreferences: secureWebPreferences(preloadPath) });
  const unregister = registerIpc(engine, win);
  win.loadURL(`${APP_ORIGIN}/index.html`);
  win.on('closed', () => unregister());
  app.on('window-all-closed', () => {
    engine.close();
    app.quit();
  });
});
