/**
 * The picture: the <video> and the overlay canvas in one "frame" element fitted to the stage, zoomed and
 * panned together (so they cannot drift apart), plus the pointer work on it: wheel zoom at the pointer,
 * drag to pan, click a box to select its track, click to place zone vertices.
 *
 * Keys (outside text fields): + / − zoom, 0 reset zoom; while drawing a zone: Enter closes it,
 * Backspace removes the last vertex, Escape cancels.
 */
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type PointerEvent as ReactPointerEvent, type ReactNode, type RefObject } from 'react';
import type { Evidence } from '@vigil/engine/contract';
import { useOverlayData } from '../hooks/use-analysis';
import { useOp } from '../hooks/use-op';
import { isShortcutEvent, keepFocus } from '../lib/keys';
import { useReview } from '../review/review-context';
import { OverlayCanvas } from './OverlayCanvas';
import { clampPan, clientToSource, containRect, hitBox, IDENTITY, zoomAt, type Rect, type ZoomPan } from './view-transform';

const CLICK_SLOP_PX = 4;
const CLOSE_RADIUS_PX = 10;
const WHEEL_STEP = 1.15;

export interface StageProps {
  evidence: Evidence;
  videoRef: RefObject<HTMLVideoElement | null>;
  src: string | null;
  shownFrame: number;
  playing: boolean;
  fps: number;
  analysisId: string | null;
  analysedFrames: readonly number[] | undefined;
  threshold: number;
  /** Notices drawn over the stage (loading, errors, no playback). */
  children?: ReactNode;
}

export function Stage(p: StageProps) {
  const review = useReview();
  const { overlay: settings, zoneDraft, setZoneDraft, selectedTrackId, setSelectedTrackId, highlight } = review;
  const stageRef = useRef<HTMLDivElement | null>(null);
  const frameRef = useRef<HTMLDivElement | null>(null);
  const [stage, setStage] = useState({ w: 0, h: 0 });
  const [intrinsic, setIntrinsic] = useState<{ w: number; h: number } | null>(null);
  const [zoom, setZoom] = useState<ZoomPan>(IDENTITY);
  const [hover, setHover] = useState<[number, number] | null>(null);
  // Track under the pointer and where the pointer is in the stage (for the hover tag).
  const [hoverBox, setHoverBox] = useState<{ trackId: number; x: number; y: number } | null>(null);

  const srcW = p.evidence.width;
  const srcH = p.evidence.height;
  // The picture's aspect comes from the decoded video when known (display orientation), else the probe.
  const aspectW = intrinsic?.w ?? srcW;
  const aspectH = intrinsic?.h ?? srcH;
  const frame: Rect = useMemo(() => containRect(stage.w, stage.h, aspectW, aspectH), [stage.w, stage.h, aspectW, aspectH]);

  useLayoutEffect(() => {
    const el = stageRef.current;
    if (!el) return;
    const measure = () => setStage((s) => (s.w === el.clientWidth && s.h === el.clientHeight ? s : { w: el.clientWidth, h: el.clientHeight }));
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  useEffect(() => {
    const v = p.videoRef.current;
    if (!v) return;
    const onMeta = () => v.videoWidth > 0 && setIntrinsic({ w: v.videoWidth, h: v.videoHeight });
    v.addEventListener('loadedmetadata', onMeta);
    onMeta();
    return () => v.removeEventListener('loadedmetadata', onMeta);
  }, [p.videoRef, p.src]);

  // Zoom stays valid when the stage is resized.
  useEffect(() => setZoom((z) => clampPan(z, frame)), [frame]);

  const data = useOverlayData(p.analysisId, p.analysedFrames, p.shownFrame, { heatmap: settings.heatmap, playing: p.playing });
  const zones = useOp('zones.list', review.caseItem ? { caseId: review.caseItem.id, evidenceId: p.evidence.id } : null);

  const toSource = useCallback(
    (clientX: number, clientY: number): [number, number] | null => {
      const el = frameRef.current;
      if (!el) return null;
      const r = el.getBoundingClientRect();
      return clientToSource(clientX, clientY, { x: r.left, y: r.top, w: r.width, h: r.height }, srcW, srcH);
    },
    [srcW, srcH],
  );

  // Screen pixels per source pixel (for "near the first vertex" and hit slack).
  const screenScale = srcW > 0 ? (frame.w * zoom.scale) / srcW : 1;

  // ---- wheel zoom (non-passive so the page does not scroll) ----
  useEffect(() => {
    const el = stageRef.current;
    if (!el) return;
    const onWheel = (e: WheelEvent) => {
      e.preventDefault();
      const r = el.getBoundingClientRect();
      const factor = e.deltaY < 0 ? WHEEL_STEP : 1 / WHEEL_STEP;
      setZoom((z) => zoomAt(z, factor, e.clientX - r.left - frame.x, e.clientY - r.top - frame.y, frame));
    };
    el.addEventListener('wheel', onWheel, { passive: false });
    return () => el.removeEventListener('wheel', onWheel);
  }, [frame]);

  const zoomBy = useCallback((factor: number) => setZoom((z) => zoomAt(z, factor, frame.w / 2, frame.h / 2, frame)), [frame]);

  // ---- zone drafting helpers ----
  const drafting = zoneDraft !== null && !zoneDraft.closed;
  const closeDraft = useCallback(() => {
    if (zoneDraft && !zoneDraft.closed && zoneDraft.points.length >= 3) setZoneDraft({ ...zoneDraft, closed: true });
  }, [zoneDraft, setZoneDraft]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!isShortcutEvent(e)) return;
      let handled = true;
      if (drafting && e.key === 'Enter') closeDraft();
      else if (drafting && e.key === 'Backspace') setZoneDraft({ ...zoneDraft!, points: zoneDraft!.points.slice(0, -1), closed: false });
      else if (zoneDraft && e.key === 'Escape') setZoneDraft(null);
      else if (e.key === '+' || e.key === '=') zoomBy(WHEEL_STEP * WHEEL_STEP);
      else if (e.key === '-' || e.key === '_') zoomBy(1 / (WHEEL_STEP * WHEEL_STEP));
      else if (e.key === '0') setZoom(IDENTITY);
      else handled = false;
      if (handled) e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [drafting, zoneDraft, setZoneDraft, closeDraft, zoomBy]);

  // ---- pointer: click vs drag ----
  const drag = useRef<{ id: number; x: number; y: number; tx: number; ty: number; moved: boolean } | null>(null);
  const observations = data.overlay?.observations ?? [];

  const onPointerDown = (e: ReactPointerEvent<HTMLDivElement>) => {
    if (e.button !== 0) return;
    e.preventDefault();
    e.currentTarget.setPointerCapture(e.pointerId);
    drag.current = { id: e.pointerId, x: e.clientX, y: e.clientY, tx: zoom.tx, ty: zoom.ty, moved: false };
  };

  const onPointerMove = (e: ReactPointerEvent<HTMLDivElement>) => {
    const d = drag.current;
    if (d && d.id === e.pointerId) {
      const dx = e.clientX - d.x;
      const dy = e.clientY - d.y;
      if (!d.moved && Math.hypot(dx, dy) > CLICK_SLOP_PX) d.moved = true;
      if (d.moved && zoom.scale > 1) setZoom((z) => clampPan({ scale: z.scale, tx: d.tx + dx, ty: d.ty + dy }, frame));
      return;
    }
    const pt = toSource(e.clientX, e.clientY);
    if (drafting) setHover(pt);
    else if (pt && settings.boxes) {
      const i = hitBox(observations.map((o) => o.box), pt[0], pt[1], 3 / screenScale);
      const r = stageRef.current?.getBoundingClientRect();
      setHoverBox(i >= 0 && r ? { trackId: observations[i].trackId, x: e.clientX - r.left, y: e.clientY - r.top } : null);
    }
  };

  const onPointerUp = (e: ReactPointerEvent<HTMLDivElement>) => {
    const d = drag.current;
    drag.current = null;
    if (!d || d.id !== e.pointerId || d.moved) return;
    const pt = toSource(e.clientX, e.clientY);
    if (!pt) return;
    if (drafting) {
      const [x, y] = [Math.min(srcW, Math.max(0, pt[0])), Math.min(srcH, Math.max(0, pt[1]))];
      const first = zoneDraft!.points[0];
      if (first && zoneDraft!.points.length >= 3 && Math.hypot(first[0] - x, first[1] - y) * screenScale <= CLOSE_RADIUS_PX) closeDraft();
      else setZoneDraft({ ...zoneDraft!, points: [...zoneDraft!.points, [Math.round(x * 10) / 10, Math.round(y * 10) / 10]], closed: false });
      return;
    }
    const hit = settings.boxes ? hitBox(observations.map((o) => o.box), pt[0], pt[1], 3 / screenScale) : -1;
    setSelectedTrackId(hit >= 0 ? observations[hit].trackId : null);
  };

  const cursor = drafting ? 'crosshair' : hoverBox ? 'pointer' : zoom.scale > 1 ? 'grab' : 'default';
  const hovered = hoverBox ? (observations.find((o) => o.trackId === hoverBox.trackId) ?? null) : null;

  return (
    <div className="stage" ref={stageRef} data-testid="stage" data-zoom={zoom.scale.toFixed(2)}>
      <div
        ref={frameRef}
        className="frame"
        data-testid="frame"
        style={{ left: frame.x, top: frame.y, width: frame.w, height: frame.h, transform: `translate(${zoom.tx}px, ${zoom.ty}px) scale(${zoom.scale})`, cursor }}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerCancel={() => (drag.current = null)}
        onPointerLeave={() => {
          setHover(null);
          setHoverBox(null);
        }}
      >
        {p.src && <video ref={p.videoRef} className="video" data-testid="video" src={p.src} preload="auto" playsInline disablePictureInPicture muted={false} />}
        {p.src && (
          <OverlayCanvas
            srcW={srcW}
            srcH={srcH}
            fps={p.fps}
            shownFrame={p.shownFrame}
            overlay={p.analysisId ? data.overlay : null}
            heatmap={p.analysisId ? data.heatmap : null}
            zones={zones.data ?? []}
            settings={settings}
            threshold={p.threshold}
            selectedTrackId={selectedTrackId}
            citation={highlight && highlight.citation.evidenceId === p.evidence.id ? highlight.citation : null}
            zoneDraft={zoneDraft ? { points: zoneDraft.points, closed: zoneDraft.closed, hover } : null}
            zoom={zoom.scale}
          />
        )}
      </div>
      {p.children}
      {hovered && hoverBox && !drafting && (
        <div className="box-tip" data-testid="box-tip" style={{ left: Math.min(hoverBox.x + 14, stage.w - 190), top: Math.min(hoverBox.y + 14, stage.h - 90) }}>
          <div className="box-tip-head">
            <span className="mono">#{hovered.trackId}</span> {hovered.label === 'unknown' ? 'unclassified object' : hovered.label}
            {hovered.interpolated && <span className="dim"> (interpolated)</span>}
          </div>
          <div className="mono box-tip-grid">
            <span className="dim">score</span>
            <span>{hovered.score.toFixed(2)}</span>
            <span className="dim">speed</span>
            <span>{hovered.speed.toFixed(2)} h/s</span>
            <span className="dim">heading</span>
            <span>{hovered.direction === null ? '—' : `${Math.round(hovered.direction)}°`}</span>
            <span className="dim">conf.</span>
            <span>{hovered.confidence.toFixed(2)}</span>
          </div>
        </div>
      )}
      {p.analysisId && selectedTrackId !== null && <SelectedTrackCard analysisId={p.analysisId} trackId={selectedTrackId} onClose={() => setSelectedTrackId(null)} />}
      {drafting && (
        <div className="stage-hint" data-testid="zone-draw-hint">
          Click to place vertices · <kbd>Enter</kbd> or click the first vertex to close · <kbd>Backspace</kbd> undo · <kbd>Esc</kbd> cancel
          <span className="dim"> ({zoneDraft!.points.length} points)</span>
        </div>
      )}
      {p.src && (
        <div className="zoom-controls" onPointerDown={(e) => e.stopPropagation()}>
          <button type="button" className="button icon small" title="Zoom out (−)" aria-label="Zoom out" onMouseDown={keepFocus} onClick={() => zoomBy(1 / (WHEEL_STEP * WHEEL_STEP))} disabled={zoom.scale <= 1}>
            −
          </button>
          <button type="button" className="button small zoom-level" title="Reset zoom (0)" data-testid="zoom-reset" onMouseDown={keepFocus} onClick={() => setZoom(IDENTITY)}>
            {Math.round(zoom.scale * 100)}%
          </button>
          <button type="button" className="button icon small" title="Zoom in (+)" aria-label="Zoom in" onMouseDown={keepFocus} onClick={() => zoomBy(WHEEL_STEP * WHEEL_STEP)}>
            +
          </button>
        </div>
      )}
    </div>
  );
}

/** What is known about the selected track: its path in words and the attributes that made it stand out. */
function SelectedTrackCard({ analysisId, trackId, onClose }: { analysisId: string; trackId: number; onClose: () => void }) {
  const tracks = useOp('analysis.tracks', { analysisId });
  const t = tracks.data?.find((x) => x.id === trackId);
  if (!t) return null;
  return (
    <div className="track-card" data-testid="track-card" data-track-id={t.id} onPointerDown={(e) => e.stopPropagation()}>
      <div className="track-card-head">
        <span className="mono">#{t.id}</span>
        <span>{t.label === 'unknown' ? 'unclassified object' : t.label}</span>
        <span className="dim mono">
          {t.startTime.toFixed(1)}–{t.endTime.toFixed(1)} s
        </span>
        <button type="button" className="icon-button" aria-label="Clear track selection" title="Clear selection" onMouseDown={keepFocus} onClick={onClose}>
          ×
        </button>
      </div>
      <div className="track-card-path">{t.trajectory.text}</div>
      <div className="track-card-stats mono">
        max score {t.maxScore.toFixed(2)} · mean speed {t.meanSpeed.toFixed(2)} h/s
      </div>
      {t.why.length > 0 && (
        <ul className="track-card-why">
          {t.why.slice(0, 3).map((w) => (
            <li key={w.attribute}>
              <span>{w.attribute}</span> <span className="mono">{String(w.value)}</span> <span className="dim mono">normal {String(w.normal)}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
