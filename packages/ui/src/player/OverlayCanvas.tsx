/**
 * The canvas over the picture. It is redrawn in the same commit as the frame number changes (the player
 * learns the frame from requestVideoFrameCallback), so boxes and heat move with the picture. The data-*
 * attributes say what is drawn (analysed frame, source size), for tests and for debugging.
 */
import { useEffect, useLayoutEffect, useMemo, useRef, useState, type RefObject } from 'react';
import type { Citation, Zone } from '@vigil/engine/contract';
import type { Heatmap, Overlay } from '../hooks/use-analysis';
import type { OverlaySettings } from '../review/overlay-settings';
import { decodeBase64, heatToRgba } from './colormap';
import { drawOverlay, type OverlayScene } from './overlay-draw';

export interface OverlayCanvasProps {
  srcW: number;
  srcH: number;
  fps: number;
  shownFrame: number;
  overlay: Overlay | null;
  heatmap: Heatmap | null;
  zones: readonly Zone[];
  settings: OverlaySettings;
  threshold: number;
  selectedTrackId: number | null;
  citation: Citation | null;
  zoneDraft: OverlayScene['zoneDraft'];
  /** Zoom factor of the picture: the canvas backing store grows with it (capped) to stay sharp. */
  zoom: number;
}

const MAX_BACKING_ZOOM = 3;

function useElementSize(ref: RefObject<HTMLElement | null>): { w: number; h: number } {
  const [size, setSize] = useState({ w: 0, h: 0 });
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => setSize((prev) => (prev.w === el.clientWidth && prev.h === el.clientHeight ? prev : { w: el.clientWidth, h: el.clientHeight }));
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, [ref]);
  return size;
}

/** The heat grid coloured into a small canvas of its own size; the overlay stretches it over the frame. */
function useHeatImage(heatmap: Heatmap | null, settings: OverlaySettings): HTMLCanvasElement | null {
  const grid = useMemo(() => (heatmap ? decodeBase64(heatmap.data) : null), [heatmap]);
  return useMemo(() => {
    if (!heatmap || !grid || grid.length !== heatmap.width * heatmap.height || heatmap.width === 0) return null;
    const c = document.createElement('canvas');
    c.width = heatmap.width;
    c.height = heatmap.height;
    const g = c.getContext('2d');
    if (!g) return null;
    const img = g.createImageData(heatmap.width, heatmap.height);
    img.data.set(heatToRgba(grid, settings.colormap, settings.heatmapOpacity));
    g.putImageData(img, 0, 0);
    return c;
  }, [heatmap, grid, settings.colormap, settings.heatmapOpacity]);
}

export function OverlayCanvas(p: OverlayCanvasProps) {
  const canvasRef = useRef<HTMLCanvasElement | null>(null);
  const size = useElementSize(canvasRef);
  const heat = useHeatImage(p.settings.heatmap ? p.heatmap : null, p.settings);
  const [dpr, setDpr] = useState(() => (typeof window !== 'undefined' ? window.devicePixelRatio || 1 : 1));
  useEffect(() => {
    const onResize = () => setDpr(window.devicePixelRatio || 1);
    window.addEventListener('resize', onResize);
    return () => window.removeEventListener('resize', onResize);
  }, []);
  const scale = dpr * Math.min(MAX_BACKING_ZOOM, Math.max(1, p.zoom));
  const backW = Math.max(1, Math.round(size.w * scale));
  const backH = Math.max(1, Math.round(size.h * scale));

  useLayoutEffect(() => {
    const c = canvasRef.current;
    if (!c) return;
    if (c.width !== backW) c.width = backW;
    if (c.height !== backH) c.height = backH;
    const g = c.getContext('2d');
    if (!g) return;
    drawOverlay(
      g,
      backW,
      backH,
      {
        srcW: p.srcW,
        srcH: p.srcH,
        frame: p.overlay?.frame ?? null,
        fps: p.fps,
        observations: p.overlay?.observations ?? [],
        paths: p.overlay?.paths ?? [],
        heat,
        zones: p.zones,
        settings: p.settings,
        threshold: p.threshold,
        selectedTrackId: p.selectedTrackId,
        citation: p.citation,
        shownFrame: p.shownFrame,
        zoneDraft: p.zoneDraft,
      },
      scale,
    );
  }, [backW, backH, heat, p.srcW, p.srcH, p.fps, p.overlay, p.zones, p.settings, p.threshold, p.selectedTrackId, p.citation, p.shownFrame, p.zoneDraft, scale]);

  const layers = [p.settings.heatmap && heat ? 'heatmap' : null, p.settings.boxes ? 'boxes' : null, p.settings.trajectories ? 'trajectories' : null, p.settings.zones ? 'zones' : null].filter(Boolean).join(' ');
  return (
    <canvas
      ref={canvasRef}
      className="overlay-canvas"
      data-testid="overlay-canvas"
      data-frame={p.overlay?.frame ?? ''}
      data-heatmap-frame={p.settings.heatmap && p.heatmap ? p.heatmap.frame : ''}
      data-shown-frame={p.shownFrame}
      data-source-width={p.srcW}
      data-source-height={p.srcH}
      data-layers={layers}
      data-boxes={p.settings.boxes ? (p.overlay?.observations.length ?? 0) : 0}
    />
  );
}
