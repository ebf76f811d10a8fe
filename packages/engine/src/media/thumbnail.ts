/**
 * A small JPEG of one frame, for timeline hover previews. Approximate by design (seeks by time from the
 * probe's start time and average rate); exact frames for evidence use the frame reader instead.
 */
import { spawn } from 'node:child_process';
import { VigilError } from '../errors.js';
import { resolveFfmpeg } from './ffmpeg-path.js';

export function frameThumbnail(path: string, timeS: number, width: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const args = ['-hide_banner', '-loglevel', 'error', '-nostdin', '-ss', Math.max(0, timeS).toFixed(4), '-i', path, '-frames:v', '1', '-vf', `scale=${width}:-2`, '-f', 'image2pipe', '-c:v', 'mjpeg', '-q:v', '5', 'pipe:1'];
    const child = spawn(resolveFfmpeg().path, args, { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    const chunks: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()).length > 4096 && (err = err.slice(-4096)));
    child.on('error', (e) => reject(new VigilError('internal', `Could not start ffmpeg: ${e.message}`)));
    child.on('close', (code) => {
      const jpeg = Buffer.concat(chunks);
      if (code === 0 && jpeg.length > 0) resolve(jpeg);
      else reject(new VigilError('unsupported_media', `No picture at ${timeS.toFixed(3)} s (${err.trim().split('\n').pop() ?? 'ffmpeg failed'}).`));
    });
  });
}
