/**
 * Reads the presentation timestamps of every packet of one video stream with ffprobe, without decoding.
 * This is how Vigil counts frames exactly and cheaply (I/O only), detects variable frame rate, and maps
 * a frame index to a timestamp for seeking (frame k = the k-th smallest pts).
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { resolveFfprobe } from './ffmpeg-path.js';
import { runTool, shortToolReason } from './run-tool.js';
import { VigilError } from '../errors.js';

export interface PacketIndex {
  /** Stream index the packets belong to. */
  streamIndex: number;
  /** Stream time base as [num, den]: seconds = ticks * num / den. */
  timeBase: [number, number];
  /** Presentation timestamps in ticks, sorted ascending (presentation order). NaN where the packet had none. */
  pts: Float64Array;
  /** Sorted pts of keyframes (ticks). */
  keyframePts: Float64Array;
  /** Packets with neither pts nor dts (raw elementary streams). */
  missingPts: number;
}

function parseRational(s: string | undefined): [number, number] | null {
  if (!s) return null;
  const m = /^(-?\d+)\/(\d+)$/.exec(s.trim());
  if (!m) return null;
  const num = Number(m[1]);
  const den = Number(m[2]);
  return den === 0 ? null : [num, den];
}

/**
 * Lists packets of `streamIndex` (a global stream index). Packets flagged discard ('D', e.g. edit-list
 * priming) are skipped: the decoder drops them, so they are not frames.
 */
export async function readPacketIndex(
  filePath: string,
  streamIndex: number,
  opts: { signal?: AbortSignal; timeBase?: string } = {},
): Promise<PacketIndex> {
  const args = [
    '-v', 'error',
    '-select_streams', String(streamIndex),
    '-show_entries', 'packet=pts,dts,flags',
    '-of', 'csv=p=0',
    filePath,
  ];
  let tb = parseRational(opts.timeBase);
  if (!tb) {
    const head = await runTool(resolveFfprobe().path, [
      '-v', 'error', '-select_streams', String(streamIndex), '-show_entries', 'stream=time_base', '-of', 'csv=p=0', filePath,
    ], { signal: opts.signal });
    tb = parseRational(head.stdout.trim()) ?? [1, 1];
  }
  const pts: number[] = [];
  const keys: number[] = [];
  let missing = 0;
  let rest = '';
  const onLine = (line: string): void => {
    if (!line) return;
    const [p, d, flags = ''] = line.split(',');
    if (flags.includes('D')) return;
    let t = Number(p);
    if (p === 'N/A' || p === '' || !Number.isFinite(t)) t = Number(d);
    if (d === 'N/A' && (p === 'N/A' || p === '')) t = NaN;
    if (!Number.isFinite(t)) {
      missing++;
      t = NaN;
    }
    pts.push(t);
    if (flags.startsWith('K') && Number.isFinite(t)) keys.push(t);
  };
  const run = await runTool(resolveFfprobe().path, args, {
    signal: opts.signal,
    onStdout: (chunk) => {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop() ?? '';
      for (const l of lines) onLine(l.trim());
    },
  });
  onLine(rest.trim());
  if (run.code !== 0) {
    throw new VigilError('unsupported_media', `Could not read the video packets: ${shortToolReason(run.stderr, filePath)}`);
  }
  const sorted = Float64Array.from(pts).sort(); // NaN sorts last
  const keySorted = Float64Array.from(keys).sort();
  return { streamIndex, timeBase: tb, pts: sorted, keyframePts: keySorted, missingPts: missing };
}

// Tables are read once per file version and shared: probing, the subsampling frame reader and the many
// readFrameAt calls for thumbnails all need the same one.
const cache = new Map<string, Promise<PacketIndex>>();
const CACHE_SIZE = 8;

/** readPacketIndex, remembered for the last few file versions (path, size, mtime, stream). */
export async function cachedPacketIndex(
  filePath: string,
  streamIndex: number,
  opts: { signal?: AbortSignal; timeBase?: string } = {},
): Promise<PacketIndex> {
  const st = await stat(filePath);
  const key = `${path.resolve(filePath)}|${st.size}|${st.mtimeMs}|${streamIndex}`;
  let hit = cache.get(key);
  if (!hit) {
    hit = readPacketIndex(filePath, streamIndex, opts);
    hit.catch(() => cache.delete(key));
    cache.set(key, hit);
    if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  }
  return hit;
}

/**
 * Constant vs variable frame rate from actual timestamps: VFR when some frame interval departs from
 * the median by more than both one tick of rounding and 10% (dropped frames, pauses, phone capture).
 */
export function isVariableFrameRate(idx: PacketIndex): boolean {
  const n = idx.pts.length - idx.missingPts;
  if (n < 3) return false;
  const deltas = new Float64Array(n - 1);
  for (let i = 1; i < n; i++) deltas[i - 1] = idx.pts[i] - idx.pts[i - 1];
  const sorted = Float64Array.from(deltas).sort();
  const median = sorted[sorted.length >> 1];
  const tol = Math.max(1.5, 0.1 * median);
  for (let i = 0; i < deltas.length; i++) if (Math.abs(deltas[i] - median) > tol) return true;
  return false;
}
