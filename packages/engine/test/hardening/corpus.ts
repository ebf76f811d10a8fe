/**
 * A corpus of bad and odd media, generated on the spot (lavfi sources, hand-written headers, byte
 * surgery): every file is tiny. Each item says what a correct import does with it: import it (with
 * the metadata it must report) or refuse it with a clear message (error code + words naming the problem).
 *
 * Every item that imports has unique bytes, so the whole corpus can go into one case without duplicates.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import type { Evidence } from '../../src/api/contract.js';
import type { ErrorCode } from '../../src/errors.js';
import { makeClip, runFfmpeg, type ClipOptions } from '../helpers/media.js';

export type Expectation =
  | { ok: true; check: (e: Evidence) => void | Promise<void> }
  | { ok: false; code: ErrorCode; message: RegExp };

export interface CorpusItem {
  /** The kind of bad input (several items may share a kind, e.g. truncation offsets). */
  kind: string;
  /** Short unique label. */
  label: string;
  /** Path handed to the importer. */
  path: string;
  expect: Expectation;
  /** Files whose bytes must never change (the item itself, or a symlink's target). */
  guard: string[];
  /** Needs a hook inside the import (e.g. growing the file mid-import): in-process importer only. */
  hook?: 'grow';
}

interface Ctx {
  dir: string;
  items: CorpusItem[];
  /** Small numbers varied per clip so every generated clip has different bytes. */
  seed: number;
}

function fail(code: ErrorCode, message: RegExp): Expectation {
  return { ok: false, code, message };
}

function ok(check: (e: Evidence) => void): Expectation {
  return { ok: true, check };
}

/** Throws with the item's label when a metadata check fails (used from inside `check`). */
export function must(cond: boolean, what: string): void {
  if (!cond) throw new Error(what);
}

function add(c: Ctx, item: Omit<CorpusItem, 'guard'> & { guard?: string[] }): void {
  c.items.push({ ...item, guard: item.guard ?? [item.path] });
}

async function clip(c: Ctx, name: string, o: Omit<ClipOptions, 'name'> = {}): Promise<string> {
  c.seed++;
  return makeClip(c.dir, { seconds: 1, fps: 10 + (c.seed % 7), width: 64, height: 48, ...o, name });
}

/** YUV4MPEG2 file: a text header declaring any geometry and rate, then raw 4:2:0 frames. */
function y4m(path: string, header: string, frames: number, frameBytes: number, truncateTo?: number): void {
  const parts: Buffer[] = [Buffer.from(`YUV4MPEG2 ${header}\n`)];
  for (let i = 0; i < frames; i++) parts.push(Buffer.from('FRAME\n'), Buffer.alloc(frameBytes, 16 + ((i * 37) % 200)));
  let b = Buffer.concat(parts);
  if (truncateTo !== undefined) b = b.subarray(0, truncateTo);
  writeFileSync(path, b);
}

/** Rewrites a PNG's IHDR width/height (and its CRC) so the header declares a huge picture. */
function patchPngSize(src: string, dst: string, w: number, h: number): void {
  const b = Buffer.from(readFileSync(src));
  if (b.toString('latin1', 12, 16) !== 'IHDR') throw new Error('not a PNG with IHDR first');
  b.writeUInt32BE(w, 16);
  b.writeUInt32BE(h, 20);
  b.writeUInt32BE(crc32(b.subarray(12, 29)) >>> 0, 29);
  writeFileSync(dst, b);
}

function truncatedCopy(src: string, dst: string, bytes: number): void {
  writeFileSync(dst, readFileSync(src).subarray(0, bytes));
}

function corruptMiddle(src: string, dst: string, bytes: number): void {
  const b = Buffer.from(readFileSync(src));
  const at = Math.floor(b.length / 2) - Math.floor(bytes / 2);
  randomBytes(bytes).copy(b, at);
  writeFileSync(dst, b);
}

export async function buildHostileCorpus(root: string): Promise<CorpusItem[]> {
  const dir = join(root, 'corpus');
  mkdirSync(dir, { recursive: true });
  const c: Ctx = { dir, items: [], seed: 0 };
  const p = (name: string) => join(dir, name);

  // --- not media at all ---
  writeFileSync(p('zero-byte.mp4'), '');
  add(c, { kind: 'zero-byte', label: 'zero-byte', path: p('zero-byte.mp4'), expect: fail('unsupported_media', /zero-byte\.mp4 is empty \(0 bytes\)/) });

  writeFileSync(p('shift-notes.mp4'), 'Shift report: gate 3 quiet all night.\n'.repeat(100));
  add(c, { kind: 'text-as-video', label: 'text', path: p('shift-notes.mp4'), expect: fail('unsupported_media', /"shift-notes\.mp4" is not a readable video file/) });

  writeFileSync(p('noise.mp4'), randomBytes(48 * 1024));
  add(c, { kind: 'random-bytes', label: 'random', path: p('noise.mp4'), expect: fail('unsupported_media', /"noise\.mp4" (is not a readable video file|contains no video stream|has a video stream)/) });

  mkdirSync(p('folder.mp4'));
  add(c, { kind: 'directory', label: 'directory', path: p('folder.mp4'), expect: fail('invalid_input', /folder\.mp4 is a folder, not a video file/), guard: [] });

  const fifo = spawnSync('mkfifo', [p('pipe.mp4')]);
  if (fifo.status !== 0) throw new Error(`mkfifo failed: ${fifo.stderr}`);
  add(c, { kind: 'named-pipe', label: 'fifo', path: p('pipe.mp4'), expect: fail('invalid_input', /pipe\.mp4 is not a regular file/), guard: [] });

  symlinkSync(p('does-not-exist.mp4'), p('dangling.mp4'));
  add(c, { kind: 'dangling-symlink', label: 'dangling-symlink', path: p('dangling.mp4'), expect: fail('not_found', /No file at .*dangling\.mp4/), guard: [] });

  // --- truncation at many offsets: index-first MP4 and index-last AVI ---
  const base = await clip(c, 'base.mp4', { seconds: 2, fps: 10, width: 96, height: 64, extraArgs: ['-movflags', '+faststart'] });
  const baseSize = statSync(base).size;
  for (const at of [8, 40, 0.05, 0.5, 0.9]) {
    const bytes = at < 1 ? Math.floor(baseSize * at) : at;
    const name = `truncated-mp4-${bytes}.mp4`;
    truncatedCopy(base, p(name), bytes);
    // Header-only prefixes cannot be read at all; a prefix with the index and some frames imports
    // what can be read, with a warning that the container declares more frames.
    const expect: Expectation = at < 1 && at >= 0.5
      ? ok((e) => {
          must(e.frameCount > 0 && e.frameCount < 20, `frames ${e.frameCount} of 20`);
          must((e.probe.warnings as string[]).some((w) => /declares 20 frames/.test(w)), 'truncation warning');
        })
      : fail('unsupported_media', new RegExp(`"${name}" (is not a readable video file|contains no video stream|has a video stream)`));
    add(c, { kind: 'truncated', label: `truncated-mp4@${bytes}`, path: p(name), expect });
  }
  const aviBase = await clip(c, 'base.avi', { seconds: 2, fps: 10, width: 96, height: 64 });
  const aviSize = statSync(aviBase).size;
  for (const f of [0.3, 0.8]) {
    const bytes = Math.floor(aviSize * f);
    const name = `truncated-avi-${bytes}.avi`;
    truncatedCopy(aviBase, p(name), bytes);
    add(c, {
      kind: 'truncated', label: `truncated-avi@${bytes}`, path: p(name),
      expect: ok((e) => {
        must(e.codec === 'mjpeg' && e.frameCount > 0 && e.frameCount < 20, `frames ${e.frameCount} of 20`);
        must(e.playback === 'ready', `playback ${e.playback}`);
      }),
    });
  }

  // --- wrong extensions ---
  const aviAsMp4 = await clip(c, 'avi-inside.avi', { width: 80, height: 48 });
  copyFileSync(aviAsMp4, p('really-avi.mp4'));
  add(c, { kind: 'wrong-extension', label: 'avi-named-mp4', path: p('really-avi.mp4'), expect: ok((e) => must(e.container === 'avi' && e.playback === 'ready', `${e.container} ${e.playback}`)) });
  const mp4AsAvi = await clip(c, 'mp4-inside.mp4', { width: 80, height: 48 });
  copyFileSync(mp4AsAvi, p('really-mp4.avi'));
  add(c, { kind: 'wrong-extension', label: 'mp4-named-avi', path: p('really-mp4.avi'), expect: ok((e) => must(/mp4/.test(e.container) && e.playback === 'original', `${e.container} ${e.playback}`)) });

  // --- corrupted bytes ---
  const midSrc = await clip(c, 'mid-src.mp4', { seconds: 2, width: 96, height: 64, gop: 5 });
  corruptMiddle(midSrc, p('corrupt-middle.mp4'), 512);
  add(c, { kind: 'corrupt-middle', label: 'corrupt-middle', path: p('corrupt-middle.mp4'), expect: ok((e) => must(e.frameCount > 0 && e.width === 96, `${e.width} ${e.frameCount}`)) });
  const headSrc = await clip(c, 'head-src.mp4', { width: 96, height: 64 });
  const hb = Buffer.from(readFileSync(headSrc));
  hb.fill(0, 0, 64);
  writeFileSync(p('corrupt-header.mp4'), hb);
  add(c, { kind: 'corrupt-header', label: 'corrupt-header', path: p('corrupt-header.mp4'), expect: fail('unsupported_media', /"corrupt-header\.mp4" (is not a readable video file|contains no video stream|has a video stream)/) });

  // --- declared geometry and rates that are not plausible ---
  y4m(p('huge-declared.y4m'), 'W100000 H100000 F25:1 Ip A1:1 C420jpeg', 0, 0);
  writeFileSync(p('huge-declared.y4m'), Buffer.concat([readFileSync(p('huge-declared.y4m')), Buffer.from('FRAME\n'), randomBytes(4096)]));
  add(c, { kind: 'huge-dimensions', label: 'huge-y4m', path: p('huge-declared.y4m'), expect: fail('unsupported_media', /huge-declared\.y4m" is not a readable video file \(ffprobe: Picture size 100000x100000 is invalid/) });
  // Under the limit, but the 384 MB frame the header promises is not there: refused, memory stays small.
  y4m(p('big-frame-missing.y4m'), 'W16000 H16000 F25:1 Ip A1:1 C420jpeg', 0, 0);
  writeFileSync(p('big-frame-missing.y4m'), Buffer.concat([readFileSync(p('big-frame-missing.y4m')), Buffer.from('FRAME\n'), randomBytes(64 * 1024)]));
  add(c, { kind: 'huge-dimensions', label: 'big-frame-missing-y4m', path: p('big-frame-missing.y4m'), expect: fail('unsupported_media', /big-frame-missing\.y4m" has a video stream/) });
  await runFfmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=32x32:rate=1', '-frames:v', '1', p('small.png')]);
  patchPngSize(p('small.png'), p('huge-declared.png'), 70000, 70000);
  add(c, { kind: 'huge-dimensions', label: 'huge-png', path: p('huge-declared.png'), expect: fail('unsupported_media', /huge-declared\.png" (has frames of 70000×70000|is not a readable video file|has a video stream)/) });

  y4m(p('zero-fps.y4m'), 'W32 H32 F0:1 Ip A1:1 C420jpeg', 3, 32 * 32 * 1.5);
  // ffmpeg reads an unknown (0) y4m rate as 25 fps, documented demuxer behaviour: imported at 25 fps.
  add(c, { kind: 'zero-fps', label: 'zero-fps-y4m', path: p('zero-fps.y4m'), expect: ok((e) => must(e.fps === 25 && e.frameCount === 3 && e.playback === 'ready', `${e.fps} ${e.frameCount} ${e.playback}`)) });

  // --- odd but valid video ---
  await runFfmpeg(['-f', 'lavfi', '-i', 'color=c=red:size=8x8:rate=5', '-vf', 'scale=1:1', '-frames:v', '6', '-c:v', 'ffv1', '-pix_fmt', 'yuv444p', p('one-pixel.mkv')]);
  add(c, { kind: '1x1-video', label: '1x1', path: p('one-pixel.mkv'), expect: ok((e) => must(e.width === 1 && e.height === 1 && e.frameCount === 6 && e.playback === 'ready', `${e.width}x${e.height} ${e.frameCount} ${e.playback}`)) });

  await runFfmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=64x48:rate=10', '-vf', 'scale=33:17', '-frames:v', '7', '-c:v', 'ffv1', '-pix_fmt', 'yuv444p', p('odd-size.mkv')]);
  add(c, { kind: 'odd-dimensions', label: '33x17', path: p('odd-size.mkv'), expect: ok((e) => must(e.width === 33 && e.height === 17 && e.playback === 'ready', `${e.width}x${e.height} ${e.playback}`)) });

  const vfr = await clip(c, 'vfr.mp4', { seconds: 2, fps: 10, bframes: 0, vfrGap: { atFrame: 8, gapS: 0.7 } });
  add(c, { kind: 'vfr', label: 'vfr', path: vfr, expect: ok((e) => must(e.probe.vfr === true && e.frameCount === 20 && e.playback === 'ready', `vfr ${e.probe.vfr} ${e.frameCount} ${e.playback}`)) });

  const single = await clip(c, 'single-frame.mp4', { seconds: 0.1, fps: 10 });
  add(c, { kind: 'single-frame', label: 'single-frame', path: single, expect: ok((e) => must(e.frameCount === 1, `frames ${e.frameCount}`)) });

  await runFfmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=48x32:rate=1', '-frames:v', '1', p('still.png')]);
  add(c, { kind: 'image-only', label: 'png', path: p('still.png'), expect: ok((e) => must(e.frameCount === 1 && e.width === 48 && e.playback === 'ready', `${e.frameCount} ${e.width} ${e.playback}`)) });
  await runFfmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=40x32:rate=1', '-frames:v', '1', p('still.jpg')]);
  add(c, { kind: 'image-only', label: 'jpeg', path: p('still.jpg'), expect: ok((e) => must(e.frameCount === 1 && e.width === 40, `${e.frameCount} ${e.width}`)) });

  await runFfmpeg(['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=8000:duration=1', '-c:a', 'aac', p('voice.m4a')]);
  add(c, { kind: 'audio-only', label: 'm4a', path: p('voice.m4a'), expect: fail('unsupported_media', /voice\.m4a" contains only audio, no video stream/) });
  await runFfmpeg(['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=8000:duration=1', '-i', p('small.png'), '-map', '0:a', '-map', '1:v', '-c:a', 'libmp3lame', '-c:v', 'png', '-disposition:v', 'attached_pic', p('song-with-cover.mp3')]);
  add(c, { kind: 'audio-only', label: 'mp3-cover-art', path: p('song-with-cover.mp3'), expect: fail('unsupported_media', /song-with-cover\.mp3" contains only audio, no video stream/) });

  writeFileSync(p('captions.srt'), '1\n00:00:00,000 --> 00:00:01,000\nGate 3\n');
  await runFfmpeg(['-i', p('captions.srt'), '-c:s', 'ass', p('subtitles-only.mkv')]);
  add(c, { kind: 'no-video-stream', label: 'subtitles-only', path: p('subtitles-only.mkv'), expect: fail('unsupported_media', /subtitles-only\.mkv" contains no video stream/) });

  await runFfmpeg([
    '-f', 'lavfi', '-i', 'testsrc2=size=64x48:rate=10', '-f', 'lavfi', '-i', 'color=c=blue:size=32x24:rate=10', '-f', 'lavfi', '-i', 'color=c=green:size=48x32:rate=5',
    '-f', 'lavfi', '-i', 'sine=frequency=300:sample_rate=8000', '-f', 'lavfi', '-i', 'sine=frequency=500:sample_rate=8000', '-i', p('captions.srt'),
    '-map', '0:v', '-map', '1:v', '-map', '2:v', '-map', '3:a', '-map', '4:a', '-map', '5:s',
    '-t', '1', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'libvorbis', '-c:s', 'ass', p('many-streams.mkv'),
  ]);
  add(c, { kind: 'many-streams', label: 'many-streams', path: p('many-streams.mkv'), expect: ok((e) => must(e.probe.videoStreamCount === 3 && (e.probe.audio as unknown[]).length === 2 && e.width === 64, `${e.probe.videoStreamCount} video, ${(e.probe.audio as unknown[]).length} audio, ${e.width}`)) });

  // The rotate tag survives a stream copy (an encode drops it).
  const upright = await clip(c, 'upright.mp4', { width: 64, height: 48 });
  await runFfmpeg(['-i', upright, '-c', 'copy', '-metadata:s:v:0', 'rotate=90', p('rotated.mp4')]);
  add(c, { kind: 'rotated', label: 'rotate-90', path: p('rotated.mp4'), expect: ok((e) => must(e.width === 48 && e.height === 64 && [90, 270].includes(e.probe.rotation as number), `${e.width}x${e.height} rot ${e.probe.rotation}`)) });

  await runFfmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=64x48:rate=20', '-vf', 'tinterlace=mode=interleave_top', '-frames:v', '6', '-c:v', 'libx264', '-preset', 'ultrafast', '-flags', '+ildct+ilme', '-x264opts', 'interlaced=1', '-pix_fmt', 'yuv420p', p('interlaced.mp4')]);
  add(c, { kind: 'interlaced', label: 'interlaced', path: p('interlaced.mp4'), expect: ok((e) => must(e.width === 64 && e.frameCount === 6, `${e.width} ${e.frameCount}`)) });

  const tenBit = await clip(c, 'ten-bit.mp4', { pixFmt: 'yuv420p10le' });
  add(c, { kind: '10-bit', label: 'yuv420p10le', path: tenBit, expect: ok((e) => must(e.probe.pixFmt === 'yuv420p10le' && e.playback === 'ready', `${e.probe.pixFmt} ${e.playback}`)) });

  const hevc = await clip(c, 'hevc.mkv', { codec: 'hevc' });
  add(c, { kind: 'hevc', label: 'hevc', path: hevc, expect: ok((e) => must(e.codec === 'hevc' && e.playback === 'ready', `${e.codec} ${e.playback}`)) });

  const raw = await clip(c, 'elementary.264', {});
  add(c, { kind: 'raw-elementary-stream', label: 'raw-h264', path: raw, expect: ok((e) => must(e.probe.hasTimestamps === false && e.playback === 'ready', `${e.probe.hasTimestamps} ${e.playback}`)) });

  // --- file system oddities ---
  const target = await clip(c, 'link-target.mp4', {});
  symlinkSync(target, p('via-link.mp4'));
  add(c, { kind: 'symlink', label: 'symlink', path: p('via-link.mp4'), expect: ok((e) => must(e.fileName === 'via-link.mp4', e.fileName)), guard: [target] });

  const ctrlName = 'cam\u0001\u0007\u001b[31m\t\nline2\u007f.mp4';
  const ctrl = await clip(c, ctrlName, {});
  add(c, { kind: 'control-characters-in-path', label: 'control-chars', path: ctrl, expect: ok((e) => must(e.fileName === ctrlName, JSON.stringify(e.fileName))) });

  const growing = await clip(c, 'growing.mp4', { width: 96, height: 64 });
  add(c, { kind: 'grows-while-imported', label: 'growing', path: growing, hook: 'grow', guard: [], expect: fail('conflict', /growing\.mp4 changed while it was being imported/) });

  return c.items;
}
