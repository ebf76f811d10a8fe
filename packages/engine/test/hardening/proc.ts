/**
 * Process-tree helpers for hardening tests (Linux /proc): resident memory of a process and all its
 * descendants (node children, the ffmpeg/ffprobe they start), sampled while work runs, and the exact
 * peak RSS of node children reported by a preload module at their exit.
 */
import { appendFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const PAGE = 4096;

interface ProcStat {
  pid: number;
  ppid: number;
  rssBytes: number;
  comm: string;
}

function readStat(pid: string): ProcStat | null {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm may contain spaces and parentheses: fields after the last ')' are fixed.
    const close = s.lastIndexOf(')');
    const rest = s.slice(close + 2).split(' ');
    return { pid: Number(pid), comm: s.slice(s.indexOf('(') + 1, close), ppid: Number(rest[1]), rssBytes: Number(rest[21]) * PAGE };
  } catch {
    return null; // exited between listing and reading
  }
}

/** All live descendants of `root` (not including root). */
export function descendants(root: number): ProcStat[] {
  const all = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(readStat).filter((s): s is ProcStat => s !== null);
  const children = new Map<number, ProcStat[]>();
  for (const s of all) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s]);
  const out: ProcStat[] = [];
  const stack = [root];
  while (stack.length) {
    for (const c of children.get(stack.pop()!) ?? []) {
      out.push(c);
      stack.push(c.pid);
    }
  }
  return out;
}

/** Samples the summed RSS of `root`'s descendants until stopped; keeps the peak. */
export class TreeRssSampler {
  peakBytes = 0;
  samples = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly root: number, private readonly everyMs = 40) {}

  start(): this {
    this.timer = setInterval(() => this.sample(), this.everyMs);
    return this;
  }

  sample(): void {
    const total = descendants(this.root).reduce((a, s) => a + s.rssBytes, 0);
    this.samples++;
    if (total > this.peakBytes) this.peakBytes = total;
  }

  stop(): number {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    return this.peakBytes;
  }
}

/**
 * A preload module that appends "<pid> <maxRSS KiB>" to `logFile` when a node process exits; returns
 * the NODE_OPTIONS value that loads it (inherited by forked job workers too).
 */
export function maxRssPreload(dir: string, logFile: string): string {
  const mod = join(dir, 'max-rss-preload.mjs');
  writeFileSync(
    mod,
    `import { appendFileSync } from 'node:fs';\n` +
      `process.on('exit', () => appendFileSync(${JSON.stringify(logFile)}, process.pid + ' ' + process.resourceUsage().maxRSS + '\\n'));\n`,
  );
  if (!existsSync(logFile)) appendFileSync(logFile, '');
  return `--import=${pathToFileURL(mod).href}`;
}

/** Largest maxRSS (bytes) logged by the preload, and how many processes reported. */
export function readMaxRss(logFile: string): { peakBytes: number; processes: number } {
  const lines = readFileSync(logFile, 'utf8').split('\n').filter(Boolean);
  return { peakBytes: Math.max(0, ...lines.map((l) => Number(l.split(' ')[1]) * 1024)), processes: lines.length };
}

export const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
