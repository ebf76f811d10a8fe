/**
 * Importing footage as evidence: hash the original (read-only, streamed), probe it, refuse duplicates,
 * record it with an audit row, then make a playback proxy if Chromium cannot play the original.
 * The original is never written, moved or renamed; a file that changes while we read it is refused.
 */
import { existsSync, lstatSync, mkdirSync, realpathSync, statSync } from 'node:fs';
import { basename, isAbsolute, join, resolve } from 'node:path';
import { throwIfAborted, VigilError, type ProgressFn } from '../errors.js';
import { sha256File } from '../media/hash.js';
import { probe } from '../media/probe.js';
import { makeProxy, needsProxy } from '../media/proxy.js';
import { appendAudit } from '../store/audit.js';
import { getCase } from '../store/cases.js';
import type { Db } from '../store/db.js';
import { findEvidenceByHash, getEvidenceRow } from '../store/evidence.js';
import { newId, nowIso } from '../store/ids.js';

export interface ImportOptions {
  caseId: string;
  path: string;
  /** Folder for derived files (proxies) of this database. */
  workDir: string;
  /** Relative paths are allowed from the CLI (resolved against cwd) but not from the API. */
  allowRelative?: boolean;
  onProgress?: ProgressFn;
  signal?: AbortSignal;
  /** Called once the evidence row is committed, before the proxy stage (so callers can report the id early). */
  onRecorded?: (evidenceId: string) => void;
}

/** Checks the path names a readable regular file; returns its absolute path. */
export function checkEvidencePath(path: string, allowRelative = false): string {
  if (typeof path !== 'string' || path.trim() === '') throw new VigilError('invalid_input', 'No file path given.');
  if (/[\u0000]/.test(path)) throw new VigilError('invalid_input', 'The file path contains a NUL character.');
  if (!isAbsolute(path) && !allowRelative) throw new VigilError('invalid_input', `The file path must be absolute: ${JSON.stringify(path)}.`);
  const abs = resolve(path);
  if (!existsSync(abs)) throw new VigilError('not_found', `No file at ${abs}.`);
  const st = statSync(abs);
  if (st.isDirectory()) throw new VigilError('invalid_input', `${abs} is a folder, not a video file.`);
  if (!st.isFile()) throw new VigilError('invalid_input', `${abs} is not a regular file.`);
  if (st.size === 0) throw new VigilError('unsupported_media', `${basename(abs)} is empty (0 bytes).`);
  return abs;
}

export async function importEvidence(db: Db, opts: ImportOptions): Promise<{ evidenceId: string; duplicate: false }> {
  const progress = opts.onProgress ?? (() => {});
  getCase(db, opts.caseId); // not_found before any work
  const abs = checkEvidencePath(opts.path, opts.allowRelative);
  const isLink = lstatSync(abs).isSymbolicLink();
  const realPath = realpathSync(abs);
  const before = statSync(realPath);

  progress(0, 'hash');
  const sha256 = await sha256File(realPath, { signal: opts.signal, onProgress: (f) => progress(f * 0.6, 'hash') });
  throwIfAborted(opts.signal);

  const dup = findEvidenceByHash(db, opts.caseId, sha256);
  // An import killed after recording the evidence left its playback copy 'pending': importing the same
  // file again finishes that copy instead of refusing a duplicate (unless a live job is making it now).
  if (dup && dup.proxy_status === 'pending' && !proxyBeingMade(db, dup.id)) {
    opts.onRecorded?.(dup.id);
    await buildProxy(db, dup.id, opts.workDir, { onProgress: (f) => progress(0.65 + 0.35 * f, 'proxy'), signal: opts.signal });
    progress(1, 'done');
    return { evidenceId: dup.id, duplicate: false };
  }
  if (dup) {
    throw new VigilError('conflict', `${basename(abs)} is already in this case as evidence ${dup.id} (${dup.file_name}, same SHA-256 ${sha256}); not imported twice.`, { evidenceId: dup.id, sha256 });
  }

  progress(0.6, 'probe');
  const meta = await probe(realPath, { signal: opts.signal });
  const after = statSync(realPath);
  if (after.size !== before.size || after.mtimeMs !== before.mtimeMs) {
    throw new VigilError('conflict', `${basename(abs)} changed while it was being imported (size ${before.size} → ${after.size} bytes). Import it again once it is complete.`);
  }
  throwIfAborted(opts.signal);

  const evidenceId = newId('ev');
  const proxy = needsProxy(meta);
  db.transaction(() => {
    db.prepare(
      'INSERT INTO evidence (id, case_id, file_name, original_path, size_bytes, sha256, probe_json, imported_at, proxy_status) VALUES (?,?,?,?,?,?,?,?,?)',
    ).run(evidenceId, opts.caseId, basename(abs), realPath, after.size, sha256, JSON.stringify(meta), nowIso(), proxy ? 'pending' : 'original');
    appendAudit(db, {
      action: 'evidence.import',
      caseId: opts.caseId,
      subject: evidenceId,
      details: { fileName: basename(abs), path: realPath, viaSymlink: isLink ? abs : null, sizeBytes: after.size, sha256, container: meta.container, codec: meta.codec, width: meta.width, height: meta.height, fps: meta.fpsAvg, frameCount: meta.frameCount },
    });
  })();
  opts.onRecorded?.(evidenceId);

  if (proxy) await buildProxy(db, evidenceId, opts.workDir, { onProgress: (f) => progress(0.65 + 0.35 * f, 'proxy'), signal: opts.signal });
  progress(1, 'done');
  return { evidenceId, duplicate: false };
}

/** A job other than this process's is running on the evidence (e.g. evidence.makeProxy in a worker). */
function proxyBeingMade(db: Db, evidenceId: string): boolean {
  const rows = db.prepare("SELECT pid FROM jobs WHERE target_id = ? AND state = 'running' AND pid IS NOT NULL").all(evidenceId) as { pid: number }[];
  return rows.some((r) => {
    if (r.pid === process.pid) return false;
    try {
      process.kill(r.pid, 0);
      return true;
    } catch {
      return false;
    }
  });
}

/** Transcodes a playback proxy for evidence the browser cannot play; records the outcome. */
export async function buildProxy(db: Db, evidenceId: string, workDir: string, o: { onProgress?: ProgressFn; signal?: AbortSignal }): Promise<void> {
  const ev = getEvidenceRow(db, evidenceId);
  const dir = join(workDir, ev.case_id, evidenceId);
  mkdirSync(dir, { recursive: true });
  db.prepare("UPDATE evidence SET proxy_status = 'pending' WHERE id = ?").run(evidenceId);
  try {
    const out = await makeProxy(ev.original_path, join(dir, 'proxy.mp4'), { probe: JSON.parse(ev.probe_json), onProgress: o.onProgress, signal: o.signal });
    db.transaction(() => {
      db.prepare("UPDATE evidence SET proxy_path = ?, proxy_status = 'ready' WHERE id = ?").run(out.path, evidenceId);
      appendAudit(db, { action: 'evidence.proxy', caseId: ev.case_id, subject: evidenceId, details: { codec: 'h264', gopFrames: out.gopFrames, fps: out.fps, frameCount: out.frameCount } });
    })();
  } catch (e) {
    // A cancelled copy stays 'pending' (evidence.makeProxy finishes it); a failed one says so.
    const cancelled = e instanceof VigilError && e.code === 'cancelled';
    db.prepare("UPDATE evidence SET proxy_status = ? WHERE id = ?").run(cancelled ? 'pending' : 'failed', evidenceId);
    throw e;
  }
}
