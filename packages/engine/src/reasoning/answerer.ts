/**
 * The answering contract. An Answerer turns a question about a case into sentences; each factual sentence
 * carries citations into the case's analyses. The grounded answerer (rules over the evidence model) is
 * the default; a vision-language model pack can implement the same interface later. Whatever answers,
 * `askQuestion` validates every citation against the stored analysis and falls back to the grounded
 * answerer when a factual sentence is left without a valid one.
 */
import type { Citation } from './citations.js';
import type { Definition } from './definitions.js';
import type { EvidenceModel } from './evidence-model.js';
import type { Intent, ParsedQuestion } from './question-parser.js';

export interface AnswerSentence {
  text: string;
  /** Evidence this sentence states; required (non-empty, valid) when `factual`. */
  citations: Citation[];
  /** States something about the footage. Refusals, caveats and guidance are not factual. */
  factual: boolean;
}

/** What a later turn can refer back to ("it", "the second one", "before that"). */
export interface FocusItem {
  evidenceId: string;
  kind: 'track' | 'event';
  trackIds: number[];
  eventId?: string;
  /** Event sequence number within its analysis (for "event 2"). */
  seq?: number;
  label?: string;
  start: number;
  end: number;
}

export interface ConversationState {
  /** What the last answer was about. */
  focus: FocusItem[];
  /** The items the last answer enumerated, in order ("the second one"). */
  list: FocusItem[];
  lastIntent?: Intent;
  /** The last question that had a full intent (for fragments: "and the skateboarder?"). */
  lastQuestion?: string;
  /** Events the conversation has already talked about ("anything else?" leaves them out). */
  discussed?: { evidenceId: string; eventId?: string; start: number }[];
}

export const EMPTY_STATE: ConversationState = { focus: [], list: [] };

export interface Answer {
  sentences: AnswerSentence[];
  /** The question could not be answered from the evidence (the sentences say why). */
  refused: boolean;
  /** Multiple-choice: the chosen option letter. */
  choice?: string;
  /** Focus and list for the next turn (unchanged from the request when omitted). */
  focus?: FocusItem[];
  list?: FocusItem[];
}

export interface AnswerRequest {
  caseId: string;
  question: string;
  parsed: ParsedQuestion;
  /** One model per evidence item with a completed analysis. */
  evidence: EvidenceModel[];
  /** Evidence items that have no completed analysis yet. */
  unanalysed: { evidenceId: string; fileName: string }[];
  definitions: Definition[];
  state: ConversationState;
  signal?: AbortSignal;
}

export interface Answerer {
  /** Stable name recorded with each answer (e.g. 'grounded', 'vlm:qwen2-vl-2b'). */
  readonly name: string;
  answer(req: AnswerRequest): Promise<Answer>;
}
