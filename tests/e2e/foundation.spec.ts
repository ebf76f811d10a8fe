/**
 * Foundation, end to end through the real web host and the system Chromium: create a case, import a
 * generated clip by path, check the SHA-256 the UI shows against one computed here, and step through
 * frames with the keyboard, checking both the frame number the UI shows and the frame actually on
 * screen (read back from the picture).
 */
import { expect, test, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { sha256File, type TestClip } from './helpers/media';
import { ARTIFACTS } from './helpers/paths';
import {
  clipFromEnv,
  createCase,
  expectFrameShown,
  frameInPicture,
  importAndSelect,
  releaseFocus,
  startImport,
  waitForVideo,
  watchPageProblems,
} from './helpers/review-flow';

const baseUrl = () => {
  const url = process.env.VIGIL_E2E_BASE_URL;
  if (!url) throw new Error('VIGIL_E2E_BASE_URL is not set: run through playwright.config.ts (global setup).');
  return url;
};

const shot = (page: Page, name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });

/** Steps with the keyboard and checks the UI's frame number and the picture itself after each key. */
async function stepAndCheck(page: Page, clip: TestClip, steps: [key: string, frame: number][]) {
  for (const [key, frame] of steps) {
    await page.keyboard.press(key);
    await expectFrameShown(page, frame, clip);
    expect(await frameInPicture(page, clip), `picture after ${key}`).toBe(frame);
  }
}

test.beforeAll(() => mkdirSync(ARTIFACTS, { recursive: true }));

test('create a case, import by path, verify the hash, step frames exactly', async ({ page, context }) => {
  const clip = clipFromEnv();
  const problems = watchPageProblems(page);
  const expectedSha = await sha256File(clip.path);

  await test.step('open the web host with its token', async () => {
    await page.goto(baseUrl());
    await expect(page.getByTestId('app-info')).toContainText('Local web');
    // The token leaves the address bar but survives a reload (sessionStorage).
    expect(new URL(page.url()).searchParams.get('token')).toBeNull();
    await page.reload();
    await expect(page.getByTestId('app-info')).toContainText('Local web');
    await expect(page.getByTestId('connection-error')).toHaveCount(0);
  });

  await test.step('create a case', async () => {
    await createCase(page, 'E2E foundation case', 'Examiner QA');
    await expect(page.getByTestId('header-case')).toContainText('E2E foundation case');
    await shot(page, 'foundation-01-case-created');
  });

  const evidenceId = await test.step('import the clip by path', async () => {
    const id = await importAndSelect(page, clip.path);
    const jobRow = page.getByTestId('jobs-panel').getByTestId('job-row').first();
    await expect(jobRow).toHaveAttribute('data-state', 'done');
    return id;
  });

  await test.step('the UI shows the full SHA-256 this test computed itself', async () => {
    const details = page.getByTestId('evidence-details');
    await expect(details).toHaveAttribute('data-evidence-id', evidenceId);
    await expect(details.getByTestId('evidence-sha256')).toHaveText(expectedSha);
    await expect(details.getByTestId('evidence-filename')).toHaveText(path.basename(clip.path));
    await expect(details.getByTestId('evidence-resolution')).toHaveText(`${clip.width} × ${clip.height}`);
    await expect(details.getByTestId('evidence-frames')).toHaveText(String(clip.frameCount));
    await expect(details.getByTestId('evidence-fps')).toHaveText(`${clip.fps} fps`);
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await details.getByTestId('copy-sha256').click();
    await expect(details.getByTestId('copy-sha256')).toHaveText('Copied');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(expectedSha);
  });

  await test.step('step frames with the keyboard', async () => {
    await waitForVideo(page);
    await releaseFocus(page);
    await expectFrameShown(page, 0, clip);
    expect(await frameInPicture(page, clip)).toBe(0);
    await shot(page, 'foundation-02-imported-frame-0');

    const second = Math.round(clip.fps);
    const steps: [string, number][] = [
      ['ArrowRight', 1],
      ['ArrowRight', 2],
      ['Shift+ArrowRight', 2 + second],
      ['ArrowLeft', 1 + second],
      ['Shift+ArrowLeft', 1],
      ['End', clip.frameCount - 1],
      ['ArrowLeft', clip.frameCount - 2],
      ['Home', 0],
    ];
    await stepAndCheck(page, clip, steps.slice(0, 3));
    await shot(page, `foundation-03-frame-${2 + second}`);
    await stepAndCheck(page, clip, steps.slice(3));
  });

  await test.step('fast repeated steps accumulate instead of repeating', async () => {
    for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowRight');
    await expectFrameShown(page, 5, clip);
    expect(await frameInPicture(page, clip)).toBe(5);
  });

  await test.step('L plays, K pauses, and the number matches the picture where it stopped', async () => {
    await page.keyboard.press('l');
    await expect(page.getByTestId('play-toggle')).toHaveAttribute('aria-label', 'Pause');
    await expect.poll(async () => Number(await page.getByTestId('frame-number').getAttribute('data-frame'))).toBeGreaterThan(10);
    await page.keyboard.press('l');
    await expect(page.getByTestId('playback-rate')).toHaveValue('2');
    await page.keyboard.press('j');
    await expect(page.getByTestId('playback-rate')).toHaveValue('1');
    await page.keyboard.press('k');
    await expect(page.getByTestId('play-toggle')).toHaveAttribute('aria-label', 'Play');
    // The pause lands on a frame: the number and the picture come to agree (and stay so).
    const frameNumber = async (): Promise<number> => Number(await page.getByTestId('frame-number').getAttribute('data-frame'));
    await expect.poll(async () => (await frameInPicture(page, clip)) - (await frameNumber())).toBe(0);
    await page.waitForTimeout(300);
    const shown = await frameNumber();
    expect(await frameInPicture(page, clip)).toBe(shown);
    await page.keyboard.press('ArrowRight');
    await expectFrameShown(page, shown + 1, clip);
    expect(await frameInPicture(page, clip)).toBe(shown + 1);
  });

  await test.step('shortcuts do not fire while typing in a field', async () => {
    const before = await page.getByTestId('frame-number').getAttribute('data-frame');
    await page.getByTestId('import-path').click();
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.type('l');
    await expect(page.getByTestId('frame-number')).toHaveAttribute('data-frame', before!);
    await expect(page.getByTestId('play-toggle')).toHaveAttribute('aria-label', 'Play');
    await page.getByTestId('import-path').fill('');
    await releaseFocus(page);
  });

  await test.step('a duplicate import is refused in words', async () => {
    await startImport(page, clip.path);
    const banner = page.getByTestId('import').getByTestId('error-banner');
    await expect(banner).toContainText(/already/i);
    await expect(banner).toContainText(path.basename(clip.path));
    await expect(page.getByTestId('evidence-list').getByTestId('evidence-item')).toHaveCount(1);
    await shot(page, 'foundation-04-duplicate-refused');
  });

  await test.step('a missing file is refused in words', async () => {
    const missing = path.join(path.dirname(clip.path), 'no-such-file.mp4');
    await startImport(page, missing);
    const banner = page.getByTestId('import').getByTestId('error-banner');
    await expect(banner).toContainText('no-such-file.mp4');
  });

  // The only console error allowed is the refused import's HTTP status (the browser logs every non-2xx
  // response); no CSP violations, no exceptions.
  const unexpected = problems.filter((p) => !/Failed to load resource: .*\(http:\/\/127\.0\.0\.1:\d+\/api\/evidence\.import\)$/.test(p));
  expect(unexpected, unexpected.join('\n')).toEqual([]);
});

test('a stream that starts at 1.4 s counts frames from its first frame', async ({ page }) => {
  const clip = clipFromEnv('offset');
  const problems = watchPageProblems(page);
  await page.goto(baseUrl());
  await createCase(page, 'E2E start offset');
  await importAndSelect(page, clip.path);
  await expect(page.getByTestId('evidence-details')).toContainText('1.400 s');
  await waitForVideo(page);
  await releaseFocus(page);
  await expectFrameShown(page, 0, clip);
  expect(await frameInPicture(page, clip)).toBe(0);
  await stepAndCheck(page, clip, [
    ['ArrowRight', 1],
    ['Shift+ArrowRight', 1 + Math.round(clip.fps)],
    ['End', clip.frameCount - 1],
    ['Home', 0],
  ]);
  expect(problems, problems.join('\n')).toEqual([]);
});

test('footage Chromium cannot play gets a playback proxy that steps frame-exactly', async ({ page }) => {
  const clip = clipFromEnv('proxied');
  const problems = watchPageProblems(page);
  await page.goto(baseUrl());
  await createCase(page, 'E2E proxy playback');
  await importAndSelect(page, clip.path);
  const details = page.getByTestId('evidence-details');
  // The hash is the original's, not the proxy's.
  await expect(details.getByTestId('evidence-sha256')).toHaveText(await sha256File(clip.path));
  await expect(details.getByTestId('evidence-playback')).toContainText('ready', { timeout: 60_000 });
  await waitForVideo(page);
  await releaseFocus(page);
  await expectFrameShown(page, 0, clip);
  expect(await frameInPicture(page, clip)).toBe(0);
  await stepAndCheck(page, clip, [
    ['ArrowRight', 1],
    ['ArrowRight', 2],
    ['Shift+ArrowRight', 2 + Math.round(clip.fps)],
    ['ArrowLeft', 1 + Math.round(clip.fps)],
    ['End', clip.frameCount - 1],
  ]);
  await shot(page, 'foundation-05-proxy-playback');
  expect(problems, problems.join('\n')).toEqual([]);
});

test('an import can be cancelled while its playback proxy is built', async ({ page }) => {
  const clip = clipFromEnv('long');
  const problems = watchPageProblems(page);
  await page.goto(baseUrl());
  await createCase(page, 'E2E cancel import');
  await startImport(page, clip.path);
  const progress = page.getByTestId('import').getByTestId('job-progress');
  await expect(progress).toHaveAttribute('data-stage', 'proxy', { timeout: 60_000 });
  await expect(page.getByTestId('jobs-panel').getByTestId('job-row').first()).toHaveAttribute('data-state', 'running');
  await expect(page.getByTestId('playback-notice')).toContainText('%');
  await shot(page, 'foundation-06-import-in-progress');
  await progress.getByTestId('job-cancel').click();
  await expect(page.getByTestId('import').getByTestId('import-status')).toHaveAttribute('data-state', 'cancelled');
  await expect(page.getByTestId('jobs-panel').getByTestId('job-row').first()).toHaveAttribute('data-state', 'cancelled');
  // The evidence was recorded before the proxy stage; the player says the proxy was not finished.
  await expect(page.getByTestId('playback-notice')).toContainText('not finished');
  await shot(page, 'foundation-07-import-cancelled');
  expect(problems, problems.join('\n')).toEqual([]);
});
