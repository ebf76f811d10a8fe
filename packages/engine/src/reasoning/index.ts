/**
 * Reasoning: the evidence model of an analysis, event categorisation with grounded steps, user anomaly
 * definitions and zones, question parsing, answerers and the persisted chat.
 */
export { askQuestion, listConversations, getConversation, MAX_QUESTION_CHARS, type AskInput, type AskOptions, type AskResult, type AnswerSentenceOut, type ConversationSummary, type MessageOut } from './conversation.js';
export { explainEvent, type EventExplanation } from './explain.js';
export { categorizeEvent, categorizeResultEvents, BUILTIN_CATEGORIES, type Categorization, type ReasoningStep } from './categorize.js';
export { addDefinition, listDefinitions, removeDefinition, getDefinition, parseDefinition, matchDefinition, type Definition, type DefinitionRule, type DefinitionMatch } from './definitions.js';
export { addZone, listZones, removeZone, updateZone, getZone, type Zone } from './zones.js';
export { GroundedAnswerer } from './grounded-answerer.js';
export { EMPTY_STATE, type Answerer, type Answer, type AnswerRequest, type AnswerSentence, type ConversationState, type FocusItem } from './answerer.js';
export { validateCitation, type Citation } from './citations.js';
export { EvidenceModel, evidenceModelFromDb, caseEvidenceModels, analysisDataFromDb, analysisDataFromResult, evidenceInfoFromDb, type AnalysisData, type EvidenceInfo, type ModelEvent, type TrackFacts } from './evidence-model.js';
export { parseQuestion, type ParsedQuestion, type Intent } from './question-parser.js';
export { DETECTOR_LABELS, LABEL_GROUPS, UNKNOWN_LABEL } from './vocabulary.js';
