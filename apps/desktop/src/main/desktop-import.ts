/**
 * Desktop import: files chosen in the system dialog (main process) or dropped on the window (paths
 * resolved by the preload). Each path goes through the same validated `evidence.import` operation as
 * every other import; the page gets job ids, never paths.
 */
import type { Engine } from '@vigil/engine';
import { toErrorBody, VigilError } from '@vigil/engine';
import { isTrustedSender } from './security.js';

export const VIDEO_EXTENSIONS = ['mp4', 'm4v', 'mov', 'mkv', 'webm', 'avi', 'mts', 'm2ts', 'ts', 'mpg', 'mpeg', 'wmv', 'flv', '3gp', 'h264', '264', 'h265', '265', 'hevc', 'dav', 'asf'];

export async function importPaths(engine: Pick<Engine, 'call'>, frameUrl: string | undefined, caseId: unknown, paths: unknown) {
  try {
    if (!isTrustedSender(frameUrl)) throw new VigilError('forbidden', 'IPC from an untrusted frame was refused.');
    if (!Array.isArray(paths) || paths.length === 0 || paths.length > 200 || !paths.every((p) => typeof p === 'string' && p.length > 0 && p.length <= 4096)) {
      throw new VigilError('invalid_input', 'Drop or choose between 1 and 200 files.');
    }
    const jobIds: string[] = [];
    for (const path of paths as string[]) jobIds.push(((await engine.call('evidence.import', { caseId, path })) as { jobId: string }).jobId);
    return { ok: true as const, value: jobIds };
  } catch (e) {
    return { ok: false as const, error: toErrorBody(e).body.error };
  }
}
