/**
 * The state a fuzz run attacks: two cases, each with imported evidence, a note, an analysis with one
 * event, a conversation and a zone (rows other than evidence and notes are written directly: their jobs
 * are not needed to exercise the API).
 * Works with any engine build (sources or dist) through a structural interface.
 */
import type Database from 'better-sqlite3';
import { join } from 'node:path';
import { makeClip } from '../helpers/media.js';
import { ID_PREFIXES, type FuzzWorld, type IdPrefix } from './fuzz-cases.js';

export interface EngineLike {
  call(op: string, input: unknown): Promise<unknown>;
  readonly db: Database.Database;
  readonly dbPath: string;
  readonly jobs: { idle(): Promise<void> };
}

const rand = (prefix: string) => `${prefix}_${Array.from({ length: 16 }, () => 'abcdefghijklmnopqrstuvwxyz234567'[Math.floor(Math.random() * 32)]).join('')}`;

async function seedCase(engine: EngineLike, dir: string, name: string, seconds: number): Promise<Record<IdPrefix, string>> {
  const c = (await engine.call('cases.create', { name })) as { id: string };
  const clip = await makeClip(dir, { name: `${name.replace(/\W+/g, '-')}.mp4`, seconds, fps: 10, width: 64, height: 48 });
  const { jobId } = (await engine.call('evidence.import', { caseId: c.id, path: clip })) as { jobId: string };
  await engine.jobs.idle();
  const job = (await engine.call('jobs.get', { jobId })) as { state: string; targetId: string; error: string | null };
  if (job.state !== 'done') throw new Error(`seed import failed: ${job.error}`);
  const ev = job.targetId;
  const an = rand('an');
  const evt = rand('evt');
  const now = new Date().toISOString();
  engine.db
    .prepare("INSERT INTO analyses (id, case_id, evidence_id, job_id, state, params_json, engine_version, created_at, finished_at) VALUES (?,?,?,NULL,'done','{}','test',?,?)")
    .run(an, c.id, ev, now, now);
  engine.db
    .prepare(
      "INSERT INTO events (id, analysis_id, case_id, evidence_id, seq, start_time, end_time, start_frame, end_frame, peak_frame, peak_time, peak_score, confidence, category, track_ids_json, top_attributes_json, trajectories_json, boxes_json) VALUES (?,?,?,?,0,0.1,0.5,1,5,3,0.3,0.9,0.8,NULL,'[]','[]','[]','[]')",
    )
    .run(evt, an, c.id, ev);
  const conv = rand('conv');
  const zone = rand('zone');
  engine.db.prepare('INSERT INTO conversations (id, case_id, title, created_at) VALUES (?,?,?,?)').run(conv, c.id, 'Seed conversation', now);
  engine.db.prepare('INSERT INTO zones (id, case_id, evidence_id, name, polygon_json, created_at) VALUES (?,?,?,?,?,?)').run(zone, c.id, ev, 'Gate', '[[0,0],[10,0],[10,10]]', now);
  const def = rand('def');
  engine.db.prepare('INSERT INTO definitions (id, case_id, text, rule_json, created_at) VALUES (?,?,?,?,?)').run(def, c.id, 'bicycle', '{"labels":["bicycle"]}', now);
  const note = (await engine.call('notes.add', { caseId: c.id, evidenceId: ev, title: 'Seed', body: 'seed note', frame: 2 })) as { id: string };
  const ids = Object.fromEntries(ID_PREFIXES.map((p) => [p, rand(p)])) as Record<IdPrefix, string>;
  return { ...ids, case: c.id, ev, job: jobId, an, evt, note: note.id, conv, zone, def };
}

export async function seedFuzzWorld(engine: EngineLike, dir: string): Promise<FuzzWorld> {
  const own = await seedCase(engine, dir, 'Case under attack', 1);
  const other = await seedCase(engine, dir, 'Another case', 1.2);
  return { own, other, paths: { database: engine.dbPath, folder: dir, existingFile: join(dir, 'Case-under-attack.mp4') } };
}
