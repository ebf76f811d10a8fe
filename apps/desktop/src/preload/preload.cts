/**
 * Preload (sandboxed, CommonJS): exposes exactly one global, `window.vigil`, with three functions.
 * No Node APIs or raw ipcRenderer reach the page.
 */
import { contextBridge, ipcRenderer, webUtils } from 'electron';

contextBridge.exposeInMainWorld('vigil', {
  invoke: (op: string, input: unknown) => ipcRenderer.invoke('vigil:invoke', String(op), input),
  onEvent: (listener: (event: unknown) => void) => {
    const wrapped = (_e: unknown, event: unknown) => listener(event);
    ipcRenderer.on('vigil:event', wrapped);
    return () => ipcRenderer.removeListener('vigil:event', wrapped);
  },
  mediaUrl: (evidenceId: string) => `vigil-media://evidence/${encodeURIComponent(String(evidenceId))}`,
  reportUrl: (reportId: string) => `vigil-media://report/${encodeURIComponent(String(reportId))}`,
  // File paths are resolved here and sent to main; the page only ever sees job ids.
  chooseAndImport: (caseId: string) => ipcRenderer.invoke('vigil:choose-import', String(caseId)),
  importDropped: (caseId: string, files: File[]) =>
    ipcRenderer.invoke('vigil:import-paths', String(caseId), Array.from(files ?? [], (f) => webUtils.getPathForFile(f)).filter(Boolean)),
});
