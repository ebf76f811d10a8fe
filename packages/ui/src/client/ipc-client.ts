/**
 * ApiClient over Electron IPC. The preload exposes exactly one global, `window.vigil`, with `invoke`,
 * `onEvent` and `mediaUrl`; this wraps it in the same interface as the HTTP client.
 */
import { ApiError, type ApiClient, type ApiEvent, type OpInput, type OpName, type OpOutput } from '@vigil/engine/contract';

export interface VigilBridge {
  invoke(op: string, input: unknown): Promise<{ ok: true; value: unknown } | { ok: false; error: { code: string; message: string; issues?: { path: string; message: string }[] } }>;
  onEvent(listener: (event: unknown) => void): () => void;
  mediaUrl(evidenceId: string): string;
  reportUrl(reportId: string): string;
  chooseAndImport(caseId: string): Promise<{ ok: true; value: string[] } | { ok: false; error: { code: string; message: string } }>;
  importDropped(caseId: string, files: File[]): Promise<{ ok: true; value: string[] } | { ok: false; error: { code: string; message: string } }>;
}

async function unwrap<T>(p: Promise<{ ok: true; value: T } | { ok: false; error: { code: string; message: string } }>): Promise<T> {
  const r = await p;
  if (!r.ok) throw new ApiError(r.error.code, r.error.message);
  return r.value;
}

export function createIpcClient(bridge: VigilBridge): ApiClient {
  return {
    transport: 'ipc',
    async call<K extends OpName>(op: K, input: OpInput<K>): Promise<OpOutput<K>> {
      const r = await bridge.invoke(op, input ?? {});
      if (!r.ok) throw new ApiError(r.error.code, r.error.message, r.error.issues);
      return r.value as OpOutput<K>;
    },
    subscribe(listener) {
      return bridge.onEvent((e) => listener(e as ApiEvent));
    },
    mediaUrl: (evidenceId) => bridge.mediaUrl(evidenceId),
    reportUrl: (reportId) => bridge.reportUrl(reportId),
    desktopImport: {
      choose: (caseId) => unwrap(bridge.chooseAndImport(caseId)),
      drop: (caseId, files) => unwrap(bridge.importDropped(caseId, files)),
    },
  };
}
