/** What the overlay canvas draws; a user preference kept across sessions on this machine. */
import { COLORMAPS, type ColormapName } from '../player/colormap';

export interface OverlaySettings {
  heatmap: boolean;
  boxes: boolean;
  trajectories: boolean;
  /** Draw the whole path of each visible track (future part dashed), not only the fading tail. */
  fullPaths: boolean;
  zones: boolean;
  /** 0..1 */
  heatmapOpacity: number;
  colormap: ColormapName;
}

export const DEFAULT_OVERLAY: OverlaySettings = {
  heatmap: true,
  boxes: true,
  trajectories: true,
  fullPaths: false,
  zones: true,
  heatmapOpacity: 0.6,
  colormap: 'inferno',
};

const KEY = 'vigil.overlay';

/** Stored settings merged over the defaults; anything malformed falls back field by field. */
export function parseOverlaySettings(raw: string | null): OverlaySettings {
  if (!raw) return { ...DEFAULT_OVERLAY };
  let o: Record<string, unknown>;
  try {
    const v = JSON.parse(raw) as unknown;
    o = v && typeof v === 'object' ? (v as Record<string, unknown>) : {};
  } catch {
    o = {};
  }
  const bool = (k: keyof OverlaySettings) => (typeof o[k] === 'boolean' ? (o[k] as boolean) : (DEFAULT_OVERLAY[k] as boolean));
  const opacity = typeof o.heatmapOpacity === 'number' && o.heatmapOpacity >= 0 && o.heatmapOpacity <= 1 ? o.heatmapOpacity : DEFAULT_OVERLAY.heatmapOpacity;
  const colormap = typeof o.colormap === 'string' && o.colormap in COLORMAPS ? (o.colormap as ColormapName) : DEFAULT_OVERLAY.colormap;
  return {
    heatmap: bool('heatmap'),
    boxes: bool('boxes'),
    trajectories: bool('trajectories'),
    fullPaths: bool('fullPaths'),
    zones: bool('zones'),
    heatmapOpacity: opacity,
    colormap,
  };
}

export function loadOverlaySettings(): OverlaySettings {
  try {
    return parseOverlaySettings(localStorage.getItem(KEY));
  } catch {
    return { ...DEFAULT_OVERLAY };
  }
}

export function saveOverlaySettings(s: OverlaySettings): void {
  try {
    localStorage.setItem(KEY, JSON.stringify(s));
  } catch {
    // storage unavailable: the choice just lasts for this session
  }
}
