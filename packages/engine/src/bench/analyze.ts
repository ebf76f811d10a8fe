/**
 * `npm run bench -- analyze [--seconds N] [--memory-minutes M] [--file F]`: analysis speed and memory at
 * default settings on 25 fps 720p footage, against ffmpeg decoding the same file alone. Prints figures;
 * asserts nothing.
 *   - speed: a clip (generated: a textured ground with people-sized textured shapes walking in lanes and
 *     one running, with camera-like temporal sensor noise, x264 like a camera would write it; or --file for
 *     real footage) → analysis wall time, real-time factor, the ratio to the decode-only time, the share
 *     of it the analysis thread waited (for frames, mostly), and the CPU seconds of each beside the host's
 *     steal (cpu-account.ts), with the default detector and motion only;
 *   - memory: a long generated clip (10 minutes by default) → peak RSS and the size of the attribute tables
 *     (the part of memory that grows with footage length).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DEFAULT_DETECTOR, openDetector } from '../analysis/detector-choice.js';
import { knnHelperStats } from '../analysis/knn-batch.js';
import { analyzeVideo } from '../analysis/pipeline.js';
import type { AnalysisSink } from '../analysis/types.js';
import { decodeAheadStatus } from '../media/decode-ahead.js';
import { resolveFfmpeg } from '../media/ffmpeg-path.js';
import { readPacketIndex } from '../media/packet-index.js';
import { probe, type ProbeResult } from '../media/probe.js';
import { runTool } from '../media/run-tool.js';
import { cpuMark, cpuSince, cpuTotal, describeCpu, type CpuSpent } from './cpu-account.js';

const W = 1280;
const H = 720;

async function ffmpeg(args: string[]): Promise<void> {
  const r = await runTool(resolveFfmpeg().path, ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', ...args]);
  if (r.code !== 0) throw new Error(`ffmpeg failed: ${r.stderr}`);
}

/**
 * Strength of ffmpeg's `noise` filter (Gaussian, a new pattern every frame) on the composed picture. Still
 * textures alone are almost free to code (x264 writes skip blocks), so decoding them is unrealistically
 * cheap and the "× decode time" ratio meaningless. A real sensor's noise changes every frame: at 7 the
 * clip needs about 1.8 Mbit/s at CRF 23 (many 720p cameras stream at 2 Mbit/s by default) and keeps a
 * frame-to-frame noise of about 1.7 gray levels (σ) after encoding: mild, like a daylight CCTV picture.
 */
const SENSOR_NOISE = 7;

/**
 * Street-like footage: a static textured ground, 18 textured people-sized shapes walking at about half a
 * body height per second in six lanes (wrapping round, so the scene never empties), one running at five
 * times that speed, and temporal sensor noise over all of it (SENSOR_NOISE). Textures are still images
 * looped; encoding the noisy picture dominates (about 23 s per minute of footage on two shared cores).
 */
export async function makeStreetFootage(dir: string, name: string, seconds: number): Promise<string> {
  const bg = join(dir, 'ground.png');
  const person = join(dir, 'person.png');
  await ffmpeg(['-f', 'lavfi', '-i', `color=c=black:size=${W}x${H}:rate=1,format=gray,geq=lum='70+22*sin(X/23)*sin(Y/17)+10*sin((X+Y)/5)'`, '-frames:v', '1', bg]);
  await ffmpeg([
    '-f', 'lavfi',
    '-i', "color=c=black:size=24x60:rate=1,format=gray,geq=lum='130+mod(floor(abs(1e4*sin(floor(X/3)*12.9898+floor(Y/3)*78.233)))\\,110)'",
    '-frames:v', '1', person,
  ]);
  const lanes = [120, 210, 300, 390, 480, 570];
  const walkers: { x0: number; y: number; vx: number }[] = [];
  lanes.forEach((y, li) => {
    for (let k = 0; k < 3; k++) walkers.push({ x0: k * 430 + li * 71, y, vx: (li % 2 ? -1 : 1) * 30 });
  });
  walkers.push({ x0: 0, y: 345, vx: 150 }); // the runner
  // Composited in 4:4:4: in 4:2:0 overlay rounds positions down to even pixels, so a walker at 1.2 px per
  // frame would stand still on two frames in five and jump on the others.
  const graph: string[] = ['[0:v]format=yuv444p[s0]'];
  walkers.forEach((w, i) => {
    const span = W + 24;
    // mod() keeps positions non-negative; walkers leave at one side and come back at the other.
    const x = w.vx >= 0 ? `mod(${w.x0}+${w.vx}*t\\,${span})-24` : `${W}-mod(${w.x0}+${-w.vx}*t\\,${span})`;
    graph.push(`[s${i}][1:v]overlay=x='${x}':y=${w.y}:eval=frame:format=yuv444[s${i + 1}]`);
  });
  graph.push(`[s${walkers.length}]noise=alls=${SENSOR_NOISE}:allf=t,format=yuv420p[camera]`);
  const out = join(dir, name);
  await ffmpeg([
    '-loop', '1', '-framerate', '25', '-i', bg,
    '-loop', '1', '-framerate', '25', '-i', person,
    '-filter_complex', graph.join(';'),
    '-map', '[camera]',
    '-t', String(seconds), '-r', '25',
    '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-g', '50', '-pix_fmt', 'yuv420p',
    out,
  ]);
  return out;
}

async function decodeOnly(path: string): Promise<{ seconds: number; cpu: CpuSpent }> {
  const t0 = performance.now();
  const c0 = cpuMark();
  await ffmpeg(['-i', path, '-f', 'null', '-']);
  return { seconds: (performance.now() - t0) / 1000, cpu: cpuSince(c0) };
}

/**
 * The packet table (every packet's pts, read by ffprobe without decoding) numbers frames when ffmpeg
 * subsamples; its cost grows with the file, so it is reported per hour of footage beside the decode cost.
 */
async function packetTableLine(path: string, info: ProbeResult, decodeS: number | null): Promise<string> {
  const t0 = performance.now();
  const idx = await readPacketIndex(path, info.videoStreamIndex, { timeBase: info.timeBase });
  const s = (performance.now() - t0) / 1000;
  const perHour = (s / Math.max(info.durationS, 1e-3)) * 3600;
  return (
    `packet table: ${s.toFixed(3)} s for ${idx.pts.length} packets (${((s / idx.pts.length) * 1e6).toFixed(1)} µs each, ~${perHour.toFixed(1)} s per hour of footage` +
    (decodeS ? `; ${((100 * s) / decodeS).toFixed(1)} % of decoding it)` : ')')
  );
}

/** Keeps nothing: the bench measures the pipeline, not a store. */
const nullSink = (): AnalysisSink => ({ heatmap() {}, observations() {}, finish() {} });

async function analyseOnce(path: string, detectorName: string | null) {
  const detector = detectorName ? await openDetector(detectorName) : null;
  try {
    const t0 = performance.now();
    // How long the analysis thread waited (for frames, mostly) instead of computing.
    const elu0 = performance.eventLoopUtilization();
    const c0 = cpuMark();
    const r = await analyzeVideo(path, { sink: nullSink(), reference: 'self', detector });
    const cpu = cpuSince(c0);
    const idle = 1 - performance.eventLoopUtilization(elu0).utilization;
    return { seconds: (performance.now() - t0) / 1000, cpu, idle, stats: r.stats, params: r.params, events: r.events.length };
  } finally {
    await detector?.dispose();
  }
}

export interface BenchAnalyzeOptions {
  speedSeconds?: number;
  memorySeconds?: number;
  file?: string;
  log?: (l: string) => void;
}

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

export async function benchAnalyze(opts: BenchAnalyzeOptions = {}): Promise<void> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const speedS = opts.speedSeconds ?? Number(argValue('seconds') ?? 60);
  const memS = opts.memorySeconds ?? Number(argValue('memory-minutes') ?? 10) * 60;
  const file = opts.file ?? argValue('file');
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-'));
  try {
    // Memory first: peak RSS is the process' high-water mark, so this run's figure is its own.
    if (memS > 0) {
      const long = await makeStreetFootage(dir, 'memory-720p25.mp4', memS);
      const longInfo = await probe(long);
      const longDecode = await decodeOnly(long);
      log(`memory clip: ffmpeg decode alone ${longDecode.seconds.toFixed(2)} s; ${await packetTableLine(long, longInfo, longDecode.seconds)}`);
      const m = await analyseOnce(long, DEFAULT_DETECTOR);
      log(
        `memory: ${(memS / 60).toFixed(1)} min of 720p25 (${DEFAULT_DETECTOR}) → peak RSS ${m.stats.peakRssMB.toFixed(0)} MB; attribute tables ` +
          `${(m.stats.tableBytes / 2 ** 20).toFixed(1)} MB for ${m.stats.observations} observations; ${(memS / m.seconds).toFixed(1)}× real time; ${describeCpu(m.cpu)}`,
      );
    }
    const clip = file ?? (await makeStreetFootage(dir, 'speed-720p25.mp4', speedS));
    const info = await probe(clip);
    const decode = await decodeOnly(clip);
    const decodeS = decode.seconds;
    const kbps = info.bitRate ? `, ${(info.bitRate / 1000).toFixed(0)} kbit/s` : '';
    log(`analysis speed: ${info.durationS.toFixed(1)} s of ${info.width}×${info.height} at ${info.fpsAvg.toFixed(2)} fps${kbps} (${file ? file : `generated street scene, sensor noise ${SENSOR_NOISE}`})`);
    log(`  ffmpeg decode alone: ${decodeS.toFixed(2)} s (${(info.durationS / decodeS).toFixed(1)}× real time); ${describeCpu(decode.cpu)}`);
    log(`  ${await packetTableLine(clip, info, decodeS)}`);
    const ahead = decodeAheadStatus();
    log(`  decoding ahead in a worker thread: ${ahead.available ? 'yes' : `no (${ahead.reason})`}`);
    for (const det of [DEFAULT_DETECTOR, null]) {
      const shared0 = knnHelperStats();
      const r = await analyseOnce(clip, det);
      const shared = knnHelperStats();
      const helperShare = shared.chunks > shared0.chunks ? (shared.helperChunks - shared0.helperChunks) / (shared.chunks - shared0.chunks) : 0;
      const t = r.stats.timings;
      log(
        `  analysis (${det ?? 'motion only'}, ${r.params.fps} fps analysed at ${r.params.analysisWidth}×${r.params.analysisHeight}): ${r.seconds.toFixed(2)} s = ` +
          `${(info.durationS / r.seconds).toFixed(1)}× real time, ${(r.seconds / decodeS).toFixed(2)}× the decode time ` +
          `(decode+track ${t.decodeTrackS.toFixed(2)} s of which detector ${t.detectS.toFixed(2)} s in ${r.stats.detectorRuns} runs` +
          `${r.stats.detectorInputSize ? ` at ${r.stats.detectorInputSize[1]}×${r.stats.detectorInputSize[0]}` : ''}; ` +
          `fit ${t.fitS.toFixed(2)} s with ${shared.helpers} helper thread${shared.helpers === 1 ? '' : 's'} taking ${(100 * helperShare).toFixed(0)} % of its shared queries, score ${t.scoreS.toFixed(2)} s, heatmaps ${t.heatmapS.toFixed(2)} s); ` +
          `${r.stats.tracks} tracks, ${r.events} events; analysis thread idle ${(100 * r.idle).toFixed(0)} %; peak RSS ${r.stats.peakRssMB.toFixed(0)} MB`,
      );
      const cpu = cpuTotal(r.cpu);
      const decodeCpu = cpuTotal(decode.cpu);
      log(`    ${describeCpu(r.cpu)}${cpu !== null && decodeCpu ? `: ${(cpu / decodeCpu).toFixed(2)}× the CPU of decoding alone` : ''}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
