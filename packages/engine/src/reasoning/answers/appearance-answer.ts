/** "What colour" answers, measured from the pixels inside the boxes (monochrome footage is said to be so). */
import { measureTrackAppearance, type TrackAppearance } from '../appearance.js';
import { citeTrackAt } from '../citations.js';
import { joinList, trackName } from '../phrasing.js';
import { primaryTracks, type Target } from '../references.js';
import { Reply } from '../reply.js';
import { type Ctx, inFile, ucFirst, subjectTargets } from './context.js';
import { refuseUnsupported } from './refusals.js';

export async function answerAppearance(x: Ctx): Promise<Reply> {
  const r = new Reply();
  if (x.q.unsupported.length) return refuseUnsupported(x, r);
  const ts = subjectTargets(x, r, x.q.subject, 'focus-or-events');
  if (!ts) return r;
  const tracks = primaryTracks(ts).slice(0, 3);
  const asked = x.q.colours.filter((c) => c !== 'dark' && c !== 'light');
  const shown: Target[] = [];
  for (const t of tracks) {
    if (t.kind !== 'track') continue;
    let a: TrackAppearance;
    try {
      a = await measureTrackAppearance(t.m, t.id, x.req.signal);
    } catch (e) {
      r.refuse((e as Error).message);
      continue;
    }
    const name = trackName(t.m, t.id);
    const cites = a.samples.map((s) => citeTrackAt(t.m, t.id, s.time, s.time, s));
    shown.push(t);
    if (a.monochrome) {
      r.refuse(`${t.m.info.fileName} has no colour information (the picture is grayscale), so the colour of ${name} cannot be measured.`);
      r.fact(`In brightness it is ${a.brightness < 0.35 ? 'dark' : a.brightness > 0.65 ? 'light' : 'mid-gray'} (mean ${(a.brightness * 100).toFixed(0)} % of white inside its box).`, cites);
      continue;
    }
    const desc = a.colours.length ? joinList(a.colours.map((c) => `${c.name} (${Math.round(c.share * 100)} %)`)) : 'of mixed colour with no dominant one';
    if (x.q.form === 'yesno' && asked.length) {
      const hit = asked.filter((c) => a.colours.some((m) => m.name === c));
      r.fact(`${hit.length ? 'Yes' : 'No'}: inside its box ${name} is mostly ${desc}.`, cites);
    } else r.fact(`${inFile(x, t.m)}${ucFirst(name)} is mostly ${desc}, measured inside its box on frames ${joinList(a.samples.map((s) => String(s.frame)))}.`, cites);
  }
  if (shown.length) r.note('Colours are measured over the whole box, so background showing around the object can contribute.');
  r.about(shown, shown.length > 1 ? shown : undefined);
  if (!shown.length && !r.sentences.length) r.refuse('There is no object to measure.');
  return r;
}
