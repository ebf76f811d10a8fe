/**
 * What the report needs from reasoning and chat, in the report's own terms: an event's grounded
 * explanation (steps with citations) and the case's chat transcript. `defaultReasoningSource()` adapts the
 * reasoning module to these shapes; tests and other hosts can pass their own.
 */
import { explainEvent, getConversation, listConversations, type Citation } from '../reasoning/index.js';
import type { Db } from '../store/db.js';

export interface ReportCitation {
  evidenceId: string;
  startTime: number;
  endTime: number;
  frame?: number | null;
  trackIds?: number[];
}

export interface ReportReasoningStep {
  /** e.g. 'observation', 'comparison', 'conclusion'. */
  kind: string;
  text: string;
  citations: ReportCitation[];
}

export interface ReportReasoning {
  steps: ReportReasoningStep[];
  /** The category the reasoning arrives at, and what it rests on ('taxonomy', 'definition', 'attribute'). */
  category?: string;
  categorySource?: string;
  /** The category stored with the event when it was found (differs when definitions changed since). */
  storedCategory?: string | null;
}

export interface ReportMessage {
  role: 'user' | 'assistant';
  text: string;
  citations: ReportCitation[];
  refused: boolean;
  createdAt: string;
}

export interface ReportConversation {
  id: string;
  title: string;
  createdAt: string;
  messages: ReportMessage[];
}

export interface ReasoningSource {
  explain(db: Db, eventId: string): ReportReasoning;
  transcript(db: Db, caseId: string): ReportConversation[];
}

const citationOf = (c: Citation): ReportCitation => ({ evidenceId: c.evidenceId, startTime: c.startTime, endTime: c.endTime, frame: c.frame ?? null, ...(c.trackIds ? { trackIds: c.trackIds } : {}) });

/** Vigil's reasoning (explainEvent) and chat (conversations) modules, in the report's shapes. */
export function defaultReasoningSource(): ReasoningSource {
  return {
    explain(db, eventId) {
      const x = explainEvent(db, eventId);
      return {
        steps: x.steps.map((s) => ({ kind: s.kind, text: s.text, citations: s.citations.map(citationOf) })),
        category: x.category,
        categorySource: x.source,
        storedCategory: x.storedCategory,
      };
    },
    transcript(db, caseId) {
      // Oldest conversation first, each turn in order: the transcript reads as it happened.
      return listConversations(db, caseId).reverse().map((summary) => {
        const c = getConversation(db, summary.id);
        return {
          id: c.id, title: c.title, createdAt: c.createdAt,
          messages: c.messages.map((m) => ({ role: m.role, text: m.text, citations: m.citations.map(citationOf), refused: m.refused, createdAt: m.createdAt })),
        };
      });
    },
  };
}
