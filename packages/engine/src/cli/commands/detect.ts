/**
 * `vigil detect FILE [--fps N] [--model nanodet|centernet] [--score S] [--ep auto|cpu|…] --json`:
 * runs a detector over the decoded frames of a video (every frame, or the first frame of each 1/fps
 * step) and returns boxes in source pixels keyed by the source's 0-based decoded frame index.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { VigilError, throwIfAborted, type ProgressFn } from '../../errors.js';
import { createDetector } from '../../inference/detector.js';
import type { Frame } from '../../media/frame-reader.js';
import { readFrames } from '../../media/frame-reader.js';
import { probe } from '../../media/probe.js';
import type { ParsedArgs } from '../args.js';
import { epFlag } from './models.js';

export interface DetectOutput {
  model: string;
  ep: string;
  frames: Array<{
    index: number;
    time: number;
    detections: Array<{ box: [number, number, number, number]; label: string; score: number }>;
  }>;
}

const DETECTORS = ['nanodet', 'centernet'];
const BATCH = 8;

function numberArg(args: ParsedArgs, name: string, check: (v: number) => boolean, what: string): number | undefined {
  const raw = args.flags[name];
  if (raw === undefined) return undefined;
  const v = typeof raw === 'string' ? Number(raw) : NaN;
  if (!Number.isFinite(v) || !check(v)) throw new VigilError('invalid_input', `--${name} must be ${what}, got "${String(raw)}".`);
  return v;
}

const round2 = (v: number) => Math.round(v * 100) / 100;

export async function runDetect(
  args: ParsedArgs,
  opts: { signal?: AbortSignal; onProgress?: ProgressFn } = {},
): Promise<DetectOutput> {
  const file = args.positionals[0];
  if (!file) throw new VigilError('invalid_input', 'Give the video to run detection on: vigil detect FILE [--fps N] [--model nanodet|centernet] --json');
  const filePath = path.resolve(file);
  if (!existsSync(filePath)) throw new VigilError('not_found', `No such file: ${filePath}`);
  const model = typeof args.flags.model === 'string' ? args.flags.model : 'nanodet';
  if (!DETECTORS.includes(model)) throw new VigilError('invalid_input', `--model must be one of ${DETECTORS.join(', ')}, got "${model}".`);
  const fps = numberArg(args, 'fps', (v) => v > 0, 'a positive number of frames per second');
  const score = numberArg(args, 'score', (v) => v >= 0 && v <= 1, 'a score between 0 and 1');

  const info = await probe(filePath);
  const expected = fps ? Math.max(1, Math.ceil(info.durationS * fps)) : Math.max(1, info.frameCount);
  const detector = await createDetector(model, { ep: epFlag(args), requireEp: args.flags['require-ep'] === true, scoreThreshold: score });
  const out: DetectOutput = { model, ep: detector.ep, frames: [] };
  try {
    const flush = async (batch: Frame[]) => {
      if (!batch.length) return;
      const dets = await detector.detect(batch, { signal: opts.signal });
      batch.forEach((f, i) => {
        out.frames.push({
          index: f.index,
          time: Math.round(f.time * 1e6) / 1e6,
          detections: dets[i].map((d) => ({ box: d.box.map(round2) as [number, number, number, number], label: d.label, score: Math.round(d.score * 1e4) / 1e4 })),
        });
      });
      opts.onProgress?.(Math.min(1, out.frames.length / expected), 'detect');
    };
    let batch: Frame[] = [];
    for await (const frame of readFrames(filePath, { format: 'rgb24', fps, signal: opts.signal, probe: info })) {
      throwIfAborted(opts.signal);
      batch.push(frame);
      if (batch.length === BATCH) {
        await flush(batch);
        batch = [];
      }
    }
    await flush(batch);
  } finally {
    await detector.dispose();
  }
  opts.onProgress?.(1, 'detect');
  return out;
}
