/**
 * UI steps shared by the web and Electron specs, expressed through the UI's stable data-testids.
 */
import { expect, type Page } from '@playwright/test';
import path from 'node:path';
import type { TestClip } from './media';

export type ClipName = 'main' | 'offset' | 'proxied' | 'long';

/** Clips made by the global setup (see global-setup.ts). */
export function clipFromEnv(name: ClipName = 'main'): TestClip {
  const raw = process.env.VIGIL_E2E_CLIPS;
  if (!raw) throw new Error('VIGIL_E2E_CLIPS is not set: run through playwright.config.ts (global setup).');
  return (JSON.parse(raw) as Record<ClipName, TestClip>)[name];
}

/** Collects console errors and CSP violations so a spec can assert the page ran clean. */
export function watchPageProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()} (${m.location().url || 'no url'})`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  return problems;
}

export async function createCase(page: Page, name: string, examiner?: string): Promise<string> {
  await page.getByTestId('case-create-name').fill(name);
  if (examiner) await page.getByTestId('case-create-examiner').fill(examiner);
  await page.getByTestId('case-create-submit').click();
  const item = page.getByTestId('case-list').getByTestId('case-item').filter({ hasText: name });
  await expect(item).toHaveAttribute('aria-selected', 'true');
  const id = await item.getAttribute('data-case-id');
  expect(id).toMatch(/^case_[a-z2-7]+$/);
  return id!;
}

export async function startImport(page: Page, file: string): Promise<void> {
  const form = page.getByTestId('import');
  await form.getByTestId('import-path').fill(file);
  await form.getByTestId('import-submit').click();
}

/** Imports `file`, waits for the job to finish and the evidence to be selected; returns the evidence id. */
export async function importAndSelect(page: Page, file: string): Promise<string> {
  await startImport(page, file);
  await expect(page.getByTestId('import').getByTestId('import-status')).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  const item = page.getByTestId('evidence-list').getByTestId('evidence-item').filter({ hasText: path.basename(file) });
  await expect(item).toHaveAttribute('aria-selected', 'true');
  const id = (await item.getAttribute('data-evidence-id'))!;
  await expect(page.getByTestId('player')).toHaveAttribute('data-evidence-id', id);
  return id;
}

/** Moves focus out of any text field so the player's shortcuts apply. */
export async function releaseFocus(page: Page): Promise<void> {
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
}

export async function waitForVideo(page: Page): Promise<void> {
  await expect.poll(() => page.getByTestId('video').evaluate((v: HTMLVideoElement) => v.readyState), { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
}

export function timecodeOf(frame: number, fps: number): string {
  return timecodeAt(frame / fps);
}

/** `HH:MM:SS.mmm`, computed here independently of the UI's own formatter. */
export function timecodeAt(seconds: number): string {
  let ms = Math.round(seconds * 1000);
  const h = Math.floor(ms / 3_600_000);
  ms -= h * 3_600_000;
  const m = Math.floor(ms / 60_000);
  ms -= m * 60_000;
  const s = Math.floor(ms / 1000);
  ms -= s * 1000;
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(h)}:${p(m)}:${p(s)}.${p(ms, 3)}`;
}

/** The UI says frame `n` of `total`, with the matching timecode. */
export async function expectFrameShown(page: Page, n: number, clip: TestClip): Promise<void> {
  const label = page.getByTestId('frame-number');
  await expect(label).toHaveAttribute('data-frame', String(n));
  await expect(label).toHaveText(`frame ${n} / ${clip.frameCount}`);
  await expect(page.getByTestId('timecode')).toHaveText(timecodeOf(n, clip.fps));
}

/**
 * The frame number burnt into the picture the <video> element is showing (bars along the bottom; see
 * helpers/media.ts). Needs a same-origin media URL (the web host), since the canvas must stay readable.
 */
export async function frameInPicture(page: Page, clip: TestClip): Promise<number> {
  return page.getByTestId('video').evaluate((v: HTMLVideoElement, c: { width: number; height: number; stripTop: number; bars: number }) => {
    const canvas = document.createElement('canvas');
    canvas.width = c.width;
    canvas.height = c.height;
    const g = canvas.getContext('2d', { willReadFrequently: true })!;
    g.drawImage(v, 0, 0, c.width, c.height);
    const y = Math.floor((c.stripTop + c.height) / 2);
    const row = g.getImageData(0, y, c.width, 1).data;
    let n = 0;
    for (let b = 0; b < c.bars; b++) {
      const x = Math.floor(((b + 0.5) * c.width) / c.bars);
      if (row[x * 4] > 128) n |= 1 << b;
    }
    return n;
  }, { width: clip.width, height: clip.height, stripTop: clip.stripTop, bars: clip.bars });
}
