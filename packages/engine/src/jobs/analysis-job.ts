/**
 * The analysis job: run the pipeline on one evidence item (with reference clips of the same case, or
 * self-referenced, alone or together with other clips of the same camera), stream per-frame output into
 * the case database, then commit scores, tracks and events in one transaction. A failed or cancelled run
 * leaves no partial rows.
 */
import { DEFAULT_DETECTOR, openDetector } from '../analysis/detector-choice.js';
import type { DetectorLike } from '../analysis/measurements.js';
import { analyzeTogether, analyzeVideo, type AnalysisResult } from '../analysis/pipeline.js';
import { isVigilError, VigilError } from '../errors.js';
import { categorizeResultEvents } from '../reasoning/categorize.js';
import { ModelRegistry } from '../inference/registry.js';
import { abandonAnalysis, beginAnalysis, DbAnalysisSink, finishAnalysis, type AnalysisRecord } from '../store/analyses.js';
import { getEvidenceRow } from '../store/evidence.js';
import { VIGIL_VERSION } from '../version.js';
import type { JobContext, JobOutcome } from './handlers.js';

/** 'auto' uses the default detector when it is built and falls back to motion-only analysis otherwise. */
async function chooseDetector(choice: string, notes: string[]): Promise<DetectorLike | null> {
  if (choice === 'none') notes.push('No detector was chosen: objects come from motion only, and none is named (every one is "unknown").');
  if (choice !== 'auto') return openDetector(choice);
  try {
    return await openDetector(DEFAULT_DETECTOR);
  } catch (e) {
    if (!isVigilError(e) || e.code !== 'model_error') throw e;
    notes.push(`Detector ${DEFAULT_DETECTOR} unavailable (${e.message}); objects come from motion only.`);
    return null;
  }
}

function modelInfo(detector: DetectorLike | null): AnalysisRecord['models'] {
  if (!detector) return [];
  const d = detector as DetectorLike & { name: string; ep?: string };
  const registry = new ModelRegistry();
  // The detector runs one of these by frame shape (its variants are the same weights for other inputs).
  return [registry.readManifest(d.name), ...registry.variantsOf(d.name)].map((m) => ({
    name: m.name,
    sha256: m.onnx.sha256,
    source: `${m.source.package}@${m.source.version}`,
    ep: d.ep ?? 'cpu',
  }));
}

export async function runAnalysisJob(ctx: JobContext): Promise<JobOutcome> {
  const { db } = ctx;
  const ev = getEvidenceRow(db, String(ctx.params.evidenceId));
  const sameCase = (id: string) => {
    const r = getEvidenceRow(db, id);
    if (r.case_id !== ev.case_id) throw new VigilError('not_found', `Reference ${id} is not part of this case.`);
    return r;
  };
  const referenceIds = (ctx.params.reference as string[] | undefined) ?? [];
  const references = referenceIds.map(sameCase);
  const togetherIds = (ctx.params.together as string[] | undefined) ?? [];
  const together = togetherIds.map(sameCase);
  const reference: 'self' | string[] = referenceIds.length ? referenceIds : 'self';
  const notes: string[] = [];
  ctx.onProgress(0, 'load models');
  const detector = await chooseDetector(String(ctx.params.detector ?? 'auto'), notes);
  const fps = typeof ctx.params.fps === 'number' ? ctx.params.fps : undefined;
  const analysisId = beginAnalysis(db, {
    caseId: ev.case_id,
    evidenceId: ev.id,
    jobId: ctx.job.id,
    params: { ...(fps ? { fps } : {}), detector: String(ctx.params.detector ?? 'auto'), reference, ...(togetherIds.length ? { together: togetherIds } : {}) },
    models: modelInfo(detector),
    reference,
    engineVersion: VIGIL_VERSION,
  });
  ctx.setTarget(analysisId);
  try {
    const sink = new DbAnalysisSink(db, analysisId);
    const common = { params: fps ? { fps } : {}, detector, onProgress: ctx.onProgress, signal: ctx.signal };
    const result: AnalysisResult = together.length
      ? (await analyzeTogether([ev.original_path, ...together.map((r) => r.original_path)], { ...common, sinks: [sink, ...together.map(() => null)] }))[0]!
      : await analyzeVideo(ev.original_path, { ...common, reference: references.length ? { paths: references.map((r) => r.original_path) } : 'self', sink });
    sink.flush();
    const stats = { ...result.stats, notes: [...notes, ...result.stats.notes] } as unknown as Record<string, unknown>;
    // Evidence ids, not file paths, are what the record keeps (paths stay inside the engine).
    const params = { ...result.params, reference, ...(togetherIds.length ? { together: togetherIds } : {}) };
    ctx.onProgress(0.99, 'categorise');
    const events = categorizeResultEvents(db, analysisId, { frames: result.frames, tracks: result.tracks, events: result.events, params: result.params });
    const { eventIds } = finishAnalysis(db, analysisId, { frames: result.frames, tracks: result.tracks, events, stats, params });
    return { targetId: analysisId, result: { analysisId, eventIds } };
  } catch (e) {
    abandonAnalysis(db, analysisId, ctx.signal.aborted || (isVigilError(e) && e.code === 'cancelled') ? 'cancelled' : 'failed');
    throw e;
  } finally {
    await detector?.dispose?.();
  }
}
