/**
 * `vigil eval --dataset DIR [--reference train|self|together] [--clips a,b] [--fps N] [--detector nanodet|none]
 * --json`: runs the analysis over the test clips of a dataset in the `ground_truth.json` v1 layout and scores
 * it: frame AUC (micro and macro, raw and smoothed with the analysis' own σ), RBDC/TBDC from the tracked
 * boxes, pixel AUC from the heatmaps at mask resolution, event F1 from the events, plus speed and memory.
 *
 * With `--reference train` the normality model is fit once on all training clips (normal only) and reused
 * for every test clip; with `self` every clip is its own reference; with `together` the test clips together
 * are their own reference (one camera's footage analysed at once, analyzeTogether). Neither of the last two
 * uses training footage.
 */
import path from 'node:path';
import { analyzeTogether, analyzeVideo, fitNormality, type AnalysisResult, type FittedReference } from '../../analysis/pipeline.js';
import type { AnalysisSink, HeatmapFrame } from '../../analysis/types.js';
import { openDetector } from '../../analysis/detector-choice.js';
import { VigilError, throwIfAborted, type ProgressFn } from '../../errors.js';
import { loadGroundTruth, readMaskFrames, type GtClip } from '../../eval/dataset.js';
import { gaussianSmooth, macroAuc, microAuc, microAucShortfall, perClipAnchoredAucs, type ClipShortfall, type FrameClip } from '../../eval/frame-auc.js';
import { PixelAucAccumulator } from '../../eval/pixel-auc.js';
import { rbdcTbdc, type Box, type RegionPrediction } from '../../eval/rbdc.js';
import { rocAuc } from '../../eval/roc.js';
import { eventF1, f1FromCounts } from '../../eval/temporal.js';
import { flag, type ParsedArgs } from '../args.js';
import { paramOverrides } from './analyze-file.js';

export interface EvalClipResult {
  name: string;
  frames: number;
  abnormalFrames: number;
  /** Per-clip AUC of the smoothed score (null when the clip has only one class). */
  auc: number | null;
  /** Anchored per-clip AUC (the macro AUC's term), smoothed score. */
  anchoredAuc: number;
  /**
   * This clip's part of 1 − micro AUC (raw and smoothed), charged by the clip of each misordered pair's
   * abnormal frame and, separately, of its normal frame (METRICS.md); null when micro AUC is undefined.
   */
  microShortfall: { raw: ClipShortfall; smoothed: ClipShortfall } | null;
  events: { startFrame: number; endFrame: number; peakScore: number; confidence: number }[];
  gtIntervals: [number, number][];
  realTimeFactor: number;
  tracks: number;
}

export interface EvalResult {
  dataset: string;
  reference: RefMode;
  detector: string;
  microAUC: number | null;
  macroAUC: number | null;
  microAUCsmoothed: number | null;
  macroAUCsmoothed: number | null;
  /** Gaussian σ of the smoothed scores, in analysed frames (and seconds). */
  sigma: number;
  sigmaS: number;
  RBDC: number | null;
  TBDC: number | null;
  pixelAUC: number | null;
  eventF1: number;
  eventPrecision: number;
  eventRecall: number;
  /** Analysed frames per second of processing, over all test clips (reference fitting excluded). */
  fps: number;
  /** Seconds of footage per second of processing, over all test clips (reference fitting excluded). */
  realTimeFactor: number;
  referenceFitS: number;
  peakRssMB: number;
  params: Record<string, unknown>;
  clips: EvalClipResult[];
}

const round = (v: number, d = 4): number => Math.round(v * 10 ** d) / 10 ** d;

/** A metric that is undefined for this selection of clips (e.g. only abnormal frames) is reported as null. */
function defined(f: () => number): number | null {
  try {
    const v = f();
    return Number.isFinite(v) ? round(v) : null;
  } catch (e) {
    if (e instanceof VigilError && e.code === 'invalid_input') return null;
    throw e;
  }
}

/** For each GT frame, the index of the analysed frame shown at that moment (the latest at or before it). */
function holdIndex(analysedFrames: readonly number[], frameCount: number): Int32Array {
  const map = new Int32Array(frameCount).fill(-1);
  let j = -1;
  for (let i = 0; i < frameCount; i++) {
    while (j + 1 < analysedFrames.length && analysedFrames[j + 1] <= i) j++;
    map[i] = j;
  }
  return map;
}

const REF_MODES = ['train', 'self', 'together'] as const;
type RefMode = (typeof REF_MODES)[number];

/** What the analysis sink of one clip collects for scoring. */
interface ClipOutput {
  sink: AnalysisSink;
  heatmaps: Map<number, HeatmapFrame>;
  boxes: Map<number, { box: Box; score: number }[]>;
}

function clipOutput(): ClipOutput {
  const heatmaps = new Map<number, HeatmapFrame>();
  const boxes = new Map<number, { box: Box; score: number }[]>();
  const sink: AnalysisSink = {
    observations: (batch) => {
      for (const o of batch) {
        let l = boxes.get(o.frame);
        if (!l) boxes.set(o.frame, (l = []));
        l.push({ box: o.box, score: o.score });
      }
    },
    heatmap: (h) => heatmaps.set(h.frame, h),
    finish: () => {},
  };
  return { sink, heatmaps, boxes };
}

export async function runEval(a: ParsedArgs, opts: { onProgress?: ProgressFn; signal?: AbortSignal; log?: (m: string) => void } = {}): Promise<EvalResult> {
  const dir = flag(a, 'dataset');
  if (!dir) throw new VigilError('invalid_input', '--dataset is required (a folder with ground_truth.json, e.g. the UCSD Ped2 copy).');
  const refMode = (flag(a, 'reference') ?? 'train') as RefMode;
  if (!REF_MODES.includes(refMode)) throw new VigilError('invalid_input', `--reference must be one of ${REF_MODES.join(', ')}; got "${refMode}".`);
  const gt = loadGroundTruth(dir);
  const allTest = gt.clips.filter((c) => c.split === 'test');
  let test = allTest;
  const clipsFlag = flag(a, 'clips');
  if (clipsFlag) {
    const names = clipsFlag.split(',').map((s) => s.trim()).filter(Boolean);
    const unknown = names.filter((n) => !allTest.some((c) => c.name === n));
    if (unknown.length) throw new VigilError('invalid_input', `Unknown test clip(s) ${unknown.join(', ')}; the dataset's test clips are ${allTest.map((c) => c.name).join(', ')}.`);
    test = allTest.filter((c) => names.includes(c.name));
  }
  if (test.length === 0) throw new VigilError('invalid_input', `${path.join(gt.dir, 'ground_truth.json')} lists no test clips.`);
  const train = gt.clips.filter((c) => c.split === 'train');
  if (refMode === 'train' && train.length === 0) {
    throw new VigilError('invalid_input', 'The dataset has no training clips; use --reference self.');
  }
  const overrides = paramOverrides(a);
  const progress = opts.onProgress ?? (() => {});
  const log = opts.log ?? (() => {});

  const detector = await openDetector(flag(a, 'detector'));
  try {
    let fitted: FittedReference | null = null;
    let referenceFitS = 0;
    const refShare = refMode === 'train' ? 0.4 : 0;
    if (refMode === 'train') {
      const t0 = performance.now();
      log(`fitting the normality model on ${train.length} training clips`);
      fitted = await fitNormality(
        train.map((c) => c.videoPath),
        { params: overrides, detector, signal: opts.signal, onProgress: (f) => progress(f * refShare, 'fit normality') },
      );
      referenceFitS = (performance.now() - t0) / 1000;
    }

    const rawClips: FrameClip[] = [];
    const smoothClips: FrameClip[] = [];
    const predictions: RegionPrediction[] = [];
    const pixel = new PixelAucAccumulator({ bins: 256, min: 0, max: 255 });
    let pixelFrames = 0;
    const eventCounts = { tp: 0, fp: 0, fn: 0 };
    const clips: EvalClipResult[] = [];
    let analysedTotal = 0;
    let footageS = 0;
    let processS = 0;
    let sigma = 0;
    let sigmaS = 0;
    let params: Record<string, unknown> = {};

    // With `together` every clip is analysed (and the results held) before any is scored.
    let joint: { results: (AnalysisResult | null)[]; outputs: ClipOutput[]; tookS: number } | null = null;
    if (refMode === 'together') {
      log(`analysing ${test.length} test clips together`);
      const outputs = test.map(() => clipOutput());
      const t0 = performance.now();
      const results = await analyzeTogether(
        test.map((c) => c.videoPath),
        { params: overrides, detector, sinks: outputs.map((o) => o.sink), signal: opts.signal, onProgress: (f) => progress(0.9 * f, 'analyse together') },
      );
      joint = { results, outputs, tookS: (performance.now() - t0) / 1000 };
      processS = joint.tookS;
    }

    for (let ci = 0; ci < test.length; ci++) {
      throwIfAborted(opts.signal);
      const clip = test[ci];
      let out: ClipOutput;
      let r: AnalysisResult;
      let took: number;
      if (joint) {
        out = joint.outputs[ci];
        r = joint.results[ci]!;
        took = r.stats.durationS / Math.max(r.stats.realTimeFactor, 1e-9);
        progress(0.9 + 0.1 * (ci / test.length), clip.name);
      } else {
        log(`analysing ${clip.name}`);
        out = clipOutput();
        const t0 = performance.now();
        r = await analyzeVideo(clip.videoPath, {
          params: overrides,
          reference: fitted ?? 'self',
          detector,
          sink: out.sink,
          signal: opts.signal,
          onProgress: (f) => progress(refShare + (1 - refShare) * ((ci + f) / test.length), clip.name),
        });
        took = (performance.now() - t0) / 1000;
        processS += took;
      }
      const { heatmaps, boxes } = out;
      footageS += r.stats.durationS;
      analysedTotal += r.frames.length;
      sigma = r.params.sigma;
      sigmaS = r.params.sigmaS;
      params = r.params;

      // Scores per GT frame (an analysed frame's score holds until the next analysed frame).
      const analysed = r.frames.map((f) => f.frame);
      const hold = holdIndex(analysed, clip.frameCount);
      const raw = new Float64Array(clip.frameCount);
      const rawAnalysed = r.frames.map((f) => f.raw);
      for (let i = 0; i < clip.frameCount; i++) raw[i] = hold[i] >= 0 ? rawAnalysed[hold[i]] : 0;
      // Smoothing on the GT frame grid with σ converted to GT frames (the same seconds as the analysis').
      const smooth = gaussianSmooth(raw, sigmaS * clip.fps);
      rawClips.push({ scores: raw, labels: clip.labels, name: clip.name });
      smoothClips.push({ scores: smooth, labels: clip.labels, name: clip.name });

      for (let i = 0; i < clip.frameCount; i++) {
        const k = hold[i];
        if (k < 0) continue;
        for (const b of boxes.get(analysed[k]) ?? []) if (b.score > 0) predictions.push({ clip: clip.name, frame: i, box: b.box, score: b.score });
      }

      if (clip.maskVideoPath) {
        let i = 0;
        for await (const mask of readMaskFrames(clip.maskVideoPath, clip.width, clip.height, { signal: opts.signal, expectedFrames: clip.frameCount })) {
          const k = hold[i];
          const h = k >= 0 ? heatmaps.get(analysed[k]) : undefined;
          if (h) {
            pixel.addFrame({ data: h.data, width: h.width, height: h.height }, mask, clip.width, clip.height);
            pixelFrames++;
          }
          i++;
        }
      }

      const pred = r.events.map((e) => [e.startFrame, e.endFrame] as [number, number]);
      const ev = eventF1(pred, clip.intervals);
      eventCounts.tp += ev.tp;
      eventCounts.fp += ev.fp;
      eventCounts.fn += ev.fn;
      const both = clip.labels.some((v) => v === 1) && clip.labels.some((v) => v === 0);
      clips.push({
        name: clip.name,
        frames: clip.frameCount,
        abnormalFrames: clip.labels.reduce((s, v) => s + v, 0),
        auc: both ? round(rocAuc(smooth, clip.labels)) : null,
        anchoredAuc: round(perClipAnchoredAucs([{ scores: smooth, labels: clip.labels }])[0]),
        microShortfall: null,
        events: r.events.map((e) => ({ startFrame: e.startFrame, endFrame: e.endFrame, peakScore: e.peakScore, confidence: e.confidence })),
        gtIntervals: clip.intervals,
        realTimeFactor: round(r.stats.durationS / took, 2),
        tracks: r.tracks.length,
      });
    }

    const hasBothClasses = test.some((c) => c.labels.some((v) => v === 1)) && test.some((c) => c.labels.some((v) => v === 0));
    if (hasBothClasses) {
      const raw = microAucShortfall(rawClips);
      const smoothed = microAucShortfall(smoothClips);
      const r4 = (x: ClipShortfall): ClipShortfall => ({ abnormal: round(x.abnormal), normal: round(x.normal) });
      clips.forEach((c, i) => (c.microShortfall = { raw: r4(raw[i]), smoothed: r4(smoothed[i]) }));
    }
    const hasRegions = test.some((c) => c.boxes.size > 0);
    const rb = hasRegions
      ? rbdcTbdc({ clips: test.map((c: GtClip) => ({ clip: c.name, frameCount: c.frameCount, regions: c.boxes })), predictions })
      : null;
    const f1 = f1FromCounts(eventCounts);
    const hasBothPixelClasses = pixelFrames > 0 && pixel.positives > 0 && pixel.negatives > 0;
    const rss = process.resourceUsage().maxRSS / 1024;
    progress(1, 'done');
    return {
      dataset: gt.dataset,
      reference: refMode,
      detector: detector ? (detector.name ?? 'custom') : 'none',
      microAUC: defined(() => microAuc(rawClips)),
      macroAUC: defined(() => macroAuc(rawClips)),
      microAUCsmoothed: defined(() => microAuc(smoothClips)),
      macroAUCsmoothed: defined(() => macroAuc(smoothClips)),
      sigma,
      sigmaS,
      RBDC: rb ? round(rb.rbdc) : null,
      TBDC: rb ? round(rb.tbdc) : null,
      pixelAUC: hasBothPixelClasses ? round(pixel.auc()) : null,
      eventF1: round(f1.f1),
      eventPrecision: round(f1.precision),
      eventRecall: round(f1.recall),
      fps: round(analysedTotal / Math.max(processS, 1e-9), 1),
      realTimeFactor: round(footageS / Math.max(processS, 1e-9), 2),
      referenceFitS: round(referenceFitS, 2),
      peakRssMB: round(rss, 1),
      params,
      clips,
    };
  } finally {
    await detector?.dispose();
  }
}
