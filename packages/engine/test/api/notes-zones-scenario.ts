/**
 * notes.remove and zones.update checked through a transport: the same scenario runs over the HTTP web
 * host (notes-zones.test.ts) and over the IPC handler (apps/desktop/test/notes-zones-ipc.test.ts), on a
 * world seeded by seedFuzzWorld (two cases, each with evidence, a note, a zone and a definition).
 * Only contract operations are used, so the audit checks are what a client can see.
 */
import { expect } from 'vitest';
import type { FuzzWorld } from '../hardening/fuzz-cases.js';

export type Reply = { ok: true; value: any } | { ok: false; error: { code: string; message: string } };

export interface Transport {
  call(op: string, input: unknown): Promise<Reply>;
  /** Engine events seen so far (the transport's subscription). */
  events: { type: string; caseId?: string | null; what?: string }[];
}

async function ok(t: Transport, op: string, input: unknown): Promise<any> {
  const r = await t.call(op, input);
  if (!r.ok) throw new Error(`${op} refused: ${r.error.code} ${r.error.message}`);
  return r.value;
}

async function refused(t: Transport, op: string, input: unknown, code: string, message?: RegExp): Promise<string> {
  const r = await t.call(op, input);
  expect(r.ok, `${op} ${JSON.stringify(input).slice(0, 120)} should be refused`).toBe(false);
  if (r.ok) return '';
  expect(r.error.code, r.error.message).toBe(code);
  if (message) expect(r.error.message).toMatch(message);
  return r.error.message;
}

/** Audit rows of a case about one subject, oldest first. */
async function auditOf(t: Transport, caseId: string, subject: string): Promise<{ seq: number; action: string; details: any }[]> {
  return ((await ok(t, 'audit.list', { caseId, limit: 1000 })) as { seq: number; action: string; subject: string; details: any }[]).filter((r) => r.subject === subject).reverse();
}

async function auditRows(t: Transport, caseId: string): Promise<number> {
  return ((await ok(t, 'audit.list', { caseId, limit: 1000 })) as unknown[]).length;
}

function changedSince(t: Transport, from: number) {
  return t.events.slice(from).filter((e) => e.type === 'changed');
}

export async function checkNoteRemoval(t: Transport, w: FuzzWorld): Promise<void> {
  const caseId = w.own.case;
  const body = 'Second person enters from the left.\nVerified against the reference clip.';
  const note = await ok(t, 'notes.add', { caseId, evidenceId: w.own.ev, title: 'Entry', body, frame: 4 });
  const mark = await ok(t, 'notes.add', { caseId, evidenceId: w.own.ev, kind: 'bookmark', title: 'Frame 6', frame: 6 });

  let from = t.events.length;
  expect(await ok(t, 'notes.remove', { caseId, noteId: note.id })).toEqual({ removed: true });
  expect(changedSince(t, from)).toEqual([{ type: 'changed', caseId, what: 'notes' }]);
  const left = (await ok(t, 'notes.list', { caseId, evidenceId: w.own.ev })) as { id: string }[];
  expect(left.map((n) => n.id)).toContain(mark.id);
  expect(left.map((n) => n.id)).not.toContain(note.id);

  // The audit log keeps everything the note said.
  const [added, removed] = await auditOf(t, caseId, note.id);
  expect(added.action).toBe('note.add');
  expect(removed.action).toBe('note.remove');
  expect(removed.details).toEqual({ evidenceId: w.own.ev, eventId: null, kind: 'note', frame: 4, time: null, title: 'Entry', body, createdAt: note.createdAt });

  expect(await ok(t, 'notes.remove', { caseId, noteId: mark.id })).toEqual({ removed: true });
  expect((await auditOf(t, caseId, mark.id)).map((r) => r.action)).toEqual(['bookmark.add', 'bookmark.remove']);

  // Twice: refused like zones.remove, saying when it went; nothing new is written or announced.
  const rows = await auditRows(t, caseId);
  from = t.events.length;
  await refused(t, 'notes.remove', { caseId, noteId: note.id }, 'not_found', new RegExp(`${note.id} was already removed .*audit row ${removed.seq}`));
  await refused(t, 'notes.remove', { caseId, noteId: 'note_aaaaaaaaaaaaaaaa' }, 'not_found', /No note or bookmark/);
  // Another case's note, named with this case: refused, and still there.
  await refused(t, 'notes.remove', { caseId, noteId: w.other.note }, 'not_found', new RegExp(`not part of case ${caseId}`));
  expect(((await ok(t, 'notes.list', { caseId: w.other.case })) as { id: string }[]).map((n) => n.id)).toContain(w.other.note);
  await refused(t, 'notes.remove', { caseId, noteId: w.own.zone }, 'invalid_input');
  expect(await auditRows(t, caseId)).toBe(rows);
  expect(changedSince(t, from)).toEqual([]);

  expect(await ok(t, 'audit.verify', {})).toMatchObject({ ok: true, firstBadSeq: null });
}

export async function checkZoneUpdate(t: Transport, w: FuzzWorld): Promise<void> {
  const caseId = w.own.case;
  const zoneId = w.own.zone;
  const before = (await ok(t, 'zones.list', { caseId, evidenceId: w.own.ev }) as { id: string; name: string; polygon: number[][] }[]).find((z) => z.id === zoneId)!;

  let from = t.events.length;
  const renamed = await ok(t, 'zones.update', { caseId, zoneId, name: '  Gate   east ' });
  expect(renamed).toMatchObject({ id: zoneId, caseId, evidenceId: w.own.ev, name: 'Gate east', polygon: before.polygon });
  expect(changedSince(t, from)).toEqual([{ type: 'changed', caseId, what: 'zones' }]);

  const square = [[4, 4], [40, 4], [40, 30], [4, 30]];
  const reshaped = await ok(t, 'zones.update', { caseId, zoneId, polygon: square });
  expect(reshaped).toMatchObject({ name: 'Gate east', polygon: square });
  const both = await ok(t, 'zones.update', { caseId, zoneId, name: 'Gate', polygon: before.polygon });
  expect(both).toMatchObject({ name: 'Gate', polygon: before.polygon });
  expect(((await ok(t, 'zones.list', { caseId })) as { id: string; name: string }[]).find((z) => z.id === zoneId)?.name).toBe('Gate');

  // Old and new values in the audit log, one row per change.
  const updates = (await auditOf(t, caseId, zoneId)).filter((r) => r.action === 'zone.update');
  expect(updates.map((r) => r.details)).toEqual([
    { evidenceId: w.own.ev, before: { name: before.name, polygon: before.polygon }, after: { name: 'Gate east', polygon: before.polygon } },
    { evidenceId: w.own.ev, before: { name: 'Gate east', polygon: before.polygon }, after: { name: 'Gate east', polygon: square } },
    { evidenceId: w.own.ev, before: { name: 'Gate east', polygon: square }, after: { name: 'Gate', polygon: before.polygon } },
  ]);
  // A change to the same values is no change: no row.
  const rows = await auditRows(t, caseId);
  expect(await ok(t, 'zones.update', { caseId, zoneId, name: 'Gate', polygon: before.polygon })).toMatchObject({ name: 'Gate' });
  expect(await auditRows(t, caseId)).toBe(rows);

  // zones.add and zones.update refuse the same bad fields alike.
  const bad: [string, Record<string, unknown>, RegExp][] = [
    ['empty name', { name: '   ' }, /name/],
    ['name over 80 characters', { name: 'x'.repeat(81) }, /name/],
    ['two corners', { polygon: [[0, 0], [10, 10]] }, /3 corners/],
    ['negative coordinate', { polygon: [[-1, 0], [10, 0], [10, 10]] }, /polygon/],
    ['corners far off the frame', { polygon: [[0, 0], [5000, 0], [5000, 5000]] }, /far outside the 64×48 frame/],
    ['corners on a line', { polygon: [[0, 0], [10, 10], [20, 20]] }, /no area/],
  ];
  from = t.events.length;
  for (const [why, field, message] of bad) {
    const add = await refused(t, 'zones.add', { caseId, evidenceId: w.own.ev, name: 'Probe', polygon: square, ...field }, 'invalid_input', message);
    const update = await refused(t, 'zones.update', { caseId, zoneId, ...field }, 'invalid_input', message);
    // The same words, apart from the operation's and the zone's own name.
    const same = (m: string) => m.replace(/zones\.(add|update)/, 'zones.<op>').replace(/Zone "[^"]*"/, 'Zone "<name>"');
    expect(same(update), why).toBe(same(add));
  }
  await refused(t, 'zones.update', { caseId, zoneId }, 'invalid_input', /Nothing to change/);
  expect(changedSince(t, from)).toEqual([]);

  // Names stay unique per evidence item, ignoring case.
  const dock = await ok(t, 'zones.add', { caseId, evidenceId: w.own.ev, name: 'Dock', polygon: square });
  await refused(t, 'zones.update', { caseId, zoneId, name: 'DOCK' }, 'conflict', /already has a zone named "DOCK"/);
  // Renaming a zone only in letter case is a rename of itself, not a clash.
  expect(await ok(t, 'zones.update', { caseId, zoneId: dock.id, name: 'dock' })).toMatchObject({ name: 'dock' });

  // A definition that names the zone pins its name (the polygon may still change).
  const def = await ok(t, 'definitions.add', { caseId, text: 'person in zone dock' });
  expect(def.rule.zone).toBe('dock');
  await refused(t, 'zones.update', { caseId, zoneId: dock.id, name: 'Loading dock' }, 'conflict', new RegExp(`"person in zone dock" \\(${def.id}\\) names zone "dock"`));
  expect(await ok(t, 'zones.update', { caseId, zoneId: dock.id, polygon: [[0, 0], [20, 0], [20, 20]] })).toMatchObject({ name: 'dock' });
  await ok(t, 'definitions.remove', { caseId, definitionId: def.id });
  expect(await ok(t, 'zones.update', { caseId, zoneId: dock.id, name: 'Loading dock' })).toMatchObject({ name: 'Loading dock' });

  // Other cases' zones and unknown zones: refused, unchanged.
  from = t.events.length;
  const otherBefore = (await ok(t, 'zones.list', { caseId: w.other.case })) as unknown[];
  await refused(t, 'zones.update', { caseId, zoneId: w.other.zone, name: 'Taken' }, 'not_found', new RegExp(`not part of case ${caseId}`));
  await refused(t, 'zones.update', { caseId, zoneId: 'zone_aaaaaaaaaaaaaaaa', name: 'Nowhere' }, 'not_found', /No zone/);
  await refused(t, 'zones.update', { caseId: w.other.case, zoneId, name: 'Taken' }, 'not_found');
  expect(await ok(t, 'zones.list', { caseId: w.other.case })).toEqual(otherBefore);
  expect(changedSince(t, from)).toEqual([]);

  expect(await ok(t, 'audit.verify', {})).toMatchObject({ ok: true, firstBadSeq: null });
}
