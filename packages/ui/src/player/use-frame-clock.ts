/**
 * Tracks which frame the <video> element is actually showing. Where the browser has
 * `requestVideoFrameCallback`, the frame comes from the presented frame's own timestamp
 * (metadata.mediaTime), so the number matches the picture even while playing; elsewhere it falls back
 * to the playhead position, which can run a frame ahead during playback.
 */
import { useEffect, useRef, useState, type RefObject } from 'react';
import { frameAtPosition, frameAtPts, type FrameClock } from './frame-math';

export interface ShownFrame {
  frame: number;
  /** Presentation time of the shown frame (media timeline, seconds), when known from the frame itself. */
  ptsS: number | null;
}

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

    const fromPosition = () => {
      const c = clockRef.current;
      if (!c) return;
      setShown((prev) => {
        const frame = frameAtPosition(v.currentTime, c);
        return prev.frame === frame && prev.ptsS === null ? prev : { frame, ptsS: null };
      });
    };
    const onFrame = (_now: number, meta: VideoFrameCallbackMetadata) => {
      sawFrame = true;
      const c = clockRef.current;
      if (c) setShown({ frame: frameAtPts(meta.mediaTime, c), ptsS: meta.mediaTime });
      handle = v.requestVideoFrameCallback(onFrame);
    };
    // Without frame callbacks every position change is all we have; with them, only the first picture
    // (before any frame was reported) is taken from the position.
    const onPositionEvent = () => {
      if (!hasRvfc || !sawFrame) fromPosition();
    };
    const events = hasRvfc ? ['loadeddata', 'seeked'] : ['loadeddata', 'seeked', 'timeupdate', 'pause'];
    for (const e of events) v.addEventListener(e, onPositionEvent);
    if (hasRvfc) handle = v.requestVideoFrameCallback(onFrame);
    if (v.readyState >= 2) onPositionEvent();
    return () => {
      for (const e of events) v.removeEventListener(e, onPositionEvent);
      if (handle !== null) v.cancelVideoFrameCallback(handle);
    };
  }, [videoRef, src]);

  return shown;
}
