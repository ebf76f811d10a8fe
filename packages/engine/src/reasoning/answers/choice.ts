/**
 * Multiple-choice answers: the grounded answer to the stem, matched against each option's parsed sides,
 * objects, times or yes/no.
 */
import type { TrackFacts } from '../evidence-model.js';
import { trackInteractions } from '../interactions.js';
import { primaryTracks, targetFromFocus } from '../references.js';
import { Reply } from '../reply.js';
import { type Ctx, facts } from './context.js';

export function choose(x: Ctx, stemAnswer: Reply): Reply {
  const opts = x.q.options ?? [];
  const r = new Reply();
  const tracks = primaryTracks(x.req.state.focus.flatMap((f) => targetFromFocus(x.models, f)));
  const focusT = stemAnswer.toAnswer().focus?.flatMap((f) => targetFromFocus(x.models, f)) ?? tracks;
  const trackFacts = primaryTracks(focusT).map((t) => facts(t)).filter((f): f is TrackFacts => !!f);
  const verb = x.q.mainVerb;
  const text = stemAnswer.sentences.filter((s) => s.factual).map((s) => s.text.toLowerCase()).join(' ');
  const first = primaryTracks(focusT)[0];
  const partnerLabels = first && first.kind === 'track' ? trackInteractions(first.m, first.id).filter((i) => i.kind === 'with').map((i) => first.m.track(i.a === first.id ? i.b : i.a)!.label) : [];
  const scores = opts.map((o) => {
    const p = o.parsed;
    let score = 0;
    const f = trackFacts[0];
    if (f && (p.sides.length || p.still || p.already)) {
      const leaving = verb === 'leave' || verb === 'disappear' || verb === 'go';
      const how = leaving ? f.exit.how : f.entry.how;
      const inView = p.still || p.already || /\bin view\b|already|still/.test(o.text.toLowerCase());
      // "Already in view at the start" / "still in view at the end" only fit an object that really was; a track
      // that starts or stops inside the view mid-clip fits no side and no such option.
      if (how === 'at-start' || how === 'at-end') score += inView ? 2 : 0;
      else if (how === 'side' && !inView && p.sides.some((s) => s.side === (leaving ? f.exit.side : f.entry.side))) score += 2;
    }
    if (p.nps.length && f) {
      const labels = new Set([f.track.label, ...partnerLabels]);
      for (const n of p.nps) if (n.sense && n.sense.labels !== 'any' && n.sense.labels.some((l) => labels.has(l))) score += 2 - (n.sense.labels.length > 2 ? 0.5 : 0);
    }
    if (p.time && stemAnswer.sentences[0]?.citations[0]) {
      const c = stemAnswer.sentences[0].citations[0];
      const a = p.time.a?.kind === 'abs' ? p.time.a.t : null;
      const b = p.time.b?.kind === 'abs' ? p.time.b.t : null;
      if (a !== null && b !== null) {
        const inter = Math.max(0, Math.min(b, c.endTime) - Math.max(a, c.startTime));
        const uni = Math.max(b, c.endTime) - Math.min(a, c.startTime);
        score += uni > 0 ? 2 * (inter / uni) : 0;
      }
    }
    const yes = /^(yes|true)\b/i.test(o.text.trim());
    const no = /^(no|false)\b/i.test(o.text.trim());
    if (yes || no) {
      const lead = stemAnswer.sentences[0]?.text ?? '';
      if ((yes && /^yes/i.test(lead)) || (no && /^no/i.test(lead))) score += 2;
    }
    // Word overlap with the grounded answer as a weak tie-breaker.
    const words = o.text.toLowerCase().split(/[^a-z0-9]+/).filter((w) => w.length > 2);
    if (words.length) score += (0.5 * words.filter((w) => text.includes(w)).length) / words.length;
    return score;
  });
  const best = Math.max(...scores);
  const winners = scores.map((s, i) => (s === best ? i : -1)).filter((i) => i >= 0);
  const lead = stemAnswer.sentences.find((s) => s.factual);
  if (best < 1 || winners.length !== 1 || !lead) {
    r.refuse(lead ? 'None of the options can be chosen from the evidence; this is what the analysis shows:' : 'None of the options can be chosen from the evidence.');
    if (lead) r.fact(lead.text, lead.citations);
    return r;
  }
  const o = opts[winners[0]];
  r.choice = o.letter;
  r.fact(`${o.letter}. ${lead.text}`, lead.citations);
  const ans = stemAnswer.toAnswer();
  if (ans.focus) r.about(ans.focus.flatMap((f) => targetFromFocus(x.models, f)));
  return r;
}
