/**
 * Appearance of a tracked object: its dominant colours measured from the original footage's pixels inside
 * its boxes, on up to three of its largest un-interpolated observations (large boxes hold the most pixels
 * of the object itself). Frames are read exactly by index, so every measurement cites real frames.
 */
import { existsSync } from 'node:fs';
import { VigilError } from '../errors.js';
import { readFrameAt } from '../media/frame-reader.js';
import { measureColours, type ColourMeasure } from './colour.js';
import type { EvidenceModel, Moment } from './evidence-model.js';

export interface TrackAppearance extends ColourMeasure {
  trackId: number;
  /** The observations measured (frame, time, box). */
  samples: Moment[];
}

const cache = new Map<string, TrackAppearance>();
const CACHE_SIZE = 256;

export async function measureTrackAppearance(m: EvidenceModel, trackId: number, signal?: AbortSignal): Promise<TrackAppearance> {
  const path = m.info.path;
  if (!path || !existsSync(path)) {
    throw new VigilError('not_found', `The original footage of ${m.info.fileName} is not accessible${path ? ` at ${path}` : ''}, so colours cannot be measured.`);
  }
  const key = `${path}|${m.data.analysisId ?? 'mem'}|${trackId}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const f = m.facts(trackId);
  const seen = f.obs.filter((o) => !o.interpolated && o.box[2] - o.box[0] >= 2 && o.box[3] - o.box[1] >= 2);
  if (!seen.length) throw new VigilError('invalid_input', `Track ${trackId} has no observed box large enough to measure colours.`);
  // The largest box of each third of the track: spread over time, so one bad frame does not decide.
  const picks: typeof seen = [];
  for (let k = 0; k < 3; k++) {
    const part = seen.slice(Math.floor((k * seen.length) / 3), Math.max(Math.floor(((k + 1) * seen.length) / 3), Math.floor((k * seen.length) / 3) + 1));
    if (!part.length) continue;
    const best = part.reduce((a, b) => ((b.box[2] - b.box[0]) * (b.box[3] - b.box[1]) > (a.box[2] - a.box[0]) * (a.box[3] - a.box[1]) ? b : a));
    if (!picks.some((p) => p.frame === best.frame)) picks.push(best);
  }
  const samples = [];
  for (const o of picks) {
    const fr = await readFrameAt(path, o.frame, { format: 'rgb24', signal });
    samples.push({ image: { width: fr.width, height: fr.height, data: fr.data }, box: o.box });
  }
  const measure = measureColours(samples);
  const out: TrackAppearance = { ...measure, trackId, samples: picks.map((o) => ({ time: o.time, frame: o.frame, box: o.box })) };
  cache.set(key, out);
  if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  return out;
}
