/**
 * Builds nothing. Makes the test clip, then starts the real web host
 * (`node packages/engine/dist/cli/main.js serve --db <tmp>/vigil.db --port 0`) and reads its URL from the
 * first stdout line. Specs get both through environment variables; the returned teardown stops the
 * host and removes the temp folder.
 *
 * VIGIL_E2E_URL=<url with ?token=> skips starting a host and uses that one (e.g. a host you debug).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { makeNumberedClip } from './helpers/media';
import { REPO_ROOT } from './helpers/paths';

const CLI = path.join(REPO_ROOT, 'packages/engine/dist/cli/main.js');
const URL_LINE = /^Vigil web host: (http:\/\/\S+)$/;

function startHost(dbPath: string): Promise<{ child: ChildProcess; url: string }> {
  if (!existsSync(CLI)) throw new Error(`${CLI} does not exist: build the engine first (npm run build).`);
  const child = spawn(process.execPath, [CLI, 'serve', '--db', dbPath, '--port', '0'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => {
    stderr += c.toString();
    if (process.env.VIGIL_E2E_HOST_LOG) process.stderr.write(c);
  });
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const fail = (why: string) => {
      child.kill();
      reject(new Error(`web host did not start: ${why}\n${stderr}`));
    };
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      fail(`exited with code ${code}`);
    };
    const timer = setTimeout(() => fail('no URL line within 30 s'), 30_000);
    child.once('exit', onExit);
    lines.once('line', (line) => {
      clearTimeout(timer);
      child.off('exit', onExit);
      const m = URL_LINE.exec(line.trim());
      if (!m) return fail(`first stdout line was ${JSON.stringify(line)}`);
      resolve({ child, url: m[1] });
    });
  });
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'vigil-e2e-'));
  const clips = {
    main: await makeNumberedClip(work, { name: 'numbered-clip.mp4' }),
    // Video stream starting at 1.4 s: frame numbers must still count from the first frame.
    offset: await makeNumberedClip(work, { name: 'offset-start.mp4', startOffsetS: 1.4 }),
    // Not playable by Chromium: imported with a playback proxy.
    proxied: await makeNumberedClip(work, { name: 'needs-proxy.avi', codec: 'mjpeg', seconds: 2 }),
    // Long enough that its proxy takes a while, to cancel mid-way.
    long: await makeNumberedClip(work, { name: 'long-needs-proxy.avi', codec: 'mjpeg', seconds: 60, width: 640, height: 360 }),
  };
  process.env.VIGIL_E2E_WORKDIR = work;
  process.env.VIGIL_E2E_CLIPS = JSON.stringify(clips);

  let host: ChildProcess | null = null;
  if (process.env.VIGIL_E2E_URL) {
    process.env.VIGIL_E2E_BASE_URL = process.env.VIGIL_E2E_URL;
  } else {
    const started = await startHost(path.join(work, 'vigil.db'));
    host = started.child;
    process.env.VIGIL_E2E_BASE_URL = started.url;
  }

  return async () => {
    if (host && host.exitCode === null) {
      const exited = new Promise((r) => host!.once('exit', r));
      host.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (host.exitCode === null) host.kill('SIGKILL');
    }
    rmSync(work, { recursive: true, force: true });
  };
}
