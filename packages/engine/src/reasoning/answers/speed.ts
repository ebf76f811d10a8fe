/**
 * "How fast" and comparisons: speeds in object heights per second against the scene's own distribution and
 * against named groups.
 */
import { citeInterval, citeTrackAt } from '../citations.js';
import { percentilePhrase, speedValue, trackName } from '../phrasing.js';
import type { NounPhrase } from '../question-parser.js';
import { primaryTracks, resolveNounPhrase, type Target } from '../references.js';
import { Reply } from '../reply.js';
import { MAX_ITEMS, type Ctx, inFile, ucFirst, facts, subjectTargets, spanCitation, med } from './context.js';

export function groupSpeeds(x: Ctx, np: NounPhrase | undefined, exclude: Target[]): { label: string; speeds: number[]; ids: Target[] } | null {
  let ts: Target[];
  let label: string;
  if (!np || np.other || (np.kind === 'object' && np.sense?.labels === 'any')) {
    ts = x.models.flatMap((m) => m.tracks.map((t) => ({ kind: 'track' as const, m, id: t.id })));
    label = 'the other objects';
  } else {
    const res = resolveNounPhrase(x.models, x.req.state, { ...np, det: 'every' });
    ts = primaryTracks(res.targets);
    label = np.text.replace(/^the /, '');
  }
  ts = ts.filter((t) => !exclude.some((e) => e.m === t.m && e.kind === 'track' && t.kind === 'track' && e.id === t.id));
  const speeds = ts.map((t) => (t.kind === 'track' ? t.m.track(t.id)?.meanSpeed : undefined)).filter((v): v is number => Number.isFinite(v)).sort((a, b) => a - b);
  if (!speeds.length) return null;
  return { label, speeds, ids: ts };
}

export function answerSpeed(x: Ctx, compare: boolean): Reply {
  const r = new Reply();
  let ts = subjectTargets(x, r, x.q.subject, x.q.superlative === 'fastest' || x.q.superlative === 'slowest' ? 'tracks' : 'focus-or-events');
  if (!ts) return r;
  let tracks = primaryTracks(ts);
  if (x.q.superlative === 'fastest' || x.q.superlative === 'slowest') {
    const sorted = tracks.filter((t) => t.kind === 'track' && Number.isFinite(t.m.track(t.id)!.meanSpeed) && t.m.track(t.id)!.endTime - t.m.track(t.id)!.startTime >= 2 * t.m.frameDurationS)
      .sort((a, b) => (a.kind === 'track' && b.kind === 'track' ? a.m.track(a.id)!.meanSpeed - b.m.track(b.id)!.meanSpeed : 0));
    tracks = sorted.length ? [x.q.superlative === 'fastest' ? sorted[sorted.length - 1] : sorted[0]] : [];
    if (!tracks.length) {
      r.refuse('No tracked object lived long enough to measure its speed.');
      return r;
    }
  }
  const shown: Target[] = [];
  for (const t of tracks.slice(0, MAX_ITEMS)) {
    const f = facts(t);
    if (!f) continue;
    const m = t.m;
    const sup = x.q.superlative === 'fastest' ? 'The fastest object is ' : x.q.superlative === 'slowest' ? 'The slowest object is ' : '';
    const name = sup ? trackName(m, f.track.id) : ucFirst(trackName(m, f.track.id));
    r.fact(`${inFile(x, m)}${sup}${name}${sup ? ', moving' : ' moves'} at ${speedValue(f.meanSpeed)} on average (up to ${f.maxSpeed.toFixed(1)}), ${percentilePhrase(m, f)}.`, [citeTrackAt(m, f.track.id, f.first.time, f.last.time + m.frameDurationS, f.peak)]);
    shown.push(t);
  }
  const against = x.q.compare?.against ?? (compare ? x.q.object : undefined);
  if ((compare || x.q.compare) && shown.length) {
    const g = groupSpeeds(x, against, shown);
    const own = shown.map((t) => (t.kind === 'track' ? t.m.track(t.id)!.meanSpeed : 0));
    if (!g) r.note(`There is nothing else of that kind to compare with.`);
    else {
      const gm = med(g.speeds);
      const ratio = gm > 0 ? own[0] / gm : Infinity;
      const m0 = shown[0].m;
      const cites = g.ids.slice(0, 12).filter((t) => t.kind === 'track').map((t) => {
        const tr = t.m.track((t as { id: number }).id)!;
        return citeInterval(t.m, tr.startTime, tr.endTime, { trackIds: [tr.id] });
      });
      r.fact(`${ucFirst(g.label)} (${g.speeds.length} track${g.speeds.length === 1 ? '' : 's'}) move at a median of ${speedValue(gm)}, so ${shown.length === 1 ? 'it is' : 'the first is'} ${Number.isFinite(ratio) ? `${ratio >= 1 ? `${ratio.toFixed(1)} times as fast` : `${(1 / ratio).toFixed(1)} times slower`}` : 'moving while they stand still'}.`, cites.length ? cites : [spanCitation(m0)]);
    }
  }
  r.note('Speeds are in object heights per second (an object\'s own height per second), which compares objects near and far from the camera.');
  r.about(shown, shown.length > 1 ? shown : undefined);
  return r;
}

export function answerCompare(x: Ctx): Reply {
  const r = answerSpeed(x, true);
  return r;
}
