/**
 * Frame/time arithmetic for the player. Frame numbers are 0-based and assume a constant frame rate
 * (the engine's `fps`), counted from the stream's start time.
 *
 * Two different conversions exist on purpose:
 *  - a frame's presentation timestamp (`requestVideoFrameCallback` metadata.mediaTime) sits on the
 *    frame boundary n/fps, give or take float noise, so it is *rounded*;
 *  - a playhead position (`video.currentTime`) can be anywhere inside the frame's interval (we seek to
 *    centres), so it is *floored*; a tiny tolerance keeps n/fps - 1e-9 from landing on n-1.
 */
export interface FrameClock {
  /** Frames per second (> 0). */
  fps: number;
  /** Media time of frame 0, seconds (container start time; 0 for most files). */
  startS: number;
  /** Number of frames (>= 1); the last frame is frameCount - 1. */
  frameCount: number;
}

const POSITION_TOLERANCE_FRAMES = 1e-3;

export function clampFrame(frame: number, clock: FrameClock): number {
  return Math.min(Math.max(0, Math.trunc(frame)), Math.max(0, clock.frameCount - 1));
}

/** Frame whose presentation timestamp is `ptsS`. */
export function frameAtPts(ptsS: number, clock: FrameClock): number {
  return clampFrame(Math.round((ptsS - clock.startS) * clock.fps), clock);
}

/** Frame on screen when the playhead is at `positionS`. */
export function frameAtPosition(positionS: number, clock: FrameClock): number {
  return clampFrame(Math.floor((positionS - clock.startS) * clock.fps + POSITION_TOLERANCE_FRAMES), clock);
}

/** Where to seek to show `frame`: the centre of its interval, so decoder rounding cannot land on a neighbour. */
export function seekTimeForFrame(frame: number, clock: FrameClock): number {
  return clock.startS + (clampFrame(frame, clock) + 0.5) / clock.fps;
}

/** Seconds from stream start at which `frame` begins. */
export function frameStartS(frame: number, clock: FrameClock): number {
  return frame / clock.fps;
}

/** `HH:MM:SS.mmm`; negative values are shown with a leading minus. */
export function formatTimecode(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--:--:--.---';
  const sign = seconds < 0 ? '-' : '';
  let ms = Math.round(Math.abs(seconds) * 1000);
  const h = Math.floor(ms / 3_600_000);
  ms -= h * 3_600_000;
  const m = Math.floor(ms / 60_000);
  ms -= m * 60_000;
  const s = Math.floor(ms / 1000);
  ms -= s * 1000;
  const pad = (n: number, w: number) => String(n).padStart(w, '0');
  return `${sign}${pad(h, 2)}:${pad(m, 2)}:${pad(s, 2)}.${pad(ms, 3)}`;
}

/**
 * Builds the clock from evidence fields. Returns null when the frame rate is unknown, in which case
 * frame stepping is not offered (time display still works).
 *
 * Chromium keeps a file's own timestamps (an MP4 whose video starts at 1.4 s reports currentTime 1.4 on
 * its first frame), so the probe's start time applies when the original plays. A playback proxy is
 * written with frame k at k/fps from 0, so its clock starts at 0.
 */
export function clockFor(e: {
  fps: number;
  frameCount: number;
  durationS: number;
  probe: Record<string, unknown>;
  playback: 'original' | 'pending' | 'ready' | 'failed';
}): FrameClock | null {
  let fps = e.fps;
  if (!(fps > 0) && e.frameCount > 0 && e.durationS > 0) fps = e.frameCount / e.durationS;
  if (!(fps > 0) || !Number.isFinite(fps)) return null;
  const start = e.probe['startTimeS'];
  const startS = e.playback === 'original' && typeof start === 'number' && Number.isFinite(start) ? start : 0;
  const frameCount = e.frameCount > 0 ? e.frameCount : Math.max(1, Math.round(e.durationS * fps));
  return { fps, startS, frameCount };
}
