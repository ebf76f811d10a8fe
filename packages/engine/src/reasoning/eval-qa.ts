/**
 * QA evaluation: ask a written question set about each clip of a dataset (ground_truth.json v1 layout)
 * through the same `askQuestion` path the chat uses, and score the answers with the eval metrics:
 * yes/no accuracy, temporal grounding (mIoU, R@0.3/0.5/0.7, from the first citation of each "when"
 * answer), object accuracy, multiple-choice accuracy; plus the share of factual answer sentences whose
 * citations all validate against the stored analysis, and the share of out-of-evidence questions refused.
 *
 * Each clip gets its own temp case database; `analyse` must leave one completed analysis of the clip's
 * evidence in it (the CLI runs the real pipeline; tests may store a fixture).
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { VigilError, throwIfAborted, type ProgressFn } from '../errors.js';
import { loadGroundTruth, type GtClip } from '../eval/dataset.js';
import { choiceAccuracy, objectAccuracy, yesNoAccuracy, type Accuracy } from '../eval/qa-metrics.js';
import { groundingMetrics, type GroundingRow } from '../eval/temporal.js';
import { importEvidence } from '../jobs/import-evidence.js';
import { createCase } from '../store/cases.js';
import { openDatabase, type Db } from '../store/db.js';
import { validateCitation } from './citations.js';
import { askQuestion, type AskResult } from './conversation.js';
import { caseEvidenceModels } from './evidence-model.js';

const QuestionSchema = z.object({
  id: z.string().min(1),
  type: z.enum(['yesno', 'when', 'object', 'choice']),
  q: z.string().min(1),
  /** yes/no: "yes"/"no"; when: "ground-truth" or [start, end] seconds; object: the object name; choice: a letter. */
  answer: z.union([z.string().min(1), z.tuple([z.number(), z.number()])]),
});

const QaSetSchema = z.object({
  schema: z.literal('vigil-qa/1'),
  dataset: z.string(),
  description: z.string().optional(),
  clips: z.record(z.string(), z.object({ questions: z.array(QuestionSchema).min(1) })),
  /** Questions no analysis can answer, asked of every clip; each should be refused. */
  outOfEvidence: z.array(z.string().min(1)).default([]),
});

export type QaQuestion = z.infer<typeof QuestionSchema>;
export type QaSet = z.infer<typeof QaSetSchema>;

/** The QA set written for the project's UCSD Ped2 copy (beside this module: the build copies it into dist). */
export function defaultQaFile(): string {
  const file = fileURLToPath(new URL('./qa/vigil-qa-pedestrian2.json', import.meta.url));
  if (!existsSync(file)) throw new VigilError('not_found', 'The Ped2 QA set (reasoning/qa/vigil-qa-pedestrian2.json) is not installed; pass --qa FILE.');
  return file;
}

export function loadQaSet(file: string): QaSet {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new VigilError('not_found', `QA set not found: ${file}`);
    throw new VigilError('invalid_input', `${file} is not valid JSON (${(e as Error).message}).`);
  }
  const r = QaSetSchema.safeParse(json);
  if (!r.success) throw new VigilError('invalid_input', `${file} is not a vigil-qa/1 question set: ${r.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}.`);
  for (const [clip, c] of Object.entries(r.data.clips)) {
    for (const q of c.questions) {
      if (q.type === 'yesno' && !['yes', 'no'].includes(String(q.answer))) throw new VigilError('invalid_input', `${file}: ${clip}/${q.id} is yes/no but its answer is ${JSON.stringify(q.answer)}.`);
      if (q.type === 'choice' && !/^[A-D]$/.test(String(q.answer))) throw new VigilError('invalid_input', `${file}: ${clip}/${q.id} is multiple choice but its answer is ${JSON.stringify(q.answer)}.`);
      if (q.type === 'when' && q.answer !== 'ground-truth' && !Array.isArray(q.answer)) throw new VigilError('invalid_input', `${file}: ${clip}/${q.id} needs "ground-truth" or [start, end] as answer.`);
    }
  }
  return r.data;
}

/** Leaves one completed analysis of `evidenceId` in `db`. */
export type QaAnalyser = (db: Db, ctx: { caseId: string; evidenceId: string; clip: GtClip; signal?: AbortSignal; onProgress?: ProgressFn }) => Promise<void>;

export interface QaAnswerRecord {
  id: string;
  type: QaQuestion['type'];
  question: string;
  expected: string | [number, number];
  answer: string;
  refused: boolean;
  /** For "when": the interval read from the answer's first citation. */
  interval?: [number, number] | null;
  correct: boolean | null;
  iou?: number;
}

export interface QaEvalResult {
  dataset: string;
  qaFile: string;
  clips: number;
  questions: number;
  yesNo: Accuracy | null;
  temporal: { scored: number; mIoU: number; 'R@0.3': number; 'R@0.5': number; 'R@0.7': number } | null;
  object: Accuracy | null;
  choice: Accuracy | null;
  /** Factual answer sentences and how many have ≥ 1 citation, all of which validate. */
  citations: { factualSentences: number; validlyCited: number; share: number | null };
  /** Out-of-evidence questions asked and how many were refused. */
  refusals: { asked: number; refused: number; share: number | null };
  /** In-evidence questions answered with a refusal (these count as wrong above). */
  refusedInEvidence: number;
  /** Time from question to stored answer, over every question asked (a figure, not a score). */
  answerMs: { mean: number; max: number };
  perClip: { name: string; answers: QaAnswerRecord[]; outOfEvidence: { question: string; refused: boolean; answer: string }[] }[];
}

const round = (v: number, d = 4) => Math.round(v * 10 ** d) / 10 ** d;

function gtInterval(clip: GtClip): [number, number] | null {
  if (!clip.intervals.length) return null;
  const first = clip.intervals[0][0];
  const last = clip.intervals[clip.intervals.length - 1][1];
  return [first / clip.fps, (last + 1) / clip.fps];
}

/** Counts factual sentences and those whose every citation validates against the case's analyses. */
function citationCheck(db: Db, caseId: string, r: AskResult): { factual: number; valid: number } {
  const { models } = caseEvidenceModels(db, caseId);
  const byId = new Map(models.map((m) => [m.evidenceId, m]));
  let factual = 0;
  let valid = 0;
  for (const s of r.sentences) {
    if (!s.factual) continue;
    factual++;
    const cs = s.citations.map((i) => r.citations[i]);
    if (cs.length && cs.every((c) => byId.has(c.evidenceId) && validateCitation(byId.get(c.evidenceId)!, c).ok)) valid++;
  }
  return { factual, valid };
}

export async function runQaEval(opts: {
  datasetDir: string;
  qaFile?: string;
  clips?: string[];
  analyse: QaAnalyser;
  workDir: string;
  keepDatabases?: boolean;
  signal?: AbortSignal;
  onProgress?: ProgressFn;
  log?: (m: string) => void;
}): Promise<QaEvalResult> {
  const qaFile = path.resolve(opts.qaFile ?? defaultQaFile());
  const qa = loadQaSet(qaFile);
  const gt = loadGroundTruth(opts.datasetDir);
  const names = Object.keys(qa.clips).sort();
  const missing = names.filter((n) => !gt.clips.some((c) => c.name === n));
  if (missing.length) throw new VigilError('invalid_input', `${qaFile} asks about clips the dataset does not have: ${missing.join(', ')}.`);
  let selected = names;
  if (opts.clips?.length) {
    const unknown = opts.clips.filter((c) => !names.includes(c));
    if (unknown.length) throw new VigilError('invalid_input', `The QA set has no questions for ${unknown.join(', ')}; it covers ${names.join(', ')}.`);
    selected = names.filter((n) => opts.clips!.includes(n));
  }
  const progress = opts.onProgress ?? (() => {});
  const log = opts.log ?? (() => {});
  mkdirSync(opts.workDir, { recursive: true });

  const yn: { pred: string; gt: 'yes' | 'no' }[] = [];
  const obj: { pred: string; gt: string }[] = [];
  const ch: { pred: string; gt: string }[] = [];
  const grounding: GroundingRow[] = [];
  let factual = 0;
  let validlyCited = 0;
  let oeAsked = 0;
  let oeRefused = 0;
  let refusedInEvidence = 0;
  let questions = 0;
  const latencies: number[] = [];
  const timedAsk = async (db: Db, caseId: string, question: string) => {
    const t0 = performance.now();
    const r = await askQuestion(db, { caseId, question }, { signal: opts.signal });
    latencies.push(performance.now() - t0);
    return r;
  };
  const perClip: QaEvalResult['perClip'] = [];

  for (let ci = 0; ci < selected.length; ci++) {
    throwIfAborted(opts.signal);
    const name = selected[ci];
    const clip = gt.clips.find((c) => c.name === name)!;
    const dbPath = path.join(opts.workDir, `${name}.db`);
    rmSync(dbPath, { force: true });
    const db = openDatabase(dbPath);
    try {
      log(`analysing ${name}`);
      const caseId = createCase(db, { name: `QA ${name}` }).id;
      const { evidenceId } = await importEvidence(db, { caseId, path: clip.videoPath, workDir: path.join(opts.workDir, 'work') });
      await opts.analyse(db, { caseId, evidenceId, clip, signal: opts.signal, onProgress: (f, s) => progress((ci + 0.8 * f) / selected.length, s ?? name) });
      const answers: QaAnswerRecord[] = [];
      for (const q of qa.clips[name].questions) {
        throwIfAborted(opts.signal);
        questions++;
        // One conversation per question: every question stands alone.
        const r = await timedAsk(db, caseId, q.q);
        const cc = citationCheck(db, caseId, r);
        factual += cc.factual;
        validlyCited += cc.valid;
        if (r.refused) refusedInEvidence++;
        const rec: QaAnswerRecord = { id: q.id, type: q.type, question: q.q, expected: q.answer, answer: r.answer, refused: r.refused, correct: null };
        switch (q.type) {
          case 'yesno':
            yn.push({ pred: r.answer, gt: q.answer as 'yes' | 'no' });
            rec.correct = yesNoAccuracy([r.answer], [q.answer as 'yes' | 'no']).correct === 1;
            break;
          case 'object':
            obj.push({ pred: r.refused ? '' : r.answer, gt: String(q.answer) });
            rec.correct = !r.refused && objectAccuracy([r.answer], [String(q.answer)]).correct === 1;
            break;
          case 'choice':
            ch.push({ pred: r.refused ? '' : r.answer, gt: String(q.answer) });
            rec.correct = !r.refused && choiceAccuracy([r.answer], [String(q.answer)]).correct === 1;
            break;
          case 'when': {
            const truth = q.answer === 'ground-truth' ? gtInterval(clip) : (q.answer as [number, number]);
            if (!truth) throw new VigilError('invalid_input', `${name}/${q.id}: the ground truth has no anomalous interval to compare with.`);
            const c = !r.refused ? r.citations[r.sentences.find((s) => s.factual && s.citations.length)?.citations[0] ?? -1] : undefined;
            const pred: [number, number] | null = c ? [c.startTime, c.endTime] : null;
            const row: GroundingRow = { pred, gt: truth };
            grounding.push(row);
            rec.expected = [round(truth[0], 3), round(truth[1], 3)];
            rec.interval = pred;
            rec.iou = round(groundingMetrics([row]).ious[0]);
            rec.correct = rec.iou >= 0.5;
            break;
          }
        }
        answers.push(rec);
      }
      const oe: QaEvalResult['perClip'][number]['outOfEvidence'] = [];
      for (const question of qa.outOfEvidence) {
        const r = await timedAsk(db, caseId, question);
        oeAsked++;
        if (r.refused) oeRefused++;
        const cc = citationCheck(db, caseId, r);
        factual += cc.factual;
        validlyCited += cc.valid;
        oe.push({ question, refused: r.refused, answer: r.answer });
      }
      perClip.push({ name, answers, outOfEvidence: oe });
    } finally {
      db.close();
      if (!opts.keepDatabases) {
        for (const suffix of ['', '-wal', '-shm']) rmSync(`${dbPath}${suffix}`, { force: true });
      }
    }
    progress((ci + 1) / selected.length, name);
  }

  const acc = <T>(rows: { pred: string; gt: T }[], f: (p: string[], g: T[]) => Accuracy): Accuracy | null => (rows.length ? f(rows.map((r) => r.pred), rows.map((r) => r.gt)) : null);
  const g = grounding.length ? groundingMetrics(grounding, [0.3, 0.5, 0.7]) : null;
  return {
    dataset: gt.dataset,
    qaFile,
    clips: selected.length,
    questions,
    yesNo: acc(yn, yesNoAccuracy),
    temporal: g ? { scored: g.scored, mIoU: round(g.mIoU), 'R@0.3': round(g.recall['0.3']), 'R@0.5': round(g.recall['0.5']), 'R@0.7': round(g.recall['0.7']) } : null,
    object: acc(obj, objectAccuracy),
    choice: acc(ch, (p, gg) => choiceAccuracy(p, gg)),
    citations: { factualSentences: factual, validlyCited, share: factual ? round(validlyCited / factual) : null },
    refusals: { asked: oeAsked, refused: oeRefused, share: oeAsked ? round(oeRefused / oeAsked) : null },
    refusedInEvidence,
    answerMs: { mean: latencies.length ? round(latencies.reduce((a, b) => a + b, 0) / latencies.length, 1) : 0, max: latencies.length ? round(Math.max(...latencies), 1) : 0 },
    perClip,
  };
}
