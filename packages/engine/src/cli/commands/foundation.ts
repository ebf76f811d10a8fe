/** Case, import, audit, database and serve commands: thin calls into the engine modules. */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Engine } from '../../api/engine.js';
import { startWebHost } from '../../api/http-server.js';
import { VigilError } from '../../errors.js';
import { runJobInline } from '../inline-job.js';
import { verifyAudit } from '../../store/audit.js';
import { createCase, getCase } from '../../store/cases.js';
import { backupDatabaseSync, openDatabase } from '../../store/db.js';
import { getEvidenceRow, listEvidence, toEvidence } from '../../store/evidence.js';
import { createJob, listJobs } from '../../store/jobs.js';
import { listNotes } from '../../store/notes.js';
import { listCases } from '../../store/cases.js';
import { flag, requireFlag, numberFlag, type ParsedArgs } from '../args.js';

const dbOf = (a: ParsedArgs) => resolve(requireFlag(a, 'db', 'path of the case database file'));

export async function caseCreate(a: ParsedArgs) {
  const name = requireFlag(a, 'name', 'the case name');
  const db = openDatabase(dbOf(a));
  try {
    return createCase(db, { name, examiner: flag(a, 'examiner'), description: flag(a, 'description') });
  } finally {
    db.close();
  }
}

export async function caseList(a: ParsedArgs) {
  const db = openDatabase(dbOf(a));
  try {
    return { cases: listCases(db) };
  } finally {
    db.close();
  }
}

export async function caseShow(a: ParsedArgs) {
  const db = openDatabase(dbOf(a));
  try {
    const caseId = requireFlag(a, 'case', 'the case id');
    return { ...getCase(db, caseId), evidence: listEvidence(db, caseId), jobs: listJobs(db, caseId), notes: listNotes(db, caseId) };
  } finally {
    db.close();
  }
}

export async function importFile(a: ParsedArgs, progress: (f: number, stage?: string) => void) {
  const file = a.positionals[0];
  if (!file) throw new VigilError('invalid_input', 'Give the footage file to import: vigil import --db PATH --case ID FILE');
  const dbPath = dbOf(a);
  const caseId = requireFlag(a, 'case', 'the case id');
  const db = openDatabase(dbPath);
  try {
    getCase(db, caseId);
    const job = createJob(db, { caseId, kind: 'import', params: { path: resolve(file), allowRelative: true } });
    const done = await runJobInline(db, dbPath, job.id, progress);
    const ev = toEvidence(getEvidenceRow(db, done.targetId!));
    return { evidenceId: ev.id, sha256: ev.sha256, width: ev.width, height: ev.height, fps: ev.fps, frameCount: ev.frameCount, durationS: ev.durationS, fileName: ev.fileName, playback: ev.playback, jobId: done.id };
  } finally {
    db.close();
  }
}

export async function auditVerify(a: ParsedArgs) {
  const db = openDatabase(dbOf(a));
  try {
    return verifyAudit(db);
  } finally {
    db.close();
  }
}

export async function dbBackup(a: ParsedArgs) {
  const dbPath = dbOf(a);
  if (!existsSync(dbPath)) throw new VigilError('not_found', `No case database at ${dbPath}.`);
  const db = openDatabase(dbPath);
  try {
    const out = resolve(flag(a, 'out') ?? `${dbPath}.${new Date().toISOString().replace(/[:.]/g, '-')}.bak`);
    return { path: backupDatabaseSync(db, out) };
  } finally {
    db.close();
  }
}

/** The built renderer: env override, else the desktop app's Vite output in this checkout. */
export function findRendererDir(): string | null {
  const env = process.env.VIGIL_RENDERER_DIR;
  if (env) return existsSync(join(env, 'index.html')) ? env : null;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const candidate = join(dir, 'apps', 'desktop', 'dist', 'renderer');
    if (existsSync(join(candidate, 'index.html'))) return candidate;
    dir = dirname(dir);
  }
  return null;
}

export async function serve(a: ParsedArgs, log: (m: string) => void) {
  const engine = new Engine({ dbPath: dbOf(a), transport: 'http', log });
  const rendererDir = findRendererDir();
  const host = await startWebHost({ engine, port: numberFlag(a, 'port') ?? 0, rendererDir, log });
  // The first stdout line is a contract: tests and `npm start` read the URL from it.
  process.stdout.write(`Vigil web host: ${host.url}\n`);
  if (!rendererDir) log('No renderer build found: serving the API only. Run `npm run build` for the UI.');
  log(`Database: ${engine.dbPath}`);
  const stop = async () => {
    await host.close();
    engine.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return new Promise<never>(() => {});
}
