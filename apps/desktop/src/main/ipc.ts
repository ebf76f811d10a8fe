/**
 * IPC transport of the contract: one channel for every operation, validated by the engine against the
 * contract, answered only for trusted frames. Errors cross as { ok: false, error } without stacks.
 */
import { ipcMain, type BrowserWindow } from 'electron';
import { toErrorBody, VigilError, type Engine } from '@vigil/engine';
import { isTrustedSender } from './security.js';

export async function invokeForSender(engine: Engine, frameUrl: string | undefined, op: unknown, input: unknown) {
  try {
    if (!isTrustedSender(frameUrl)) throw new VigilError('forbidden', 'IPC from an untrusted frame was refused.');
    if (typeof op !== 'string') throw new VigilError('invalid_input', 'Operation name must be a string.');
    return { ok: true as const, value: await engine.call(op, input) };
  } catch (e) {
    return { ok: false as const, error: toErrorBody(e).body.error };
  }
}

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
