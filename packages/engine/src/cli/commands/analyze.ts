/**
 * `vigil analyze --db PATH --case ID --evidence EID [--reference EID,... | --together EID,...] [--fps N]
 * [--detector NAME]`: a case analysis run inline (the same job the app runs).
 */
import { VigilError, type ProgressFn } from '../../errors.js';
import { listEvents } from '../../store/analyses.js';
import { getCase } from '../../store/cases.js';
import { openDatabase } from '../../store/db.js';
import { getEvidenceRow } from '../../store/evidence.js';
import { createJob } from '../../store/jobs.js';
import { runJobInline } from '../inline-job.js';
import { flag, numberFlag, requireFlag, type ParsedArgs } from '../args.js';

export async function runAnalyzeCase(a: ParsedArgs, progress: ProgressFn) {
  const dbPath = requireFlag(a, 'db', 'path of the case database file');
  const caseId = requireFlag(a, 'case', 'the case id');
  const evidenceId = requireFlag(a, 'evidence', 'the evidence id to analyse');
  const list = (name: string) => (flag(a, name) ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const reference = list('reference');
  const together = list('together');
  if (reference.length && together.length) throw new VigilError('invalid_input', 'Give --reference (footage known to be normal) or --together (footage of the same camera to analyse with), not both.');
  const db = openDatabase(dbPath);
  try {
    getCase(db, caseId);
    const ev = getEvidenceRow(db, evidenceId);
    if (ev.case_id !== caseId) throw new VigilError('not_found', `Evidence ${evidenceId} is not part of case ${caseId}.`);
    for (const r of [...reference, ...together]) {
      if (r === evidenceId) throw new VigilError('invalid_input', 'An evidence item cannot be its own reference footage.');
      if (getEvidenceRow(db, r).case_id !== caseId) throw new VigilError('not_found', `Reference ${r} is not part of case ${caseId}.`);
    }
    const params = { evidenceId, reference, together, fps: numberFlag(a, 'fps'), detector: flag(a, 'detector') ?? 'auto' };
    const job = createJob(db, { caseId, kind: 'analysis', targetId: evidenceId, params });
    const done = await runJobInline(db, dbPath, job.id, progress);
    const analysisId = done.targetId!;
    const events = listEvents(db, { caseId, analysisId }).map((e) => ({
      id: e.id, startTime: e.startTime, endTime: e.endTime, startFrame: e.startFrame, endFrame: e.endFrame, peakFrame: e.peakFrame,
      peakScore: e.peakScore, confidence: e.confidence, category: e.category, trackIds: e.trackIds,
      trajectories: e.trajectories.map((t) => ({ trackId: t.trackId, text: t.summary.text })),
      topAttributes: e.topAttributes,
    }));
    return { analysisId, evidenceId, jobId: done.id, events };
  } finally {
    db.close();
  }
}
