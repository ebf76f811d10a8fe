/**
 * `vigil analyze FILE --out result.json [--reference a.mp4,b.mp4|self | --together c.mp4,d.mp4] [--fps N] [--width N]
 * [--detector nanodet|centernet|none] [--params JSON|FILE] [--heatmaps] --json`: anomaly analysis of one video without a case
 * database, for batch work. The JSON file holds the parameters, frame scores, tracks, events, statistics and
 * every tracked observation (heatmaps too with --heatmaps, base64 uint8); stdout gets a summary.
 */
import { existsSync, readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { analyzeTogether, analyzeVideo, type AnalysisResult } from '../../analysis/pipeline.js';
import type { FullAnalysisParams } from '../../analysis/params.js';
import type { AnalysisSink, HeatmapFrame, TrackObservation } from '../../analysis/types.js';
import { VigilError, type ProgressFn } from '../../errors.js';
import { flag, numberFlag, type ParsedArgs } from '../args.js';
import { openDetector } from '../../analysis/detector-choice.js';

export interface AnalyzeFileSummary {
  out: string;
  durationS: number;
  analysedFrames: number;
  tracks: number;
  events: AnalysisResult['events'];
  stats: AnalysisResult['stats'];
}

/** Analysis parameter overrides common to `analyze` and `eval`. */
export function paramOverrides(a: ParsedArgs): Partial<FullAnalysisParams> {
  const o: Partial<FullAnalysisParams> = paramsFlag(a);
  const fps = numberFlag(a, 'fps');
  if (fps !== undefined) {
    if (!(fps > 0)) throw new VigilError('invalid_input', `--fps must be a positive number of analysed frames per second, got ${fps}.`);
    o.fps = fps;
  }
  const width = numberFlag(a, 'width');
  if (width !== undefined) {
    if (!(width >= 16)) throw new VigilError('invalid_input', `--width must be at least 16 pixels, got ${width}.`);
    o.analysisWidth = width;
  }
  const sigma = numberFlag(a, 'sigma');
  if (sigma !== undefined) {
    if (!(sigma >= 0)) throw new VigilError('invalid_input', `--sigma must be ≥ 0 seconds, got ${sigma}.`);
    o.sigmaS = sigma;
  }
  return o;
}

/**
 * `--params JSON|FILE`: any analysis parameters as a JSON object (inline, or a file such as the `params` of
 * an earlier result), so a recorded run can be repeated exactly. resolveParams checks the values.
 */
function paramsFlag(a: ParsedArgs): Partial<FullAnalysisParams> {
  const v = flag(a, 'params');
  if (v === undefined) return {};
  let text = v;
  if (!v.trimStart().startsWith('{')) {
    if (!existsSync(v)) throw new VigilError('not_found', `--params must be a JSON object or a JSON file; no such file: ${v}`);
    text = readFileSync(v, 'utf8');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new VigilError('invalid_input', `--params is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new VigilError('invalid_input', '--params must be a JSON object of analysis parameters.');
  // Which footage and detector to use are chosen by their own flags, never smuggled in with the parameters.
  const { reference: _r, detector: _d, ...rest } = parsed as Record<string, unknown>;
  return rest as Partial<FullAnalysisParams>;
}

export async function runAnalyzeFile(a: ParsedArgs, opts: { onProgress?: ProgressFn; signal?: AbortSignal } = {}): Promise<AnalyzeFileSummary> {
  const file = a.positionals[0];
  if (!file) throw new VigilError('invalid_input', 'Give the video to analyse: vigil analyze FILE --out result.json');
  const input = path.resolve(file);
  if (!existsSync(input)) throw new VigilError('not_found', `No such file: ${input}`);
  const outFlag = flag(a, 'out');
  if (!outFlag) throw new VigilError('invalid_input', '--out is required (the JSON file to write the result to).');
  const out = path.resolve(outFlag);
  if (!existsSync(path.dirname(out))) throw new VigilError('not_found', `The folder for --out does not exist: ${path.dirname(out)}`);

  const clips = (name: string): string[] => {
    const paths = (flag(a, name) ?? '').split(',').map((p) => p.trim()).filter(Boolean).map((p) => path.resolve(p));
    for (const p of paths) if (!existsSync(p)) throw new VigilError('not_found', `Reference clip not found: ${p}`);
    return paths;
  };
  const refFlag = flag(a, 'reference');
  const reference: { paths: string[] } | 'self' = refFlag && refFlag !== 'self' ? { paths: clips('reference') } : 'self';
  const together = clips('together');
  if (reference !== 'self' && together.length) throw new VigilError('invalid_input', 'Give --reference (footage known to be normal) or --together (footage of the same camera to analyse with), not both.');
  const params = paramOverrides(a);
  const hm = a.flags.heatmaps;
  const withHeatmaps = hm === true || hm === 'true' || hm === '1' || hm === 'yes';

  const observations: TrackObservation[] = [];
  const heatmaps: { frame: number; width: number; height: number; data: string }[] = [];
  const sink: AnalysisSink = {
    observations: (b) => {
      for (const o of b) observations.push(o);
    },
    heatmap: (h: HeatmapFrame) => {
      if (withHeatmaps) heatmaps.push({ frame: h.frame, width: h.width, height: h.height, data: Buffer.from(h.data).toString('base64') });
    },
    finish: () => {},
  };
  const detector = await openDetector(flag(a, 'detector'));
  let result: AnalysisResult;
  try {
    const common = { params, detector, onProgress: opts.onProgress, signal: opts.signal };
    result = together.length
      ? (await analyzeTogether([input, ...together], { ...common, sinks: [sink, ...together.map(() => null)] }))[0]!
      : await analyzeVideo(input, { ...common, reference, sink });
  } finally {
    await detector?.dispose();
  }
  const doc = {
    file: input,
    params: result.params,
    stats: result.stats,
    events: result.events,
    tracks: result.tracks,
    frames: result.frames,
    observations,
    ...(withHeatmaps ? { heatmaps } : {}),
  };
  // Write beside the target and rename, so an interrupted run never leaves half a file.
  const tmp = `${out}.partial-${process.pid}`;
  await writeFile(tmp, JSON.stringify(doc));
  await rename(tmp, out);
  return {
    out,
    durationS: result.stats.durationS,
    analysedFrames: result.stats.analysedFrames,
    tracks: result.tracks.length,
    events: result.events,
    stats: result.stats,
  };
}
