/**
 * Crash safety for the heavy jobs: `vigil analyze` and `vigil report` are killed with SIGKILL at random
 * points; after each kill and an engine start the database is intact, no analysis keeps partial rows,
 * no unfinished report file is left in the case's report folder, the audit chain verifies, the
 * evidence is byte-identical, and a rerun completes without duplicates.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/api/engine.js';
import { makeScene, walkers } from '../analysis/scenes.js';
import { VIGIL_BIN, vigil } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { storeProblems } from './invariants.js';

const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function groupGone(pgid: number): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    try {
      process.kill(-pgid, 0);
    } catch {
      return;
    }
    await sleep(20);
  }
}

/** Starts the CLI detached (own process group), kills it after `delayMs`, waits for it and its tools. */
async function killAfter(args: string[], delayMs: number): Promise<void> {
  const child = spawn(process.execPath, [VIGIL_BIN, ...args], { stdio: 'ignore', detached: true });
  const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
  await Promise.race([sleep(delayMs), exited]);
  try {
    process.kill(child.pid!, 'SIGKILL');
  } catch {
    /* finished before the kill */
  }
  await exited;
  await groupGone(child.pid!);
}

describe('crash safety: analysis and report export killed at random points', () => {
  const dir = tempDir('vigil-crash2-');
  const dbPath = join(dir, 'crash.db');
  const workDir = join(dir, 'crash.db.work');
  let clip = '';
  let clipHash = '';
  let caseId = '';
  let evidenceId = '';
  const seed = Number(process.env.VIGIL_CRASH_SEED ?? Date.now() % 100_000);
  let rand = 0x9e3779b9 ^ seed;
  const random = () => ((rand = (Math.imul(rand ^ (rand >>> 15), 2246822507) + 0x6d2b79f5) >>> 0) / 2 ** 32);
  const kills = { analysis: 0, report: 0 };

  beforeAll(async () => {
    const scene = await makeScene(dir, { name: 'yard.mp4', seconds: 6, fps: 10, width: 320, height: 240, objects: walkers({ width: 320, seconds: 6, lanes: [20, 120], extra: [{ w: 12, h: 30, x0: -200, y0: 70, vx: 100, shade: 230 }] }) });
    clip = scene.path;
    clipHash = sha(clip);
    caseId = vigil(['case', 'create', '--db', dbPath, '--name', 'Crash yard', '--json']).json.id;
    evidenceId = vigil(['import', '--db', dbPath, '--case', caseId, clip, '--json']).json.evidenceId;
  });

  afterAll(() => console.log(`crash safety (seed ${seed}): ${kills.analysis} analysis kills and ${kills.report} report-export kills survived`));

  /** After a kill: an engine start recovers, and every invariant holds. */
  function checkAfterKill(label: string) {
    const engine = new Engine({ dbPath, workDir, transport: 'http' });
    try {
      expect(storeProblems(engine.db, workDir, { afterRestart: true }), label).toEqual([]);
      const db = engine.db;
      for (const a of db.prepare("SELECT id FROM analyses WHERE state != 'done'").all() as { id: string }[]) {
        for (const t of ['observations', 'heatmaps', 'frame_scores', 'tracks', 'events']) {
          expect((db.prepare(`SELECT COUNT(*) n FROM ${t} WHERE analysis_id = ?`).get(a.id) as { n: number }).n, `${label}: ${t} of unfinished ${a.id}`).toBe(0);
        }
      }
      const done = (db.prepare("SELECT COUNT(*) n FROM analyses WHERE state = 'done'").get() as { n: number }).n;
      const audited = (db.prepare("SELECT COUNT(*) n FROM audit_log WHERE action = 'analysis.done'").get() as { n: number }).n;
      expect(audited, `${label}: one analysis.done audit row per finished analysis`).toBe(done);
      const reports = db.prepare('SELECT path, sha256 FROM reports').all() as { path: string; sha256: string }[];
      for (const r of reports) expect(sha(r.path), `${label}: report file matches its record`).toBe(r.sha256);
      const folder = join(workDir, caseId, 'reports');
      const files = existsSync(folder) ? readdirSync(folder) : [];
      expect(files.filter((f) => !reports.some((r) => r.path === join(folder, f))), `${label}: files no report record vouches for`).toEqual([]);
    } finally {
      engine.close();
    }
    expect(sha(clip), label).toBe(clipHash);
  }

  it('survives SIGKILL during analysis and reruns without duplicates', async () => {
    const args = ['analyze', '--db', dbPath, '--case', caseId, '--evidence', evidenceId, '--detector', 'none', '--json'];
    const t0 = Date.now();
    const first = vigil(args);
    expect(first.code, first.stderr).toBe(0);
    const fullMs = Date.now() - t0;
    for (let i = 0; i < 6; i++) {
      const delay = Math.round(((i + random()) / 6) * fullMs);
      await killAfter(args, delay);
      kills.analysis++;
      checkAfterKill(`analysis kill #${i} at ${delay} ms of ~${fullMs} ms`);
    }
    const rerun = vigil(args);
    expect(rerun.code, rerun.stderr).toBe(0);
    const engine = new Engine({ dbPath, workDir, transport: 'http' });
    const events = (await engine.call('events.list', { caseId, evidenceId })) as { analysisId: string; seq: number }[];
    engine.close();
    expect(events.every((e) => e.analysisId === rerun.json.analysisId)).toBe(true);
    expect(new Set(events.map((e) => e.seq)).size).toBe(events.length);
    expect(events.length).toBe(rerun.json.events.length);
  });

  it('survives SIGKILL during report export and leaves no unvouched file', async () => {
    const folder = join(workDir, caseId, 'reports');
    mkdirSync(folder, { recursive: true });
    const t0 = Date.now();
    const first = vigil(['report', '--db', dbPath, '--case', caseId, '--out', join(folder, 'calibration.pdf'), '--json']);
    expect(first.code, first.stderr).toBe(0);
    const fullMs = Date.now() - t0;
    for (let i = 0; i < 4; i++) {
      const delay = Math.round(((i + random()) / 4) * fullMs);
      await killAfter(['report', '--db', dbPath, '--case', caseId, '--out', join(folder, `report-${i}.pdf`), '--json'], delay);
      kills.report++;
      checkAfterKill(`report kill #${i} at ${delay} ms of ~${fullMs} ms`);
    }
    const again = vigil(['report', '--db', dbPath, '--case', caseId, '--out', join(folder, 'final.pdf'), '--json']);
    expect(again.code, again.stderr).toBe(0);
    checkAfterKill('after the final export');
  });
});
