import { createHash, randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VigilError } from '../../src/errors.js';
import { sha256Buffer, sha256File } from '../../src/media/hash.js';
import { makeTempDir } from '../helpers/media.js';

let dir: string;
let cleanup: () => Promise<void>;
let bytes: Buffer;
let file: string;

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir());
  bytes = randomBytes(5 * 1024 * 1024 + 123); // several read chunks, not a multiple of the chunk size
  file = path.join(dir, `pièce "n°1" l'été.bin`);
  await writeFile(file, bytes);
});
afterAll(() => cleanup());

describe('sha256', () => {
  it('matches a one-shot digest, with progress rising to 1', async () => {
    const expected = createHash('sha256').update(bytes).digest('hex');
    const progress: number[] = [];
    expect(await sha256File(file, { onProgress: (f) => progress.push(f) })).toBe(expected);
    expect(sha256Buffer(bytes)).toBe(expected);
    expect(progress[0]).toBe(0);
    expect(progress[progress.length - 1]).toBe(1);
    expect(progress.length).toBeGreaterThan(3);
    expect(progress.every((v, i) => i === 0 || v >= progress[i - 1])).toBe(true);
  });

  it('known vectors', async () => {
    expect(sha256Buffer('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    const empty = path.join(dir, 'empty');
    await writeFile(empty, '');
    expect(await sha256File(empty)).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('cancels', async () => {
    const ac = new AbortController();
    const p = sha256File(file, { signal: ac.signal, onProgress: (f) => f > 0 && ac.abort() });
    await expect(p).rejects.toBeInstanceOf(VigilError);
    await expect(p).rejects.toMatchObject({ code: 'cancelled' });
    const pre = new AbortController();
    pre.abort();
    await expect(sha256File(file, { signal: pre.signal })).rejects.toMatchObject({ code: 'cancelled' });
  });

  it('clear errors for a missing file and a folder', async () => {
    await expect(sha256File(path.join(dir, 'gone.mp4'))).rejects.toMatchObject({ code: 'not_found', message: expect.stringContaining('gone.mp4') });
    const sub = path.join(dir, 'folder');
    await mkdir(sub);
    await expect(sha256File(sub)).rejects.toMatchObject({ code: 'invalid_input' });
  });
});
