/**
 * Decodes and draws the report's stills. Each still is the exact source frame (by decoded index, through
 * the media frame reader) with the analysis burnt in, and carries the frame's hash:
 *
 *   frame SHA-256 = SHA-256 of the decoded frame as packed RGB24 bytes (width × height × 3, rows top to
 *   bottom, no padding) at the source's display resolution, before any enlargement or overlay.
 *
 * Anyone can recompute it from the original with ffmpeg (frame index K counted from 0 in decode order):
 *
 *   ffmpeg -i ORIGINAL -map 0:v:0 -vf "select=eq(n\,K),format=rgb24" -vsync 0 -frames:v 1 \
 *          -f rawvideo -pix_fmt rgb24 - | sha256sum
 *
 * The value depends on the decoder and the YUV→RGB conversion; it reproduces with the ffmpeg build that
 * Vigil ships. The SHA-256 of the original file is the integrity anchor; the frame hash ties a printed
 * still to one decoded frame of it.
 *
 * Frames are decoded through the media frame reader (exact index and presentation time), one pass per
 * run of nearby wanted frames, and each still is drawn as soon as its frame arrives, so memory holds one
 * decoded frame at a time. The strongest event's peak frame also gives the trajectory overview its
 * background.
 */
import { sha256Buffer } from '../media/hash.js';
import { readFrames } from '../media/frame-reader.js';
import type { ProbeResult } from '../media/probe.js';
import { throwIfAborted, isVigilError, type ProgressFn } from '../errors.js';
import { getHeatmap, getObservations, getTrackObservations } from '../store/analyses.js';
import type { Db } from '../store/db.js';
import type { ReportEvent, ReportKeyframe, ReportModel } from './model.js';
import { encodePng, pngDataUri } from './png.js';
import { fade, resample, type RgbImage } from './raster.js';
import { composeStill, stillSize, type TrackPath } from './still.js';

/** Reproduction command for a frame hash, as printed in the report. */
export const FRAME_HASH_COMMAND = 'ffmpeg -i ORIGINAL -map 0:v:0 -vf "select=eq(n\\,K),format=rgb24" -vsync 0 -frames:v 1 -f rawvideo -pix_fmt rgb24 - | sha256sum';

/** Start and end stills print at a third of the text width: half the pixels of the peak still suffice. */
const SIDE_TARGET = 480;
const SIDE_CAP = 640;

export interface RenderedFigures {
  /** Faded background frame for each exhibit's trajectory overview (PNG data URI), by evidence id. */
  backgrounds: Map<string, string>;
}

/** Wanted frames closer than this (seconds of footage) are decoded in one pass rather than seeking again. */
const ONE_PASS_GAP_S = 5;

interface StillJob {
  event: ReportEvent;
  keyframe: ReportKeyframe;
  paths: TrackPath[];
}

/** Sorted frame indices grouped into runs whose gaps are at most `gap` frames. */
export function frameRuns(frames: readonly number[], gap: number): [number, number][] {
  const sorted = [...new Set(frames)].sort((a, b) => a - b);
  const runs: [number, number][] = [];
  for (const f of sorted) {
    const last = runs[runs.length - 1];
    if (last && f - last[1] <= gap) last[1] = f;
    else runs.push([f, f]);
  }
  return runs;
}

export async function renderKeyframes(
  db: Db,
  model: ReportModel,
  o: { onProgress?: ProgressFn; signal?: AbortSignal } = {},
): Promise<RenderedFigures> {
  const backgrounds = new Map<string, string>();
  const total = model.events.reduce((n, e) => n + e.keyframes.length, 0) || 1;
  let done = 0;
  const tick = () => o.onProgress?.(++done / total);

  for (const x of model.exhibits) {
    const events = model.events.filter((e) => e.evidenceId === x.evidenceId);
    if (!events.length) continue;
    const v = x.verification;
    const unusable =
      v.status === 'mismatch' ? `The original of ${x.label} no longer matches its recorded SHA-256; no stills were decoded from it.`
      : v.status === 'missing' ? `The original of ${x.label} is not available (${v.reason}); no stills could be decoded.`
      : null;
    if (unusable) {
      for (const e of events) for (const k of e.keyframes) {
        k.error = unusable;
        tick();
      }
      model.warnings.push(unusable);
      continue;
    }
    // Which stills need which frame; the overview background is the peak of the strongest event.
    const jobs = new Map<number, StillJob[]>();
    for (const e of events) {
      const paths: TrackPath[] = e.trackIds.map((id) => {
        const obs = getTrackObservations(db, e.analysisId, id);
        return { trackId: id, label: obs[0]?.label ?? '', points: obs.map((ob) => [ob.frame, (ob.box[0] + ob.box[2]) / 2, (ob.box[1] + ob.box[3]) / 2] as const) };
      });
      for (const k of e.keyframes) {
        if (!jobs.has(k.frame)) jobs.set(k.frame, []);
        jobs.get(k.frame)!.push({ event: e, keyframe: k, paths });
      }
    }
    const strongest = events.reduce((a, b) => (b.peakScore > a.peakScore ? b : a));
    const backgroundFrame = strongest.keyframes.find((k) => k.role === 'peak')?.frame ?? null;
    const probe = JSON.parse((db.prepare('SELECT probe_json FROM evidence WHERE id = ?').get(x.evidenceId) as { probe_json: string }).probe_json) as ProbeResult;

    for (const [first, last] of frameRuns([...jobs.keys()], Math.max(1, Math.round(ONE_PASS_GAP_S * (x.fps || 25))))) {
      throwIfAborted(o.signal);
      try {
        for await (const f of readFrames(x.originalPath, { format: 'rgb24', probe, startFrame: first, endFrame: last, signal: o.signal })) {
          const wanted = jobs.get(f.index);
          if (!wanted) continue;
          const source: RgbImage = { width: f.width, height: f.height, data: f.data };
          const sha256 = sha256Buffer(f.data);
          for (const j of wanted) {
            renderStill(db, j, source, f.time, sha256);
            tick();
          }
          jobs.delete(f.index);
          if (f.index === backgroundFrame) backgrounds.set(x.evidenceId, overviewBackground(source));
        }
      } catch (err) {
        if (isVigilError(err) && err.code === 'cancelled') throw err;
        model.warnings.push(`${x.label}: frames ${first}–${last} could not be decoded: ${(err as Error).message}`);
      }
      // Frames the decoder never delivered in this run (past the end, decode failure).
      for (const [frame, wanted] of jobs) {
        if (frame < first || frame > last) continue;
        for (const j of wanted) {
          j.keyframe.error = `Frame ${frame} could not be decoded from ${x.label}.`;
          tick();
        }
        model.warnings.push(`${x.label}: frame ${frame} could not be decoded; its still is missing.`);
        jobs.delete(frame);
      }
    }
  }
  return { backgrounds };
}

function renderStill(db: Db, j: StillJob, source: RgbImage, time: number, sha256: string): void {
  const { event: e, keyframe: k } = j;
  const heat = getHeatmap(db, e.analysisId, k.frame);
  const size = k.role === 'peak' ? stillSize(source.width, source.height) : stillSize(source.width, source.height, SIDE_TARGET, SIDE_CAP);
  const still = composeStill(source, {
    heat: heat && heat.frame === k.frame ? heat : null,
    observations: getObservations(db, e.analysisId, k.frame, k.frame),
    paths: j.paths,
    highlight: e.trackIds,
    frame: k.frame,
  }, size);
  k.time = time;
  k.sha256 = sha256;
  k.png = encodePng(still.data, still.width, still.height);
  k.width = still.width;
  k.height = still.height;
}

/** The frame faded toward white, at most 800 px wide: context for paths drawn over it in print. */
function overviewBackground(src: RgbImage): string {
  const w = Math.min(src.width, 800);
  const h = Math.max(1, Math.round((src.height * w) / src.width));
  const img = w === src.width ? { ...src, data: Uint8Array.from(src.data) } : resample(src, w, h);
  fade(img, 0.45, [255, 255, 255]);
  return pngDataUri(encodePng(img.data, img.width, img.height));
}
