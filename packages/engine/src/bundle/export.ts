/**
 * Exporting a case as a `.vigilcase` bundle (see format.ts). Rows are read from one snapshot (a
 * separate read-only connection inside a transaction), streamed into the zip and hashed on the way, so
 * memory stays flat however large the analyses are. The bundle is written under a temporary name and
 * renamed into place only when complete; its SHA-256 is then recorded in the source database's audit
 * log ('case.export').
 */
import { isProcessAlive } from '../process-alive.js';
import Database from 'better-sqlite3';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import yazl from 'yazl';
import { throwIfAborted, VigilError, type ProgressFn } from '../errors.js';
import { sha256File } from '../media/hash.js';
import { appendAudit, verifyAudit } from '../store/audit.js';
import type { Db } from '../store/db.js';
import { schemaVersion } from '../store/db.js';
import { VIGIL_VERSION } from '../version.js';
import { caseTables, quoteIdent } from './case-rows.js';
import {
  AUDIT_MEMBER, BUNDLE_FORMAT, BUNDLE_VERSION, MANIFEST, MANIFEST_DIGEST, encodeCell, evidenceMember, reportMember, tableMember, type Manifest,
} from './format.js';

export interface ExportOptions {
  caseId: string;
  outPath: string;
  /** Put the evidence originals in the bundle (default: referenced by SHA-256 only). */
  includeEvidence?: boolean;
  /** Replace an existing file at outPath. */
  overwrite?: boolean;
  onProgress?: ProgressFn;
  signal?: AbortSignal;
}

export interface ExportResult {
  path: string;
  sha256: string;
  manifestSha256: string;
  bytes: number;
  caseId: string;
  tables: Record<string, number>;
  evidence: { id: string; fileName: string; sha256: string; included: boolean }[];
  reports: number;
  auditRows: number;
}

interface MemberRecord {
  path: string;
  sha256: string;
  bytes: number;
}


export async function exportCaseBundle(db: Db, o: ExportOptions): Promise<ExportResult> {
  const out = resolve(o.outPath);
  if (existsSync(out) && !o.overwrite) throw new VigilError('conflict', `${out} already exists; choose another file or pass --force to replace it.`);
  if (existsSync(out) && statSync(out).isDirectory()) throw new VigilError('invalid_input', `${out} is a folder; give a file name such as case.vigilcase.`);
  const theCase = db.prepare('SELECT id, name FROM cases WHERE id = ?').get(o.caseId) as { id: string; name: string } | undefined;
  if (!theCase) throw new VigilError('not_found', `No case with id ${o.caseId}.`);
  const busy = (db.prepare("SELECT id, kind, pid FROM jobs WHERE case_id = ? AND state IN ('running','queued')").all(o.caseId) as { id: string; kind: string; pid: number | null }[]).filter(
    (j) => j.pid !== null && isProcessAlive(j.pid),
  );
  if (busy.length) throw new VigilError('conflict', `Case ${o.caseId} has a ${busy[0].kind} job running (${busy[0].id}); export it once the job has finished.`);
  const audit = verifyAudit(db);
  if (!audit.ok) throw new VigilError('conflict', `The audit log of this database does not verify (first bad row ${audit.firstBadSeq}); a bundle would carry a broken custody record. Run \`vigil audit verify\`.`);

  // One consistent snapshot for everything the bundle holds.
  const snap = new Database(db.name, { readonly: true, fileMustExist: true });
  snap.pragma('busy_timeout = 10000');
  snap.exec('BEGIN');
  const progress = o.onProgress ?? (() => {});
  const tmp = join(dirname(out), `.${basename(out)}.${randomBytes(4).toString('hex')}.partial`);
  let problem: VigilError | null = null;
  const fail = (e: VigilError) => (problem ??= e);
  try {
    const tables = caseTables(snap);
    const counts: Record<string, number> = {};
    for (const t of tables) counts[t.name] = (snap.prepare(`SELECT COUNT(*) AS n FROM ${quoteIdent(t.name)} WHERE ${t.where}`).get(o.caseId) as { n: number }).n;
    const evidenceRows = snap.prepare('SELECT id, file_name, original_path, size_bytes, sha256 FROM evidence WHERE case_id = ? ORDER BY rowid').all(o.caseId) as {
      id: string; file_name: string; original_path: string; size_bytes: number; sha256: string;
    }[];
    const reportRows = snap.prepare('SELECT id, path, sha256 FROM reports WHERE case_id = ? ORDER BY rowid').all(o.caseId) as { id: string; path: string; sha256: string }[];
    for (const r of reportRows) {
      if (!existsSync(r.path)) throw new VigilError('not_found', `Report ${r.id} is missing its PDF (${r.path}); the bundle would be incomplete.`);
    }
    if (o.includeEvidence) {
      for (const e of evidenceRows) {
        if (!existsSync(e.original_path)) throw new VigilError('not_found', `Evidence ${e.id} (${e.file_name}) is not at ${e.original_path}; it cannot be included.`);
      }
    }
    const auditRows = snap.prepare('SELECT * FROM audit_log WHERE case_id = ? ORDER BY seq').all(o.caseId) as Record<string, unknown>[];
    const head = (snap.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string } | undefined) ?? { seq: 0, hash: '0'.repeat(64) };

    const totalBytes = evidenceRows.reduce((a, e) => a + (o.includeEvidence ? e.size_bytes : 0), 0) + reportRows.length + Object.values(counts).reduce((a, b) => a + b, 0) * 100 + 1;
    let doneBytes = 0;
    const advance = (n: number) => {
      doneBytes += n;
      progress(Math.min(0.97, doneBytes / totalBytes), 'export');
    };

    const members: MemberRecord[] = [];
    const zip = new yazl.ZipFile();
    /** Streams a member into the zip, hashing it; errors end the member early and fail the export. */
    const addMember = (path: string, compress: boolean, source: () => AsyncGenerator<Buffer>, expectSha?: string) => {
      zip.addReadStreamLazy(path, { compress, mtime: new Date(0) }, (cb) => {
        const hash = createHash('sha256');
        let bytes = 0;
        cb(
          null,
          Readable.from(
            (async function* () {
              try {
                for await (const chunk of source()) {
                  if (o.signal?.aborted) throw new VigilError('cancelled', 'The export was cancelled.');
                  hash.update(chunk);
                  bytes += chunk.length;
                  advance(chunk.length);
                  yield chunk;
                }
                const sha256 = hash.digest('hex');
                if (expectSha && sha256 !== expectSha) fail(new VigilError('conflict', `${path}: the file no longer matches the SHA-256 recorded for it (${expectSha}); export refused.`));
                members.push({ path, sha256, bytes });
              } catch (e) {
                fail(e instanceof VigilError ? e : new VigilError('internal', `Reading ${path} for the bundle failed: ${(e as Error).message}`));
              }
            })(),
            { objectMode: false },
          ),
        );
      });
    };
    const fileChunks = (file: string) =>
      async function* () {
        for await (const c of createReadStream(file, { flags: 'r', highWaterMark: 1 << 20 })) yield c as Buffer;
      };
    const jsonLines = (rows: Iterable<unknown>) =>
      async function* () {
        let batch: string[] = [];
        for (const r of rows) {
          batch.push(JSON.stringify(r));
          if (batch.length >= 500) {
            yield Buffer.from(`${batch.join('\n')}\n`);
            batch = [];
          }
        }
        if (batch.length) yield Buffer.from(`${batch.join('\n')}\n`);
      };
    const encodeRow = (row: Record<string, unknown>) => {
      const outRow: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(row)) outRow[k] = encodeCell(v);
      return outRow;
    };

    for (const t of tables) {
      const rows = snap.prepare(`SELECT * FROM ${quoteIdent(t.name)} WHERE ${t.where} ORDER BY ${t.orderBy}`);
      addMember(tableMember(t.name), true, jsonLines((function* () {
        for (const r of rows.iterate(o.caseId) as IterableIterator<Record<string, unknown>>) yield encodeRow(r);
      })()));
    }
    addMember(AUDIT_MEMBER, true, jsonLines(auditRows));
    for (const r of reportRows) addMember(reportMember(r.id), false, fileChunks(r.path), r.sha256);
    const evidence: Manifest['evidence'] = evidenceRows.map((e) => ({
      id: e.id, fileName: e.file_name, sizeBytes: e.size_bytes, sha256: e.sha256, member: o.includeEvidence ? evidenceMember(e.sha256, e.file_name) : null,
    }));
    const added = new Set<string>();
    for (const e of evidence) {
      // Two evidence rows never share a hash within a case, but be safe: one member per content.
      if (e.member && !added.has(e.member)) {
        added.add(e.member);
        addMember(e.member, false, fileChunks(evidenceRows.find((r) => r.id === e.id)!.original_path), e.sha256);
      }
    }

    // The manifest is built when yazl reaches it, i.e. after every other member has been hashed.
    let manifestBytes: Buffer | null = null;
    const manifest = (): Buffer => {
      if (manifestBytes) return manifestBytes;
      const m: Manifest = {
        format: BUNDLE_FORMAT,
        formatVersion: BUNDLE_VERSION,
        createdAt: new Date().toISOString(),
        engineVersion: VIGIL_VERSION,
        schemaVersion: schemaVersion(snap),
        case: { id: theCase.id, name: theCase.name },
        includeEvidence: !!o.includeEvidence,
        tables: tables.map((t) => ({ name: t.name, member: tableMember(t.name), rows: counts[t.name] })),
        evidence,
        reports: reportRows.map((r) => ({ id: r.id, member: reportMember(r.id), sha256: r.sha256 })),
        audit: { member: AUDIT_MEMBER, rows: auditRows.length, chainHead: head },
        members: [...members].sort((a, b) => a.path.localeCompare(b.path)),
      };
      manifestBytes = Buffer.from(`${JSON.stringify(m, null, 1)}\n`);
      return manifestBytes;
    };
    zip.addReadStreamLazy(MANIFEST, { mtime: new Date(0) }, (cb) => cb(null, Readable.from([manifest()], { objectMode: false })));
    zip.addReadStreamLazy(MANIFEST_DIGEST, { mtime: new Date(0) }, (cb) => cb(null, Readable.from([Buffer.from(`${createHash('sha256').update(manifest()).digest('hex')}\n`)], { objectMode: false })));
    zip.end();

    mkdirSync(dirname(out), { recursive: true });
    await new Promise<void>((ok, bad) => {
      const ws = createWriteStream(tmp, { flags: 'wx' });
      ws.on('error', (e) => bad(new VigilError('invalid_input', `Cannot write ${out}: ${e.message}`)));
      ws.on('close', () => ok());
      zip.outputStream.on('error', (e: Error) => bad(new VigilError('internal', `Writing the bundle failed: ${e.message}`)));
      zip.outputStream.pipe(ws);
    });
    if (problem) throw problem;
    throwIfAborted(o.signal);

    const sha256 = await sha256File(tmp, { signal: o.signal });
    const manifestSha256 = createHash('sha256').update(manifest()).digest('hex');
    const bytes = statSync(tmp).size;
    renameSync(tmp, out);
    const result: ExportResult = {
      path: out, sha256, manifestSha256, bytes, caseId: theCase.id, tables: counts,
      evidence: evidence.map((e) => ({ id: e.id, fileName: e.fileName, sha256: e.sha256, included: e.member !== null })),
      reports: reportRows.length,
      auditRows: auditRows.length,
    };
    try {
      appendAudit(db, {
        action: 'case.export',
        caseId: theCase.id,
        subject: theCase.id,
        details: { path: out, sha256, manifestSha256, bytes, includeEvidence: !!o.includeEvidence, tables: counts, evidence: evidence.length, reports: reportRows.length, auditRows: auditRows.length, chainHead: head },
      });
    } catch (e) {
      // A bundle whose export is not on record must not exist.
      rmSync(out, { force: true });
      throw e;
    }
    progress(1, 'export');
    return result;
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  } finally {
    if (snap.inTransaction) snap.exec('COMMIT');
    snap.close();
  }
}
