/** Plain refusals for what the installed models cannot see. */
import { eventCitation } from '../categorize.js';
import { citeInterval, fmtInterval } from '../citations.js';
import { joinList, trackName } from '../phrasing.js';
import { caseEvents } from '../references.js';
import { Reply } from '../reply.js';
import { type Ctx, category } from './context.js';

export function refuseUnsupported(x: Ctx, r: Reply): Reply {
  const u = x.q.unsupported[0];
  r.refuse(`The installed models cannot answer this: "${u.word}" ${u.reason}.`);
  // For an object the detector has no class for, point at what the analysis did find instead.
  if (!/object classes/.test(u.reason)) return r;
  const evs = caseEvents(x.models);
  const unknown = x.models.flatMap((m) => m.tracks.filter((t) => t.label === 'unknown' && m.eventsOfTrack(t.id).length).map((t) => ({ m, t })));
  if (unknown.length) {
    r.fact(`Objects the detector could not classify that take part in anomalous events: ${joinList(unknown.slice(0, 5).map(({ m, t }) => `${trackName(m, t.id)} ${fmtInterval(t.startTime, t.endTime)}`))}.`, unknown.slice(0, 5).map(({ m, t }) => citeInterval(m, t.startTime, t.endTime, { trackIds: [t.id] })));
  } else if (evs.length) {
    r.fact(`The anomalous events found are: ${joinList(evs.slice(0, 5).map((e) => `event ${e.index} ${fmtInterval(e.e.startTime, e.e.endTime)} (${category(x, e.m, e.e)})`))}.`, evs.slice(0, 5).map((e) => eventCitation(e.m, e.e)));
  }
  return r;
}

export const CAPABILITIES = 'I can answer whether anything was anomalous, when, where, which way and how fast things moved, what kind of object something was (as the detector labels it), how many objects were present, what colour they were, and why an event was flagged.';
