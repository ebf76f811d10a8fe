/**
 * Tracks which frame the <video> element is actually showing. Where the browser has
 * `requestVideoFrameCallback`, the frame comes from the presented frame's own timestamp
 * (metadata.mediaTime), so the number matches the picture even while playing; elsewhere it falls back
 * to the playhead position, which can run a frame ahead during playback.
 *
 * Frame callbacks are not guaranteed for every picture: after a burst of seeks (scrubbing) Chromium can
 * present the last seek's frame without calling back (seen when it lands on a keyframe). So once a
 * paused element has been still for a moment after a seek, the frame at its position (the centre of
 * the frame sought, and the picture it holds) is taken as the shown frame. After a plain pause the
 * callbacks stay authoritative: there the position can sit in the next frame's interval (the player
 * follows a plain pause with a seek to a frame boundary, which settles like any seek).
 */
import { useEffect, useRef, useState, type RefObject } from 'react';
import { flushSync } from 'react-dom';
import { frameAtPosition, frameAtPts, type FrameClock } from './frame-math';

export interface ShownFrame {
  frame: number;
  /** Presentation time of the shown frame (media timeline, seconds), when known from the frame itself. */
  ptsS: number | null;
}

/** How long a paused element must be still before its position is trusted over the last callback. */
const SETTLE_MS = 150;

export function useShownFrame(videoRef: RefObject<HTMLVideoElement | null>, clock: FrameClock | null, src: string | null): ShownFrame {
  const [shown, setShown] = useState<ShownFrame>({ frame: 0, ptsS: null });
  const clockRef = useRef(clock);
  clockRef.current = clock;

  useEffect(() => {
    const v = videoRef.current;
    if (!v || !src) return;
    const hasRvfc = typeof v.requestVideoFrameCallback === 'function';
    let handle: number | null = null;
    let sawFrame = false;
    let settleTimer: ReturnType<typeof setTimeout> | null = null;
    // True from a completed seek until playback starts again.
    let sought = false;

    const fromPosition = () => {
      const c = clockRef.current;
      if (!c) return;
      setShown((prev) => {
        const frame = frameAtPosition(v.currentTime, c);
        return prev.frame === frame && prev.ptsS === null ? prev : { frame, ptsS: null };
      });
    };
    const settle = () => {
      settleTimer = null;
      const c = clockRef.current;
      if (!c || !sought || !v.paused || v.seeking || v.readyState < 2) return;
      const frame = frameAtPosition(v.currentTime, c);
      setShown((prev) => (prev.frame === frame ? prev : { frame, ptsS: null }));
    };
    const scheduleSettle = () => {
      if (settleTimer !== null) clearTimeout(settleTimer);
      settleTimer = setTimeout(settle, SETTLE_MS);
    };
    const onFrame = (_now: number, meta: VideoFrameCallbackMetadata) => {
      sawFrame = true;
      const c = clockRef.current;
      // Rendered synchronously inside the callback: whatever is drawn for this frame (the overlay canvas
      // in a layout effect) reaches the screen in the same rendering step as the picture itself.
      if (c) flushSync(() => setShown({ frame: frameAtPts(meta.mediaTime, c), ptsS: meta.mediaTime }));
      if (sought && v.paused) scheduleSettle();
      handle = v.requestVideoFrameCallback(onFrame);
    };
    // Without frame callbacks every position change is all we have; with them, only the first picture
    // (before any frame was reported) is taken from the position.
    const onPositionEvent = () => {
      if (!hasRvfc || !sawFrame) fromPosition();
    };
    const onSeeked = () => {
      sought = true;
      if (hasRvfc && sawFrame) scheduleSettle();
    };
    const onPlay = () => {
      sought = false;
    };
    const events = hasRvfc ? ['loadeddata', 'seeked'] : ['loadeddata', 'seeked', 'timeupdate', 'pause'];
    for (const e of events) v.addEventListener(e, onPositionEvent);
    v.addEventListener('seeked', onSeeked);
    v.addEventListener('play', onPlay);
    if (hasRvfc) handle = v.requestVideoFrameCallback(onFrame);
    if (v.readyState >= 2) onPositionEvent();
    return () => {
      for (const e of events) v.removeEventListener(e, onPositionEvent);
      v.removeEventListener('seeked', onSeeked);
      v.removeEventListener('play', onPlay);
      if (handle !== null) v.cancelVideoFrameCallback(handle);
      if (settleTimer !== null) clearTimeout(settleTimer);
    };
  }, [videoRef, src]);

  return shown;
}
