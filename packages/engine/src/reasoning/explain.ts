/** `explainEvent`: the grounded reasoning steps for one stored event. */
import { VigilError } from '../errors.js';
import { getEvent } from '../store/analyses.js';
import type { Db } from '../store/db.js';
import { categorizeEvent, type ReasoningStep } from './categorize.js';
import { validateCitation } from './citations.js';
import { listDefinitions } from './definitions.js';
import { evidenceModelFromDb } from './evidence-model.js';

export interface EventExplanation {
  eventId: string;
  evidenceId: string;
  startTime: number;
  endTime: number;
  category: string;
  source: 'definition' | 'taxonomy' | 'attribute';
  definitionId?: string;
  confidence: number;
  /** The category stored with the event by the analysis (may differ when definitions changed since). */
  storedCategory: string | null;
  steps: ReasoningStep[];
  /** The steps as one text. */
  text: string;
}

export function explainEvent(db: Db, eventId: string): EventExplanation {
  const e = getEvent(db, eventId);
  const m = evidenceModelFromDb(db, e.analysisId);
  const ev = m.events.find((x) => x.id === eventId);
  if (!ev) throw new VigilError('not_found', `Event ${eventId} is not part of analysis ${e.analysisId}.`);
  const c = categorizeEvent(m, ev, listDefinitions(db, e.caseId));
  // Steps only leave the engine with citations that hold against the stored analysis.
  const steps = c.steps.map((s) => ({ ...s, citations: s.citations.filter((x) => validateCitation(m, x).ok) })).filter((s) => s.citations.length);
  return {
    eventId, evidenceId: e.evidenceId, startTime: e.startTime, endTime: e.endTime, category: c.category, source: c.source,
    ...(c.definitionId ? { definitionId: c.definitionId } : {}), confidence: c.confidence, storedCategory: e.category, steps,
    text: steps.map((s) => s.text).join(' '),
  };
}
