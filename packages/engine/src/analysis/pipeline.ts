/**
 * The anomaly analysis of one video, end to end, streaming with bounded memory:
 *
 *   decode+track   frames → background/blobs/flow (+ detector every few frames) → tracker → attribute table
 *   fit normality  reference footage (fit once, reusable) or the footage itself (self-reference)
 *   score          object scores with the attributes that drove them → frame score (the largest object z
 *                  plus the motion-map term's z: how fast the fastest foreground blocks move), raw and smoothed
 *   heatmaps       one uint8 map per analysed frame from the spooled foreground and flow + scored boxes
 *   events         hysteresis on the smoothed score → events with tracks, why, trajectories, confidence
 *
 * Memory: frames are never kept. What grows with footage length is the attribute table (~45 bytes per
 * object per analysed frame) and the frame table (16 bytes per analysed frame); the foreground maps and
 * block flow needed for heatmaps and the motion term go to a temporary file (heatmap cells + 2 bytes per
 * 8×8 block, per analysed frame: ~8 kB for 360×240) that is deleted at the end. Nothing is handed to the sink until scoring has succeeded, so a failure never leaves
 * half a result behind.
 */
import path from 'node:path';
import { VigilError, throwIfAborted, type ProgressFn } from '../errors.js';
import { gaussianSmooth } from '../eval/frame-auc.js';
import { probe as probeFile, type ProbeResult } from '../media/probe.js';
import { extractFootage, pictureRateFps, picturesRepeat, PicturesRepeat, type Extraction } from './extract.js';
import { linkIdentities } from './identity.js';
import { computeFeatures, type Features } from './features.js';
import { renderHeatmap, type HeatObject } from './heatmap.js';
import type { DetectorLike } from './measurements.js';
import {
  ATTRIBUTE_GROUPS,
  fitReferenceModel,
  frameEvidence,
  medianAndHigh,
  objectFrameScore,
  scoreObjects,
  selfReferencedScores,
  type NormalityModel,
  type ObjectScores,
} from './normality.js';
import { SOURCE_INTERPOLATED } from './observations.js';
import { blockSpeeds, fastMotionStat, filterSpeeds, motionZ, type MotionCalibration } from './motion-term.js';
import { resolveParams, setRate, type FullAnalysisParams } from './params.js';
import { fitPerspective, type PerspectiveModel } from './perspective.js';
import { buildEvents, summarizeTracks, toSourceBox, type AssemblyContext } from './results.js';
import type { AnalysisSink, AnomalyEvent, FrameScore, TrackObservation, TrackSummary } from './types.js';
import { windowMedian } from './window-median.js';

/** A normality model fit on reference footage, reusable for any number of analyses of the same scene. */
export interface FittedReference {
  kind: 'fitted-reference';
  model: NormalityModel;
  motion: MotionCalibration;
  paths: string[];
  /** Analysis rate and detector the reference was analysed with (targets must match). */
  fps: number;
  detector: string;
  /** Frame aspect (width / height) of the reference footage. */
  aspect: number;
  stats: { clips: number; analysedFrames: number; observations: number; tracks: number; seconds: number };
}

export interface AnalysisStats {
  sourceFrames: number;
  analysedFrames: number;
  durationS: number;
  observations: number;
  tracks: number;
  detectorRuns: number;
  /** Model input [height, width] the detector ran at (a variant's for non-square footage), null without one. */
  detectorInputSize: [number, number] | null;
  reference: { source: 'reference' | 'self'; tracks: number; observations: number; excludedTracks: number; k: number };
  perspective: PerspectiveModel;
  timings: {
    bootstrapS: number;
    decodeTrackS: number;
    detectS: number;
    /** Fitting the normality model (analysed together: this clip's share of the joint fit, by duration). */
    fitS: number;
    scoreS: number;
    heatmapS: number;
    eventsS: number;
    /** Wall time since the analysis started (analysed together: since the joint job started). */
    totalS: number;
    /** Fitting reference footage given as paths (excluded from the real-time factor). */
    referenceFitS: number;
  };
  /** Seconds of footage per second of this clip's own processing (decode+track, fit, score, heatmaps, events). */
  realTimeFactor: number;
  /** Peak resident memory of the process (the kernel's high-water mark, so it covers anything run before). */
  peakRssMB: number;
  /** Bytes held by the attribute tables at the end (the part of memory that grows with footage length). */
  tableBytes: number;
  notes: string[];
}

export interface AnalysisResult {
  params: FullAnalysisParams;
  frames: FrameScore[];
  tracks: TrackSummary[];
  events: AnomalyEvent[];
  stats: AnalysisStats;
}

export interface AnalyzeOptions {
  params?: Partial<FullAnalysisParams>;
  /** Reference footage paths, an already fitted reference, or 'self' (default). */
  reference?: { paths: string[] } | FittedReference | 'self';
  detector?: DetectorLike | null;
  sink: AnalysisSink;
  onProgress?: ProgressFn;
  signal?: AbortSignal;
}

export interface FitOptions {
  params?: Partial<FullAnalysisParams>;
  detector?: DetectorLike | null;
  onProgress?: ProgressFn;
  signal?: AbortSignal;
}

const ASPECT_TOLERANCE = 0.03;

function detectorName(d: DetectorLike | null | undefined): string {
  return d ? (d.name ?? 'custom') : 'none';
}

function aspectOf(p: ProbeResult): number {
  return (p.displayWidth || p.width) / (p.displayHeight || p.height);
}

/** Peak resident memory of this process so far (the kernel's high-water mark), in bytes. */
function peakRssBytes(): number {
  return process.resourceUsage().maxRSS * 1024;
}

async function probeVideo(file: string, signal?: AbortSignal): Promise<ProbeResult> {
  const p = await probeFile(file, { signal });
  if (p.frameCount < 1) throw new VigilError('unsupported_media', `"${path.basename(file)}" has no video frames.`);
  return p;
}

/**
 * One (foot position, height) sample per track for the perspective fit: the track's lower-quartile height
 * and where it was measured. Blobs of people walking together merge (taller or wider than one person) far
 * more often than they fragment, and every track is a single object at some point, so the lower quartile of
 * a track is a single object's height.
 */
function perspectiveSamples(ex: Extraction, into: { y: number[]; h: number[] }): void {
  const t = ex.observations;
  const per = new Map<number, number[]>();
  for (let i = 0; i < t.length; i++) {
    if (t.source[i] === SOURCE_INTERPOLATED) continue;
    if (t.y1[i] <= 1 || t.y2[i] >= ex.analysisHeight - 1) continue; // cut by the frame edge
    let l = per.get(t.trackId[i]);
    if (!l) per.set(t.trackId[i], (l = []));
    l.push(i);
  }
  for (const l of per.values()) {
    if (l.length < 3) continue;
    l.sort((a, b) => t.y2[a] - t.y1[a] - (t.y2[b] - t.y1[b]));
    const i = l[Math.floor(l.length / 4)];
    into.y.push(t.y2[i] / ex.analysisHeight);
    into.h.push((t.y2[i] - t.y1[i]) / ex.analysisHeight);
  }
}

function featuresOf(ex: Extraction, perspective: PerspectiveModel, p: FullAnalysisParams): Features {
  return computeFeatures(ex.observations, ex.frames.length, {
    width: ex.analysisWidth,
    height: ex.analysisHeight,
    perspective,
    times: ex.frames.times,
    movingSpeed: p.movingSpeed,
    stayRadius: p.stayRadius,
    velocityWindowS: p.velocityWindowS,
    minLabelVotes: p.minLabelVotes,
  });
}

/** Smallest spread of the motion statistic worth calling a deviation (object heights per second). */
const MOTION_FLOOR = 0.1;

/**
 * Per analysed frame: the motion-map statistic (fastMotionStat of the block speeds, heights/s), read back
 * from the spool, through the short-window median that object deviations get too (`windowS`, the
 * normality's scoreWindowS: one frame's flow mismatch is no fast motion). `each` also receives each
 * frame's block speeds (for heatmaps).
 */
function motionStats(ex: Extraction, perspective: PerspectiveModel, windowS: number, each?: (k: number, speeds: Float32Array, record: Uint8Array) => void): Float64Array {
  const n = ex.frames.length;
  const out = new Float64Array(n);
  const spool = ex.spool;
  if (!spool) return out;
  const times = ex.frames.times;
  const g = { ...ex.flowGrid, analysisHeight: ex.analysisHeight };
  const record = new Uint8Array(spool.recordBytes);
  const speeds = new Float32Array(g.cols * g.rows);
  const filtered = new Float32Array(g.cols * g.rows);
  for (let k = 0; k < n; k++) {
    spool.read(k, record);
    const dt = k > 0 ? times[k] - times[k - 1] : 0;
    const perS = dt > 0 ? 1 / dt : 0;
    blockSpeeds(record.subarray(ex.heatBytes), g, perspective, perS, speeds);
    filterSpeeds(speeds, g.cols, g.rows, filtered);
    out[k] = fastMotionStat(filtered);
    each?.(k, filtered, record);
  }
  return windowMedian(out, times, windowS);
}

/**
 * Calibrates the motion term on normal frames: the high quantile as is for reference footage; extrapolated
 * from inner quantiles on the footage itself (it may hold anomalies), see normality.ts.
 */
function calibrateMotion(values: ArrayLike<number>, robust: boolean, q: number): MotionCalibration {
  // Self-referenced, from q90 as the attribute groups (from q75, as the objects' frame calibration, Ped2
  // self-referenced micro AUC went 0.793 → 0.789 and event F1 0.70 → 0.50).
  const { median, high } = medianAndHigh(values, q, robust ? 0.9 : undefined);
  return { median, high: Math.max(high, median + MOTION_FLOOR) };
}

/**
 * Fits the normality model on footage the user marks as normal. All clips must show the same scene
 * geometry (same aspect ratio); different resolutions are fine (everything is measured in fractions of the
 * frame and object heights).
 */
export async function fitNormality(referencePaths: readonly string[], opts: FitOptions = {}): Promise<FittedReference> {
  if (referencePaths.length === 0) throw new VigilError('invalid_input', 'No reference footage given: name at least one clip that shows normal activity.');
  const probes: ProbeResult[] = [];
  for (const p of referencePaths) probes.push(await probeVideo(p, opts.signal));
  const aspect = aspectOf(probes[0]);
  probes.forEach((p, i) => {
    const a = aspectOf(p);
    if (Math.abs(a / aspect - 1) > ASPECT_TOLERANCE) {
      throw new VigilError(
        'invalid_input',
        `Reference clip "${path.basename(referencePaths[i])}" is ${p.displayWidth}×${p.displayHeight} (aspect ${a.toFixed(3)}), but "${path.basename(referencePaths[0])}" is ${probes[0].displayWidth}×${probes[0].displayHeight} (aspect ${aspect.toFixed(3)}): reference clips must show the same camera view.`,
      );
    }
  });
  const total = probes.reduce((s, p) => s + Math.max(p.durationS, 0.001), 0);
  let done = 0;
  const extractions: Extraction[] = [];
  const params: FullAnalysisParams[] = [];
  try {
    for (let i = 0; i < referencePaths.length; i++) {
      throwIfAborted(opts.signal);
      const pr = probes[i];
      const p = resolveParams(pr, opts.params);
      const { ex } = await extractPass(referencePaths[i], pr, p, opts, (f) =>
        opts.onProgress?.(((done + f * Math.max(pr.durationS, 0.001)) / total) * 0.95, 'fit normality: decode+track'),
      );
      extractions.push(ex);
      params.push(p);
      done += Math.max(pr.durationS, 0.001);
    }
    const samples = { y: [] as number[], h: [] as number[] };
    for (const ex of extractions) perspectiveSamples(ex, samples);
    if (samples.y.length === 0) {
      throw new VigilError(
        'invalid_input',
        `The reference footage (${referencePaths.map((p) => path.basename(p)).join(', ')}) shows no moving objects, so it cannot teach what normal activity looks like.`,
      );
    }
    const perspective = fitPerspective(samples.y, samples.h);
    const sets = extractions.map((ex, i) => {
      const features = featuresOf(ex, perspective, params[i]);
      return { features, trackIds: linkIdentities(ex.observations, features, ex.analysisHeight) };
    });
    const model = fitReferenceModel(sets, extractions.map((ex) => ex.frames.length), {
      ...params[0].normality,
      perspective,
      aspect,
      detector: detectorName(opts.detector),
      movingSpeed: params[0].movingSpeed,
    });
    const stats: number[] = [];
    for (const ex of extractions) for (const v of motionStats(ex, perspective, params[0].normality.scoreWindowS)) stats.push(v);
    const motion = calibrateMotion(stats, false, params[0].normality.quantile);
    opts.onProgress?.(1, 'fit normality');
    return {
      kind: 'fitted-reference',
      model,
      motion,
      paths: referencePaths.slice(),
      fps: params[0].fps,
      detector: detectorName(opts.detector),
      aspect,
      stats: {
        clips: referencePaths.length,
        analysedFrames: extractions.reduce((s, e) => s + e.frames.length, 0),
        observations: model.observations,
        tracks: model.tracks,
        seconds: total,
      },
    };
  } finally {
    for (const ex of extractions) ex.spool?.dispose();
  }
}

function isFitted(r: AnalyzeOptions['reference']): r is FittedReference {
  return typeof r === 'object' && r !== null && (r as FittedReference).kind === 'fitted-reference';
}

/** One video probed, with the parameters resolved for it. */
interface Probed {
  probe: ProbeResult;
  params: FullAnalysisParams;
  notes: string[];
}

/** One video decoded and tracked, waiting for its normality model. */
interface Extracted extends Probed {
  ex: Extraction;
  started: number;
  decodeTrackS: number;
  referenceFitS: number;
}

/** Progress of one clip mapped into [from, to] of the whole job. */
interface Span {
  from: number;
  to: number;
}

async function probeFor(file: string, opts: Omit<AnalyzeOptions, 'sink'>): Promise<Probed> {
  const probe = await probeVideo(file, opts.signal);
  const params = resolveParams(probe, opts.params);
  params.detector = detectorName(opts.detector);
  const notes: string[] = [];
  if (probe.vfr) notes.push('The footage has a variable frame rate; frame times come from the stream timestamps.');
  return { probe, params, notes };
}

/**
 * The decode-and-track pass. Unless the caller set the analysis rate, footage seen to repeat its pictures
 * (a recorder storing a few pictures a second in a faster stream) is read again at the rate of its
 * pictures, so objects move once per picture instead of in jumps; `params` follows the rate used.
 */
async function extractPass(
  file: string,
  probe: ProbeResult,
  params: FullAnalysisParams,
  opts: Pick<AnalyzeOptions, 'params' | 'detector' | 'signal'>,
  onProgress: (f: number) => void,
): Promise<{ ex: Extraction; reread: { fromFps: number; rate: number; repeats: Extraction['repeats'] } | null }> {
  // A second pass goes on from where the first stopped, so progress never runs backwards.
  let done = 0;
  let from = 0;
  const pass = (stopOnRepeats: boolean): Promise<Extraction> =>
    extractFootage(file, {
      probe,
      params,
      detector: opts.detector ?? null,
      spool: true,
      signal: opts.signal,
      stopOnRepeats,
      onProgress: (f) => onProgress((done = from + (1 - from) * f)),
    });
  try {
    return { ex: await pass(opts.params?.fps === undefined), reread: null };
  } catch (e) {
    if (!(e instanceof PicturesRepeat)) throw e;
    const fromFps = params.fps;
    setRate(params, pictureRateFps(e.rate));
    from = done;
    return { ex: await pass(false), reread: { fromFps, rate: e.rate, repeats: e.repeats } };
  }
}

async function extractFor(file: string, pre: Probed, opts: Omit<AnalyzeOptions, 'sink'>, span: Span, started: number, referenceFitS = 0): Promise<Extracted> {
  const tPass = performance.now();
  const { ex, reread } = await extractPass(file, pre.probe, pre.params, opts, (f) => opts.onProgress?.(span.from + (span.to - span.from) * f, 'decode+track'));
  const n = ex.frames.length;
  if (n === 1) pre.notes.push('The footage has a single frame: motion cannot be measured, so nothing can be scored.');
  else if (ex.observations.length === 0) pre.notes.push('No moving objects were found in the footage: nothing to score.');
  /** Analysis pixels as pixels of the footage, for the notes. */
  const footagePx = (analysisPx: number): string => ((analysisPx * ex.sourceWidth) / ex.analysisWidth).toFixed(0);
  if (ex.shake.frames > 0) {
    pre.notes.push(`The camera shook: its movement was undone on ${ex.shake.frames} of ${n} analysed frames (up to ${footagePx(ex.shake.maxPx)} pixels of the footage).`);
  }
  if (ex.pan) {
    pre.notes.push(
      `The camera turned between ${ex.pan.startS.toFixed(1)} s and ${ex.pan.endS.toFixed(1)} s (the view moved up to ${footagePx(ex.pan.maxPx)} pixels of the footage): ` +
        'the background followed the view, and tracks and speeds are measured on the scene, not the screen.',
    );
  }
  if (reread) {
    const { repeated, moving } = reread.repeats;
    pre.notes.push(
      `The picture was repeated on ${repeated} of the first ${moving} frames on which objects moved, read at ${reread.fromFps} frames a second: the footage holds about ` +
        `${reread.rate.toFixed(1)} pictures a second, so it was analysed at ${pre.params.fps} frame(s) a second, which reads each picture about once.`,
    );
  }
  const rate = picturesRepeat(ex.repeats, pre.params.fps);
  if (rate !== null) {
    const { moving, repeated } = ex.repeats;
    pre.notes.push(
      `The picture is repeated on ${repeated} of the ${moving} analysed frames on which objects moved: the footage holds about ${rate.toFixed(1)} pictures a second, ` +
        `and objects move in jumps between them, so speeds and tracks are less reliable. Analysing at ${pictureRateFps(rate)} frame(s) a second reads each picture about once.`,
    );
  }
  if (ex.overlay) {
    const sy = ex.sourceHeight / ex.analysisHeight;
    const at = ex.overlay.boxes.map((b) => `${footagePx(b[0])},${(b[1] * sy).toFixed(0)} to ${footagePx(b[2])},${(b[3] * sy).toFixed(0)}`);
    pre.notes.push(
      `Text drawn on the footage (a clock or label) was left out of the analysis: ${(100 * ex.overlay.share).toFixed(1)} % of the picture, ` +
        `at ${at.join('; ')} (pixels of the footage). What lies under it is not seen.`,
    );
  }
  return { ...pre, ex, started, decodeTrackS: (performance.now() - tPass) / 1000, referenceFitS };
}

/** Analyses one video and streams observations and heatmaps to `sink`; see the module comment. */
export async function analyzeVideo(file: string, opts: AnalyzeOptions): Promise<AnalysisResult> {
  const ref = opts.reference ?? 'self';
  if (ref === 'self') return (await analyzeTogether([file], { ...opts, sinks: [opts.sink] }))[0] as AnalysisResult;
  const started = performance.now();
  const progress: ProgressFn = opts.onProgress ?? (() => {});
  const pre = await probeFor(file, opts);
  const { probe, params } = pre;

  // Reference (fit first, so a bad reference fails before the long pass).
  let fitted: FittedReference;
  let span = { from: 0, to: 1 };
  let referenceFitS = 0;
  if (isFitted(ref)) {
    fitted = ref;
  } else {
    span = { from: 0.35, to: 1 };
    const tRef = performance.now();
    fitted = await fitNormality(ref.paths, {
      params: opts.params,
      detector: opts.detector,
      signal: opts.signal,
      onProgress: (f, stage) => progress(f * span.from, stage),
    });
    referenceFitS = (performance.now() - tRef) / 1000;
  }
  if (fitted.detector !== params.detector) {
    throw new VigilError('invalid_input', `The reference was analysed with detector "${fitted.detector}" but this analysis uses "${params.detector}"; labels would not be comparable.`);
  }
  const a = aspectOf(probe);
  if (Math.abs(a / fitted.aspect - 1) > ASPECT_TOLERANCE) {
    throw new VigilError(
      'invalid_input',
      `The footage is ${probe.displayWidth}×${probe.displayHeight} (aspect ${a.toFixed(3)}) but the reference footage has aspect ${fitted.aspect.toFixed(3)}: the reference must show the same camera view (another resolution of the same view is fine).`,
    );
  }
  params.reference = fitted.paths.slice();
  const at = (f: number): number => span.from + (span.to - span.from) * f;
  const x = await extractFor(file, pre, opts, { from: at(0), to: at(0.8) }, started, referenceFitS);
  try {
    throwIfAborted(opts.signal);
    progress(at(0.8), 'fit normality');
    const tFit = performance.now();
    const model = fitted.model;
    const features = featuresOf(x.ex, model.perspective, params);
    const scores = scoreObjects(model, features, x.ex.observations.trackId);
    const fit = { model, features, scores, motionCal: fitted.motion, fitS: (performance.now() - tFit) / 1000 };
    return finishAnalysis(x, fit, opts.sink, { from: at(0.85), to: 1 }, opts);
  } finally {
    x.ex.spool?.dispose();
  }
}

export interface AnalyzeTogetherOptions extends Omit<AnalyzeOptions, 'sink' | 'reference'> {
  /** One sink per file, in order; null = the file only joins the reference (not scored, no result). */
  sinks: (AnalysisSink | null)[];
}

/**
 * Analyses several videos of one camera view with no reference footage: together they are their own
 * reference (self-reference over all of them), so an anomaly is judged against everything that camera
 * recorded, not just its own clip. A clip full of one anomaly cannot make it normal by itself. Every clip is
 * decoded and tracked first (their attribute tables are held together; the spools are on disk), then one
 * model is fit and each clip with a sink is scored and streamed to it in turn.
 */
export async function analyzeTogether(files: readonly string[], opts: AnalyzeTogetherOptions): Promise<(AnalysisResult | null)[]> {
  if (files.length === 0) throw new VigilError('invalid_input', 'No footage to analyse.');
  if (opts.sinks.length !== files.length) throw new VigilError('invalid_input', 'One sink per file is needed.');
  const started = performance.now();
  const progress: ProgressFn = opts.onProgress ?? (() => {});
  const pres: Probed[] = [];
  for (const f of files) pres.push(await probeFor(f, opts));
  const aspect = aspectOf(pres[0].probe);
  pres.forEach((p, i) => {
    const a = aspectOf(p.probe);
    if (Math.abs(a / aspect - 1) > ASPECT_TOLERANCE) {
      throw new VigilError(
        'invalid_input',
        `"${path.basename(files[i])}" is ${p.probe.displayWidth}×${p.probe.displayHeight} (aspect ${a.toFixed(3)}), but "${path.basename(files[0])}" is ${pres[0].probe.displayWidth}×${pres[0].probe.displayHeight} (aspect ${aspect.toFixed(3)}): footage analysed together must show the same camera view.`,
      );
    }
    p.params.reference = 'self';
    if (files.length > 1) p.params.together = files.filter((_, j) => j !== i).slice();
  });
  // share(i): the part of all the footage before clip i (progress and the shared fit are split by duration).
  const ends = [0];
  for (const p of pres) ends.push(ends[ends.length - 1] + Math.max(p.probe.durationS, 0.001));
  const share = (i: number): number => ends[i] / ends[pres.length];
  const xs: Extracted[] = [];
  try {
    for (let i = 0; i < files.length; i++) {
      throwIfAborted(opts.signal);
      xs.push(await extractFor(files[i], pres[i], opts, { from: 0.8 * share(i), to: 0.8 * share(i + 1) }, started));
    }
    throwIfAborted(opts.signal);
    progress(0.8, 'fit normality');
    const tFit = performance.now();
    const samples = { y: [] as number[], h: [] as number[] };
    for (const x of xs) perspectiveSamples(x.ex, samples);
    const perspective = fitPerspective(samples.y, samples.h);
    const inputs = xs.map((x) => {
      const features = featuresOf(x.ex, perspective, x.params);
      return { features, trackIds: linkIdentities(x.ex.observations, features, x.ex.analysisHeight) };
    });
    const p0 = xs[0].params;
    const self = selfReferencedScores(
      inputs,
      xs.map((x) => x.ex.frames.length),
      { ...p0.normality, perspective, aspect, detector: p0.detector, movingSpeed: p0.movingSpeed },
    );
    const stats = xs.map((x) => motionStats(x.ex, perspective, p0.normality.scoreWindowS));
    const motionCal = calibrateMotion(stats.flatMap((v) => Array.from(v)), true, p0.normality.quantile);
    const fitS = (performance.now() - tFit) / 1000;
    const { model } = self;
    if (model.tracks < 4) {
      for (const x of xs) {
        if (x.ex.observations.length > 0) x.notes.push(`Only ${model.tracks} object(s) in the footage: self-reference has little to compare with; mark normal reference footage for reliable scores.`);
      }
    }
    const results: (AnalysisResult | null)[] = [];
    for (let i = 0; i < xs.length; i++) {
      const sink = opts.sinks[i];
      if (!sink) {
        results.push(null);
        continue;
      }
      const span = { from: 0.85 + 0.15 * share(i), to: 0.85 + 0.15 * share(i + 1) };
      // The joint fit is shared: each clip's timings carry its share by duration.
      const fitShare = fitS * (share(i + 1) - share(i));
      const fit = { model, features: inputs[i].features, scores: self.scores[i], motionCal, motionStat: stats[i], fitS: fitShare };
      results.push(finishAnalysis(xs[i], fit, sink, span, opts));
    }
    return results;
  } finally {
    for (const x of xs) x.ex.spool?.dispose();
  }
}

interface Fit {
  model: NormalityModel;
  features: Features;
  scores: ObjectScores;
  motionCal: MotionCalibration;
  /** Per analysed frame, the motion-map statistic, when already read from the spool. */
  motionStat?: Float64Array;
  fitS: number;
}

/** Frame scores, heatmaps and events of one extracted video against its model, streamed to `sink`. */
function finishAnalysis(x: Extracted, fit: Fit, sink: AnalysisSink, span: Span, opts: Omit<AnalyzeOptions, 'sink'>): AnalysisResult {
  const { signal } = opts;
  const progress: ProgressFn = opts.onProgress ?? (() => {});
  const at = (f: number): number => span.from + (span.to - span.from) * f;
  const { ex, params, probe, notes, started, decodeTrackS, referenceFitS } = x;
  const { model, scores, features, motionCal, fitS } = fit;
  const n = ex.frames.length;
  params.perspective = model.perspective;
  params.motionCalibration = motionCal;
  params.frameCalibration = model.frameCalibration;
  throwIfAborted(signal);

  // 3. frame scores.
  const tScore = performance.now();
  progress(at(0), 'score');
  const raw = new Float64Array(n);
  const { frameStart, frameOrder } = features.index;
  // Objects enter the frame score (and events) on the frame scale: a frame holds many objects.
  const frameLevel = new Float64Array(scores.score.length);
  for (let i = 0; i < frameLevel.length; i++) frameLevel[i] = objectFrameScore(model, scores, i);
  const stat = fit.motionStat ?? motionStats(ex, model.perspective, params.normality.scoreWindowS);
  for (let k = 0; k < n; k++) {
    let objects = 0;
    for (let j = frameStart[k]; j < frameStart[k + 1]; j++) objects = Math.max(objects, frameLevel[frameOrder[j]]);
    raw[k] = frameEvidence(objects, params.motionTermWeight * motionZ(motionCal, stat[k]));
  }
  const smoothed = gaussianSmooth(raw, params.sigma);
  const frameIndex = ex.frames.frames;
  const times = ex.frames.times;
  const frames: FrameScore[] = [];
  for (let k = 0; k < n; k++) {
    frames.push({ frame: frameIndex[k], time: round(times[k], 4), raw: round(raw[k], 4), smoothed: round(smoothed[k], 4) });
  }
  const ctx: AssemblyContext = {
    table: ex.observations,
    features,
    scores,
    frameLevel,
    model,
    frameIndex,
    times,
    frameDurationS: ex.frameDurationS,
    scaleX: ex.sourceWidth / ex.analysisWidth,
    scaleY: ex.sourceHeight / ex.analysisHeight,
    analysisWidth: ex.analysisWidth,
    analysisHeight: ex.analysisHeight,
  };
  const trackInfo = summarizeTracks(ctx);
  const scoreS = (performance.now() - tScore) / 1000;

  // Everything that can fail on bad input has run; from here on output is streamed to the sink.
  const t = ex.observations;
  const batch: TrackObservation[] = [];
  for (let k = 0; k < n; k++) {
    for (let j = frameStart[k]; j < frameStart[k + 1]; j++) {
      const i = frameOrder[j];
      const label = features.labels[features.label[i]];
      batch.push({
        trackId: t.trackId[i],
        frame: frameIndex[k],
        time: round(times[k], 4),
        box: toSourceBox(ctx, i),
        label,
        confidence: round(t.confidence[i], 3),
        score: round(scores.score[i], 4),
        speed: Number.isFinite(features.speed[i]) ? round(features.speed[i], 3) : 0,
        direction: Number.isFinite(features.direction[i]) ? round(features.direction[i], 1) : null,
        ...(t.source[i] === SOURCE_INTERPOLATED ? { interpolated: true } : {}),
      });
      if (batch.length >= 500) sink.observations(batch.splice(0));
    }
  }
  if (batch.length) sink.observations(batch.splice(0));

  // 4. heatmaps.
  const tHeat = performance.now();
  const blockScores = new Float32Array(ex.flowGrid.cols * ex.flowGrid.rows);
  const motion = { scores: blockScores, ...ex.flowGrid };
  const cols = params.heatmapWidth;
  const rows = params.heatmapHeight;
  // Only each frame's block speeds are wanted here (window 0: the statistic is not).
  motionStats(ex, model.perspective, 0, (k, speeds, record) => {
    if (k % 64 === 0) {
      throwIfAborted(signal);
      progress(at(0.33 + 0.54 * (k / n)), 'heatmaps');
    }
    for (let b = 0; b < speeds.length; b++) {
      const z = Number.isFinite(speeds[b]) ? motionZ(motionCal, speeds[b]) : 0;
      blockScores[b] = params.motionTermWeight * (z / (1 + z));
    }
    const objects: HeatObject[] = [];
    for (let j = frameStart[k]; j < frameStart[k + 1]; j++) {
      const i = frameOrder[j];
      objects.push({ box: t.box(i), score: scores.score[i] });
    }
    const data = renderHeatmap({ cols, rows, cell: params.heatCell, foreground: record.subarray(0, ex.heatBytes), objects, motion });
    sink.heatmap({ frame: frameIndex[k], width: cols, height: rows, data });
  });
  const heatmapS = (performance.now() - tHeat) / 1000;

  // 5. events.
  const tEv = performance.now();
  progress(at(0.87), 'events');
  const events = n > 1 ? buildEvents(ctx, smoothed, trackInfo, params) : [];
  const tracks = [...trackInfo.values()].map((x) => x.summary).sort((a, b) => a.id - b.id);
  sink.finish({ frames, tracks, events });
  const eventsS = (performance.now() - tEv) / 1000;
  progress(at(1), 'events');

  const totalS = (performance.now() - started) / 1000;
  const durationS = probe.durationS > 0 ? probe.durationS : times[n - 1] + ex.frameDurationS;
  // This clip's own work: reference footage fit beforehand and other clips analysed with it are left out.
  const ownS = decodeTrackS + fitS + scoreS + heatmapS + eventsS;
  return {
    params,
    frames,
    tracks,
    events,
    stats: {
      sourceFrames: probe.frameCount,
      analysedFrames: n,
      durationS: round(durationS, 3),
      observations: t.length,
      tracks: tracks.length,
      detectorRuns: ex.detectorRuns,
      detectorInputSize: ex.detectorInputSize,
      reference: { source: model.source, tracks: model.tracks, observations: model.observations, excludedTracks: model.excludedTracks, k: model.k },
      perspective: model.perspective,
      timings: {
        bootstrapS: round(ex.timings.bootstrapS, 3),
        decodeTrackS: round(decodeTrackS, 3),
        detectS: round(ex.timings.detectS, 3),
        fitS: round(fitS, 3),
        scoreS: round(scoreS, 3),
        heatmapS: round(heatmapS, 3),
        eventsS: round(eventsS, 3),
        totalS: round(totalS, 3),
        referenceFitS: round(referenceFitS, 3),
      },
      realTimeFactor: round(durationS / Math.max(ownS, 1e-6), 2),
      peakRssMB: round(peakRssBytes() / 2 ** 20, 1),
      tableBytes: t.bytes,
      notes,
    },
  };
}

const round = (v: number, d: number): number => Math.round(v * 10 ** d) / 10 ** d;

export { ATTRIBUTE_GROUPS };
