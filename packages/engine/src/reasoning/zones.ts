/**
 * User zones: named polygons drawn on an evidence item's frame (source pixels). Questions and anomaly
 * definitions refer to them by name ("on the walkway", "any vehicle in zone Loading bay").
 */
import { VigilError } from '../errors.js';
import { appendAudit } from '../store/audit.js';
import type { Db } from '../store/db.js';
import { getEvidenceRow } from '../store/evidence.js';
import { newId, nowIso } from '../store/ids.js';
import { polygonArea, type Point } from './scene.js';

export interface Zone {
  id: string;
  caseId: string;
  evidenceId: string;
  name: string;
  polygon: Point[];
  createdAt: string;
}

interface ZoneRow { id: string; case_id: string; evidence_id: string; name: string; polygon_json: string; created_at: string }

const toZone = (r: ZoneRow): Zone => ({ id: r.id, caseId: r.case_id, evidenceId: r.evidence_id, name: r.name, polygon: JSON.parse(r.polygon_json), createdAt: r.created_at });

function frameSize(db: Db, evidenceId: string): { width: number; height: number; caseId: string } {
  const ev = getEvidenceRow(db, evidenceId);
  const p = JSON.parse(ev.probe_json) as { width: number; height: number; displayWidth?: number; displayHeight?: number };
  return { width: p.displayWidth ?? p.width, height: p.displayHeight ?? p.height, caseId: ev.case_id };
}

/** A zone name as stored: trimmed, inner whitespace collapsed, 1–80 characters. */
function cleanZoneName(raw: string): string {
  const name = (raw ?? '').trim().replace(/\s+/g, ' ');
  if (!name) throw new VigilError('invalid_input', 'A zone needs a name.');
  if (name.length > 80) throw new VigilError('invalid_input', `Zone names are limited to 80 characters (got ${name.length}).`);
  return name;
}

/** Refuses a polygon that is too small, too large, not numeric, far off the frame or without area. */
function checkPolygon(name: string, poly: Point[], frame: { width: number; height: number }): void {
  const { width, height } = frame;
  if (!Array.isArray(poly) || poly.length < 3) throw new VigilError('invalid_input', `Zone "${name}" needs a polygon of at least 3 points.`);
  if (poly.length > 500) throw new VigilError('invalid_input', `Zone "${name}" has ${poly.length} points; the limit is 500.`);
  for (const [k, pt] of poly.entries()) {
    if (!Array.isArray(pt) || pt.length !== 2 || !pt.every((v) => Number.isFinite(v))) throw new VigilError('invalid_input', `Zone "${name}": point ${k} is not a pair of numbers.`);
    // Half a frame of slack: zones may be drawn slightly past the edge to cover a border region.
    if (pt[0] < -width / 2 || pt[0] > width * 1.5 || pt[1] < -height / 2 || pt[1] > height * 1.5) {
      throw new VigilError('invalid_input', `Zone "${name}": point ${k} (${pt[0]}, ${pt[1]}) is far outside the ${width}×${height} frame.`);
    }
  }
  if (polygonArea(poly) < 1) throw new VigilError('invalid_input', `Zone "${name}" has no area (its points are on a line).`);
}

/** Zone names are unique per evidence item, ignoring case (`except` = the zone being renamed). */
function checkNameFree(db: Db, evidenceId: string, name: string, except: string | null): void {
  const dup = db.prepare('SELECT id FROM zones WHERE evidence_id = ? AND lower(name) = lower(?) AND id IS NOT ?').get(evidenceId, name, except) as { id: string } | undefined;
  if (dup) throw new VigilError('conflict', `This evidence already has a zone named "${name}" (${dup.id}).`);
}

export function addZone(db: Db, input: { caseId: string; evidenceId: string; name: string; polygon: Point[] }): Zone {
  const name = cleanZoneName(input.name);
  const frame = frameSize(db, input.evidenceId);
  if (frame.caseId !== input.caseId) throw new VigilError('not_found', `Evidence ${input.evidenceId} is not part of case ${input.caseId}.`);
  const poly = input.polygon;
  checkPolygon(name, poly, frame);
  checkNameFree(db, input.evidenceId, name, null);
  const id = newId('zone');
  db.transaction(() => {
    db.prepare('INSERT INTO zones (id, case_id, evidence_id, name, polygon_json, created_at) VALUES (?,?,?,?,?,?)').run(id, input.caseId, input.evidenceId, name, JSON.stringify(poly), nowIso());
    appendAudit(db, { action: 'zone.add', caseId: input.caseId, subject: id, details: { evidenceId: input.evidenceId, name, points: poly.length } });
  })();
  return getZone(db, id);
}

/**
 * Renames a zone and/or replaces its polygon, with the same checks as addZone. A rename is refused while
 * an anomaly definition names the zone and no other zone of the case keeps that name: definitions match
 * zones by name, so the definition would silently stop matching. The audit row keeps old and new values;
 * a change to nothing writes no row.
 */
export function updateZone(db: Db, zoneId: string, patch: { name?: string; polygon?: Point[] }): Zone {
  const old = getZone(db, zoneId);
  const name = patch.name === undefined ? old.name : cleanZoneName(patch.name);
  const poly = patch.polygon ?? old.polygon;
  checkPolygon(name, poly, frameSize(db, old.evidenceId));
  const renamed = name !== old.name;
  if (renamed) {
    checkNameFree(db, old.evidenceId, name, zoneId);
    const sameName = db.prepare('SELECT 1 FROM zones WHERE case_id = ? AND name = ? AND id != ?').get(old.caseId, old.name, zoneId);
    const defs = db.prepare('SELECT id, text, rule_json FROM definitions WHERE case_id = ?').all(old.caseId) as { id: string; text: string; rule_json: string }[];
    const naming = sameName ? undefined : defs.find((d) => (JSON.parse(d.rule_json) as { zone?: string }).zone === old.name);
    if (naming) {
      throw new VigilError('conflict', `The anomaly definition "${naming.text}" (${naming.id}) names zone "${old.name}"; remove that definition before renaming the zone.`);
    }
  }
  const reshaped = JSON.stringify(poly) !== JSON.stringify(old.polygon);
  if (!renamed && !reshaped) return old;
  db.transaction(() => {
    db.prepare('UPDATE zones SET name = ?, polygon_json = ? WHERE id = ?').run(name, JSON.stringify(poly), zoneId);
    appendAudit(db, {
      action: 'zone.update',
      caseId: old.caseId,
      subject: zoneId,
      details: { evidenceId: old.evidenceId, before: { name: old.name, polygon: old.polygon }, after: { name, polygon: poly } },
    });
  })();
  return getZone(db, zoneId);
}

export function getZone(db: Db, zoneId: string): Zone {
  const r = db.prepare('SELECT * FROM zones WHERE id = ?').get(zoneId) as ZoneRow | undefined;
  if (!r) throw new VigilError('not_found', `No zone with id ${zoneId}.`);
  return toZone(r);
}

export function listZones(db: Db, q: { caseId: string; evidenceId?: string }): Zone[] {
  return (db.prepare('SELECT * FROM zones WHERE case_id = ? AND (? IS NULL OR evidence_id = ?) ORDER BY created_at, rowid').all(q.caseId, q.evidenceId ?? null, q.evidenceId ?? null) as ZoneRow[]).map(toZone);
}

export function removeZone(db: Db, zoneId: string): void {
  const z = getZone(db, zoneId);
  db.transaction(() => {
    db.prepare('DELETE FROM zones WHERE id = ?').run(zoneId);
    appendAudit(db, { action: 'zone.remove', caseId: z.caseId, subject: zoneId, details: { evidenceId: z.evidenceId, name: z.name } });
  })();
}
