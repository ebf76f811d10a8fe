/**
 * Starts jobs in separate processes so CPU-heavy work never blocks the host that serves the UI, and so
 * a crash in a job cannot take the host down. At most `concurrency` jobs run at once; the rest queue.
 * The spawner is injected: child_process.fork here, Electron's utilityProcess in the desktop app.
 */
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ApiEvent, Job } from '../api/contract.js';
import { VigilError } from '../errors.js';
import type { Db } from '../store/db.js';
import type { PdfPrinter } from '../report/printer.js';
import { answerPrintRequest, type PrintRequest } from './remote-printer.js';
import { createJob, finishJob, getJobRow, toJob } from '../store/jobs.js';

export interface WorkerHandle {
  onMessage(cb: (m: unknown) => void): void;
  onExit(cb: (code: number | null) => void): void;
  send(m: unknown): void;
  kill(): void;
}

export type Spawner = (args: string[]) => WorkerHandle;

/** The compiled worker next to this module; from sources (tests), the package's build output. */
export const workerScript = [new URL('./worker.js', import.meta.url), new URL('../../dist/jobs/worker.js', import.meta.url)]
  .map((u) => fileURLToPath(u))
  .find((p) => existsSync(p)) ?? fileURLToPath(new URL('./worker.js', import.meta.url));

export const forkSpawner: Spawner = (args) => {
  const child = fork(workerScript, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'json' });
  return {
    onMessage: (cb) => child.on('message', cb),
    onExit: (cb) => child.on('exit', (code) => cb(code)),
    send: (m) => {
      if (child.connected) child.send(m as object);
    },
    kill: () => child.kill('SIGKILL'),
  };
};

export class JobRunner {
  private running = new Map<string, WorkerHandle>();
  private queue: string[] = [];

  constructor(
    private readonly o: { db: Db; dbPath: string; workDir: string; emit: (e: ApiEvent) => void; spawn?: Spawner; concurrency?: number; printer?: PdfPrinter },
  ) {}

  start(kind: Job['kind'], caseId: string | null, params: Record<string, unknown>, targetId?: string): Job {
    const row = createJob(this.o.db, { caseId, kind, params, targetId });
    this.queue.push(row.id);
    this.emitJob(row.id);
    this.pump();
    return toJob(getJobRow(this.o.db, row.id));
  }

  cancel(jobId: string): Job {
    const row = getJobRow(this.o.db, jobId);
    const queued = this.queue.indexOf(jobId);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      finishJob(this.o.db, jobId, 'cancelled', { error: 'Cancelled before it started.' });
    } else if (this.running.has(jobId)) {
      const w = this.running.get(jobId)!;
      w.send({ type: 'cancel' });
      // A worker that ignores the request (stuck in native code) is killed; its row is fixed on exit.
      setTimeout(() => this.running.get(jobId) === w && w.kill(), 5000).unref();
    } else if (row.state === 'running' || row.state === 'queued') {
      finishJob(this.o.db, jobId, 'interrupted', { error: 'No process was running this job.' });
    } else {
      throw new VigilError('conflict', `Job ${jobId} has already ended (${row.state}).`);
    }
    this.emitJob(jobId);
    return toJob(getJobRow(this.o.db, jobId));
  }

  /** Wait for every running and queued job (tests, orderly shutdown). */
  async idle(): Promise<void> {
    while (this.running.size || this.queue.length) await new Promise((r) => setTimeout(r, 50));
  }

  shutdown(): void {
    for (const w of this.running.values()) w.kill();
  }

  private pump(): void {
    const limit = this.o.concurrency ?? 2;
    while (this.running.size < limit && this.queue.length) {
      const jobId = this.queue.shift()!;
      const w = (this.o.spawn ?? forkSpawner)([this.o.dbPath, this.o.workDir, jobId]);
      this.running.set(jobId, w);
      w.onMessage((m) => {
        const msg = m as { type?: string; job?: Job };
        if (msg?.type === 'job' && msg.job) this.o.emit({ type: 'job', job: msg.job });
        if (msg?.type === 'print' && this.o.printer) void answerPrintRequest(this.o.printer, m as PrintRequest, (r) => w.send(r));
      });
      w.onExit(() => {
        this.running.delete(jobId);
        const row = getJobRow(this.o.db, jobId);
        if (row.state === 'running' || row.state === 'queued') {
          finishJob(this.o.db, jobId, 'interrupted', { error: 'The job process exited unexpectedly.' });
        }
        this.emitJob(jobId);
        if (row.case_id) this.o.emit({ type: 'changed', caseId: row.case_id, what: kindChanges(row.kind) });
        this.pump();
      });
    }
  }

  private emitJob(jobId: string): void {
    this.o.emit({ type: 'job', job: toJob(getJobRow(this.o.db, jobId)) });
  }
}

function kindChanges(kind: Job['kind']): 'evidence' | 'analyses' | 'reports' {
  return kind === 'analysis' ? 'analyses' : kind === 'report' ? 'reports' : 'evidence';
}
