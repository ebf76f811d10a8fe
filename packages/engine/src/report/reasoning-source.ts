/**
 * What the report needs from reasoning and chat, in the report's own terms: an event's grounded
 * explanation (steps with citations) and the case's chat transcript. `reasoningSource()` adapts the
 * reasoning module to these shapes; tests and other hosts can pass their own.
 */
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
  /** One-sentence statement, when the reasoning gives one. */
  summary?: string | null;
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

import type { Db } from '../store/db.js';

export interface ReasoningSource {
  explain(db: Db, eventId: string): ReportReasoning;
  transcript(db: Db, caseId: string): ReportConversation[];
}

/**
 * Vigil's reasoning and chat modules, adapted to the report's shapes. Until they are part of the build
 * there is none, and the report says so next to each event (it still prints the measured attributes).
 */
export function defaultReasoningSource(): ReasoningSource | undefined {
  return undefined;
}
