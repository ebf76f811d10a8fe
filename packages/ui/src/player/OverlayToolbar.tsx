/** Overlay layer toggles, heatmap opacity and colour map, above the picture. */
import { keepFocus } from '../lib/keys';
import type { OverlaySettings } from '../review/overlay-settings';
import { COLORMAPS, colormapCss, type ColormapName } from './colormap';

type Toggle = { key: keyof Pick<OverlaySettings, 'heatmap' | 'boxes' | 'trajectories' | 'zones' | 'fullPaths'>; label: string; testId: string; shortcut?: string };

const TOGGLES: Toggle[] = [
  { key: 'heatmap', label: 'Heatmap', testId: 'heatmap-toggle', shortcut: 'H' },
  { key: 'boxes', label: 'Boxes', testId: 'boxes-toggle', shortcut: 'B' },
  { key: 'trajectories', label: 'Trajectories', testId: 'trajectories-toggle', shortcut: 'T' },
  { key: 'fullPaths', label: 'Full paths', testId: 'full-paths-toggle' },
  { key: 'zones', label: 'Zones', testId: 'zones-toggle' },
];

export function OverlayToolbar({ settings, onChange, disabled }: { settings: OverlaySettings; onChange: (patch: Partial<OverlaySettings>) => void; disabled: boolean }) {
  return (
    <div className="overlay-toolbar" data-testid="overlay-toolbar">
      <div className="toggle-group" role="group" aria-label="Overlay layers">
        {TOGGLES.map((t) => (
          <button
            key={t.key}
            type="button"
            className={`toggle${settings[t.key] ? ' on' : ''}`}
            data-testid={t.testId}
            aria-pressed={settings[t.key]}
            title={`${t.label}${t.shortcut ? ` (${t.shortcut})` : ''}`}
            onMouseDown={keepFocus}
            onClick={() => onChange({ [t.key]: !settings[t.key] })}
            disabled={disabled && t.key !== 'zones'}
          >
            <span className="toggle-dot" aria-hidden="true" />
            {t.label}
          </button>
        ))}
      </div>
      <label className="opacity" title="Heatmap opacity">
        <span className="dim">Opacity</span>
        <input
          type="range"
          min={0}
          max={100}
          step={5}
          data-testid="heatmap-opacity"
          value={Math.round(settings.heatmapOpacity * 100)}
          onChange={(e) => onChange({ heatmapOpacity: Number(e.target.value) / 100 })}
          onMouseUp={(e) => e.currentTarget.blur()}
          disabled={disabled || !settings.heatmap}
        />
        <span className="mono opacity-value">{Math.round(settings.heatmapOpacity * 100)}%</span>
      </label>
      <label className="colormap" title="Heatmap colour map">
        <span className="colormap-swatch" style={{ background: colormapCss(settings.colormap) }} aria-hidden="true" />
        <select
          data-testid="heatmap-colormap"
          value={settings.colormap}
          onChange={(e) => {
            onChange({ colormap: e.target.value as ColormapName });
            e.currentTarget.blur();
          }}
          disabled={disabled || !settings.heatmap}
        >
          {(Object.keys(COLORMAPS) as ColormapName[]).map((k) => (
            <option key={k} value={k}>
              {COLORMAPS[k]}
            </option>
          ))}
        </select>
      </label>
    </div>
  );
}
