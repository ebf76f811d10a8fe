/**
 * Accuracy helpers for question answering benchmarks (yes/no, multiple choice A–D, key object), including
 * the lenient parsing of free-text model answers. Definitions: METRICS.md § "QA accuracy".
 */
import { VigilError } from '../errors.js';

export interface Accuracy {
  correct: number;
  total: number;
  /** correct / total. */
  accuracy: number;
  /** Answers that could not be parsed (they count as wrong). */
  unparsed: number;
}

function accuracyOf<T>(
  preds: readonly string[],
  gts: readonly T[],
  what: string,
  judge: (pred: string, gt: T) => boolean | null,
): Accuracy {
  if (preds.length !== gts.length) {
    throw new VigilError('invalid_input', `${what}: ${preds.length} answers but ${gts.length} ground-truth items.`);
  }
  if (gts.length === 0) throw new VigilError('invalid_input', `${what} is undefined for zero questions.`);
  let correct = 0;
  let unparsed = 0;
  preds.forEach((p, i) => {
    const v = judge(p, gts[i]);
    if (v === null) unparsed++;
    else if (v) correct++;
  });
  return { correct, total: gts.length, accuracy: correct / gts.length, unparsed };
}

/** "yes"/"no" from a free-text answer: its first word, ignoring case and punctuation ("Yes, because…" → yes). */
export function parseYesNo(text: string): 'yes' | 'no' | null {
  const m = /^[\s"'*([{]*([a-z]+)/i.exec(text);
  const w = m?.[1].toLowerCase();
  if (w === 'yes' || w === 'true') return 'yes';
  if (w === 'no' || w === 'false') return 'no';
  return null;
}

function yesNoTruth(gt: 'yes' | 'no' | boolean, i: number): 'yes' | 'no' {
  if (gt === true || gt === 'yes') return 'yes';
  if (gt === false || gt === 'no') return 'no';
  throw new VigilError('invalid_input', `Yes/no accuracy: ground truth ${i} is ${String(gt)}; expected yes/no/true/false.`);
}

export function yesNoAccuracy(preds: readonly string[], gts: readonly ('yes' | 'no' | boolean)[]): Accuracy {
  const truths = gts.map(yesNoTruth);
  return accuracyOf(preds, truths, 'Yes/no accuracy', (p, gt) => {
    const a = parseYesNo(p);
    return a === null ? null : a === gt;
  });
}

/**
 * The option letter of a multiple-choice answer (options A..`last`), or null. Accepts a bare letter ("B",
 * "(b)", "B.", "B) cart"), an "answer/option" phrase ("Answer: C", "The answer is (d)", "Option 2" → B),
 * and a bare option number ("3" → C). Anything else — including text that merely contains a capital letter —
 * is unparsed rather than guessed.
 */
export function parseChoiceLetter(text: string, last = 'D'): string | null {
  const n = last.toUpperCase().charCodeAt(0) - 64; // number of options
  if (!(n >= 1 && n <= 26)) throw new VigilError('invalid_input', `parseChoiceLetter: last option "${last}" is not a letter.`);
  const fromToken = (tok: string): string | null => {
    if (/^[a-z]$/i.test(tok)) {
      const k = tok.toUpperCase().charCodeAt(0) - 64;
      return k <= n ? tok.toUpperCase() : null;
    }
    if (/^\d+$/.test(tok)) {
      const k = Number(tok);
      return k >= 1 && k <= n ? String.fromCharCode(64 + k) : null;
    }
    return null;
  };
  const t = text.trim();
  // Whole answer is one token, possibly bracketed/punctuated: "B", "(B)", "B.", "**B**", "3".
  const bare = /^[\s"'*([{]*([a-z]|\d+)[\s"'*)\]}.:,]*$/i.exec(t);
  if (bare) return fromToken(bare[1]);
  // Leading option token followed by its text: "B) cart", "B. A cart", "C: skateboard".
  const lead = /^[\s"'*([{]*([a-z]|\d+)\s*[).:]\s+\S/i.exec(t);
  if (lead) return fromToken(lead[1]);
  // "Answer: C", "the correct option is (b)", "Option 2". A lower-case letter must be bracketed or quoted, so
  // "the answer is a cart" is not read as A.
  const phrase = /\b(?:answer|option|choice)\b(?:\s+is)?\s*[:\-]?\s*([(["'*]*)([a-z]|\d+)\b/i.exec(t);
  if (phrase && (phrase[1] !== '' || !/^[a-z]$/.test(phrase[2]))) return fromToken(phrase[2]);
  return null;
}

/** Multiple-choice letter accuracy; ground truth as letters ("A".."D") or 1-based option numbers. */
export function choiceAccuracy(preds: readonly string[], gts: readonly (string | number)[], last = 'D'): Accuracy {
  const truths = gts.map((g, i) => {
    const l = parseChoiceLetter(String(g), last);
    if (!l) throw new VigilError('invalid_input', `Choice accuracy: ground truth ${i} ("${String(g)}") is not an option A..${last}.`);
    return l;
  });
  return accuracyOf(preds, truths, 'Choice accuracy', (p, gt) => {
    const a = parseChoiceLetter(p, last);
    return a === null ? null : a === gt;
  });
}

const ARTICLES = new Set(['a', 'an', 'the']);

/** Lower-case words without punctuation, articles or a plural "s" (so "The bicycles." ~ "bicycle"). */
export function normaliseObjectName(s: string): string[] {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9\s-]/g, ' ')
    .split(/[\s-]+/)
    .filter((w) => w && !ARTICLES.has(w))
    .map((w) => (w.length > 3 && w.endsWith('s') && !w.endsWith('ss') ? w.slice(0, -1) : w));
}

/**
 * Key-object accuracy: an answer is correct when the normalised ground-truth words appear as a contiguous
 * word sequence in the normalised answer ("a man riding a bicycle" is correct for "bicycle"). An empty
 * answer is unparsed.
 */
export function objectAccuracy(preds: readonly string[], gts: readonly string[]): Accuracy {
  return accuracyOf(preds, gts, 'Object accuracy', (p, gt) => {
    const a = normaliseObjectName(p);
    const g = normaliseObjectName(gt);
    if (g.length === 0) throw new VigilError('invalid_input', `Object accuracy: ground truth "${gt}" has no words.`);
    if (a.length === 0) return null;
    for (let i = 0; i + g.length <= a.length; i++) {
      if (g.every((w, k) => a[i + k] === w)) return true;
    }
    return false;
  });
}
