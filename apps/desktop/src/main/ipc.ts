/** IPC transport of the contract: one channel for every operation, plus the event channel. */
import { ipcMain, type BrowserWindow } from 'electron';
import type { Engine } from '@vigil/engine';
import { invokeForSender } from './invoke.js';

export function registerIpc(engine: Engine, win: BrowserWindow): () => void {
  ipcMain.handle('vigil:invoke', (event, op, input) => invokeForSender(engine, event.senderFrame?.url, op, input));
  const off = engine.on((e) => {
    if (!win.isDestroyed()) win.webContents.send('vigil:event', e);
  });
  return () => {
    ipcMain.removeHandler('vigil:invoke');
    off();
  };
}
