/**
 * The original TF.js graph models, run with TF.js's wasm backend: the reference for parity tests and
 * the baseline in the detector benchmark. TF.js is a development dependency, so it is imported lazily
 * and nothing in the shipped engine loads it. The wasm binaries come from node_modules (no network).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { GraphModel } from '@tensorflow/tfjs';
import { locateSourcePackage } from './build.js';

type Tf = typeof import('@tensorflow/tfjs');
let tfReady: Promise<Tf> | undefined;

/** TF.js with the wasm backend initialised (once per process). */
export function loadTfjsWasm(): Promise<Tf> {
  tfReady ??= (async () => {
    const tf = await import('@tensorflow/tfjs');
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const require = createRequire(import.meta.url);
    const dist = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + path.sep;
    wasm.setWasmPaths(dist);
    tf.env().set('IS_TEST', true); // no "install tfjs-node" banner
    await tf.setBackend('wasm');
    await tf.ready();
    return tf;
  })();
  return tfReady;
}

/** Loads `models/<stem>.json` of the source package as a TF.js GraphModel. */
export async function loadTfjsReference(stem: string): Promise<GraphModel> {
  const tf = await loadTfjsWasm();
  const src = locateSourcePackage();
  const dir = path.join(src.dir, 'models');
  const json = JSON.parse(readFileSync(path.join(dir, `${stem}.json`), 'utf8')) as {
    modelTopology: object;
    weightsManifest: Array<{ paths: string[]; weights: import('@tensorflow/tfjs').io.WeightsManifestEntry[] }>;
  };
  const buf = Buffer.concat(json.weightsManifest.flatMap((g) => g.paths.map((p) => readFileSync(path.join(dir, p)))));
  const weightData = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
  return tf.loadGraphModel(
    tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest.flatMap((g) => g.weights), weightData }),
  );
}

/** Runs a reference model; returns flat float copies of the outputs, in the order asked. */
export async function runTfjsReference(
  model: GraphModel,
  input: { data: Float32Array | Int32Array; shape: number[] },
  outputs: string[],
): Promise<Float32Array[]> {
  const tf = await loadTfjsWasm();
  return tf.tidy(() => {
    const x = tf.tensor(input.data, input.shape, input.data instanceof Int32Array ? 'int32' : 'float32');
    const out = model.execute(x, outputs);
    const list = Array.isArray(out) ? out : [out];
    return list.map((t) => Float32Array.from(t.dataSync() as ArrayLike<number>));
  });
}
