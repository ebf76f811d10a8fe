/**
 * Job worker process entry: `node worker.js <dbPath> <workDir> <jobId>`. Started by the JobRunner with
 * child_process.fork (CLI, web host) or Electron's utilityProcess.fork (desktop). Talks to its parent
 * with { type: 'job', job } messages and accepts { type: 'cancel' }.
 */
import { openDatabase } from '../store/db.js';
import { executeJob } from './execute.js';
import { RemotePrinter } from './remote-printer.js';

type Port = { postMessage(m: unknown): void; on(ev: 'message', cb: (m: unknown) => void): void };

// Electron utilityProcess exposes process.parentPort; child_process.fork exposes process.send.
const parentPort = (process as unknown as { parentPort?: Port & { on(ev: 'message', cb: (e: { data: unknown }) => void): void } }).parentPort;
const send = (m: unknown) => (parentPort ? parentPort.postMessage(m) : process.send?.(m));
const onMessage = (cb: (m: unknown) => void) =>
  parentPort ? parentPort.on('message', (e: { data: unknown }) => cb(e.data)) : process.on('message', cb);

async function main() {
  const [dbPath, workDir, jobId] = process.argv.slice(2);
  const controller = new AbortController();
  // Under Electron the host prints (printToPDF); forked from the CLI/web host, headless Chromium does.
  const printer = parentPort ? new RemotePrinter((m) => send(m)) : undefined;
  onMessage((m) => {
    if ((m as { type?: string })?.type === 'cancel') controller.abort();
    printer?.receive(m);
  });
  const db = openDatabase(dbPath);
  const { job } = await executeJob(db, jobId, { workDir, signal: controller.signal, printer, notify: (j) => send({ type: 'job', job: j }) });
  db.close();
  send({ type: 'exit', state: job.state });
  process.exit(0);
}

main().catch((e) => {
  process.stderr.write(`vigil job worker: ${(e as Error).message}\n`);
  process.exit(1);
});
