/** Text formatting shared by the report template and figures. */

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML/SVG element content and attribute values. */
export const esc = (v: unknown): string => String(v ?? '').replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);

/** Evidence time as HH:MM:SS.mmm (the notation used for every timestamp in the report). */
export function fmtTime(seconds: number): string {
  if (!Number.isFinite(seconds)) return '—';
  const neg = seconds < 0;
  const ms = Math.round(Math.abs(seconds) * 1000);
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  const r = ms % 1000;
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${neg ? '-' : ''}${p(h)}:${p(m)}:${p(s)}.${p(r, 3)}`;
}

/** Short axis label: M:SS or H:MM:SS. */
export function fmtClock(seconds: number): string {
  const t = Math.round(seconds);
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const s = t % 60;
  return h ? `${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}` : `${m}:${String(s).padStart(2, '0')}`;
}

/** ISO timestamp → "2025-03-01 14:05:09 UTC". */
export function fmtDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

export function fmtBytes(n: number): string {
  const exact = `${n.toLocaleString('en-US')} bytes`;
  if (n < 1024) return exact;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = -1;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(v < 10 ? 2 : 1)} ${units[u]} (${exact})`;
}

/** Number with at most `digits` decimals, trailing zeros dropped. */
export function fmtNum(v: number, digits = 3): string {
  if (!Number.isFinite(v)) return String(v);
  return Number(v.toFixed(digits)).toString();
}

export const fmtPct = (v: number): string => `${Math.round(v * 100)}%`;

/** Seconds elapsed between two ISO times, as "12.3 s", or "—". */
export function fmtElapsed(from: string | null, to: string | null): string {
  if (!from || !to) return '—';
  const s = (Date.parse(to) - Date.parse(from)) / 1000;
  if (!Number.isFinite(s)) return '—';
  return s < 120 ? `${s.toFixed(1)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

export function capitalise(s: string): string {
  return s ? s[0].toUpperCase() + s.slice(1) : s;
}
