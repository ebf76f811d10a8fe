/**
 * `npm run bench -- analyze`: analysis speed and memory on generated 25 fps 720p footage at default
 * settings, against ffmpeg decoding the same file alone. Prints figures; asserts nothing.
 *   - speed: a 60 s clip → analysis wall time, real-time factor, and the ratio to the decode-only time;
 *   - memory: a 10-minute clip → peak RSS (should not grow with footage length).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openDetector, DEFAULT_DETECTOR } from '../analysis/detector-choice.js';
import { analyzeVideo } from '../analysis/pipeline.js';
import type { AnalysisSink } from '../analysis/types.js';
import { resolveFfmpeg } from '../media/ffmpeg-path.js';
import { runTool } from '../media/run-tool.js';

/** Moving textured shapes on a textured background: work for the motion model, tracker and detector. */
async function makeFootage(path: string, seconds: number): Promise<void> {
  const src = `testsrc2=size=1280x720:rate=25:duration=${seconds}`;
  const r = await runTool(resolveFfmpeg().path, ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', '-f', 'lavfi', '-i', src, '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '50', '-pix_fmt', 'yuv420p', path]);
  if (r.code !== 0) throw new Error(`could not generate bench footage: ${r.stderr}`);
}

async function decodeOnlySeconds(path: string): Promise<number> {
  const t0 = performance.now();
  const r = await runTool(resolveFfmpeg().path, ['-hide_banner', '-loglevel', 'error', '-nostdin', '-i', path, '-f', 'null', '-']);
  if (r.code !== 0) throw new Error(`decode failed: ${r.stderr}`);
  return (performance.now() - t0) / 1000;
}

/** Counts what arrives, keeps nothing: the bench measures the pipeline, not a store. */
const nullSink = (): AnalysisSink => ({ heatmap() {}, observations() {}, finish() {} });

async function analyseOnce(path: string, detectorName: string | null) {
  const detector = detectorName ? await openDetector(detectorName) : null;
  try {
    const t0 = performance.now();
    const r = await analyzeVideo(path, { sink: nullSink(), reference: 'self', detector });
    return { seconds: (performance.now() - t0) / 1000, stats: r.stats, params: r.params };
  } finally {
    await detector?.dispose();
  }
}

export async function benchAnalyze(opts: { speedSeconds?: number; memorySeconds?: number; log?: (l: string) => void } = {}): Promise<void> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-'));
  try {
    const speedS = opts.speedSeconds ?? 60;
    const clip = join(dir, 'speed-720p25.mp4');
    await makeFootage(clip, speedS);
    const decodeS = await decodeOnlySeconds(clip);
    log(`analysis speed: ${speedS} s of 1280×720 at 25 fps (generated)`);
    log(`  ffmpeg decode alone: ${decodeS.toFixed(2)} s (${(speedS / decodeS).toFixed(1)}× real time)`);
    for (const det of [DEFAULT_DETECTOR, null]) {
      const r = await analyseOnce(clip, det);
      log(
        `  analysis (${det ?? 'motion only'}, ${r.params.fps} fps analysed at ${r.params.analysisWidth} px): ${r.seconds.toFixed(2)} s = ${(speedS / r.seconds).toFixed(1)}× real time, ` +
          `${(r.seconds / decodeS).toFixed(2)}× the decode time; detector runs ${r.stats.detectorRuns}; peak RSS ${r.stats.peakRssMB.toFixed(0)} MB`,
      );
    }
    const memS = opts.memorySeconds ?? 600;
    const long = join(dir, 'memory-720p25.mp4');
    await makeFootage(long, memS);
    const m = await analyseOnce(long, DEFAULT_DETECTOR);
    log(`memory: ${memS / 60} min of 720p25 → peak RSS ${m.stats.peakRssMB.toFixed(0)} MB (vs ${speedS} s clip above), ${(memS / m.seconds).toFixed(1)}× real time`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
