/** IPC transport of the contract: one channel for every operation, plus the event channel. */
import { dialog, ipcMain, type BrowserWindow } from 'electron';
import { importPaths, VIDEO_EXTENSIONS } from './desktop-import.js';
import { isTrustedSender } from './security.js';
import type { Engine } from '@vigil/engine';
import { invokeForSender } from './invoke.js';

export function registerIpc(engine: Engine, win: BrowserWindow): () => void {
  ipcMain.handle('vigil:invoke', (event, op, input) => invokeForSender(engine, event.senderFrame?.url, op, input));
  ipcMain.handle('vigil:import-paths', (event, caseId, paths) => importPaths(engine, event.senderFrame?.url, caseId, paths));
  ipcMain.handle('vigil:choose-import', async (event, caseId) => {
    if (!isTrustedSender(event.senderFrame?.url)) return importPaths(engine, event.senderFrame?.url, caseId, []);
    const picked = await dialog.showOpenDialog(win, {
      title: 'Import footage',
      properties: ['openFile', 'multiSelections'],
      filters: [{ name: 'Video', extensions: VIDEO_EXTENSIONS }, { name: 'All files', extensions: ['*'] }],
    });
    return picked.canceled ? { ok: true as const, value: [] } : importPaths(engine, event.senderFrame?.url, caseId, picked.filePaths);
  });
  const off = engine.on((e) => {
    if (!win.isDestroyed()) win.webContents.send('vigil:event', e);
  });
  return () => {
    for (const channel of ['vigil:invoke', 'vigil:import-paths', 'vigil:choose-import']) ipcMain.removeHandler(channel);
    off();
  };
}
