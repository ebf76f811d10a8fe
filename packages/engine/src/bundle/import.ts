/**
 * Importing a `.vigilcase` bundle into a case database. Nothing is trusted before it is verified:
 *
 *  1. the zip directory (allowed member names only, no duplicates), manifest.json against
 *     manifest.sha256 and its schema, and the member list against the manifest (nothing missing,
 *     nothing extra);
 *  2. pass 1: every member's bytes against its SHA-256 and size; files (evidence originals, report PDFs,
 *     the audit extract) are written to temporary names in the work folder while they are hashed;
 *     evidence only referenced by hash is located (recorded path or --evidence-dir) and hashed;
 *  3. pass 2, in one transaction: rows streamed in foreign-key order (each member hashed again), paths
 *     rewritten to this machine, cross-checks (rows ↔ manifest ↔ files, every row belongs to the case,
 *     the audit extract's chain hashes), audit rows appended; then commit.
 *
 * Any failure rolls the transaction back and removes the files written, naming the member at fault.
 * A case whose id already exists in the database is refused (ids are referenced by the bundle's rows
 * and audit extract; renumbering would break that link). Playback copies are made after the commit.
 */
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, type Dirent } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Statement } from 'better-sqlite3';
import { throwIfAborted, VigilError, type ProgressFn } from '../errors.js';
import { buildProxy } from '../jobs/import-evidence.js';
import { sha256File } from '../media/hash.js';
import { needsProxy } from '../media/proxy.js';
import type { ProbeResult } from '../media/probe.js';
import { appendAudit, rowHash, type AuditDbRow } from '../store/audit.js';
import type { Db } from '../store/db.js';
import { schemaVersion } from '../store/db.js';
import { caseTables, quoteIdent, type CaseTable } from './case-rows.js';
import { AUDIT_MEMBER, MANIFEST, MANIFEST_DIGEST, ManifestSchema, decodeCell, type Manifest } from './format.js';
import { openBundleZip, openMember, readMember, type BundleZip } from './zip-read.js';

export interface ImportBundleOptions {
  bundlePath: string;
  /** The database's work folder (where extracted originals, reports and proxies go). */
  workDir: string;
  /** Folders to search for evidence the bundle references by hash only (matched by size, then SHA-256). */
  evidenceDirs?: string[];
  /** Make playback copies for imported evidence that needs one (default true). */
  makeProxies?: boolean;
  onProgress?: ProgressFn;
  signal?: AbortSignal;
}

export interface ImportBundleResult {
  caseId: string;
  caseName: string;
  bundleSha256: string;
  manifestSha256: string;
  tables: Record<string, number>;
  evidence: { id: string; fileName: string; path: string; from: 'bundle' | 'located' }[];
  reports: number;
  auditRows: number;
  proxies: { made: number; failed: { evidenceId: string; message: string }[] };
}

const MAX_MANIFEST = 64 << 20;
const MAX_LINE = 256 << 20;

const damaged = (member: string, why: string) =>
  new VigilError('invalid_input', `Bundle member ${member} ${why}; the bundle was altered or damaged. Nothing was imported.`);

/** Copies a member to `dest` (new file) while hashing it; returns its SHA-256 and size. */
async function extractMember(b: BundleZip, name: string, dest: string, signal?: AbortSignal, onBytes?: (n: number) => void): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      bytes += chunk.length;
      onBytes?.(chunk.length);
      cb(null, chunk);
    },
  });
  try {
    const sink = dest === '' ? new Writable({ write: (_c, _e, cb) => cb() }) : createWriteStream(dest, { flags: 'wx' });
    await pipeline(await openMember(b, name), tap, sink, { signal });
  } catch (e) {
    if (signal?.aborted) throw new VigilError('cancelled', 'The import was cancelled.');
    if (e instanceof VigilError) throw e;
    throw damaged(name, `cannot be read (${(e as Error).message})`);
  }
  return { sha256: hash.digest('hex'), bytes };
}

/** Streams a JSON-lines member, hashing it; calls `onRow` per line. */
async function eachLine(b: BundleZip, name: string, onRow: (row: unknown, line: number) => void): Promise<{ sha256: string; lines: number }> {
  const hash = createHash('sha256');
  const tap = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      cb(null, chunk);
    },
  });
  const src = await openMember(b, name);
  src.on('error', (e) => tap.destroy(e));
  src.pipe(tap);
  let n = 0;
  try {
    for await (const line of createInterface({ input: tap, crlfDelay: Infinity })) {
      if (line === '') continue;
      n++;
      if (line.length > MAX_LINE) throw damaged(name, `has a line longer than ${MAX_LINE} characters`);
      let row: unknown;
      try {
        row = JSON.parse(line);
      } catch {
        throw damaged(name, `line ${n} is not JSON`);
      }
      onRow(row, n);
    }
  } catch (e) {
    src.destroy();
    if (e instanceof VigilError) throw e;
    throw damaged(name, `cannot be read (${(e as Error).message})`);
  }
  return { sha256: hash.digest('hex'), lines: n };
}

function sameSet(a: Iterable<string>, b: Iterable<string>): boolean {
  const x = new Set(a);
  const y = new Set(b);
  return x.size === y.size && [...x].every((v) => y.has(v));
}

/** Files under `dirs` by size (recursive, bounded), for locating referenced evidence. */
function filesBySize(dirs: string[]): Map<number, string[]> {
  const out = new Map<number, string[]>();
  let seen = 0;
  const walk = (dir: string, depth: number) => {
    if (depth > 8 || seen > 200_000) return;
    let list: Dirent[];
    try {
      list = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const d of list) {
      const p = join(dir, d.name);
      if (d.isDirectory()) walk(p, depth + 1);
      else if (d.isFile()) {
        seen++;
        const size = statSync(p).size;
        out.set(size, [...(out.get(size) ?? []), p]);
      }
    }
  };
  for (const d of dirs) walk(resolve(d), 0);
  return out;
}

export async function importCaseBundle(db: Db, o: ImportBundleOptions): Promise<ImportBundleResult> {
  const bundlePath = resolve(o.bundlePath);
  const label = basename(bundlePath);
  if (!existsSync(bundlePath)) throw new VigilError('not_found', `No bundle at ${bundlePath}.`);
  if (!statSync(bundlePath).isFile()) throw new VigilError('invalid_input', `${bundlePath} is not a file.`);
  const progress = o.onProgress ?? (() => {});
  progress(0, 'verify');
  const bundleSha256 = await sha256File(bundlePath, { signal: o.signal });

  const b = await openBundleZip(bundlePath, label);
  const written: string[] = [];
  const createdDirs: string[] = [];
  const removeWritten = () => {
    for (const f of written) rmSync(f, { force: true });
    // The case is not in this database, so nothing else uses a work folder this import created.
    for (const d of createdDirs) rmSync(d, { recursive: true, force: true });
  };
  try {
    // ---- 1. manifest and member list ----
    if (!b.entries.has(MANIFEST) || !b.entries.has(MANIFEST_DIGEST)) throw new VigilError('invalid_input', `${label} is not a Vigil case bundle (no ${MANIFEST}).`);
    const manifestBytes = await readMember(b, MANIFEST, MAX_MANIFEST);
    const manifestSha256 = createHash('sha256').update(manifestBytes).digest('hex');
    const digest = (await readMember(b, MANIFEST_DIGEST, 1024)).toString('utf8').trim();
    if (digest !== manifestSha256) throw damaged(MANIFEST, `does not match ${MANIFEST_DIGEST}`);
    let raw: unknown;
    try {
      raw = JSON.parse(manifestBytes.toString('utf8'));
    } catch {
      throw damaged(MANIFEST, 'is not JSON');
    }
    const parsed = ManifestSchema.safeParse(raw);
    if (!parsed.success) {
      if ((raw as { format?: unknown })?.format === 'vigil-case-bundle' && (raw as { formatVersion?: unknown }).formatVersion !== 1) {
        throw new VigilError('conflict', `${label} was written in bundle format ${String((raw as { formatVersion: unknown }).formatVersion)}; this Vigil reads format 1. Upgrade Vigil to import it.`);
      }
      throw damaged(MANIFEST, `is not a valid bundle manifest (${parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')})`);
    }
    const m: Manifest = parsed.data;
    const listed = new Map(m.members.map((x) => [x.path, x]));
    if (listed.size !== m.members.length) throw damaged(MANIFEST, 'lists a member twice');
    for (const name of b.entries.keys()) {
      if (name !== MANIFEST && name !== MANIFEST_DIGEST && !listed.has(name)) throw damaged(name, 'is not listed in the manifest');
    }
    for (const name of listed.keys()) if (!b.entries.has(name)) throw damaged(name, 'is listed in the manifest but missing');
    const referenced = [...m.tables.map((t) => t.member), m.audit.member, ...m.reports.map((r) => r.member), ...m.evidence.flatMap((e) => (e.member ? [e.member] : []))];
    for (const name of referenced) if (!listed.has(name)) throw damaged(MANIFEST, `refers to ${name}, which it does not list`);
    if (m.includeEvidence !== m.evidence.every((e) => e.member !== null)) throw damaged(MANIFEST, 'is inconsistent about included evidence');

    // ---- target checks before any work ----
    const target = schemaVersion(db);
    if (m.schemaVersion > target) throw new VigilError('conflict', `${label} comes from a newer Vigil (schema ${m.schemaVersion}; this database has ${target}). Upgrade Vigil to import it.`);
    const existing = db.prepare('SELECT name FROM cases WHERE id = ?').get(m.case.id) as { name: string } | undefined;
    if (existing) {
      throw new VigilError('conflict', `Case ${m.case.id} ("${existing.name}") is already in this database; a bundle is imported once per database. Import it into another database to compare.`);
    }
    const tables = caseTables(db);
    const byName = new Map(tables.map((t) => [t.name, t]));
    for (const t of m.tables) if (!byName.has(t.name)) throw new VigilError('conflict', `${label} holds table ${t.name}, which this Vigil does not know (a newer version made the bundle?).`);
    throwIfAborted(o.signal);

    // ---- 2. pass 1: verify every member; extract files to temporary names ----
    const caseDir = join(resolve(o.workDir), m.case.id);
    if (!existsSync(caseDir)) createdDirs.push(caseDir);
    const partial = (final: string) => join(dirname(final), `.${basename(final)}.${randomBytes(4).toString('hex')}.partial`);
    const totalBytes = m.members.reduce((a, x) => a + x.bytes, 0) || 1;
    let done = 0;
    const onBytes = (n: number) => {
      done += n;
      progress(0.6 * Math.min(1, done / totalBytes), 'verify');
    };
    const finals = new Map<string, { tmp: string; final: string }>();
    const fileTarget = (member: string): string | null => {
      const ev = m.evidence.find((e) => e.member === member);
      if (ev) return join(caseDir, ev.id, `original${/\.[a-z0-9]{1,8}$/.exec(member)?.[0] ?? ''}`);
      const rep = m.reports.find((r) => r.member === member);
      if (rep) return join(caseDir, 'reports', `${rep.id}.pdf`);
      if (member === AUDIT_MEMBER) return join(caseDir, 'source-audit.jsonl');
      return null;
    };
    for (const member of m.members) {
      const final = fileTarget(member.path);
      let dest = '';
      if (final) {
        mkdirSync(dirname(final), { recursive: true });
        dest = partial(final);
        written.push(dest);
        finals.set(member.path, { tmp: dest, final });
      }
      const got = await extractMember(b, member.path, dest, o.signal, onBytes);
      if (got.bytes !== member.bytes || got.sha256 !== member.sha256) throw damaged(member.path, 'does not match its SHA-256 in the manifest');
    }
    for (const r of m.reports) if (r.sha256 !== listed.get(r.member)!.sha256) throw damaged(r.member, 'does not match the report it belongs to');
    for (const e of m.evidence) {
      if (e.member && (listed.get(e.member)!.sha256 !== e.sha256 || listed.get(e.member)!.bytes !== e.sizeBytes)) throw damaged(e.member, 'does not match the evidence it belongs to');
    }

    // Evidence referenced by hash only: at its recorded path, or in the folders given.
    const evidencePath = new Map<string, { path: string; from: 'bundle' | 'located' }>();
    for (const e of m.evidence) if (e.member) evidencePath.set(e.id, { path: finals.get(e.member)!.final, from: 'bundle' });
    const wanted = m.evidence.filter((e) => !e.member);
    if (wanted.length) {
      const recorded = new Map<string, string>();
      const evidenceTable = m.tables.find((t) => t.name === 'evidence');
      if (!evidenceTable) throw damaged(MANIFEST, 'lists evidence but no evidence table');
      await eachLine(b, evidenceTable.member, (row) => {
        const r = row as { id?: unknown; original_path?: unknown };
        if (typeof r.id === 'string' && typeof r.original_path === 'string') recorded.set(r.id, r.original_path);
      });
      const candidates = o.evidenceDirs?.length ? filesBySize(o.evidenceDirs) : new Map<number, string[]>();
      const missing: string[] = [];
      for (const e of wanted) {
        const options = [recorded.get(e.id), ...(candidates.get(e.sizeBytes) ?? [])].filter((p): p is string => !!p && existsSync(p) && statSync(p).isFile() && statSync(p).size === e.sizeBytes);
        let found: string | null = null;
        for (const p of options) {
          if ((await sha256File(p, { signal: o.signal })) === e.sha256) {
            found = p;
            break;
          }
        }
        if (found) evidencePath.set(e.id, { path: found, from: 'located' });
        else missing.push(`"${e.fileName}" (SHA-256 ${e.sha256})`);
      }
      if (missing.length) {
        throw new VigilError(
          'not_found',
          `${label} references evidence it does not contain, and it was not found with the same SHA-256: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ` and ${missing.length - 5} more` : ''}. Give the folder holding it with --evidence-dir, or export the case with --include-evidence.`,
        );
      }
    }
    throwIfAborted(o.signal);

    // ---- 3. pass 2: rows in one transaction ----
    progress(0.6, 'import');
    const reportPath = new Map(m.reports.map((r) => [r.id, finals.get(r.member)!.final]));
    const counts: Record<string, number> = {};
    const evidenceRows: { id: string; sha256: string; size: number; fileName: string; needsProxy: boolean }[] = [];
    const reportRows: { id: string; sha256: string }[] = [];
    const rewrite: Record<string, (r: Record<string, unknown>, member: string) => void> = {
      evidence: (r, member) => {
        const id = String(r.id);
        const loc = evidencePath.get(id);
        if (!loc) throw damaged(member, `has evidence ${id} that the manifest does not list`);
        let probe: ProbeResult;
        try {
          probe = JSON.parse(String(r.probe_json)) as ProbeResult;
        } catch {
          throw damaged(member, `has unreadable metadata for evidence ${id}`);
        }
        const proxy = needsProxy(probe);
        evidenceRows.push({ id, sha256: String(r.sha256), size: Number(r.size_bytes), fileName: String(r.file_name), needsProxy: proxy });
        r.original_path = loc.path;
        r.proxy_path = null;
        r.proxy_status = proxy ? 'pending' : 'original';
      },
      reports: (r, member) => {
        const id = String(r.id);
        if (!reportPath.has(id)) throw damaged(member, `has report ${id} that the manifest does not list`);
        reportRows.push({ id, sha256: String(r.sha256) });
        r.path = reportPath.get(id);
      },
      // Work that was under way when the case was exported did not finish here either.
      jobs: (r) => {
        r.pid = null;
        if (r.state === 'running' || r.state === 'queued') r.state = 'interrupted';
      },
      analyses: (r) => {
        if (r.state === 'running') r.state = 'interrupted';
      },
    };

    const statements = new Map<string, Statement<unknown[]>>();
    const insert = (t: CaseTable, member: string, row: unknown, line: number) => {
      if (!row || typeof row !== 'object' || Array.isArray(row)) throw damaged(member, `line ${line} is not a row`);
      const r: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(row)) {
        if (!t.columns.includes(k)) throw new VigilError('conflict', `Bundle member ${member} has column ${k}, which this Vigil does not know (a newer version made the bundle?).`);
        r[k] = decodeCell(v, `${member} line ${line}`);
      }
      rewrite[t.name]?.(r, member);
      const cols = Object.keys(r);
      const sql = `INSERT INTO ${quoteIdent(t.name)} (${cols.map(quoteIdent).join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`;
      if (!statements.has(sql)) statements.set(sql, db.prepare(sql));
      try {
        statements.get(sql)!.run(...cols.map((c) => r[c]));
      } catch (e) {
        const code = (e as { code?: string }).code ?? '';
        if (code.startsWith('SQLITE_CONSTRAINT_PRIMARYKEY') || code.startsWith('SQLITE_CONSTRAINT_UNIQUE')) {
          throw new VigilError('conflict', `A row of ${member} (line ${line}) is already in this database (${(e as Error).message}); nothing was imported.`);
        }
        throw damaged(member, `line ${line} cannot be stored (${(e as Error).message})`);
      }
    };

    db.exec('BEGIN IMMEDIATE');
    try {
      for (const t of tables) {
        const entry = m.tables.find((x) => x.name === t.name);
        if (!entry) continue;
        const { sha256, lines } = await eachLine(b, entry.member, (row, line) => insert(t, entry.member, row, line));
        if (sha256 !== listed.get(entry.member)!.sha256) throw damaged(entry.member, 'changed while it was being imported');
        if (lines !== entry.rows) throw damaged(entry.member, `holds ${lines} rows, the manifest says ${entry.rows}`);
        const belong = (db.prepare(`SELECT COUNT(*) AS n FROM ${quoteIdent(t.name)} WHERE ${t.where}`).get(m.case.id) as { n: number }).n;
        if (belong !== lines) throw damaged(entry.member, `holds rows that do not belong to case ${m.case.id}`);
        counts[t.name] = lines;
        throwIfAborted(o.signal);
      }
      const caseRow = db.prepare('SELECT name FROM cases WHERE id = ?').get(m.case.id) as { name: string } | undefined;
      if (!caseRow || counts.cases !== 1) throw damaged('tables/cases.jsonl', `does not hold case ${m.case.id}`);
      if (!sameSet(evidenceRows.map((e) => `${e.id}:${e.sha256}:${e.size}`), m.evidence.map((e) => `${e.id}:${e.sha256}:${e.sizeBytes}`))) {
        throw damaged('tables/evidence.jsonl', 'does not match the evidence listed in the manifest');
      }
      if (!sameSet(reportRows.map((r) => `${r.id}:${r.sha256}`), m.reports.map((r) => `${r.id}:${r.sha256}`))) throw damaged('tables/reports.jsonl', 'does not match the reports listed in the manifest');

      // The source's audit rows for this case: each one's chain hash must recompute.
      const auditFile = finals.get(AUDIT_MEMBER)!.tmp;
      let lastSeq = 0;
      let auditRows = 0;
      for (const [i, line] of readFileSync(auditFile, 'utf8').split('\n').filter(Boolean).entries()) {
        let r: AuditDbRow;
        try {
          r = JSON.parse(line) as AuditDbRow;
          if (typeof r.seq !== 'number' || typeof r.prev_hash !== 'string' || typeof r.details_json !== 'string') throw new Error('fields');
        } catch {
          throw damaged(AUDIT_MEMBER, `line ${i + 1} is not an audit row`);
        }
        if (r.case_id !== m.case.id || r.seq <= lastSeq || r.seq > m.audit.chainHead.seq || rowHash(r) !== r.hash) throw damaged(AUDIT_MEMBER, `row seq ${r.seq} does not verify`);
        lastSeq = r.seq;
        auditRows++;
      }
      if (auditRows !== m.audit.rows) throw damaged(AUDIT_MEMBER, `holds ${auditRows} rows, the manifest says ${m.audit.rows}`);

      // Files go to their final names before the commit: a crash after it never leaves rows without files.
      for (const { tmp, final } of finals.values()) {
        renameSync(tmp, final);
        written.push(final);
      }
      for (const e of m.evidence) if (e.member) chmodSync(finals.get(e.member)!.final, 0o444);

      for (const e of m.evidence) {
        const loc = evidencePath.get(e.id)!;
        appendAudit(db, {
          action: 'evidence.import',
          caseId: m.case.id,
          subject: e.id,
          details: { fileName: e.fileName, path: loc.path, sizeBytes: e.sizeBytes, sha256: e.sha256, viaBundle: bundleSha256, from: loc.from },
        });
      }
      appendAudit(db, {
        action: 'case.import',
        caseId: m.case.id,
        subject: m.case.id,
        details: {
          bundle: bundlePath, bundleSha256, manifestSha256, exportedAt: m.createdAt, sourceEngineVersion: m.engineVersion, sourceSchemaVersion: m.schemaVersion,
          sourceAuditRows: auditRows, sourceChainHead: m.audit.chainHead, tables: counts, includeEvidence: m.includeEvidence,
        },
      });
      db.exec('COMMIT');
    } catch (e) {
      if (db.inTransaction) db.exec('ROLLBACK');
      throw e;
    }
    written.length = 0; // committed: the files are now the case's
    createdDirs.length = 0;

    // ---- playback copies (after the commit; a failure leaves the case imported, its copy 'failed') ----
    const proxies = { made: 0, failed: [] as { evidenceId: string; message: string }[] };
    const todo = o.makeProxies === false ? [] : evidenceRows.filter((e) => e.needsProxy);
    for (const [i, e] of todo.entries()) {
      try {
        await buildProxy(db, e.id, o.workDir, { signal: o.signal, onProgress: (f) => progress(0.8 + (0.2 * (i + f)) / todo.length, 'proxy') });
        proxies.made++;
      } catch (err) {
        if (err instanceof VigilError && err.code === 'cancelled') throw err;
        proxies.failed.push({ evidenceId: e.id, message: (err as Error).message });
      }
    }
    progress(1, 'done');
    return {
      caseId: m.case.id,
      caseName: m.case.name,
      bundleSha256,
      manifestSha256,
      tables: counts,
      evidence: m.evidence.map((e) => ({ id: e.id, fileName: e.fileName, path: evidencePath.get(e.id)!.path, from: evidencePath.get(e.id)!.from })),
      reports: m.reports.length,
      auditRows: m.audit.rows,
      proxies,
    };
  } catch (e) {
    removeWritten();
    throw e;
  } finally {
    b.zip.close();
  }
}
