/**
 * Citations: the evidence a sentence rests on — an interval of one evidence item, optionally a frame, the
 * tracks involved and their boxes in that frame. Built only from stored analysis output, and checked
 * against it (`validateCitation`) before an answer leaves the engine.
 */
import type { Box } from '../analysis/types.js';
import type { EvidenceModel, Moment } from './evidence-model.js';

export interface Citation {
  evidenceId: string;
  /** Seconds of the evidence. */
  startTime: number;
  endTime: number;
  frame?: number;
  trackIds?: number[];
  boxes?: { trackId: number; box: Box }[];
}

const r3 = (v: number) => Math.round(v * 1000) / 1000;

/** Seconds for sentences: two decimals at most, at least one ("6.0", "12.35"). */
export function fmtS(t: number): string {
  const s = (Math.round(t * 100) / 100).toString();
  return s.includes('.') ? s : `${s}.0`;
}

/** "[6.0, 18.0] s" */
export function fmtInterval(start: number, end: number): string {
  return `[${fmtS(start)}, ${fmtS(end)}] s`;
}

export function citeInterval(m: EvidenceModel, start: number, end: number, extra: Partial<Omit<Citation, 'evidenceId' | 'startTime' | 'endTime'>> = {}): Citation {
  const c: Citation = { evidenceId: m.evidenceId, startTime: r3(Math.max(0, start)), endTime: r3(Math.max(start, end)) };
  if (extra.frame !== undefined) c.frame = extra.frame;
  if (extra.trackIds?.length) c.trackIds = [...new Set(extra.trackIds)];
  if (extra.boxes?.length) c.boxes = extra.boxes.map((b) => ({ trackId: b.trackId, box: b.box.map(r3) as Box }));
  return c;
}

/** A track over an interval, with its box at one moment of it. */
export function citeTrackAt(m: EvidenceModel, trackId: number, start: number, end: number, moment: Moment | null): Citation {
  return citeInterval(m, start, end, { trackIds: [trackId], ...(moment ? { frame: moment.frame, boxes: [{ trackId, box: moment.box }] } : {}) });
}

export interface CitationCheck {
  ok: boolean;
  reason?: string;
}

/**
 * A citation is valid when it names this evidence, its interval lies within the analysed span, its frame
 * is an analysed frame inside the interval, every cited track exists and was observed during the interval,
 * and every cited box is the stored box of that track at the cited frame.
 */
export function validateCitation(m: EvidenceModel, c: Citation): CitationCheck {
  const fd = m.frameDurationS;
  const tol = fd + 1e-3;
  if (c.evidenceId !== m.evidenceId) return { ok: false, reason: `evidence ${c.evidenceId} is not ${m.evidenceId}` };
  if (!Number.isFinite(c.startTime) || !Number.isFinite(c.endTime) || c.endTime < c.startTime) return { ok: false, reason: `interval [${c.startTime}, ${c.endTime}] is not an interval` };
  const [s0, s1] = m.analysedSpan;
  if (c.startTime < s0 - tol || c.endTime > s1 + tol) return { ok: false, reason: `interval [${c.startTime}, ${c.endTime}] lies outside the analysed span [${s0}, ${s1}]` };
  if (c.frame !== undefined) {
    const f = m.frameByIndex(c.frame);
    if (!f) return { ok: false, reason: `frame ${c.frame} was not analysed` };
    if (f.time < c.startTime - tol || f.time > c.endTime + tol) return { ok: false, reason: `frame ${c.frame} (${f.time} s) is outside [${c.startTime}, ${c.endTime}]` };
  }
  for (const id of c.trackIds ?? []) {
    const t = m.track(id);
    if (!t) return { ok: false, reason: `track ${id} does not exist` };
    if (t.endTime < c.startTime - tol || t.startTime > c.endTime + tol) return { ok: false, reason: `track ${id} ([${t.startTime}, ${t.endTime}]) was not observed during [${c.startTime}, ${c.endTime}]` };
  }
  if (c.boxes?.length) {
    if (c.frame === undefined) return { ok: false, reason: 'boxes are cited without a frame' };
    const obs = m.data.observations(c.frame, c.frame, c.boxes.map((b) => b.trackId));
    for (const b of c.boxes) {
      const o = obs.find((x) => x.trackId === b.trackId);
      if (!o) return { ok: false, reason: `track ${b.trackId} has no box at frame ${c.frame}` };
      if (o.box.some((v, i) => Math.abs(v - b.box[i]) > 0.01)) return { ok: false, reason: `box of track ${b.trackId} at frame ${c.frame} differs from the stored one` };
    }
  }
  return { ok: true };
}
