/**
 * "How many" answers: at one analysed frame (boxes cited) or as tracks over an interval, optionally inside a
 * zone.
 */
import { citeInterval, fmtInterval, fmtS } from '../citations.js';
import type { EvidenceModel } from '../evidence-model.js';
import { joinList } from '../phrasing.js';
import type { Target, Window } from '../references.js';
import { Reply } from '../reply.js';
import { labelNoun } from '../vocabulary.js';
import { type Ctx, single, inFile, facts, overlaps, windows } from './context.js';
import { answerEvents } from './events.js';

export function answerCount(x: Ctx): Reply {
  const r = new Reply();
  const np = x.q.subject;
  let labels: readonly string[] | 'any' = 'any';
  let what = 'objects';
  if (np?.kind === 'object' && np.sense) {
    labels = np.sense.labels;
    what = labelNoun(np.sense.head, 2);
    if (np.sense.labels !== 'any' && np.sense.labels.length === 1) what = labelNoun(np.sense.labels[0], 2);
  } else if (np?.kind === 'pronoun' && np.pronoun === 'someone') {
    labels = ['person'];
    what = 'people';
  } else if (np?.kind === 'event') {
    return answerEvents(x, 'list');
  }
  const ws = windows(x, r);
  if (!ws) return r;
  const counted: Target[] = [];
  for (const [m, w] of ws) {
    // Places: zones by name; a place word with no zone of that name is said plainly.
    let zone = undefined as ReturnType<EvidenceModel['zoneByName']>;
    for (const p of x.q.places) {
      zone = m.zoneByName(p.name);
      if (!zone) {
        r.refuse(`There is no zone called "${p.name}" on ${m.info.fileName}${m.zones.length ? ` (its zones: ${m.zones.map((z) => z.name).join(', ')})` : ''}; draw it first. Counting the whole view instead.`);
      } else break;
    }
    const keep = (label: string) => labels === 'any' || labels.includes(label);
    const where = zone ? ` in zone ${zone.name}` : '';
    if (w?.point) {
      const at = m.observationsAt(w.start);
      if (!at) continue;
      const obs = at.obs.filter((o) => keep(o.label) && (!zone || m.inZone(o.box, zone)));
      const n = obs.length;
      r.fact(`${inFile(x, m)}${single(x) ? 'At' : 'at'} ${fmtS(at.frame.time)} s (frame ${at.frame.frame}) there ${n === 1 ? 'is' : 'are'} ${n} ${n === 1 ? singularOf(what) : what}${where}${n ? `: ${n <= 12 ? `${n === 1 ? 'track' : 'tracks'} ${joinList(obs.map((o) => String(o.trackId)))}` : 'see the boxes'}` : ''}.`,
        [citeInterval(m, at.frame.time, at.frame.time, { frame: at.frame.frame, trackIds: obs.map((o) => o.trackId), boxes: obs.map((o) => ({ trackId: o.trackId, box: o.box })) })]);
      counted.push(...obs.map((o) => ({ kind: 'track' as const, m, id: o.trackId })));
      continue;
    }
    let ts = (w ? m.tracksDuring(w.start, w.end) : m.tracks).filter((t) => keep(t.label));
    if (zone) ts = ts.filter((t) => facts({ kind: 'track', m, id: t.id })?.zones.some((z) => z.zone.id === zone!.id && overlaps(z.start, z.end, w, m.frameDurationS)));
    const [s0, s1] = w ? [w.start, w.end] : m.analysedSpan;
    const noun = ts.length === 1 ? singularOf(what) : what;
    r.fact(`${inFile(x, m)}${ts.length} ${noun}${where} ${ts.length === 1 ? 'was' : 'were'} tracked ${w ? `during ${fmtInterval(s0, s1)}` : `in ${fmtInterval(s0, s1)}`}${ts.length && ts.length <= 12 ? `: ${ts.length === 1 ? 'track' : 'tracks'} ${joinList(ts.map((t) => String(t.id)))}` : ''}.`,
      [citeInterval(m, s0, s1, { trackIds: ts.map((t) => t.id) })]);
    counted.push(...ts.map((t) => ({ kind: 'track' as const, m, id: t.id })));
  }
  r.note(w0(ws) ? 'Counts are of objects the detector and tracker found in that frame; people hidden behind others are not counted.' : 'Counts are of tracks: one object that was lost and found again can count twice.');
  r.about(counted, counted);
  return r;
}

export function singularOf(plural: string): string {
  if (plural === 'people') return 'person';
  if (plural.endsWith('ies')) return `${plural.slice(0, -3)}y`;
  if (/(ses|shes|ches|xes)$/.test(plural)) return plural.slice(0, -2);
  return plural.replace(/s$/, '');
}

export const w0 = (ws: Map<EvidenceModel, Window | null>) => [...ws.values()].some((w) => w?.point);
