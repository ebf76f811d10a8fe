/**
 * Tokens of a question: words (contractions split, multi-word lexemes joined), numbers, clock times
 * ("00:12", "1:02:03.5" → seconds), ordinals written with digits, and punctuation. Each token keeps its
 * character span so slots can quote what the user wrote.
 */
import { MULTIWORD } from './lexicon.js';

export interface Token {
  kind: 'word' | 'number' | 'clock' | 'punct';
  /** Lower-case text (a multi-word lexeme is joined with single spaces). */
  text: string;
  /** Numeric value: numbers as written, clock times in seconds. */
  value?: number;
  start: number;
  end: number;
}

const CONTRACTIONS: Record<string, string[]> = {
  "what's": ['what', 'is'], "where's": ['where', 'is'], "when's": ['when', 'is'], "who's": ['who', 'is'], "how's": ['how', 'is'],
  "it's": ['it', 'is'], "that's": ['that', 'is'], "there's": ['there', 'is'], "here's": ['here', 'is'], "let's": ['let', 'us'],
  "i'm": ['i', 'am'], "you're": ['you', 'are'], "they're": ['they', 'are'], "we're": ['we', 'are'], "he's": ['he', 'is'], "she's": ['she', 'is'],
  "can't": ['can', "n't"], "won't": ['will', "n't"], "shan't": ['shall', "n't"],
};

// Clock first (so "1:02" is not read as 1 and 02), then numbers (with a glued unit: "12s", "3.5sec"), then words.
const TOKEN_RE = /(\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?)|(\d+(?:\.\d+)?)(st|nd|rd|th)?|([\p{L}][\p{L}\p{M}'’-]*)|([?,.;:!()[\]#&/%<>=≥≤])/gu;

function clockSeconds(s: string): number {
  const parts = s.split(':').map(Number);
  return parts.reduce((acc, p) => acc * 60 + p, 0);
}

export function tokenize(text: string): Token[] {
  const raw: Token[] = [];
  for (const m of text.matchAll(TOKEN_RE)) {
    const start = m.index ?? 0;
    const end = start + m[0].length;
    if (m[1]) raw.push({ kind: 'clock', text: m[1], value: clockSeconds(m[1]), start, end });
    else if (m[2]) {
      if (m[3]) raw.push({ kind: 'word', text: `${m[2]}${m[3].toLowerCase()}`, value: Number(m[2]), start, end });
      else raw.push({ kind: 'number', text: m[2], value: Number(m[2]), start, end });
    } else if (m[4]) {
      const w = m[4].toLowerCase().replace(/’/g, "'");
      const split = CONTRACTIONS[w];
      if (split) {
        for (const p of split) raw.push({ kind: 'word', text: p, start, end });
      } else if (w.endsWith("n't") && w.length > 3) {
        raw.push({ kind: 'word', text: w.slice(0, -3), start, end }, { kind: 'word', text: "n't", start, end });
      } else if (w.endsWith("'s")) {
        raw.push({ kind: 'word', text: w.slice(0, -2), start, end });
      } else {
        // Hyphenated words: "skate-boarder" → "skateboarder"; "left-hand" → "left", "hand".
        const joined = w.replace(/-/g, '');
        if (w.includes('-') && !/^(left|right|top|bottom|upper|lower)-/.test(w)) raw.push({ kind: 'word', text: joined, start, end });
        else for (const p of w.split('-').filter(Boolean)) raw.push({ kind: 'word', text: p, start, end });
      }
    } else if (m[5]) raw.push({ kind: 'punct', text: m[5], start, end });
  }
  return joinMultiword(raw);
}

function joinMultiword(toks: Token[]): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < toks.length; i++) {
    let joined: Token | null = null;
    for (const mw of MULTIWORD) {
      if (i + mw.length > toks.length) continue;
      if (mw.every((w, k) => toks[i + k].kind === 'word' && toks[i + k].text === w)) {
        joined = { kind: 'word', text: mw.join(' '), start: toks[i].start, end: toks[i + mw.length - 1].end };
        i += mw.length - 1;
        break;
      }
    }
    out.push(joined ?? toks[i]);
  }
  return out;
}
