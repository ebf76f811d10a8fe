/**
 * The machine-readable manifest embedded in every report PDF (attachment `vigil-manifest.json`): the case,
 * each exhibit's hashes and metadata, each analysis' parameters, models (with their SHA-256) and stats,
 * each reported event with its review state and the hashes of its stills, and the audit-log head. It is
 * canonical JSON (keys sorted), so its SHA-256 — printed in the report — identifies its content exactly.
 */
import { canonicalJson } from '../store/canonical-json.js';
import { sha256Buffer } from '../media/hash.js';
import { FRAME_HASH_COMMAND } from './keyframes.js';
import type { ReportModel } from './model.js';

export const MANIFEST_NAME = 'vigil-manifest.json';
export const MANIFEST_FORMAT = 'vigil-report-manifest';
export const MANIFEST_VERSION = 1;

export function buildManifest(m: ReportModel) {
  return {
    format: MANIFEST_FORMAT,
    formatVersion: MANIFEST_VERSION,
    reportId: m.reportId,
    generatedAt: m.generatedAt,
    vigilVersion: m.vigilVersion,
    case: m.case,
    options: m.options,
    exhibits: m.exhibits.map((x) => ({
      label: x.label, evidenceId: x.evidenceId, fileName: x.fileName, originalPath: x.originalPath, sizeBytes: x.sizeBytes, sha256: x.sha256,
      importedAt: x.importedAt, container: x.container, codec: x.codec, pixFmt: x.pixFmt, width: x.width, height: x.height, rotation: x.rotation,
      fps: x.fps, vfr: x.vfr, frameCount: x.frameCount, durationS: x.durationS, timingSource: x.timingSource, verification: x.verification,
      latestAnalysisId: x.latestAnalysisId,
    })),
    analyses: m.analyses.map((a) => ({
      id: a.id, evidenceId: a.evidenceId, state: a.state, engineVersion: a.engineVersion, params: a.params, models: a.models,
      executionProviders: a.executionProviders, reference: a.reference, stats: a.stats, createdAt: a.createdAt, finishedAt: a.finishedAt,
      job: a.job, analysedFrames: a.scores.length, latest: a.isLatest,
    })),
    events: m.events.map((e) => ({
      label: e.label, id: e.id, analysisId: e.analysisId, evidenceId: e.evidenceId, seq: e.seq,
      startTime: e.startTime, endTime: e.endTime, startFrame: e.startFrame, endFrame: e.endFrame, peakFrame: e.peakFrame, peakTime: e.peakTime,
      peakScore: e.peakScore, confidence: e.confidence, category: e.category, trackIds: e.trackIds, topAttributes: e.topAttributes,
      trajectories: e.trajectories, review: { state: e.reviewState, note: e.reviewNote, reviewedAt: e.reviewedAt },
      keyframes: e.keyframes.map((k) => ({ role: k.role, frame: k.frame, time: k.time, sha256: k.sha256, error: k.error })),
      reasoning: e.reasoning,
    })),
    frameHash: {
      definition: 'SHA-256 of the decoded frame as packed RGB24 bytes (width x height x 3, top row first, no padding) at the source display resolution, before enlargement or overlays.',
      command: FRAME_HASH_COMMAND,
    },
    transcript: m.transcript ? { conversations: m.transcript.length, messages: m.transcript.reduce((n, c) => n + c.messages.length, 0) } : null,
    audit: { caseRows: m.audit.total, chain: m.audit.chain, head: m.audit.head },
    warnings: m.warnings,
  };
}

export type ReportManifest = ReturnType<typeof buildManifest>;

/** Canonical UTF-8 bytes of the manifest and their SHA-256. */
export function serialiseManifest(m: ReportManifest): { bytes: Uint8Array; sha256: string } {
  const bytes = new TextEncoder().encode(canonicalJson(m));
  return { bytes, sha256: sha256Buffer(bytes) };
}
