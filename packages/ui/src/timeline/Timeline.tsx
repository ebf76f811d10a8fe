/**
 * The timeline under the player: anomaly score over the footage (smoothed area, raw trace, event
 * threshold), event bands coloured by category, bookmarks, the current-time marker, a thumbnail of the
 * frame under the pointer. Click or drag to seek; click a band to select its event; wheel or the
 * buttons zoom around the pointer, Shift+wheel pans; the window follows the playhead during playback.
 */
import { memo, useEffect, useLayoutEffect, useMemo, useRef, useState, type PointerEvent as ReactPointerEvent, type RefObject } from 'react';
import type { AnomalyEventRecord, Evidence, Note } from '@vigil/engine/contract';
import type { Scores } from '../hooks/use-analysis';
import { useOp } from '../hooks/use-op';
import { categoryColour, categoryLabel } from '../lib/categories';
import { nearestIndex } from '../lib/frames';
import { keepFocus } from '../lib/keys';
import { clampFrame, formatTimecode, type FrameClock } from '../player/frame-math';
import { clampView, curvePath, follow, fullView, panView, tickLabel, ticks, tOf, xOf, zoomView, type View } from './timeline-math';

const RULER_H = 18;
const SCORE_H = 58;
const BAND_H = 14;
const HEIGHT = RULER_H + SCORE_H + BAND_H + 4;
const THUMB_W = 160;
const HOVER_DELAY_MS = 120;

export interface TimelineProps {
  evidence: Evidence;
  clock: FrameClock | null;
  frame: number;
  playing: boolean;
  scores: Scores | null;
  /** An analysis is running or results are loading (the lane says so instead of "no analysis"). */
  scoresNote: string | null;
  events: readonly AnomalyEventRecord[];
  bookmarks: readonly Note[];
  selectedEventId: string | null;
  onSeek: (frame: number) => void;
  onSelectEvent: (event: AnomalyEventRecord) => void;
}

function useWidth(ref: RefObject<HTMLElement | null>): number {
  const [w, setW] = useState(0);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => setW(el.clientWidth);
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, [ref]);
  return w;
}

export function Timeline(p: TimelineProps) {
  const areaRef = useRef<HTMLDivElement | null>(null);
  const width = useWidth(areaRef);
  const duration = p.clock ? p.clock.frameCount / p.clock.fps : p.evidence.durationS;
  const [view, setView] = useState<View>(() => fullView(duration));
  const [hover, setHover] = useState<{ x: number; t: number } | null>(null);
  const scrub = useRef<number | null>(null);

  useEffect(() => setView((v) => clampView(v, duration)), [duration]);

  const fps = p.clock?.fps ?? (p.evidence.fps > 0 ? p.evidence.fps : 25);
  const nowS = p.frame / fps;
  const frameAt = (t: number) => (p.clock ? clampFrame(Math.floor(t * fps + 1e-6), p.clock) : Math.max(0, Math.floor(t * fps)));

  // Keep the playhead in view while playing (and after seeks from elsewhere).
  useEffect(() => {
    if (scrub.current === null) setView((v) => follow(v, nowS, duration));
  }, [nowS, duration]);

  // Wheel: zoom at the pointer; Shift (or a horizontal wheel) pans.
  useEffect(() => {
    const el = areaRef.current;
    if (!el) return;
    const onWheel = (e: WheelEvent) => {
      e.preventDefault();
      const r = el.getBoundingClientRect();
      setView((v) => {
        if (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)) {
          const d = (e.shiftKey ? e.deltaY : e.deltaX) || e.deltaY;
          return panView(v, (d / Math.max(1, r.width)) * (v.end - v.start), duration);
        }
        return zoomView(v, e.deltaY < 0 ? 0.8 : 1.25, tOf(e.clientX - r.left, v, r.width), duration);
      });
    };
    el.addEventListener('wheel', onWheel, { passive: false });
    return () => el.removeEventListener('wheel', onWheel);
  }, [duration]);

  const xAt = (clientX: number) => clientX - (areaRef.current?.getBoundingClientRect().left ?? 0);

  const onPointerDown = (e: ReactPointerEvent<HTMLDivElement>) => {
    if (e.button !== 0 || width === 0) return;
    e.preventDefault();
    const band = (e.target as Element).closest('[data-event-id]');
    if (band) {
      const ev = p.events.find((x) => x.id === band.getAttribute('data-event-id'));
      if (ev) {
        p.onSelectEvent(ev);
        return;
      }
    }
    e.currentTarget.setPointerCapture(e.pointerId);
    scrub.current = e.pointerId;
    p.onSeek(frameAt(tOf(xAt(e.clientX), view, width)));
  };
  const onPointerMove = (e: ReactPointerEvent<HTMLDivElement>) => {
    const x = xAt(e.clientX);
    const t = Math.min(duration, Math.max(0, tOf(x, view, width)));
    setHover({ x: Math.min(width, Math.max(0, x)), t });
    if (scrub.current === e.pointerId) p.onSeek(frameAt(t));
  };
  const onPointerUp = (e: ReactPointerEvent<HTMLDivElement>) => {
    if (scrub.current === e.pointerId) scrub.current = null;
  };

  const zoomCentre = (factor: number) => setView((v) => zoomView(v, factor, nowS >= v.start && nowS <= v.end ? nowS : (v.start + v.end) / 2, duration));
  const playX = xOf(nowS, view, width);
  const zoomed = view.end - view.start < duration - 1e-6;

  return (
    <div className="timeline" data-testid="timeline" data-view-start={view.start.toFixed(3)} data-view-end={view.end.toFixed(3)}>
      <div className="timeline-head">
        <span className="timeline-title">Anomaly score</span>
        {p.scores ? (
          <span className="timeline-legend">
            <span className="legend-swatch smoothed" /> smoothed <span className="legend-swatch raw" /> raw <span className="legend-swatch threshold" /> event threshold{' '}
            {p.scores.enterThreshold.toFixed(2)}
          </span>
        ) : (
          <span className="timeline-legend dim" data-testid="timeline-note">
            {p.scoresNote ?? 'No analysis yet'}
          </span>
        )}
        <span className="timeline-range mono dim">
          {formatTimecode(view.start)} – {formatTimecode(view.end)}
        </span>
        <div className="timeline-zoom">
          <button type="button" className="button small" data-testid="timeline-zoom-out" title="Zoom out" onMouseDown={keepFocus} onClick={() => zoomCentre(1.6)} disabled={!zoomed}>
            −
          </button>
          <button type="button" className="button small" data-testid="timeline-zoom-fit" title="Whole footage" onMouseDown={keepFocus} onClick={() => setView(fullView(duration))} disabled={!zoomed}>
            Fit
          </button>
          <button type="button" className="button small" data-testid="timeline-zoom-in" title="Zoom in" onMouseDown={keepFocus} onClick={() => zoomCentre(1 / 1.6)}>
            +
          </button>
        </div>
      </div>
      <div
        ref={areaRef}
        className="timeline-area"
        style={{ height: HEIGHT }}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerCancel={onPointerUp}
        onPointerLeave={() => setHover(null)}
        role="slider"
        aria-label="Timeline position"
        aria-valuemin={0}
        aria-valuemax={Math.max(0, (p.clock?.frameCount ?? 1) - 1)}
        aria-valuenow={p.frame}
      >
        {width > 0 && (
          <svg width={width} height={HEIGHT} className="timeline-svg">
            <Ruler view={view} width={width} />
            <Lanes view={view} width={width} scores={p.scores} events={p.events} selectedEventId={p.selectedEventId} />
            {p.bookmarks.map((b) => {
              if (b.time === null && b.frame === null) return null;
              const t = b.time ?? (b.frame ?? 0) / fps;
              if (t < view.start || t > view.end) return null;
              const x = xOf(t, view, width);
              return (
                <g key={b.id} data-testid="timeline-bookmark" className="bookmark-marker" transform={`translate(${x.toFixed(1)},0)`}>
                  <title>{b.title}</title>
                  <path d="M0 2 L0 16 M0 2 L7 5 L0 8" />
                </g>
              );
            })}
            {hover && <line className="hover-line" x1={hover.x} x2={hover.x} y1={RULER_H} y2={HEIGHT} />}
            {playX >= -1 && playX <= width + 1 && (
              <g data-testid="timeline-playhead" className="playhead" transform={`translate(${playX.toFixed(1)},0)`}>
                <path d="M-5 0 L5 0 L5 6 L0 11 L-5 6 Z" />
                <line x1={0} x2={0} y1={10} y2={HEIGHT} />
              </g>
            )}
          </svg>
        )}
        {hover && <HoverCard evidence={p.evidence} t={hover.t} x={hover.x} width={width} fps={fps} frame={frameAt(hover.t)} scores={p.scores} events={p.events} />}
      </div>
    </div>
  );
}

function Ruler({ view, width }: { view: View; width: number }) {
  const { step, times } = ticks(view, width);
  return (
    <g className="ruler">
      <rect x={0} y={0} width={width} height={RULER_H} className="ruler-bg" />
      {times.map((t) => {
        const x = xOf(t, view, width);
        return (
          <g key={t} transform={`translate(${x.toFixed(1)},0)`}>
            <line y1={RULER_H - 5} y2={RULER_H} />
            <text x={3} y={RULER_H - 6}>
              {tickLabel(t, step)}
            </text>
          </g>
        );
      })}
    </g>
  );
}

/** Score curve and event bands; memoised so the playhead moving does not rebuild the paths. */
const Lanes = memo(function Lanes({
  view,
  width,
  scores,
  events,
  selectedEventId,
}: {
  view: View;
  width: number;
  scores: Scores | null;
  events: readonly AnomalyEventRecord[];
  selectedEventId: string | null;
}) {
  const yMax = useMemo(() => {
    if (!scores) return 1;
    let m = Math.max(scores.enterThreshold * 1.25, 1);
    for (const v of scores.raw) if (v > m) m = v;
    return m;
  }, [scores]);
  const smoothed = useMemo(() => (scores ? curvePath(scores.times, scores.smoothed, view, width, SCORE_H - 4, yMax) : null), [scores, view, width, yMax]);
  const raw = useMemo(() => (scores ? curvePath(scores.times, scores.raw, view, width, SCORE_H - 4, yMax) : null), [scores, view, width, yMax]);
  const thresholdY = scores ? RULER_H + 4 + (SCORE_H - 4) - (scores.enterThreshold / yMax) * (SCORE_H - 4) : null;
  const bandY = RULER_H + SCORE_H + 2;
  return (
    <g>
      <rect x={0} y={RULER_H} width={width} height={SCORE_H} className="score-bg" />
      {events.map((e) => {
        const x1 = xOf(e.startTime, view, width);
        const x2 = xOf(e.endTime, view, width);
        if (x2 < 0 || x1 > width) return null;
        return <rect key={`col-${e.id}`} x={x1} y={RULER_H} width={Math.max(1, x2 - x1)} height={SCORE_H} fill={categoryColour(e.category)} className="event-column" />;
      })}
      <g transform={`translate(0,${RULER_H + 4})`}>
        {smoothed && <path d={smoothed.area} className="score-area" data-testid="timeline-curve" data-points={scores?.times.length ?? 0} />}
        {raw && <path d={raw.line} className="score-raw" />}
        {smoothed && <path d={smoothed.line} className="score-line" />}
      </g>
      {thresholdY !== null && <line x1={0} x2={width} y1={thresholdY} y2={thresholdY} className="threshold-line" />}
      <rect x={0} y={bandY} width={width} height={BAND_H} className="band-bg" />
      {events.map((e) => {
        const x1 = xOf(e.startTime, view, width);
        const x2 = xOf(e.endTime, view, width);
        if (x2 < 0 || x1 > width) return null;
        const colour = categoryColour(e.category);
        return (
          <g
            key={e.id}
            data-testid="timeline-event"
            data-event-id={e.id}
            data-review-state={e.reviewState}
            className={`event-band state-${e.reviewState}${e.id === selectedEventId ? ' selected' : ''}`}
          >
            <title>
              {categoryLabel(e.category)} · {formatTimecode(e.startTime)} – {formatTimecode(e.endTime)} · {Math.round(e.confidence * 100)}% · {e.reviewState}
            </title>
            <rect x={x1} y={bandY} width={Math.max(3, x2 - x1)} height={BAND_H} rx={2} fill={colour} stroke={colour} />
          </g>
        );
      })}
    </g>
  );
});

/** Frame, time and score under the pointer, with a thumbnail fetched once the pointer rests. */
function HoverCard({ evidence, t, x, width, fps, frame, scores, events }: { evidence: Evidence; t: number; x: number; width: number; fps: number; frame: number; scores: Scores | null; events: readonly AnomalyEventRecord[] }) {
  // Thumbnails every quarter second are plenty for finding a moment; the readout stays exact.
  const thumbFrame = Math.max(0, Math.round(Math.round(t * 4) / 4 * fps));
  const [settled, setSettled] = useState<number | null>(null);
  useEffect(() => {
    const id = setTimeout(() => setSettled(thumbFrame), HOVER_DELAY_MS);
    return () => clearTimeout(id);
  }, [thumbFrame]);
  const thumb = useOp('evidence.thumbnail', settled !== null ? { evidenceId: evidence.id, frame: Math.min(settled, Math.max(0, evidence.frameCount - 1)), width: THUMB_W } : null);
  const score = scores ? scoreAt(scores, t) : null;
  const inEvent = events.find((e) => t >= e.startTime && t <= e.endTime);
  const left = Math.min(Math.max(0, x - THUMB_W / 2 - 6), Math.max(0, width - THUMB_W - 12));
  const thumbH = Math.round((THUMB_W * evidence.height) / Math.max(1, evidence.width));
  return (
    <div className="hover-card" data-testid="timeline-hover" style={{ left }}>
      <div className="hover-thumb" style={{ width: THUMB_W, height: thumbH }}>
        {thumb.data ? (
          <img data-testid="timeline-thumbnail" data-frame={thumb.data.frame} src={`data:${thumb.data.mime};base64,${thumb.data.data}`} width={THUMB_W} height={thumbH} alt={`Frame ${thumb.data.frame}`} />
        ) : (
          <span className="dim">{thumb.error ? 'no preview' : '…'}</span>
        )}
      </div>
      <div className="hover-text mono">
        <span>{formatTimecode(t)}</span>
        <span className="dim">f {frame}</span>
        {score !== null && <span>s {score.toFixed(2)}</span>}
      </div>
      {inEvent && (
        <div className="hover-event" style={{ color: categoryColour(inEvent.category) }}>
          {categoryLabel(inEvent.category)}
        </div>
      )}
    </div>
  );
}

/** Smoothed score at time t (nearest analysed frame). */
function scoreAt(s: Scores, t: number): number | null {
  const i = nearestIndex(s.times, t);
  return i < 0 ? null : s.smoothed[i];
}
