/**
 * The same foundation flow in the Electron app (IPC transport, vigil:// app protocol, vigil-media://
 * media). Runs only when the Electron binary is installed; otherwise reported as skipped with the reason.
 */
import { _electron as electron, expect, test } from '@playwright/test';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { electronBinary } from './helpers/electron-binary';
import { sha256File } from './helpers/media';
import { ARTIFACTS, REPO_ROOT } from './helpers/paths';
import { clipFromEnv, createCase, expectFrameShown, importAndSelect, releaseFocus, waitForVideo, watchPageProblems } from './helpers/review-flow';

const binary = electronBinary();

test.skip(binary.path === null, binary.path === null ? binary.reason : '');

test('desktop app: case, import over IPC, hash, frame stepping', async () => {
  const clip = clipFromEnv();
  const work = mkdtempSync(path.join(os.tmpdir(), 'vigil-electron-e2e-'));
  mkdirSync(ARTIFACTS, { recursive: true });
  const app = await electron.launch({
    executablePath: binary.path!,
    args: [path.join(REPO_ROOT, 'apps', 'desktop'), '--no-sandbox', '--disable-gpu'],
    env: { ...process.env, VIGIL_DB: path.join(work, 'vigil.db') },
  });
  try {
    const page = await app.firstWindow();
    const problems = watchPageProblems(page);
    await page.setViewportSize({ width: 1440, height: 900 });

    expect(await page.evaluate(() => typeof (window as { vigil?: unknown }).vigil)).toBe('object');
    // No Node in the renderer.
    expect(await page.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
    await expect(page.getByTestId('app-info')).toContainText('Desktop');

    await createCase(page, 'Electron e2e case');
    await importAndSelect(page, clip.path);
    await expect(page.getByTestId('evidence-sha256')).toHaveText(await sha256File(clip.path));

    await waitForVideo(page);
    await releaseFocus(page);
    await expectFrameShown(page, 0, clip);
    await page.keyboard.press('ArrowRight');
    await expectFrameShown(page, 1, clip);
    await page.keyboard.press('ArrowRight');
    await expectFrameShown(page, 2, clip);
    await page.keyboard.press('Shift+ArrowRight');
    await expectFrameShown(page, 2 + Math.round(clip.fps), clip);
    await page.screenshot({ path: path.join(ARTIFACTS, 'electron-01-frame-stepping.png') });

    expect(problems, problems.join('\n')).toEqual([]);
  } finally {
    await app.close();
    rmSync(work, { recursive: true, force: true });
  }
});
