/**
 * `vigil ask`, `vigil explain`, `vigil eval-qa`: thin calls into the reasoning module.
 *
 *   vigil ask --db PATH --case ID [--conversation CID] "question" [--json]
 *   vigil explain --db PATH --case ID --event EVID [--json]
 *   vigil eval-qa --dataset DIR [--qa FILE] [--clips a,b] [--reference train|self] [--detector NAME] [--fps N] [--keep DIR] [--json]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDetector } from '../../analysis/detector-choice.js';
import { analyzeVideo, fitNormality, type FittedReference } from '../../analysis/pipeline.js';
import { VigilError, type ProgressFn } from '../../errors.js';
import { loadGroundTruth } from '../../eval/dataset.js';
import { abandonAnalysis, beginAnalysis, DbAnalysisSink, finishAnalysis, getEvent } from '../../store/analyses.js';
import { getCase } from '../../store/cases.js';
import { openDatabase } from '../../store/db.js';
import { getEvidenceRow } from '../../store/evidence.js';
import { VIGIL_VERSION } from '../../version.js';
import { categorizeResultEvents } from '../../reasoning/categorize.js';
import { askQuestion } from '../../reasoning/conversation.js';
import { runQaEval, type QaAnalyser } from '../../reasoning/eval-qa.js';
import { explainEvent } from '../../reasoning/explain.js';
import { flag, requireFlag, type ParsedArgs } from '../args.js';
import { paramOverrides } from './analyze-file.js';

const dbOf = (a: ParsedArgs) => path.resolve(requireFlag(a, 'db', 'path of the case database file'));

export async function runAsk(a: ParsedArgs) {
  const question = a.positionals.join(' ');
  const caseId = requireFlag(a, 'case', 'the case id');
  const db = openDatabase(dbOf(a));
  try {
    const r = await askQuestion(db, { caseId, conversationId: flag(a, 'conversation'), question });
    return { conversationId: r.conversationId, messageId: r.messageId, answer: r.answer, citations: r.citations, refused: r.refused, sentences: r.sentences, ...(r.choice ? { choice: r.choice } : {}) };
  } finally {
    db.close();
  }
}

export async function runExplain(a: ParsedArgs) {
  const caseId = requireFlag(a, 'case', 'the case id');
  const eventId = requireFlag(a, 'event', 'the event id');
  const db = openDatabase(dbOf(a));
  try {
    getCase(db, caseId);
    if (getEvent(db, eventId).caseId !== caseId) throw new VigilError('not_found', `Event ${eventId} is not part of case ${caseId}.`);
    return explainEvent(db, eventId);
  } finally {
    db.close();
  }
}

export async function runEvalQa(a: ParsedArgs, opts: { onProgress?: ProgressFn; signal?: AbortSignal; log?: (m: string) => void } = {}) {
  const dataset = flag(a, 'dataset');
  if (!dataset) throw new VigilError('invalid_input', '--dataset is required (a folder with ground_truth.json, e.g. the UCSD Ped2 copy).');
  const refMode = flag(a, 'reference') ?? 'train';
  if (refMode !== 'train' && refMode !== 'self') throw new VigilError('invalid_input', `--reference must be "train" or "self", got "${refMode}".`);
  const overrides = paramOverrides(a);
  const keep = flag(a, 'keep');
  const workDir = keep ? path.resolve(keep) : mkdtempSync(path.join(os.tmpdir(), 'vigil-eval-qa-'));
  const detector = await openDetector(flag(a, 'detector'));
  let fitted: FittedReference | null = null;
  try {
    const analyse: QaAnalyser = async (db, ctx) => {
      if (refMode === 'train' && !fitted) {
        // Fit once on the dataset's normal-only training clips, reused for every test clip (as `vigil eval`).
        const train = loadGroundTruth(dataset).clips.filter((c) => c.split === 'train');
        if (!train.length) throw new VigilError('invalid_input', 'The dataset has no training clips; use --reference self.');
        opts.log?.(`fitting the normality model on ${train.length} training clips`);
        fitted = await fitNormality(train.map((c) => c.videoPath), { params: overrides, detector, signal: ctx.signal });
      }
      const ev = getEvidenceRow(db, ctx.evidenceId);
      const analysisId = beginAnalysis(db, {
        caseId: ctx.caseId, evidenceId: ctx.evidenceId, jobId: null, params: { ...overrides, detector: detector?.name ?? 'none', reference: refMode === 'train' ? ['train'] : 'self' },
        models: [], reference: refMode === 'train' ? ['train'] : 'self', engineVersion: VIGIL_VERSION,
      });
      try {
        const sink = new DbAnalysisSink(db, analysisId);
        const r = await analyzeVideo(ev.original_path, { params: overrides, reference: fitted ?? 'self', detector, sink, signal: ctx.signal, onProgress: ctx.onProgress });
        sink.flush();
        const events = categorizeResultEvents(db, analysisId, { frames: r.frames, tracks: r.tracks, events: r.events, params: r.params });
        finishAnalysis(db, analysisId, { frames: r.frames, tracks: r.tracks, events, stats: r.stats as unknown as Record<string, unknown>, params: r.params });
      } catch (e) {
        abandonAnalysis(db, analysisId, 'failed');
        throw e;
      }
    };
    const clips = (flag(a, 'clips') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    const result = await runQaEval({ datasetDir: dataset, qaFile: flag(a, 'qa'), clips, analyse, workDir, keepDatabases: !!keep, signal: opts.signal, onProgress: opts.onProgress, log: opts.log });
    return { ...result, reference: refMode, detector: detector ? (detector.name ?? 'custom') : 'none' };
  } finally {
    await detector?.dispose();
    if (!keep) rmSync(workDir, { recursive: true, force: true });
  }
}
