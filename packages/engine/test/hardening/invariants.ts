/**
 * What "nothing lost, nothing half-written" means for a case database and its work folder, as checks
 * that return the problems they find (an empty list = all good), so a failing test says exactly what
 * is wrong. Used after hostile imports, fuzzing and kills.
 */
import Database from 'better-sqlite3';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { verifyAudit } from '../../src/store/audit.js';

type Db = Database.Database;

/** SQLite's own structural check plus foreign keys. */
export function integrityProblems(db: Db): string[] {
  const problems: string[] = [];
  const integrity = db.pragma('integrity_check') as { integrity_check: string }[];
  if (integrity.length !== 1 || integrity[0].integrity_check !== 'ok') problems.push(`integrity_check: ${JSON.stringify(integrity)}`);
  const fk = db.pragma('foreign_key_check') as unknown[];
  if (fk.length) problems.push(`foreign_key_check: ${JSON.stringify(fk)}`);
  return problems;
}

/** Every file under `dir` (recursive), absolute paths. */
export function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else out.push(p);
  }
  return out;
}

export interface StoreCheckOptions {
  /** The engine has started since the last crash: no job may still claim to run. */
  afterRestart?: boolean;
}

/**
 * Audit chain, evidence ↔ audit correspondence, proxies ↔ files, and (after a restart) no job or
 * analysis left claiming to run.
 */
export function storeProblems(db: Db, workDir: string, o: StoreCheckOptions = {}): string[] {
  const problems = integrityProblems(db);
  const audit = verifyAudit(db);
  if (!audit.ok) problems.push(`audit chain broken at seq ${audit.firstBadSeq}`);

  const evidence = db.prepare('SELECT * FROM evidence').all() as { id: string; sha256: string; probe_json: string; proxy_status: string; proxy_path: string | null }[];
  const importRows = db.prepare("SELECT subject, details_json FROM audit_log WHERE action = 'evidence.import'").all() as { subject: string; details_json: string }[];
  for (const ev of evidence) {
    const rows = importRows.filter((r) => r.subject === ev.id);
    if (rows.length !== 1) problems.push(`evidence ${ev.id} has ${rows.length} evidence.import audit rows`);
    else if (JSON.parse(rows[0].details_json).sha256 !== ev.sha256) problems.push(`evidence ${ev.id}: audit sha256 differs from the row`);
    if (!/^[0-9a-f]{64}$/.test(ev.sha256)) problems.push(`evidence ${ev.id}: bad sha256 ${ev.sha256}`);
    try {
      JSON.parse(ev.probe_json);
    } catch {
      problems.push(`evidence ${ev.id}: probe_json is not JSON`);
    }
    if (ev.proxy_status === 'ready' && !(ev.proxy_path && existsSync(ev.proxy_path))) problems.push(`evidence ${ev.id}: proxy ready but file missing`);
    if (ev.proxy_status === 'original' && ev.proxy_path) problems.push(`evidence ${ev.id}: plays as original but has a proxy path`);
  }
  for (const r of importRows) if (!evidence.some((e) => e.id === r.subject)) problems.push(`audit row for evidence ${r.subject} that does not exist`);

  const readyProxies = new Set(evidence.filter((e) => e.proxy_status === 'ready' && e.proxy_path).map((e) => resolve(e.proxy_path!)));
  for (const f of walk(workDir)) {
    if (/\.partial$|\.tmp$/.test(f)) problems.push(`temporary file left behind: ${f}`);
    else if (/proxy\.mp4$/.test(f) && !readyProxies.has(resolve(f))) problems.push(`proxy file without a ready evidence row: ${f}`);
    else if (/proxy\.mp4$/.test(f) && statSync(f).size === 0) problems.push(`empty proxy file: ${f}`);
  }

  if (o.afterRestart) {
    for (const j of db.prepare("SELECT id, state FROM jobs WHERE state IN ('running','queued')").all() as { id: string; state: string }[]) {
      problems.push(`job ${j.id} still ${j.state} after a restart`);
    }
    for (const a of db.prepare("SELECT id FROM analyses WHERE state = 'running'").all() as { id: string }[]) problems.push(`analysis ${a.id} still running after a restart`);
  }
  return problems;
}

/** Every row of every table, to prove a refused request changed nothing. */
export function snapshot(db: Db, exclude: string[] = []): string {
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[])
    .map((t) => t.name)
    .filter((t) => !exclude.includes(t));
  return tables.map((t) => `${t}:${JSON.stringify(db.prepare(`SELECT * FROM "${t}"`).all())}`).join('\n');
}
