/**
 * `npm run bench -- detector`: prints figures, asserts nothing.
 *
 * 1. Speed: ms/frame of each detector at its native input size, ONNX in onnxruntime-node against the
 *    same weights in TF.js-wasm, same pre-processed frames, same run; ratio printed (goal ≤ 0.3×).
 *    onnxruntime runs with the machine's threads and with 1 thread (TF.js-wasm here is single-threaded).
 * 2. Quality on UCSD Ped2 test clips (skipped with a message when the dataset is absent): recall of the
 *    ground-truth anomalous objects (mask-derived boxes, IoU ≥ 0.3 with any person/vehicle/bicycle
 *    detection) and person detections per frame, per clip, next to hand counts of people in one
 *    reference frame per clip.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import type { Frame } from '../media/frame-reader.js';
import { readFrames } from '../media/frame-reader.js';
import { createDetector } from '../inference/detector.js';
import type { Detection } from '../inference/detector.js';
import { letterbox } from '../inference/letterbox.js';
import { resolveModelsDir } from '../inference/model-root.js';
import { iou } from '../inference/nms.js';
import { ModelRegistry } from '../inference/registry.js';
import { SESSION_CONFIG, SessionManager, defaultThreads } from '../inference/session-manager.js';
import { findDefinition } from '../models-build/catalog.js';
import { loadTfjsReference, loadTfjsWasm, runTfjsReference } from '../models-build/tfjs-reference.js';

export interface BenchDetectorOptions {
  models?: string[];
  /** Frames timed per runtime (after one warm-up each). */
  speedFrames?: number;
  /** UCSD Ped2 folder; default ../shared/datasets/ucsd_ped2 beside the repository. */
  datasetDir?: string;
  /** Test clips to score (default all). */
  clips?: string[];
  /** Score every n-th frame of each clip (default 1 = every frame). */
  step?: number;
  /** Which parts to run (default both). */
  parts?: Array<'speed' | 'quality'>;
  log?: (line: string) => void;
}

const ANOMALY_LABELS = new Set(['person', 'bicycle', 'car', 'motorcycle', 'bus', 'train', 'truck']);

/**
 * People counted by eye in frame 60 (0-based) of each Ped2 test clip, at 3× zoom, by the author of this
 * benchmark: anyone at least half inside the picture, cyclists and skaters included. Crowded frames are
 * uncertain by about ±2. A reference for reading the detector's person counts, not a tuning target.
 */
export const PED2_HAND_COUNTS: Record<string, number> = {
  Test001: 23,
  Test002: 19,
  Test003: 21,
  Test004: 11,
  Test005: 25,
  Test006: 17,
  Test007: 13,
  Test008: 13,
  Test009: 19,
  Test010: 13,
  Test011: 24,
  Test012: 21,
};

interface GroundTruth {
  clips: Record<string, { split: string; video: string; frame_count: number; boxes?: Record<string, number[][]> }>;
}

function repoRoot(): string {
  return path.resolve(resolveModelsDir(), '..', '..');
}

function stats(ms: number[]): { mean: number; median: number } {
  const s = [...ms].sort((a, b) => a - b);
  return { mean: ms.reduce((a, b) => a + b, 0) / ms.length, median: s[Math.floor(s.length / 2)] };
}

async function framesFrom(video: string, count: number): Promise<Frame[]> {
  const out: Frame[] = [];
  for await (const f of readFrames(video, { format: 'rgb24', endFrame: count - 1 })) out.push(f);
  return out;
}

async function speed(name: string, frames: Frame[], log: (l: string) => void): Promise<void> {
  const def = findDefinition(name);
  const registry = new ModelRegistry();
  const { manifest, bytes } = registry.load(name);
  const spec = manifest.input;
  const n = spec.shape.reduce((a, b) => a * b, 1);
  const inputs = frames.map((f) => {
    const data = spec.dtype === 'int32' ? new Int32Array(n) : new Float32Array(n);
    letterbox(f, spec, data);
    return data;
  });
  const threads = defaultThreads();
  const open = (t: number) =>
    ort.InferenceSession.create(bytes, { intraOpNumThreads: t, interOpNumThreads: 1, graphOptimizationLevel: 'all', executionProviders: ['cpu'], extra: SESSION_CONFIG });
  const sessions = [await open(threads), await open(1)];
  const feeds = (d: Float32Array | Int32Array) => ({ [spec.name]: new ort.Tensor(spec.dtype, d, spec.shape) });
  let reference: Awaited<ReturnType<typeof loadTfjsReference>> | undefined;
  let tfProblem = 'TF.js-wasm: not installed (dev dependency), no comparison';
  if (def) {
    try {
      await loadTfjsWasm();
      reference = await loadTfjsReference(def.sourceStem);
    } catch (e) {
      tfProblem = `TF.js-wasm unavailable: ${e instanceof Error ? e.message : String(e)}`;
    }
  }
  const tfOutputs = def ? def.outputs.map((o) => o.tf) : [];
  // Warm-up, then per frame each runtime back to back, so machine load hits all of them alike.
  for (const s of sessions) await s.run(feeds(inputs[0]));
  if (reference) await runTfjsReference(reference, { data: inputs[0], shape: spec.shape }, tfOutputs);
  const times: number[][] = [[], [], []];
  const timed = async (k: number, fn: () => Promise<unknown>) => {
    const t0 = performance.now();
    await fn();
    times[k].push(performance.now() - t0);
  };
  for (const d of inputs) {
    await timed(0, () => sessions[0].run(feeds(d)));
    await timed(1, () => sessions[1].run(feeds(d)));
    if (reference) await timed(2, () => runTfjsReference(reference!, { data: d, shape: spec.shape }, tfOutputs));
  }
  for (const s of sessions) await s.release();
  reference?.dispose();
  const ortN = stats(times[0]);
  const ort1 = stats(times[1]);
  let tfLine = tfProblem;
  let ratio = '';
  if (reference) {
    const tfs = stats(times[2]);
    tfLine = `TF.js-wasm ${tfs.median.toFixed(1)} ms/frame (mean ${tfs.mean.toFixed(1)})`;
    ratio = `  ratio ONNX/TF.js (medians): ${(ortN.median / tfs.median).toFixed(2)}× (${threads} threads), ${(ort1.median / tfs.median).toFixed(2)}× (1 thread)  [goal ≤ 0.30×]`;
  }
  log(`speed ${name} ${spec.size.join('×')} over ${frames.length} frames:`);
  log(`  ONNX/onnxruntime-node cpu ${ortN.median.toFixed(1)} ms/frame (mean ${ortN.mean.toFixed(1)}, ${threads} threads); ${ort1.median.toFixed(1)} ms/frame with 1 thread`);
  log(`  ${tfLine}`);
  if (ratio) log(ratio);
}

async function quality(name: string, dir: string, opts: BenchDetectorOptions, log: (l: string) => void): Promise<void> {
  const gt = JSON.parse(readFileSync(path.join(dir, 'ground_truth.json'), 'utf8')) as GroundTruth;
  const clips = (opts.clips ?? Object.keys(gt.clips).filter((c) => gt.clips[c].split === 'test')).sort();
  const step = Math.max(1, opts.step ?? 1);
  const manager = new SessionManager();
  const det = await createDetector(name, { manager });
  log(`quality ${name} on UCSD Ped2 (${clips.length} test clips, every ${step === 1 ? '' : `${step}th `}frame, score ≥ default threshold):`);
  log('  clip     frames  GT objects  recall@0.3  persons/frame (mean, min-max)  frame-60 persons: detected / by eye');
  let totalGt = 0;
  let totalHit = 0;
  const t0 = performance.now();
  let frameCount = 0;
  try {
    for (const clip of clips) {
      const info = gt.clips[clip];
      const boxes = info.boxes ?? {};
      let clipGt = 0;
      let clipHit = 0;
      const persons: number[] = [];
      let at60: number | undefined;
      const batch: Frame[] = [];
      const score = (frames: Frame[], dets: Detection[][]) => {
        frames.forEach((f, i) => {
          const d = dets[i];
          const p = d.filter((x) => x.label === 'person').length;
          persons.push(p);
          if (f.index === 60) at60 = p;
          for (const [x, y, w, h] of boxes[String(f.index)] ?? []) {
            clipGt++;
            const g: [number, number, number, number] = [x, y, x + w, y + h];
            if (d.some((x2) => ANOMALY_LABELS.has(x2.label) && iou(x2.box, g) >= 0.3)) clipHit++;
          }
        });
      };
      for await (const f of readFrames(path.join(dir, info.video), { format: 'rgb24' })) {
        if (f.index % step !== 0) continue;
        batch.push(f);
        if (batch.length === 8) {
          score(batch, await det.detect(batch));
          batch.length = 0;
        }
      }
      if (batch.length) score(batch, await det.detect(batch));
      frameCount += persons.length;
      totalGt += clipGt;
      totalHit += clipHit;
      const mean = persons.reduce((a, b) => a + b, 0) / Math.max(1, persons.length);
      const hand = PED2_HAND_COUNTS[clip];
      log(
        `  ${clip}  ${String(persons.length).padStart(6)}  ${String(clipGt).padStart(10)}  ${(clipGt ? (100 * clipHit) / clipGt : NaN).toFixed(1).padStart(9)}%  ${mean.toFixed(2).padStart(6)} (${Math.min(...persons)}-${Math.max(...persons)})${' '.repeat(20)}${at60 ?? '-'} / ${hand ?? '?'}`,
      );
    }
  } finally {
    await det.dispose();
    await manager.dispose();
  }
  const secs = (performance.now() - t0) / 1000;
  log(`  all clips: recall ${((100 * totalHit) / Math.max(1, totalGt)).toFixed(1)}% of ${totalGt} GT objects; ${frameCount} frames in ${secs.toFixed(0)} s (${((1000 * secs) / Math.max(1, frameCount)).toFixed(1)} ms/frame end to end)`);
}

export async function benchDetector(opts: BenchDetectorOptions = {}): Promise<void> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const models = opts.models ?? ['nanodet', 'centernet'];
  const dir = opts.datasetDir ?? path.join(repoRoot(), '..', 'shared', 'datasets', 'ucsd_ped2');
  const haveData = existsSync(path.join(dir, 'ground_truth.json'));
  const speedFrames = opts.speedFrames ?? 20;
  let frames: Frame[];
  if (haveData) {
    frames = await framesFrom(path.join(dir, 'test', 'Test004.mp4'), speedFrames);
  } else {
    // No dataset: time on synthetic frames (speed does not depend on content beyond decoding).
    frames = Array.from({ length: speedFrames }, (_, k) => {
      const data = new Uint8Array(640 * 360 * 3);
      for (let i = 0; i < data.length; i++) data[i] = (i * 7 + k * 13) & 0xff;
      return { index: k, time: k / 25, width: 640, height: 360, channels: 3 as const, data };
    });
  }
  log(`detector benchmark: ${defaultThreads()} CPU threads available, frames ${frames[0].width}×${frames[0].height}`);
  const parts = opts.parts ?? ['speed', 'quality'];
  if (parts.includes('speed')) for (const m of models) await speed(m, frames, log);
  if (!parts.includes('quality')) return;
  if (!haveData) {
    log(`quality: skipped, UCSD Ped2 not found at ${dir}`);
    return;
  }
  for (const m of models) await quality(m, dir, opts, log);
}
