/**
 * Re-hashes each exhibit's original at report time, so the report can state that the footage its stills
 * were decoded from is bit-identical to what was imported (or say plainly that it is not, or is gone).
 */
import { stat } from 'node:fs/promises';
import { isVigilError, throwIfAborted, type ProgressFn } from '../errors.js';
import { sha256File } from '../media/hash.js';
import type { ReportExhibit } from './model.js';

export async function verifyExhibits(exhibits: ReportExhibit[], o: { onProgress?: ProgressFn; signal?: AbortSignal; now?: () => string } = {}): Promise<void> {
  const now = o.now ?? (() => new Date().toISOString());
  const total = exhibits.reduce((n, x) => n + x.sizeBytes, 0) || 1;
  let done = 0;
  for (const x of exhibits) {
    throwIfAborted(o.signal);
    try {
      const st = await stat(x.originalPath);
      if (!st.isFile()) throw new Error('not a regular file');
      if (st.size !== x.sizeBytes) {
        // A different size cannot hash the same; say so without reading the whole file.
        x.verification = { status: 'mismatch', checkedAt: now(), sha256: `(size ${st.size} bytes, recorded ${x.sizeBytes})` };
      } else {
        const h = await sha256File(x.originalPath, { signal: o.signal, onProgress: (f) => o.onProgress?.((done + f * x.sizeBytes) / total) });
        x.verification = h === x.sha256 ? { status: 'match', checkedAt: now() } : { status: 'mismatch', checkedAt: now(), sha256: h };
      }
    } catch (e) {
      if (isVigilError(e) && e.code === 'cancelled') throw e;
      const code = (e as NodeJS.ErrnoException).code;
      x.verification = { status: 'missing', checkedAt: now(), reason: code === 'ENOENT' ? `no file at ${x.originalPath}` : (e as Error).message };
    }
    done += x.sizeBytes;
    o.onProgress?.(done / total);
  }
}
