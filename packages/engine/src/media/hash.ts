/**
 * SHA-256 of evidence files, streamed so any size hashes in constant memory. Files are opened read-only
 * (flags 'r'): hashing must never be able to alter the evidence.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { VigilError, throwIfAborted, type ProgressFn } from '../errors.js';

export interface HashOptions {
  /** Fraction of the file's bytes hashed so far, in [0, 1]. */
  onProgress?: ProgressFn;
  signal?: AbortSignal;
}

/** Lower-case hex SHA-256 of `filePath`. */
export async function sha256File(filePath: string, opts: HashOptions = {}): Promise<string> {
  const { signal, onProgress } = opts;
  throwIfAborted(signal);
  const name = path.basename(filePath);
  let size: number;
  try {
    const st = await stat(filePath);
    if (!st.isFile()) throw new VigilError('invalid_input', `"${name}" is not a regular file.`, { file: name });
    size = st.size;
  } catch (e) {
    if (e instanceof VigilError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new VigilError('not_found', `File not found: "${name}".`, { file: name });
    throw new VigilError('invalid_input', `Cannot read "${name}" (${code ?? (e as Error).message}).`, { file: name });
  }

  const hash = createHash('sha256');
  const stream = createReadStream(filePath, { flags: 'r', highWaterMark: 1 << 20 });
  const onAbort = (): void => {
    stream.destroy(new VigilError('cancelled', 'The operation was cancelled.'));
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  let done = 0;
  let lastReported = -1;
  onProgress?.(0, 'hash');
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      hash.update(chunk);
      done += chunk.length;
      // Report at most ~200 times however large the file.
      const f = size > 0 ? done / size : 1;
      if (onProgress && f - lastReported >= 0.005) {
        lastReported = f;
        onProgress(Math.min(1, f), 'hash');
      }
    }
  } catch (e) {
    if (e instanceof VigilError) throw e;
    throw new VigilError('internal', `Reading "${name}" failed: ${(e as Error).message}`, { file: name });
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  throwIfAborted(signal);
  if (lastReported < 1) onProgress?.(1, 'hash');
  return hash.digest('hex');
}

/** Lower-case hex SHA-256 of in-memory bytes. */
export function sha256Buffer(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}
