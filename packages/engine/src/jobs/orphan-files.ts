/**
 * Derived files a killed process leaves behind in the work folder (`<workDir>/<case>/<evidence>/`):
 * `*.partial` output of a transcode that never finished, and a `proxy.mp4` renamed into place just
 * before the process died, before its row said 'ready'. Nothing owns them, so they are removed when an
 * engine starts (after interrupted jobs are marked). Files of evidence a live job is working on are
 * left alone; evidence originals are never in the work folder's scope.
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Db } from '../store/db.js';

const ID = /^[a-z]+_[a-z2-7]{10,40}$/;

export function removeOrphanDerivedFiles(db: Db, workDir: string): string[] {
  if (!existsSync(workDir)) return [];
  const busy = new Set(
    (db.prepare("SELECT target_id FROM jobs WHERE state IN ('running','queued') AND target_id IS NOT NULL").all() as { target_id: string }[]).map((r) => r.target_id),
  );
  const readyProxy = new Map(
    (db.prepare("SELECT id, proxy_path FROM evidence WHERE proxy_status = 'ready' AND proxy_path IS NOT NULL").all() as { id: string; proxy_path: string }[]).map((r) => [r.id, resolve(r.proxy_path)]),
  );
  const removed: string[] = [];
  const recorded = new Set((db.prepare('SELECT path FROM reports').all() as { path: string }[]).map((r) => resolve(r.path)));
  const reporting = new Set(
    (db.prepare("SELECT case_id FROM jobs WHERE kind = 'report' AND state IN ('running','queued')").all() as { case_id: string }[]).map((r) => r.case_id),
  );
  for (const caseDir of readdirSync(workDir, { withFileTypes: true })) {
    if (!caseDir.isDirectory() || !ID.test(caseDir.name)) continue;
    // A report export killed before its rename leaves `.<name>.<random>.tmp` beside the target; one
    // killed between the rename and its database row leaves a PDF no report record vouches for.
    const reports = join(workDir, caseDir.name, 'reports');
    if (!reporting.has(caseDir.name) && existsSync(reports)) {
      for (const f of readdirSync(reports)) {
        if (/^\..+\.[0-9a-f]{12}\.tmp$/.test(f) || (f.endsWith('.pdf') && !recorded.has(resolve(join(reports, f))))) {
          rmSync(join(reports, f), { force: true });
          removed.push(join(reports, f));
        }
      }
    }
    for (const evDir of readdirSync(join(workDir, caseDir.name), { withFileTypes: true })) {
      if (!evDir.isDirectory() || !ID.test(evDir.name) || busy.has(evDir.name)) continue;
      const dir = join(workDir, caseDir.name, evDir.name);
      for (const f of readdirSync(dir, { withFileTypes: true })) {
        if (!f.isFile()) continue;
        const file = join(dir, f.name);
        const orphanProxy = f.name === 'proxy.mp4' && readyProxy.get(evDir.name) !== resolve(file);
        if (f.name.endsWith('.partial') || orphanProxy) {
          rmSync(file, { force: true });
          removed.push(file);
        }
      }
    }
  }
  return removed;
}
