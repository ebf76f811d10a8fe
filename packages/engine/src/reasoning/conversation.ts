/**
 * Chat: multi-turn conversations per case, persisted. Each turn stores the question and the answer with
 * its citations, plus the state the next turn needs to resolve "it", "the second one", "before that".
 * Every answer is checked before it is stored: a factual sentence must carry at least one citation that
 * validates against the stored analysis; an answerer that breaks this is replaced by the grounded one.
 */
import { VigilError, throwIfAborted } from '../errors.js';
import { appendAudit } from '../store/audit.js';
import { getCase } from '../store/cases.js';
import type { Db } from '../store/db.js';
import { newId, nowIso } from '../store/ids.js';
import { EMPTY_STATE, type Answer, type Answerer, type AnswerSentence, type ConversationState } from './answerer.js';
import { validateCitation, type Citation } from './citations.js';
import { listDefinitions } from './definitions.js';
import { caseEvidenceModels, type EvidenceModel } from './evidence-model.js';
import { GroundedAnswerer } from './grounded-answerer.js';
import { parseQuestion } from './question-parser.js';

/** Longest question accepted (characters). */
export const MAX_QUESTION_CHARS = 2000;

export interface AskInput {
  caseId: string;
  conversationId?: string;
  question: string;
}

export interface AskOptions {
  /** Answerer to use (default: the grounded answerer). */
  answerer?: Answerer;
  signal?: AbortSignal;
}

export interface AnswerSentenceOut {
  text: string;
  /** Indexes into `citations`. */
  citations: number[];
  factual: boolean;
}

export interface AskResult {
  conversationId: string;
  messageId: string;
  answer: string;
  citations: Citation[];
  refused: boolean;
  sentences: AnswerSentenceOut[];
  /** Multiple-choice answers: the chosen letter. */
  choice?: string;
  /** Which answerer produced the stored answer. */
  answerer: string;
}

export interface ConversationSummary {
  id: string;
  caseId: string;
  title: string;
  createdAt: string;
  messageCount: number;
  lastMessageAt: string | null;
}

export interface MessageOut {
  id: string;
  seq: number;
  role: 'user' | 'assistant';
  text: string;
  citations: Citation[];
  refused: boolean;
  sentences?: AnswerSentenceOut[];
  createdAt: string;
}

interface ConvRow { id: string; case_id: string; title: string; created_at: string }
interface MsgRow { id: string; conversation_id: string; seq: number; role: 'user' | 'assistant'; text: string; citations_json: string; refused: number; state_json: string; created_at: string }

interface StoredState {
  state: ConversationState;
  sentences?: AnswerSentenceOut[];
  answerer?: string;
  choice?: string;
}

function checkQuestion(question: unknown): string {
  if (typeof question !== 'string') throw new VigilError('invalid_input', 'The question must be text.');
  const q = question.replace(/\u0000/g, '').trim();
  if (!q) throw new VigilError('invalid_input', 'The question is empty; ask something about the footage, e.g. "what happened?".');
  if (q.length > MAX_QUESTION_CHARS) throw new VigilError('invalid_input', `The question is ${q.length} characters long; the limit is ${MAX_QUESTION_CHARS}. Ask one thing at a time.`);
  return q;
}

function conversationRow(db: Db, id: string): ConvRow {
  const r = db.prepare('SELECT * FROM conversations WHERE id = ?').get(id) as ConvRow | undefined;
  if (!r) throw new VigilError('not_found', `No conversation with id ${id}.`);
  return r;
}

function lastState(db: Db, conversationId: string): ConversationState {
  const r = db.prepare("SELECT state_json FROM messages WHERE conversation_id = ? AND role = 'assistant' ORDER BY seq DESC LIMIT 1").get(conversationId) as { state_json: string } | undefined;
  if (!r) return EMPTY_STATE;
  const s = JSON.parse(r.state_json) as StoredState;
  return s.state ?? EMPTY_STATE;
}

/** Sentences whose citations all validate; a factual sentence left without one is dropped. */
function checkAnswer(models: EvidenceModel[], a: Answer): { sentences: AnswerSentence[]; invalid: string[] } {
  const byId = new Map(models.map((m) => [m.evidenceId, m]));
  const invalid: string[] = [];
  const sentences: AnswerSentence[] = [];
  for (const s of a.sentences) {
    const ok = s.citations.filter((c) => {
      const m = byId.get(c.evidenceId);
      const v = m ? validateCitation(m, c) : { ok: false, reason: `evidence ${c.evidenceId} is not in this case's analyses` };
      if (!v.ok) invalid.push(`"${s.text.slice(0, 60)}": ${v.reason}`);
      return v.ok;
    });
    if (s.factual && !ok.length) {
      invalid.push(`"${s.text.slice(0, 60)}": factual sentence without a valid citation`);
      continue;
    }
    sentences.push({ ...s, citations: ok });
  }
  return { sentences, invalid };
}

/** Asks a question in a case's conversation (a new one when no id is given) and stores both turns. */
export async function askQuestion(db: Db, input: AskInput, opts: AskOptions = {}): Promise<AskResult> {
  const question = checkQuestion(input.question);
  getCase(db, input.caseId);
  let conv: ConvRow | null = null;
  if (input.conversationId !== undefined) {
    conv = conversationRow(db, input.conversationId);
    if (conv.case_id !== input.caseId) throw new VigilError('not_found', `Conversation ${input.conversationId} is not part of case ${input.caseId}; start a new conversation in this case instead.`);
  }
  const state = conv ? lastState(db, conv.id) : EMPTY_STATE;
  const { models, unanalysed } = caseEvidenceModels(db, input.caseId);
  const definitions = listDefinitions(db, input.caseId);
  const parsed = parseQuestion(question, { zoneNames: models.flatMap((m) => m.zones.map((z) => z.name)) });

  const grounded = new GroundedAnswerer();
  let answerer: Answerer = opts.answerer ?? grounded;
  let answer: Answer;
  let sentences: AnswerSentence[];
  if (!models.length) {
    const reason = unanalysed.length
      ? `No completed analysis exists for this case's evidence yet (${unanalysed.map((u) => u.fileName).join(', ')}); run an analysis first, then ask again.`
      : 'This case has no evidence yet; import footage and analyse it first.';
    answer = { sentences: [{ text: reason, citations: [], factual: false }], refused: true };
    sentences = answer.sentences;
    answerer = grounded;
  } else {
    const req = { caseId: input.caseId, question, parsed, evidence: models, unanalysed, definitions, state, signal: opts.signal };
    answer = await answerer.answer(req);
    throwIfAborted(opts.signal);
    let checked = checkAnswer(models, answer);
    if (checked.invalid.length && answerer !== grounded) {
      // The contract is broken (uncited or invalid evidence): the grounded answerer answers instead.
      answerer = grounded;
      answer = await grounded.answer(req);
      checked = checkAnswer(models, answer);
    }
    sentences = checked.sentences;
    if (!sentences.some((s) => s.factual) && !answer.refused) {
      sentences = [{ text: 'The analysis holds nothing that answers this.', citations: [], factual: false }];
      answer = { ...answer, refused: true };
    }
    if (unanalysed.length && !answer.refused) {
      sentences.push({ text: `Not searched (no completed analysis yet): ${unanalysed.map((u) => u.fileName).join(', ')}.`, citations: [], factual: false });
    }
  }

  // Flatten citations (deduplicated) and map sentences to them.
  const citations: Citation[] = [];
  const keyOf = (c: Citation) => JSON.stringify(c);
  const index = new Map<string, number>();
  const outSentences: AnswerSentenceOut[] = sentences.map((s) => ({
    text: s.text,
    factual: s.factual,
    citations: s.citations.map((c) => {
      const k = keyOf(c);
      let i = index.get(k);
      if (i === undefined) {
        i = citations.length;
        citations.push(c);
        index.set(k, i);
      }
      return i;
    }),
  }));
  const text = sentences.map((s) => s.text).join(' ');
  // Events talked about so far: those in focus or listed, and the events of tracks in focus.
  const discussed = [...(state.discussed ?? [])];
  const addDiscussed = (d: { evidenceId: string; eventId?: string; start: number }) => {
    if (!discussed.some((x) => x.evidenceId === d.evidenceId && (d.eventId ? x.eventId === d.eventId : x.start === d.start))) discussed.push(d);
  };
  for (const f of [...(answer.focus ?? []), ...(answer.list ?? [])]) {
    if (f.kind === 'event') addDiscussed({ evidenceId: f.evidenceId, eventId: f.eventId, start: f.start });
    else {
      const m = models.find((x) => x.evidenceId === f.evidenceId);
      for (const e of m?.events ?? []) if (e.trackIds.some((id) => f.trackIds.includes(id))) addDiscussed({ evidenceId: f.evidenceId, eventId: e.id, start: e.startTime });
    }
  }
  const nextState: ConversationState = {
    discussed,
    focus: answer.focus ?? state.focus,
    list: answer.list ?? state.list,
    lastIntent: parsed.intent,
    lastQuestion: parsed.intent === 'followup' || parsed.intent === 'unknown' || parsed.language !== 'en' ? state.lastQuestion : question,
  };

  const conversationId = conv?.id ?? newId('conv');
  const messageId = newId('msg');
  db.transaction(() => {
    if (!conv) db.prepare('INSERT INTO conversations (id, case_id, title, created_at) VALUES (?,?,?,?)').run(conversationId, input.caseId, question.slice(0, 80), nowIso());
    const seq = ((db.prepare('SELECT MAX(seq) AS s FROM messages WHERE conversation_id = ?').get(conversationId) as { s: number | null }).s ?? 0) + 1;
    const ins = db.prepare('INSERT INTO messages (id, conversation_id, seq, role, text, citations_json, refused, state_json, created_at) VALUES (?,?,?,?,?,?,?,?,?)');
    ins.run(newId('msg'), conversationId, seq, 'user', question, '[]', 0, '{}', nowIso());
    const stored: StoredState = { state: nextState, sentences: outSentences, answerer: answerer.name, ...(answer.choice ? { choice: answer.choice } : {}) };
    ins.run(messageId, conversationId, seq + 1, 'assistant', text, JSON.stringify(citations), answer.refused ? 1 : 0, JSON.stringify(stored), nowIso());
    appendAudit(db, { action: 'chat.ask', caseId: input.caseId, subject: conversationId, details: { question, messageId, citations: citations.length, refused: answer.refused, answerer: answerer.name } });
  })();
  return { conversationId, messageId, answer: text, citations, refused: answer.refused, sentences: outSentences, ...(answer.choice ? { choice: answer.choice } : {}), answerer: answerer.name };
}

export function listConversations(db: Db, caseId: string): ConversationSummary[] {
  getCase(db, caseId);
  const rows = db.prepare(`
    SELECT c.*, (SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id) AS n,
           (SELECT MAX(created_at) FROM messages m WHERE m.conversation_id = c.id) AS last_at
    FROM conversations c WHERE c.case_id = ? ORDER BY c.created_at DESC, c.rowid DESC`).all(caseId) as (ConvRow & { n: number; last_at: string | null })[];
  return rows.map((r) => ({ id: r.id, caseId: r.case_id, title: r.title, createdAt: r.created_at, messageCount: r.n, lastMessageAt: r.last_at }));
}

export function getConversation(db: Db, conversationId: string): { id: string; caseId: string; title: string; createdAt: string; messages: MessageOut[] } {
  const c = conversationRow(db, conversationId);
  const msgs = (db.prepare('SELECT * FROM messages WHERE conversation_id = ? ORDER BY seq').all(conversationId) as MsgRow[]).map((m) => {
    const st = JSON.parse(m.state_json) as Partial<StoredState>;
    return {
      id: m.id, seq: m.seq, role: m.role, text: m.text, citations: JSON.parse(m.citations_json) as Citation[], refused: !!m.refused,
      ...(st.sentences ? { sentences: st.sentences } : {}), createdAt: m.created_at,
    };
  });
  return { id: c.id, caseId: c.case_id, title: c.title, createdAt: c.created_at, messages: msgs };
}
