/**
 * Runs ffmpeg/ffprobe to completion and collects their output, with cancel. Arguments go to `spawn` as
 * an array (never a shell), so paths with spaces, quotes or unicode need no escaping.
 */
import { spawn } from 'node:child_process';
import { VigilError, throwIfAborted } from '../errors.js';

export interface ToolRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunToolOptions {
  signal?: AbortSignal;
  /** Called with each stdout chunk as it arrives (e.g. `-progress pipe:1`). */
  onStdout?: (chunk: string) => void;
  /** Keep at most this many characters of stderr (the tail is what explains a failure). */
  maxStderr?: number;
}

export function runTool(bin: string, args: string[], opts: RunToolOptions = {}): Promise<ToolRun> {
  throwIfAborted(opts.signal);
  const maxStderr = opts.maxStderr ?? 64 * 1024;
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    const out: string[] = [];
    let err = '';
    let aborted = false;
    const onAbort = (): void => {
      aborted = true;
      child.kill('SIGKILL');
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (s: string) => {
      if (opts.onStdout) opts.onStdout(s);
      else out.push(s);
    });
    child.stderr.on('data', (s: string) => {
      err += s;
      if (err.length > maxStderr * 2) err = err.slice(-maxStderr);
    });
    child.on('error', (e) => {
      opts.signal?.removeEventListener('abort', onAbort);
      reject(new VigilError('internal', `Could not start ${bin}: ${e.message}`));
    });
    child.on('close', (code, sig) => {
      opts.signal?.removeEventListener('abort', onAbort);
      if (aborted) return reject(new VigilError('cancelled', 'The operation was cancelled.'));
      resolve({ code, signal: sig, stdout: out.join(''), stderr: err.slice(-maxStderr) });
    });
  });
}

/**
 * A short, single-line reason from ffmpeg/ffprobe stderr: the last meaningful line, with the
 * `[demuxer @ 0x...]` prefix and the input path removed, capped in length.
 */
export function shortToolReason(stderr: string, filePath?: string): string {
  const lines = stderr
    .split(/\r?\n/)
    .map((l) => l.replace(/^\[[^\]]*@ 0x[0-9a-f]+\]\s*/i, '').trim())
    .filter((l) => l.length > 0);
  let last = lines[lines.length - 1] ?? '';
  if (filePath) {
    // ffmpeg's final line is often just "<file>: <errno text>" (e.g. "Device or resource busy"); the line
    // before it names the actual problem ("Picture size 100000x100000 is invalid"), so keep both.
    const cause = lines.length > 1 && last.startsWith(`${filePath}:`) ? lines[lines.length - 2].split(filePath).join('<file>') : '';
    last = last.split(filePath).join('<file>').replace(/^<file>:\s*/, '');
    if (cause && cause !== last) last = `${cause} (${last})`;
  }
  return last.length > 160 ? `${last.slice(0, 157)}...` : last;
}
