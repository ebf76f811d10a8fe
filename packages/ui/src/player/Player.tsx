/**
 * The review player: a plain <video> driven frame by frame, with the overlay canvas over it and the
 * timeline under it. Stepping seeks to the centre of the target frame (see frame-math.ts); the frame
 * number and timecode come from the frame actually on screen, and so does the overlay.
 *
 * Keys (ignored while typing in a text field): ←/→ one frame, Shift+←/→ one second, Space play/pause,
 * J slower / step back when paused, K pause, L play / faster, Home/End first/last frame,
 * H/B/T heatmap/boxes/trajectories.
 */
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { AnomalyEventRecord, Evidence } from '@vigil/engine/contract';
import { useClient } from '../hooks/client-context';
import { isActive } from '../hooks/job-merge';
import { useAnalysisStatus, useEvidenceEvents, useScores } from '../hooks/use-analysis';
import { useOp } from '../hooks/use-op';
import { isShortcutEvent, keepFocus } from '../lib/keys';
import { formatReference } from '../lib/format';
import { useReview } from '../review/review-context';
import { Timeline } from '../timeline/Timeline';
import { clampFrame, clockFor, formatTimecode, frameAtPosition, frameStartS, seekTimeForFrame } from './frame-math';
import { OverlayToolbar } from './OverlayToolbar';
import { Stage } from './Stage';
import { useShownFrame } from './use-frame-clock';
import { Icon } from '../components/icons';

export const PLAYBACK_RATES = [0.25, 0.5, 1, 2, 4] as const;

export function Player({ evidence }: { evidence: Evidence | null }) {
  if (!evidence) {
    return (
      <div className="player player-empty" data-testid="player-empty">
        <div className="empty-stage">
          <div className="empty-title">No evidence selected</div>
          <div className="dim">Create or select a case, import footage, then pick it from the evidence list.</div>
        </div>
      </div>
    );
  }
  return <PlayerView key={evidence.id} evidence={evidence} />;
}

function PlayerView({ evidence }: { evidence: Evidence }) {
  const client = useClient();
  const videoRef = useRef<HTMLVideoElement | null>(null);
  const clock = useMemo(() => clockFor(evidence), [evidence]);
  const playable = evidence.playback === 'original' || evidence.playback === 'ready';
  const src = playable ? client.mediaUrl(evidence.id) : null;

  const shown = useShownFrame(videoRef, clock, src);
  const [paused, setPaused] = useState(true);
  const [rate, setRate] = useState(1);
  const [mediaError, setMediaError] = useState<string | null>(null);
  const [loaded, setLoaded] = useState(false);

  const { overlay, setOverlay, bus, selectedEventId, setSelectedEventId } = useReview();
  const analysis = useAnalysisStatus(evidence.id);
  const scores = useScores(analysis.latest?.id ?? null);
  const caseId = evidence.caseId;
  const eventsOfEvidence = useEvidenceEvents(evidence).list;
  const notes = useOp('notes.list', { caseId, evidenceId: evidence.id });
  const bookmarks = useMemo(() => (notes.data ?? []).filter((n) => n.kind === 'bookmark'), [notes.data]);

  // Frame a seek is heading to; successive key presses step from here rather than from the frame
  // still on screen, so fast repeats accumulate instead of repeating the same step. It is dropped when
  // that frame is on screen: neither 'seeked' nor `seeking === false` says so, since the frame of an
  // earlier seek can still be presented after a later seek already settled.
  const targetFrame = useRef<number | null>(null);
  const shownRef = useRef(shown.frame);
  shownRef.current = shown.frame;
  useEffect(() => {
    if (targetFrame.current === shown.frame) targetFrame.current = null;
  }, [shown]);

  useEffect(() => {
    const v = videoRef.current;
    if (!v || !src) return;
    const sync = () => {
      setPaused(v.paused);
      setRate(v.playbackRate);
    };
    // A plain pause stops wherever the playhead is, and on a busy machine Chromium may present the last
    // frames before it without frame callbacks, leaving the number behind the picture. Landing on a frame
    // boundary makes them agree (the frame clock trusts a settled seek). Pauses of a seek already land.
    const onPause = () => {
      sync();
      if (!clock || v.ended || v.seeking || targetFrame.current !== null) return;
      controls.current.seekFrame(frameAtPosition(v.currentTime, clock));
    };
    const onLoaded = () => setLoaded(true);
    const onError = () => {
      const err = v.error;
      const what = err?.code === 4 ? 'This browser cannot decode the file' : err?.code === 2 ? 'The media could not be fetched' : 'The media could not be played';
      setMediaError(`${what}${err?.message ? `: ${err.message}` : '.'}`);
    };
    const listeners: [string, () => void][] = [
      ['play', sync],
      ['pause', onPause],
      ['ratechange', sync],
      ['loadeddata', onLoaded],
      ['error', onError],
    ];
    for (const [e, f] of listeners) v.addEventListener(e, f);
    if (v.readyState >= 2) setLoaded(true);
    return () => {
      for (const [e, f] of listeners) v.removeEventListener(e, f);
    };
  }, [src, clock]);

  const seekFrame = useCallback(
    (frame: number) => {
      const v = videoRef.current;
      if (!v || !clock) return;
      const n = clampFrame(frame, clock);
      if (!v.paused) v.pause();
      targetFrame.current = n;
      v.currentTime = seekTimeForFrame(n, clock);
    },
    [clock],
  );

  const step = useCallback(
    (delta: number) => {
      if (!clock) return;
      seekFrame((targetFrame.current ?? shownRef.current) + delta);
    },
    [clock, seekFrame],
  );

  const play = useCallback((r?: number) => {
    const v = videoRef.current;
    if (!v) return;
    if (r !== undefined) v.playbackRate = r;
    targetFrame.current = null;
    // Restart from the top when at the end, as any player does.
    if (v.ended) v.currentTime = clock ? seekTimeForFrame(0, clock) : 0;
    void v.play().catch(() => undefined);
  }, [clock]);

  const pause = useCallback(() => videoRef.current?.pause(), []);

  const changeRate = useCallback((r: number) => {
    const v = videoRef.current;
    if (v) v.playbackRate = r;
  }, []);

  // The rest of the review (timeline, events, chat citations, shortcuts) reads the frame and seeks
  // through the bus.
  useLayoutEffect(() => bus.publish({ evidenceId: evidence.id, frame: shown.frame, playing: !paused }), [bus, evidence.id, shown.frame, paused]);
  const controls = useRef({ seekFrame, play, pause });
  controls.current = { seekFrame, play, pause };
  useEffect(
    () =>
      bus.attach(evidence.id, {
        seekFrame: (f) => controls.current.seekFrame(f),
        play: () => controls.current.play(),
        pause: () => controls.current.pause(),
      }),
    [bus, evidence.id],
  );
  useEffect(() => {
    if (loaded && clock) bus.markReady(evidence.id);
  }, [bus, evidence.id, loaded, clock]);

  const selectEvent = useCallback(
    (e: AnomalyEventRecord) => {
      setSelectedEventId(e.id);
      seekFrame(e.startFrame);
    },
    [setSelectedEventId, seekFrame],
  );

  // J/K/L: a <video> cannot play backwards, so J walks down the speed ladder while playing and
  // steps one frame back while paused.
  const faster = useCallback(() => {
    const v = videoRef.current;
    if (!v) return;
    if (v.paused) return play(1);
    const next = PLAYBACK_RATES.find((r) => r > v.playbackRate);
    if (next !== undefined) changeRate(next);
  }, [play, changeRate]);

  const slower = useCallback(() => {
    const v = videoRef.current;
    if (!v) return;
    if (v.paused) return step(-1);
    const lower = [...PLAYBACK_RATES].reverse().find((r) => r < v.playbackRate);
    if (lower === undefined) pause();
    else changeRate(lower);
  }, [step, pause, changeRate]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!isShortcutEvent(e)) return;
      const v = videoRef.current;
      if (!v) return;
      const second = clock ? Math.max(1, Math.round(clock.fps)) : 0;
      let handled = true;
      switch (e.key) {
        case 'ArrowRight':
          step(e.shiftKey ? second : 1);
          break;
        case 'ArrowLeft':
          step(e.shiftKey ? -second : -1);
          break;
        case ' ':
          if (v.paused) play();
          else pause();
          break;
        case 'k':
        case 'K':
          pause();
          break;
        case 'l':
        case 'L':
          faster();
          break;
        case 'j':
        case 'J':
          slower();
          break;
        case 'Home':
          seekFrame(0);
          break;
        case 'End':
          if (clock) seekFrame(clock.frameCount - 1);
          break;
        case 'h':
        case 'H':
          setOverlay({ heatmap: !overlay.heatmap });
          break;
        case 'b':
        case 'B':
          setOverlay({ boxes: !overlay.boxes });
          break;
        case 't':
        case 'T':
          setOverlay({ trajectories: !overlay.trajectories });
          break;
        default:
          handled = false;
      }
      if (handled) e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [clock, step, play, pause, faster, slower, seekFrame, overlay, setOverlay]);

  const timeS = shown.ptsS !== null && clock ? shown.ptsS - clock.startS : clock ? frameStartS(shown.frame, clock) : 0;

  return (
    <div className="player" data-testid="player" data-evidence-id={evidence.id}>
      <PlayerHeader evidence={evidence} analysis={analysis.latest} running={analysis.running !== null} />
      <OverlayToolbar settings={overlay} onChange={setOverlay} disabled={!analysis.latest} />
      <Stage
        evidence={evidence}
        videoRef={videoRef}
        src={src}
        shownFrame={shown.frame}
        playing={!paused}
        fps={clock?.fps ?? evidence.fps}
        analysisId={analysis.latest?.id ?? null}
        analysedFrames={scores.data?.frames}
        threshold={scores.data?.enterThreshold ?? 0}
      >
        {!src && (
          <div className="stage-notice" data-testid="playback-notice">
            <NoPlaybackNotice evidence={evidence} />
          </div>
        )}
        {mediaError && (
          <div className="stage-notice error" data-testid="media-error">
            {mediaError}
          </div>
        )}
        {src && !loaded && !mediaError && <div className="stage-notice subtle">Loading…</div>}
      </Stage>
      <Timeline
        evidence={evidence}
        clock={clock}
        frame={shown.frame}
        playing={!paused}
        scores={analysis.latest ? (scores.data ?? null) : null}
        scoresNote={analysis.running ? 'Analysis running…' : analysis.latest && scores.isPending ? 'Loading scores…' : null}
        events={eventsOfEvidence}
        bookmarks={bookmarks}
        selectedEventId={selectedEventId}
        onSeek={seekFrame}
        onSelectEvent={selectEvent}
      />
      <div className="transport">
        <div className="transport-buttons">
          <button type="button" className="button icon" title="First frame (Home)" aria-label="First frame" onMouseDown={keepFocus} onClick={() => seekFrame(0)} disabled={!clock}>
            <Icon name="first" />
          </button>
          <button type="button" className="button icon" title="Previous frame (←)" aria-label="Previous frame" data-testid="step-back" onMouseDown={keepFocus} onClick={() => step(-1)} disabled={!clock}>
            <Icon name="stepBack" />
          </button>
          <button
            type="button"
            className="button icon play"
            title={paused ? 'Play (Space / L)' : 'Pause (Space / K)'}
            aria-label={paused ? 'Play' : 'Pause'}
            data-testid="play-toggle"
            onMouseDown={keepFocus}
            onClick={() => (paused ? play() : pause())}
            disabled={!src}
          >
            <Icon name={paused ? 'play' : 'pause'} />
          </button>
          <button type="button" className="button icon" title="Next frame (→)" aria-label="Next frame" data-testid="step-forward" onMouseDown={keepFocus} onClick={() => step(1)} disabled={!clock}>
            <Icon name="stepForward" />
          </button>
          <button
            type="button"
            className="button icon"
            title="Last frame (End)"
            aria-label="Last frame"
            onMouseDown={keepFocus}
            onClick={() => clock && seekFrame(clock.frameCount - 1)}
            disabled={!clock}
          >
            <Icon name="last" />
          </button>
        </div>
        <div className="readout">
          <span className="timecode" data-testid="timecode" title="Time of the shown frame from the start of the stream">
            {formatTimecode(timeS)}
          </span>
          <span className="frame-number" data-testid="frame-number" data-frame={shown.frame} title="Frame shown (0-based) / total frames">
            frame {shown.frame} / {clock ? clock.frameCount : '—'}
          </span>
        </div>
        <label className="rate">
          <span className="dim">Speed</span>
          <select
            data-testid="playback-rate"
            value={String(rate)}
            onChange={(e) => {
              changeRate(Number(e.target.value));
              e.currentTarget.blur();
            }}
          >
            {PLAYBACK_RATES.map((r) => (
              <option key={r} value={String(r)}>
                {r}×
              </option>
            ))}
          </select>
        </label>
      </div>
      <div className="shortcuts dim">
        <kbd>←</kbd>/<kbd>→</kbd> frame · <kbd>Shift</kbd>+<kbd>←</kbd>/<kbd>→</kbd> 1 s · <kbd>J</kbd> <kbd>K</kbd> <kbd>L</kbd> speed · <kbd>Space</kbd> play/pause ·{' '}
        <kbd>Home</kbd>/<kbd>End</kbd> · <kbd>N</kbd>/<kbd>P</kbd> event · <kbd>M</kbd> mark · <kbd>C</kbd>/<kbd>D</kbd> confirm/dismiss · <kbd>?</kbd> all shortcuts
        {!clock && <span className="warn"> · frame rate unknown: frame stepping unavailable</span>}
      </div>
    </div>
  );
}

/** Why there is no picture yet: a proxy being built (with its progress), stopped, or impossible. */
function NoPlaybackNotice({ evidence }: { evidence: Evidence }) {
  const jobs = useOp('jobs.list', { caseId: evidence.caseId });
  const building = jobs.data?.find((j) => j.targetId === evidence.id && isActive(j));
  if (evidence.playback === 'failed') return <>No playable rendition of this file could be made. The original evidence is unaffected.</>;
  if (building) return <>Preparing a playback proxy for this file… {Math.round(building.progress * 100)}%</>;
  if (jobs.isPending) return <>Preparing a playback proxy for this file…</>;
  return <>The playback proxy for this file was not finished (its job was stopped). Hash and metadata are recorded; the original is unaffected.</>;
}

/** Evidence name and what the overlays come from. */
function PlayerHeader({ evidence, analysis, running }: { evidence: Evidence; analysis: ReturnType<typeof useAnalysisStatus>['latest']; running: boolean }) {
  const ref = analysis ? formatReference(analysis) : null;
  const model = analysis ? (analysis.models.length ? analysis.models.map((m) => `${m.name} · ${m.ep}`).join(', ') : 'motion only') : null;
  return (
    <div className="player-header">
      <span className="player-title mono-name" title={evidence.fileName}>
        {evidence.fileName}
      </span>
      <span className="dim">
        {evidence.width}×{evidence.height} · {evidence.fps > 0 ? `${Math.round(evidence.fps * 1000) / 1000} fps` : 'fps unknown'}
      </span>
      <span className="player-analysis" data-testid="player-analysis">
        {running && analysis && <span className="pill live">re-analysing…</span>}
        {analysis ? (
          <>
            <span className="pill ok">analysed</span>
            <span className="dim">
              {ref} · {model}
            </span>
          </>
        ) : running ? (
          <span className="pill live">analysing…</span>
        ) : (
          <span className="pill">not analysed</span>
        )}
      </span>
    </div>
  );
}
