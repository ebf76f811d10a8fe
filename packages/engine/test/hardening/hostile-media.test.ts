/**
 * Hostile media: a generated corpus of bad and odd files (see corpus.ts) goes through the real `vigil
 * import` command and through a running web host's `evidence.import`. Each file is imported with the
 * right metadata or refused with a clear message; the database stays intact, the audit chain verifies,
 * evidence bytes never change, memory stays bounded, and the host keeps answering.
 */
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/api/engine.js';
import { startWebHost } from '../../src/api/http-server.js';
import type { ErrorCode } from '../../src/errors.js';
import { importEvidence } from '../../src/jobs/import-evidence.js';
import { createCase } from '../../src/store/cases.js';
import { openDatabase } from '../../src/store/db.js';
import { getEvidenceRow, toEvidence } from '../../src/store/evidence.js';
import { VIGIL_BIN, vigil } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { buildHostileCorpus, type CorpusItem } from './corpus.js';
import { storeProblems } from './invariants.js';
import { TreeRssSampler, maxRssPreload, mib, readMaxRss } from './proc.js';

/** `vigil` exit codes per error code (README, "Command line"). */
const EXIT: Record<ErrorCode, number> = { invalid_input: 2, not_found: 3, conflict: 4, unsupported_media: 5, model_error: 6, cancelled: 130, forbidden: 7, internal: 1 };
const HTTP: Record<ErrorCode, number> = { invalid_input: 400, not_found: 404, conflict: 409, unsupported_media: 415, model_error: 500, cancelled: 409, forbidden: 403, internal: 500 };

/** Printed and enforced: a node import process, and the whole tree of processes an import starts. */
const NODE_RSS_LIMIT = 512 * 2 ** 20;
const TREE_RSS_LIMIT = 1536 * 2 ** 20;

const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

/** A clear refusal: names the file, says what is wrong, no stack trace, no internal-error wording. */
function expectClearRefusal(item: CorpusItem, code: string, message: string) {
  const label = `${item.label}: ${message}`;
  if (item.expect.ok) throw new Error(`${item.label} should import but was refused: ${code} ${message}`);
  expect(code, label).toBe(item.expect.code);
  expect(message, label).toMatch(item.expect.message);
  expect(message, label).toContain(basename(item.path).split('\n')[0]);
  expect(message, label).not.toMatch(/\n\s+at |Internal error|undefined|\[object /);
}

function runCli(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((ok, fail) => {
    const child = spawn(process.execPath, [VIGIL_BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('error', fail);
    child.on('close', (code) => ok({ code: code ?? -1, stdout, stderr }));
  });
}

describe('hostile media corpus', () => {
  const dir = tempDir('vigil-hostile-');
  let items: CorpusItem[] = [];
  const guards = new Map<string, string>();

  beforeAll(async () => {
    items = await buildHostileCorpus(dir);
    for (const it of items) for (const g of it.guard) guards.set(g, sha(g));
  });

  afterAll(() => {
    const kinds = new Set(items.map((i) => i.kind));
    console.log(`hostile media: ${items.length} files of ${kinds.size} kinds (${[...kinds].join(', ')}); ${items.filter((i) => i.expect.ok).length} import, ${items.filter((i) => !i.expect.ok).length} are refused`);
  });

  it('covers at least 20 kinds of bad or odd media', () => {
    expect(new Set(items.map((i) => i.kind)).size).toBeGreaterThanOrEqual(20);
  });

  it('through `vigil import`: each file imported correctly or refused clearly; database, audit and evidence intact', async () => {
    const db = join(dir, 'cli.db');
    const caseId = vigil(['case', 'create', '--db', db, '--name', 'Hostile media', '--json']).json.id as string;
    const rssLog = join(dir, 'cli-rss.log');
    const env = { NODE_OPTIONS: maxRssPreload(dir, rssLog) };
    const sampler = new TreeRssSampler(process.pid).start();
    const imported: string[] = [];
    for (const item of items.filter((i) => !i.hook)) {
      const r = await runCli(['import', '--db', db, '--case', caseId, item.path, '--json'], env);
      if (r.code === 0) {
        if (!item.expect.ok) throw new Error(`${item.label} should be refused but imported: ${r.stdout}`);
        const { evidenceId } = JSON.parse(r.stdout) as { evidenceId: string };
        const d = openDatabase(db, { readonly: true });
        const ev = toEvidence(getEvidenceRow(d, evidenceId));
        d.close();
        await item.expect.check(ev);
        imported.push(evidenceId);
      } else {
        const m = /^vigil: (.*)$/ms.exec(r.stderr.trim());
        expect(m, `${item.label}: ${r.stderr}`).not.toBeNull();
        const code = (Object.keys(EXIT) as ErrorCode[]).find((k) => EXIT[k] === r.code) ?? `exit ${r.code}`;
        expectClearRefusal(item, code, m![1]);
        expect(r.stdout, item.label).toBe('');
      }
    }

    // A file that grows while it is imported: the hook appends to it between hashing and probing.
    const handle = openDatabase(db);
    for (const item of items.filter((i) => i.hook === 'grow')) {
      let grown = false;
      const grow = (_f: number, stage?: string) => {
        if (stage === 'probe' && !grown) {
          grown = true;
          appendFileSync(item.path, Buffer.alloc(4096, 1));
        }
      };
      const err = await importEvidence(handle, { caseId, path: item.path, workDir: join(dir, 'cli.db.work'), onProgress: grow }).then(
        () => null,
        (e: { code: string; message: string }) => e,
      );
      expect(grown, item.label).toBe(true);
      expect(err, item.label).not.toBeNull();
      expectClearRefusal(item, err!.code, err!.message);
    }
    handle.close();
    const treePeak = sampler.stop();

    const d = new Database(db);
    expect(storeProblems(d, join(dir, 'cli.db.work'))).toEqual([]);
    expect((d.prepare('SELECT id FROM evidence').all() as { id: string }[]).map((e) => e.id).sort()).toEqual([...imported].sort());
    d.close();
    expect(imported.length).toBe(items.filter((i) => i.expect.ok).length);
    for (const [file, hash] of guards) expect(sha(file), file).toBe(hash);

    const node = readMaxRss(rssLog);
    console.log(`hostile media via CLI: ${node.processes} import processes, peak node RSS ${mib(node.peakBytes)} (limit ${mib(NODE_RSS_LIMIT)}), peak process-tree RSS ${mib(treePeak)} over ${sampler.samples} samples (limit ${mib(TREE_RSS_LIMIT)})`);
    expect(node.processes).toBeGreaterThanOrEqual(items.length - 1);
    expect(node.peakBytes).toBeLessThan(NODE_RSS_LIMIT);
    expect(treePeak).toBeLessThan(TREE_RSS_LIMIT);
  });

  it('through a web host: the same corpus via evidence.import; the host keeps answering', async () => {
    const rssLog = join(dir, 'host-rss.log');
    const savedOptions = process.env.NODE_OPTIONS;
    // Forked job workers inherit the environment: they report their own peak RSS at exit.
    process.env.NODE_OPTIONS = maxRssPreload(dir, rssLog);
    const engine = new Engine({ dbPath: join(dir, 'host.db'), transport: 'http' });
    const host = await startWebHost({ engine, port: 0 });
    const api = async (op: string, body: unknown) => {
      const r = await fetch(`http://127.0.0.1:${host.port}/api/${op}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${host.token}` }, body: JSON.stringify(body) });
      return { status: r.status, body: (await r.json()) as any };
    };
    const sampler = new TreeRssSampler(process.pid).start();
    try {
      const caseId = (await api('cases.create', { name: 'Hostile media (web)' })).body.id as string;
      const jobs: { item: CorpusItem; jobId: string }[] = [];
      for (const item of items.filter((i) => !i.hook)) {
        const r = await api('evidence.import', { caseId, path: item.path });
        if (r.status === 200) jobs.push({ item, jobId: r.body.jobId });
        else {
          expect(r.status, item.label).toBe(HTTP[r.body.error.code as ErrorCode]);
          expectClearRefusal(item, r.body.error.code, r.body.error.message);
        }
      }
      await engine.jobs.idle();
      const imported: string[] = [];
      for (const { item, jobId } of jobs) {
        const job = (await api('jobs.get', { jobId })).body;
        if (job.state === 'done') {
          if (!item.expect.ok) throw new Error(`${item.label} should be refused but imported`);
          const ev = (await api('evidence.get', { evidenceId: job.targetId })).body;
          await item.expect.check(ev);
          imported.push(ev.id);
        } else {
          expect(job.state, `${item.label}: ${job.error}`).toBe('failed');
          // The job error carries only the message; the code is implied by the expectation.
          expectClearRefusal(item, item.expect.ok ? 'imported' : item.expect.code, job.error);
        }
      }
      expect(imported.length).toBe(items.filter((i) => i.expect.ok).length);

      // Still serving: metadata, lists, audit verification, media of an imported item.
      expect((await api('app.info', {})).body.name).toBe('Vigil');
      expect((await api('cases.list', {})).body).toHaveLength(1);
      expect((await api('evidence.list', { caseId })).body).toHaveLength(imported.length);
      expect((await api('audit.verify', {})).body.ok).toBe(true);
      const media = await fetch(`http://127.0.0.1:${host.port}/media/${imported[0]}?token=${host.token}`, { headers: { range: 'bytes=0-15' } });
      expect(media.status).toBe(206);
      expect((await media.arrayBuffer()).byteLength).toBe(16);
    } finally {
      sampler.stop();
      process.env.NODE_OPTIONS = savedOptions;
      if (savedOptions === undefined) delete process.env.NODE_OPTIONS;
      await host.close();
      engine.close();
    }
    const d = new Database(join(dir, 'host.db'));
    expect(storeProblems(d, join(dir, 'host.db.work'), { afterRestart: true })).toEqual([]);
    d.close();
    for (const [file, hash] of guards) expect(sha(file), file).toBe(hash);
    const workers = readMaxRss(rssLog);
    console.log(`hostile media via web host: ${workers.processes} job workers, peak worker RSS ${mib(workers.peakBytes)} (limit ${mib(NODE_RSS_LIMIT)}), peak process-tree RSS ${mib(sampler.peakBytes)} (limit ${mib(TREE_RSS_LIMIT)})`);
    expect(workers.processes).toBeGreaterThan(0);
    expect(workers.peakBytes).toBeLessThan(NODE_RSS_LIMIT);
    expect(sampler.peakBytes).toBeLessThan(TREE_RSS_LIMIT);
  });
});
