/**
 * Crash safety: long work is killed with SIGKILL at random points, many times, and after each kill the
 * case database must be intact (integrity_check, audit chain, no half-written rows, no orphan files),
 * the interrupted job must show as interrupted once an engine starts, the work must rerun without
 * duplicates, and the evidence bytes must never change.
 *
 * Each scenario is one entry in SCENARIOS (import + proxy through `vigil import`; the same through a
 * host's job worker, the analogue of Electron's utilityProcess). Analysis and report export add an
 * entry each: how to start the work, how to rerun it, and what a finished rerun looks like.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/api/engine.js';
import { createCase } from '../../src/store/cases.js';
import { openDatabase } from '../../src/store/db.js';
import { VIGIL_BIN, vigil } from '../helpers/cli.js';
import { makeClip } from '../helpers/media.js';
import { tempDir } from '../helpers/tmp.js';
import { storeProblems } from './invariants.js';

const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Seeded PRNG so a failing run can be repeated (the seed is printed). */
function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** Waits until no process of the group is left (orphaned ffmpeg/ffprobe finish or die on their own). */
async function groupGone(pgid: number, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      process.kill(-pgid, 0);
    } catch {
      return;
    }
    await sleep(20);
  }
  throw new Error(`processes of group ${pgid} still running after ${timeoutMs} ms`);
}

interface Ctx {
  dir: string;
  dbPath: string;
  workDir: string;
  clip: string;
  caseId: string;
}

interface Running {
  /** The process to kill. */
  pid: number;
  /** Resolves once the work is under way (its job row exists), rejects if the process exits first. */
  started: Promise<void>;
  /** Resolves when the process has exited (by itself or killed). */
  exited: Promise<void>;
  /** Cleans up after the kill (e.g. waits for orphaned tools, closes a host). */
  after(): Promise<void>;
}

interface CrashScenario {
  name: string;
  iterations: number;
  /** Starts the work on a fresh case. */
  start(ctx: Ctx): Promise<Running>;
  /** Runs the work again to completion after the kill; returns the evidence id it settled on. */
  rerun(ctx: Ctx): Promise<string>;
}

function spawnCli(args: string[]): { child: ChildProcess; exited: Promise<void> } {
  const child = spawn(process.execPath, [VIGIL_BIN, ...args], { stdio: 'ignore', detached: true });
  const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
  return { child, exited };
}

/** Polls (read-only) until the case has a job row; fails if the process exits first. */
async function jobRecorded(dbPath: string, caseId: string, exited: Promise<void>): Promise<void> {
  let done = false;
  void exited.then(() => (done = true));
  const db = openDatabase(dbPath, { readonly: true });
  try {
    while (!db.prepare('SELECT 1 FROM jobs WHERE case_id = ?').get(caseId)) {
      if (done) throw new Error('the process exited before recording its job');
      await sleep(5);
    }
  } finally {
    db.close();
  }
}

const SCENARIOS: CrashScenario[] = [
  {
    name: 'import + proxy (vigil import, SIGKILL the CLI process)',
    iterations: 12,
    async start(ctx) {
      const { child, exited } = spawnCli(['import', '--db', ctx.dbPath, '--case', ctx.caseId, ctx.clip, '--json']);
      const started = jobRecorded(ctx.dbPath, ctx.caseId, exited);
      started.catch(() => undefined);
      return { pid: child.pid!, started, exited, after: () => groupGone(child.pid!) };
    },
    async rerun(ctx) {
      const r = vigil(['import', '--db', ctx.dbPath, '--case', ctx.caseId, ctx.clip, '--json']);
      if (r.code === 0) return r.json.evidenceId as string;
      // The killed run had already finished: importing again is refused as a duplicate.
      expect(r.code, r.stderr).toBe(4);
      return /as evidence (ev_[a-z2-7]+)/.exec(r.stderr)![1];
    },
  },
  {
    name: 'import + proxy (host job worker, SIGKILL the worker process)',
    iterations: 4,
    async start(ctx) {
      const engine = new Engine({ dbPath: ctx.dbPath, workDir: ctx.workDir, transport: 'ipc' });
      const { jobId } = (await engine.call('evidence.import', { caseId: ctx.caseId, path: ctx.clip })) as { jobId: string };
      // The worker records its pid when it starts the job.
      let pid: number | null = null;
      while (pid === null) {
        const row = engine.db.prepare('SELECT pid, state FROM jobs WHERE id = ?').get(jobId) as { pid: number | null; state: string };
        if (row.pid && row.pid !== process.pid) pid = row.pid;
        else if (!['queued', 'running'].includes(row.state)) throw new Error(`job ended before it started: ${row.state}`);
        else await sleep(5);
      }
      const exited = engine.jobs.idle();
      return {
        pid,
        started: Promise.resolve(),
        exited,
        after: async () => {
          await exited;
          // The host survives its worker and keeps answering.
          const job = (await engine.call('jobs.get', { jobId })) as { state: string };
          expect(['interrupted', 'done', 'failed']).toContain(job.state);
          expect(((await engine.call('cases.list', {})) as unknown[]).length).toBeGreaterThan(0);
          engine.close();
          await groupGone(pid!).catch(() => undefined);
        },
      };
    },
    async rerun(ctx) {
      const engine = new Engine({ dbPath: ctx.dbPath, workDir: ctx.workDir, transport: 'ipc' });
      try {
        const { jobId } = (await engine.call('evidence.import', { caseId: ctx.caseId, path: ctx.clip })) as { jobId: string };
        await engine.jobs.idle();
        const job = (await engine.call('jobs.get', { jobId })) as { state: string; targetId: string | null; error: string | null };
        if (job.state === 'done') return job.targetId!;
        expect(job.error).toMatch(/already in this case as evidence/);
        return /as evidence (ev_[a-z2-7]+)/.exec(job.error!)![1];
      } finally {
        engine.close();
      }
    },
  },
];

/** Where a kill landed, from what the database says afterwards. */
function stageOf(db: ReturnType<typeof openDatabase>, caseId: string): string {
  const job = db.prepare("SELECT state, stage FROM jobs WHERE case_id = ? AND kind = 'import' ORDER BY created_at LIMIT 1").get(caseId) as { state: string; stage: string | null } | undefined;
  const ev = db.prepare('SELECT proxy_status FROM evidence WHERE case_id = ?').get(caseId) as { proxy_status: string } | undefined;
  if (!job) return 'before the job was recorded';
  if (job.state === 'done') return 'after it finished';
  if (!ev) return `${job.stage ?? 'start'} (no evidence row yet)`;
  return `${job.stage ?? 'start'} (evidence ${ev.proxy_status})`;
}

describe('crash safety: SIGKILL at random points', () => {
  const dir = tempDir('vigil-crash-');
  const dbPath = join(dir, 'crash.db');
  const workDir = join(dir, 'crash.db.work');
  let clip = '';
  let clipHash = '';
  /** Undisturbed run: process start until the job row exists, then the work until exit. */
  let startupMs = Infinity;
  let workMs = Infinity;
  const seed = Number(process.env.VIGIL_CRASH_SEED ?? Date.now() % 100_000);
  const landed = new Map<string, number>();
  let kills = 0;

  beforeAll(async () => {
    // MJPEG in AVI: Chromium cannot play it, so every import also makes a playback proxy.
    clip = await makeClip(dir, { name: 'dock-camera.avi', seconds: 6, fps: 25, width: 320, height: 240 });
    clipHash = sha(clip);
    // How long an undisturbed import takes (fastest of three: the machine is shared), to spread the kills.
    for (let i = 0; i < 3; i++) {
      const db = openDatabase(dbPath);
      const caseId = createCase(db, { name: `Calibration run ${i}` }).id;
      db.close();
      const t0 = Date.now();
      const run = await SCENARIOS[0].start({ dir, dbPath, workDir, clip, caseId });
      await run.started;
      const t1 = Date.now();
      await run.exited;
      await run.after();
      startupMs = Math.min(startupMs, t1 - t0);
      workMs = Math.min(workMs, Date.now() - t1);
      const check = openDatabase(dbPath, { readonly: true });
      expect(check.prepare('SELECT proxy_status FROM evidence WHERE case_id = ?').get(caseId)).toEqual({ proxy_status: 'ready' });
      check.close();
    }
  });

  afterAll(() => {
    console.log(
      `crash safety (seed ${seed}): ${kills} kills survived; an undisturbed import + proxy takes ~${startupMs} ms to start and ~${workMs} ms of work; kills landed: ` +
        [...landed.entries()].map(([k, v]) => `${k} ×${v}`).join(', '),
    );
  });

  for (const scenario of SCENARIOS) {
    it(scenario.name, async () => {
      const rand = prng(seed + scenario.name.length);
      for (let i = 0; i < scenario.iterations; i++) {
        const db0 = openDatabase(dbPath);
        const caseId = createCase(db0, { name: `${scenario.name} #${i}` }).id;
        db0.close();
        const ctx: Ctx = { dir, dbPath, workDir, clip, caseId };

        // Every 4th kill lands during start-up (opening the database, creating the job); the others are
        // stratified over the work itself, each at a random place within its slice.
        const duringStartup = i % 4 === 0;
        const delay = duringStartup ? Math.round(rand() * startupMs) : Math.round(((i + rand()) / scenario.iterations) * workMs * 1.1);
        const run = await scenario.start(ctx);
        if (!duringStartup) await Promise.race([run.started, run.exited]).catch(() => undefined);
        await Promise.race([sleep(delay), run.exited]);
        try {
          process.kill(run.pid, 'SIGKILL');
        } catch {
          /* already exited: the kill landed after the end */
        }
        await run.exited;
        await run.after();
        kills++;

        // A fresh engine start: interrupted jobs are marked, orphan files removed.
        const engine = new Engine({ dbPath, workDir, transport: 'http' });
        const stage = stageOf(engine.db, caseId);
        landed.set(stage, (landed.get(stage) ?? 0) + 1);
        const label = `${scenario.name} #${i} (kill ${delay} ms after ${duringStartup ? 'spawn' : 'the job started'}, ${stage})`;
        expect(storeProblems(engine.db, workDir, { afterRestart: true }), label).toEqual([]);
        const jobs = engine.db.prepare('SELECT state FROM jobs WHERE case_id = ?').all(caseId) as { state: string }[];
        for (const j of jobs) expect(['interrupted', 'done', 'failed'], label).toContain(j.state);
        if (jobs.length && !stage.startsWith('after')) expect(jobs.map((j) => j.state), label).toContain('interrupted');
        const before = engine.db.prepare('SELECT id, proxy_status FROM evidence WHERE case_id = ?').all(caseId) as { id: string; proxy_status: string }[];
        expect(before.length, label).toBeLessThanOrEqual(1);
        engine.close();
        expect(sha(clip), label).toBe(clipHash);

        // Rerun to completion: one evidence row, the same one if the killed run had recorded it.
        const evidenceId = await scenario.rerun(ctx);
        const db = openDatabase(dbPath);
        const after = db.prepare('SELECT id, proxy_status FROM evidence WHERE case_id = ?').all(caseId) as { id: string; proxy_status: string }[];
        expect(after, label).toEqual([{ id: evidenceId, proxy_status: 'ready' }]);
        if (before.length) expect(evidenceId, label).toBe(before[0].id);
        expect(storeProblems(db, workDir), label).toEqual([]);
        db.close();
        expect(sha(clip), label).toBe(clipHash);
      }
    });
  }
});
