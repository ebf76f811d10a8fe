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
 * The same decoded frames give the trajectory overview its background.
 */
import { sha256Buffer } from '../media/hash.js';
import { readFrameAt } from '../media/frame-reader.js';
import type { ProbeResult } from '../media/probe.js';
import { throwIfAborted, isVigilError, type ProgressFn } from '../errors.js';
import { getHeatmap, getObservations, getTrackObservations } from '../store/analyses.js';
import type { Db } from '../store/db.js';
import type { ReportModel } from './model.js';
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

export async function renderKeyframes(
  db: Db,
  model: ReportModel,
  o: { onProgress?: ProgressFn; signal?: AbortSignal } = {},
): Promise<RenderedFigures> {
  const exhibits = new Map(model.exhibits.map((x) => [x.evidenceId, x]));
  const probes = new Map<string, ProbeResult>();
  const probeOf = (evidenceId: string) => {
    if (!probes.has(evidenceId)) {
      const r = db.prepare('SELECT probe_json FROM evidence WHERE id = ?').get(evidenceId) as { probe_json: string };
      probes.set(evidenceId, JSON.parse(r.probe_json) as ProbeResult);
    }
    return probes.get(evidenceId)!;
  };
  const backgrounds = new Map<string, string>();
  const backgroundFrom = new Map<string, number>(); // evidence id → peak score of the event the background came from
  const total = model.events.reduce((n, e) => n + e.keyframes.length, 0) || 1;
  let done = 0;

  for (const e of model.events) {
    const x = exhibits.get(e.evidenceId)!;
    const v = x.verification;
    const unusable =
      v.status === 'mismatch' ? `The original of ${x.label} no longer matches its recorded SHA-256; no stills were decoded from it.`
      : v.status === 'missing' ? `The original of ${x.label} is not available (${v.reason}); no stills could be decoded.`
      : null;
    const paths: TrackPath[] = e.trackIds.map((id) => {
      const obs = getTrackObservations(db, e.analysisId, id);
      return { trackId: id, label: obs[0]?.label ?? '', points: obs.map((ob) => [ob.frame, (ob.box[0] + ob.box[2]) / 2, (ob.box[1] + ob.box[3]) / 2] as const) };
    });
    for (const k of e.keyframes) {
      throwIfAborted(o.signal);
      if (unusable) {
        k.error = unusable;
      } else {
        try {
          const f = await readFrameAt(x.originalPath, k.frame, { format: 'rgb24', probe: probeOf(e.evidenceId), signal: o.signal });
          const source: RgbImage = { width: f.width, height: f.height, data: f.data };
          k.time = f.time;
          k.sha256 = sha256Buffer(f.data);
          const heat = getHeatmap(db, e.analysisId, k.frame);
          const still = composeStill(source, {
            heat: heat && heat.frame === k.frame ? heat : null,
            observations: getObservations(db, e.analysisId, k.frame, k.frame),
            paths,
            highlight: e.trackIds,
            frame: k.frame,
          }, k.role === 'peak' ? stillSize(source.width, source.height) : stillSize(source.width, source.height, SIDE_TARGET, SIDE_CAP));
          k.png = encodePng(still.data, still.width, still.height);
          k.width = still.width;
          k.height = still.height;
          if (k.role === 'peak' && (backgroundFrom.get(e.evidenceId) ?? -Infinity) < e.peakScore) {
            backgroundFrom.set(e.evidenceId, e.peakScore);
            backgrounds.set(e.evidenceId, overviewBackground(source));
          }
        } catch (err) {
          if (isVigilError(err) && err.code === 'cancelled') throw err;
          k.error = `Frame ${k.frame} could not be decoded: ${(err as Error).message}`;
          model.warnings.push(`${e.label}: ${k.error}`);
        }
      }
      done++;
      o.onProgress?.(done / total);
    }
    if (unusable && !model.warnings.includes(unusable)) model.warnings.push(unusable);
  }
  return { backgrounds };
}

/** The frame faded toward white, at most 800 px wide: context for paths drawn over it in print. */
function overviewBackground(src: RgbImage): string {
  const w = Math.min(src.width, 800);
  const h = Math.max(1, Math.round((src.height * w) / src.width));
  const img = w === src.width ? { ...src, data: Uint8Array.from(src.data) } : resample(src, w, h);
  fade(img, 0.45, [255, 255, 255]);
  return pngDataUri(encodePng(img.data, img.width, img.height));
}
