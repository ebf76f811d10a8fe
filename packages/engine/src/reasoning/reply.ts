/** Builds an Answer sentence by sentence, keeping track of what it talked about for the next turn. */
import type { Answer, AnswerSentence } from './answerer.js';
import type { Citation } from './citations.js';
import { dedupe, focusOf, type Target } from './references.js';

export class Reply {
  readonly sentences: AnswerSentence[] = [];
  refused = false;
  choice?: string;
  private focusT: Target[] | null = null;
  private listT: Target[] | null = null;

  /** A statement about the footage; must cite evidence. */
  fact(text: string, citations: Citation[]): this {
    this.sentences.push({ text, citations, factual: true });
    return this;
  }

  /** Guidance, caveats, the "Yes"/"No" lead-in: states nothing about the footage by itself. */
  note(text: string): this {
    this.sentences.push({ text, citations: [], factual: false });
    return this;
  }

  refuse(text: string): this {
    this.refused = true;
    return this.note(text);
  }

  about(targets: Target[], list?: Target[]): this {
    this.focusT = dedupe(targets);
    if (list) this.listT = dedupe(list);
    return this;
  }

  get hasFacts(): boolean {
    return this.sentences.some((s) => s.factual);
  }

  toAnswer(): Answer {
    return {
      sentences: this.sentences,
      refused: this.refused,
      ...(this.choice ? { choice: this.choice } : {}),
      ...(this.focusT ? { focus: this.focusT.map(focusOf) } : {}),
      ...(this.listT ? { list: this.listT.map(focusOf) } : {}),
    };
  }
}
