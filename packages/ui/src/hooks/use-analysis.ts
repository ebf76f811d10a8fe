/**
 * The analysis results of the evidence under review. Results of a finished analysis never change, so
 * per-frame overlays and heatmaps are cached for the session and fetched ahead of playback.
 */
import { useEffect, useMemo } from 'react';
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Analysis, AnomalyEventRecord, ApiError, Evidence, OpOutput } from '@vigil/engine/contract';
import { framesAhead, nearestAnalysedFrame } from '../lib/frames';
import { useClient } from './client-context';
import { opKey } from './query-keys';
import { useOp } from './use-op';

export interface AnalysisStatus {
  /** Newest finished analysis (what the overlays, timeline and events show). */
  latest: Analysis | null;
  /** An analysis still being computed, if any. */
  running: Analysis | null;
  all: Analysis[];
  isPending: boolean;
  error: ApiError | null;
}

export function useAnalysisStatus(evidenceId: string | null): AnalysisStatus {
  const list = useOp('analysis.list', evidenceId ? { evidenceId } : null);
  const all = list.data ?? [];
  return {
    latest: all.find((a) => a.state === 'done') ?? null,
    running: all.find((a) => a.state === 'running') ?? null,
    all,
    isPending: list.isPending && evidenceId !== null,
    error: list.error,
  };
}

/** Events of the evidence's latest finished analysis, in time order. */
export function useEvidenceEvents(evidence: Pick<Evidence, 'id' | 'caseId'> | null): { list: AnomalyEventRecord[]; isPending: boolean; error: ApiError | null } {
  const status = useAnalysisStatus(evidence?.id ?? null);
  const events = useOp('events.list', evidence ? { caseId: evidence.caseId, evidenceId: evidence.id } : null);
  const latestId = status.latest?.id ?? null;
  const list = useMemo(
    () => (events.data ?? []).filter((e) => latestId === null || e.analysisId === latestId).sort((a, b) => a.startTime - b.startTime || a.seq - b.seq),
    [events.data, latestId],
  );
  return { list, isPending: events.isPending && evidence !== null, error: events.error };
}

export type Scores = OpOutput<'analysis.scores'>;
export type Overlay = OpOutput<'analysis.overlay'>;
export type Heatmap = OpOutput<'analysis.heatmap'>;

const IMMUTABLE = { staleTime: Infinity, gcTime: 5 * 60_000 } as const;

export function useScores(analysisId: string | null) {
  return useOp('analysis.scores', analysisId ? { analysisId } : null);
}

/** How many analysed frames of overlay data to keep fetched ahead while playing. */
const PREFETCH_AHEAD = 12;

/**
 * Boxes, paths and heatmap for the analysed frame nearest to `frame`. While the next frame's data is on
 * its way the previous frame's stays (no flicker); `data.frame` says which frame it belongs to.
 */
export function useOverlayData(analysisId: string | null, analysedFrames: readonly number[] | undefined, frame: number, opts: { heatmap: boolean; playing: boolean }) {
  const client = useClient();
  const qc = useQueryClient();
  const target = analysedFrames ? nearestAnalysedFrame(analysedFrames, frame) : null;
  const enabled = analysisId !== null && target !== null;
  const overlayInput = { analysisId: analysisId ?? '', frame: target ?? 0 };

  const overlay = useQuery<Overlay, ApiError>({
    queryKey: opKey('analysis.overlay', overlayInput),
    queryFn: () => client.call('analysis.overlay', overlayInput),
    enabled,
    placeholderData: keepPreviousData,
    ...IMMUTABLE,
  });
  const heatmap = useQuery<Heatmap, ApiError>({
    queryKey: opKey('analysis.heatmap', overlayInput),
    queryFn: () => client.call('analysis.heatmap', overlayInput),
    enabled: enabled && opts.heatmap,
    placeholderData: keepPreviousData,
    ...IMMUTABLE,
  });

  // Fetch what playback is about to show, so the overlay keeps pace with the picture.
  useEffect(() => {
    if (!opts.playing || !analysisId || !analysedFrames || target === null) return;
    for (const f of framesAhead(analysedFrames, target, PREFETCH_AHEAD)) {
      const input = { analysisId, frame: f };
      void qc.prefetchQuery({ queryKey: opKey('analysis.overlay', input), queryFn: () => client.call('analysis.overlay', input), ...IMMUTABLE });
      if (opts.heatmap) void qc.prefetchQuery({ queryKey: opKey('analysis.heatmap', input), queryFn: () => client.call('analysis.heatmap', input), ...IMMUTABLE });
    }
  }, [opts.playing, opts.heatmap, analysisId, analysedFrames, target, qc, client]);

  return { target, overlay: overlay.data ?? null, heatmap: opts.heatmap ? (heatmap.data ?? null) : null, error: overlay.error ?? heatmap.error ?? null };
}
