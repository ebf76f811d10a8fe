/**
 * The grounded answerer: answers parsed questions from the evidence model alone. Each intent has a
 * handler that looks up targets (references.ts), measures what is asked, and writes sentences that cite
 * the observations they rest on. What the evidence cannot support is refused in plain words.
 */
import type { Answer, AnswerRequest, Answerer } from './answerer.js';
import { answerAppearance } from './answers/appearance-answer.js';
import { choose } from './answers/choice.js';
import type { Ctx } from './answers/context.js';
import { answerCount } from './answers/count.js';
import { answerEvents } from './answers/events.js';
import { answerExists } from './answers/exists.js';
import { answerWhy, answerWhat, answerShow } from './answers/identify.js';
import { answerWhere, answerPath } from './answers/place.js';
import { refuseUnsupported, CAPABILITIES } from './answers/refusals.js';
import { answerSpeed, answerCompare } from './answers/speed.js';
import { answerWhen } from './answers/when.js';
import { parseQuestion, type ParsedQuestion } from './question-parser.js';
import { Reply } from './reply.js';

async function dispatch(x: Ctx): Promise<Reply> {
  const q = x.q;
  if (q.language === 'other') return new Reply().refuse('Vigil understands questions in English only. Please ask again in English.');
  if (q.unsupported.length) return refuseUnsupported(x, new Reply());
  switch (q.intent) {
    case 'anomaly':
      return answerEvents(x, 'yesno');
    case 'list':
      return answerEvents(x, 'list');
    case 'summary':
      return answerEvents(x, 'summary');
    case 'when':
      return answerWhen(x);
    case 'where':
      return answerWhere(x);
    case 'path':
      return answerPath(x);
    case 'speed':
      return answerSpeed(x, !!q.compare);
    case 'compare': {
      // "compare the cyclist with the pedestrians": the with-phrase is what to compare against.
      const subj = q.subject;
      if (subj?.relation && !q.object) return answerCompare({ ...x, q: { ...q, subject: { ...subj, relation: undefined }, object: subj.relation.np } });
      return answerCompare(x);
    }
    case 'appearance':
      return answerAppearance(x);
    case 'count':
      return answerCount(x);
    case 'exists':
      return answerExists(x);
    case 'why':
      return answerWhy(x);
    case 'what':
      return answerWhat(x);
    case 'show':
      return answerShow(x);
    case 'choice': {
      const stem = { ...q, intent: q.options ? stemIntent(q) : q.intent, options: undefined };
      const inner = await dispatch({ ...x, q: stem });
      if (inner.refused && !inner.hasFacts) return inner;
      return choose(x, inner);
    }
    case 'followup':
    case 'unknown':
      return new Reply().refuse(`I could not understand the question. ${CAPABILITIES}`);
  }
}

/** The intent of a multiple-choice stem, as if it had no options. */
function stemIntent(q: ParsedQuestion): ParsedQuestion['intent'] {
  const re = parseQuestion(q.text);
  if (re.intent === 'unknown' || re.intent === 'followup') return q.whFocus === 'kind' || q.wh === 'what' ? 'what' : 'exists';
  return re.intent;
}

/**
 * Merges a fragment follow-up ("and the skateboarder?", "the second one?", "before that?") into the
 * previous full question: the fragment's subject and time replace the old ones.
 */
export function mergeFollowup(prev: ParsedQuestion, frag: ParsedQuestion): ParsedQuestion {
  return {
    ...prev,
    text: `${prev.text} [${frag.text}]`,
    subject: frag.subject ?? prev.subject,
    object: frag.subject ? frag.object : prev.object,
    time: frag.time ?? prev.time,
    sides: frag.sides.length ? frag.sides : prev.sides,
    places: frag.places.length ? frag.places : prev.places,
    colours: frag.colours.length ? frag.colours : prev.colours,
    elseWord: frag.elseWord || prev.elseWord,
    unsupported: [...prev.unsupported, ...frag.unsupported],
  };
}

export class GroundedAnswerer implements Answerer {
  readonly name = 'grounded';

  async answer(req: AnswerRequest): Promise<Answer> {
    let q = req.parsed;
    if (q.intent === 'followup' && req.state.lastQuestion) {
      const prev = parseQuestion(req.state.lastQuestion, { zoneNames: req.evidence.flatMap((m) => m.zones.map((z) => z.name)) });
      if (prev.intent !== 'followup' && prev.intent !== 'unknown') {
        const merged = mergeFollowup(prev, q);
        // "the second one?" after a list asks about that item, not for the list again.
        if (q.subject && ['list', 'anomaly', 'summary', 'count'].includes(prev.intent)) merged.intent = 'what';
        // "before that?" / "after that?" alone asks what happened then.
        if (!q.subject && q.time && ['when', 'why', 'what', 'show', 'where', 'path'].includes(prev.intent)) {
          merged.intent = 'summary';
          merged.subject = undefined;
        }
        q = merged;
      }
    }
    const x: Ctx = { req, q, models: req.evidence, categories: new Map() };
    const r = await dispatch(x);
    if (!r.sentences.length) r.refuse('The analysis holds nothing that answers this.');
    return r.toAnswer();
  }
}

