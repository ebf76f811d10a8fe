/**
 * Review state shared by the panels around the player: what is selected (event, track), what a chat
 * citation asked to highlight, the overlay settings, zone drawing, and the active side tab. The player's
 * frame is not here (see player-bus.ts): it changes far more often than any of this.
 */
import { createContext, useCallback, useContext, useMemo, useRef, useState, useSyncExternalStore, type ReactNode } from 'react';
import type { Case, Citation, Evidence } from '@vigil/engine/contract';
import { loadOverlaySettings, saveOverlaySettings, type OverlaySettings } from './overlay-settings';
import { PlayerBus, type PlayerSnapshot } from './player-bus';

export type SideTab = 'events' | 'chat' | 'zones';

/** A chat or reasoning citation being shown on the picture. */
export interface Highlight {
  citation: Citation;
  /** When it was asked for (a repeated click re-triggers the flash). */
  at: number;
}

export interface ZoneDraft {
  points: [number, number][];
  /** Closed by the user: waiting for a name (or, when it replaces a zone's outline, for Save). */
  closed: boolean;
  /** The zone whose polygon this draft will replace; absent = a new zone. */
  replaces?: { zoneId: string; name: string };
}

export interface ReviewState {
  caseItem: Case | null;
  evidence: Evidence | null;
  bus: PlayerBus;
  selectEvidence(evidenceId: string): void;
  /** Seek any evidence of the case to a frame (switching the player to it if needed). */
  seekTo(evidenceId: string, frame: number): void;

  selectedEventId: string | null;
  setSelectedEventId(id: string | null): void;
  selectedTrackId: number | null;
  setSelectedTrackId(id: number | null): void;
  highlight: Highlight | null;
  showCitation(c: Citation): void;
  clearHighlight(): void;

  overlay: OverlaySettings;
  setOverlay(patch: Partial<OverlaySettings>): void;

  zoneDraft: ZoneDraft | null;
  setZoneDraft(d: ZoneDraft | null): void;

  tab: SideTab;
  setTab(t: SideTab): void;
  /** Ask the chat input to take focus (the `/` shortcut); the counter re-triggers on every request. */
  chatFocusRequest: number;
  focusChat(): void;
}

const ReviewContext = createContext<ReviewState | null>(null);

export function useReview(): ReviewState {
  const r = useContext(ReviewContext);
  if (!r) throw new Error('useReview() used outside <ReviewProvider>');
  return r;
}

/** The frame on screen (re-renders the caller whenever it changes). */
export function usePlayerSnapshot(): PlayerSnapshot {
  const { bus } = useReview();
  return useSyncExternalStore(bus.subscribe, bus.getSnapshot);
}

function singleTrack(c: Citation): number | null {
  return c.trackIds && c.trackIds.length === 1 ? c.trackIds[0] : null;
}

/** Frame rate used to turn citation times into frames when a citation has no frame. */
function frameOfCitation(c: Citation, evidence: Evidence | undefined): number {
  if (c.frame !== undefined) return c.frame;
  const fps = evidence && evidence.fps > 0 ? evidence.fps : 25;
  return Math.max(0, Math.floor(c.startTime * fps + 1e-6));
}

export function ReviewProvider({
  caseItem,
  evidence,
  evidenceList,
  onSelectEvidence,
  children,
}: {
  caseItem: Case | null;
  evidence: Evidence | null;
  evidenceList: readonly Evidence[];
  onSelectEvidence: (evidenceId: string) => void;
  children: ReactNode;
}) {
  const busRef = useRef<PlayerBus | null>(null);
  if (!busRef.current) busRef.current = new PlayerBus();
  const bus = busRef.current;

  const [selectedEventId, setSelectedEventId] = useState<string | null>(null);
  const [selectedTrackId, setSelectedTrackId] = useState<number | null>(null);
  const [highlight, setHighlight] = useState<Highlight | null>(null);
  const [overlay, setOverlayState] = useState<OverlaySettings>(loadOverlaySettings);
  const [zoneDraft, setZoneDraft] = useState<ZoneDraft | null>(null);
  const [tab, setTab] = useState<SideTab>('events');
  const [chatFocusRequest, setChatFocusRequest] = useState(0);

  // Selections belong to one evidence item; a citation that switched to this item keeps its highlight.
  const [selectionOf, setSelectionOf] = useState<string | null>(evidence?.id ?? null);
  if ((evidence?.id ?? null) !== selectionOf) {
    setSelectionOf(evidence?.id ?? null);
    setSelectedEventId(null);
    setZoneDraft(null);
    if (highlight && highlight.citation.evidenceId === evidence?.id) {
      setSelectedTrackId(singleTrack(highlight.citation));
    } else {
      setSelectedTrackId(null);
      setHighlight(null);
    }
  }

  const evidenceRef = useRef(evidenceList);
  evidenceRef.current = evidenceList;

  const seekTo = useCallback(
    (evidenceId: string, frame: number) => {
      if (evidence?.id !== evidenceId) onSelectEvidence(evidenceId);
      bus.seek(evidenceId, frame);
    },
    [bus, evidence?.id, onSelectEvidence],
  );

  const showCitation = useCallback(
    (c: Citation) => {
      setHighlight({ citation: c, at: Date.now() });
      setSelectedTrackId(singleTrack(c));
      seekTo(c.evidenceId, frameOfCitation(c, evidenceRef.current.find((e) => e.id === c.evidenceId)));
    },
    [seekTo],
  );

  const setOverlay = useCallback((patch: Partial<OverlaySettings>) => {
    setOverlayState((prev) => {
      const next = { ...prev, ...patch };
      saveOverlaySettings(next);
      return next;
    });
  }, []);

  const value = useMemo<ReviewState>(
    () => ({
      caseItem,
      evidence,
      bus,
      selectEvidence: onSelectEvidence,
      seekTo,
      selectedEventId,
      setSelectedEventId,
      selectedTrackId,
      setSelectedTrackId,
      highlight,
      showCitation,
      clearHighlight: () => setHighlight(null),
      overlay,
      setOverlay,
      zoneDraft,
      setZoneDraft,
      tab,
      setTab,
      chatFocusRequest,
      focusChat: () => {
        setTab('chat');
        setChatFocusRequest((n) => n + 1);
      },
    }),
    [caseItem, evidence, bus, onSelectEvidence, seekTo, selectedEventId, selectedTrackId, highlight, showCitation, overlay, setOverlay, zoneDraft, tab, chatFocusRequest],
  );
  return <ReviewContext.Provider value={value}>{children}</ReviewContext.Provider>;
}
