/**
 * Review, end to end through the real web host, engine and database in Debian Chromium: import a scene
 * with a planted anomaly (one fast mover among walkers) and normal reference footage of the same scene,
 * run the analysis from the UI and watch its progress, find the event on the timeline and in the list,
 * check on the overlay canvas's own pixels that boxes and heatmap are drawn where the engine says, review
 * the event by keyboard and see it persist after a reload, remove a bookmark, then chat, zones (drawn,
 * renamed, redrawn), report, status and help.
 *
 * The tests share one page and build on each other (serial).
 */
import { expect, test, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { AnomalyEventRecord } from '@vigil/engine/contract';
import { engineApi, type EngineApi } from './helpers/engine-api';
import { ARTIFACTS } from './helpers/paths';
import { createCase, importAndSelect, releaseFocus, timecodeAt, waitForVideo, watchPageProblems } from './helpers/review-flow';
import { makeWalkersClip, type WalkersClip } from './helpers/walkers-clip';

test.describe.configure({ mode: 'serial' });

const baseUrl = () => {
  const url = process.env.VIGIL_E2E_BASE_URL;
  if (!url) throw new Error('VIGIL_E2E_BASE_URL is not set: run through playwright.config.ts (global setup).');
  return url;
};
const workDir = () => {
  const dir = process.env.VIGIL_E2E_WORKDIR;
  if (!dir) throw new Error('VIGIL_E2E_WORKDIR is not set: run through playwright.config.ts (global setup).');
  return dir;
};

let page: Page;
let api: EngineApi;
let problems: string[];
let clip: WalkersClip;
let reference: WalkersClip;
const ids = { caseId: '', evidenceId: '', referenceId: '', analysisId: '', eventId: '' };
let planted: AnomalyEventRecord;

const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `review-${name}.png`) });

async function frameShown(): Promise<number> {
  return Number(await page.getByTestId('frame-number').getAttribute('data-frame'));
}

/** Steps with the arrow keys to `target` from the frame on screen and waits until it is shown. */
async function stepTo(target: number): Promise<void> {
  await releaseFocus(page);
  if (target === 0) await page.keyboard.press('Home');
  const from = await frameShown();
  const key = target > from ? 'ArrowRight' : 'ArrowLeft';
  for (let i = 0; i < Math.abs(target - from); i++) await page.keyboard.press(key);
  await expect(page.getByTestId('frame-number')).toHaveAttribute('data-frame', String(target));
}

/** RGBA of the overlay canvas at source-pixel positions (mapped with the canvas's own size). */
async function overlayPixels(points: [number, number][]): Promise<[number, number, number, number][]> {
  return page.getByTestId('overlay-canvas').evaluate((c: HTMLCanvasElement, pts: [number, number][]) => {
    const g = c.getContext('2d')!;
    const sw = Number(c.dataset.sourceWidth);
    const sh = Number(c.dataset.sourceHeight);
    return pts.map(([x, y]) => {
      const px = Math.min(c.width - 1, Math.max(0, Math.floor((x * c.width) / sw)));
      const py = Math.min(c.height - 1, Math.max(0, Math.floor((y * c.height) / sh)));
      const d = g.getImageData(px, py, 1, 1).data;
      return [d[0], d[1], d[2], d[3]] as [number, number, number, number];
    });
  }, points);
}

/** Number of non-transparent pixels on the whole overlay canvas. */
async function paintedPixels(): Promise<number> {
  return page.getByTestId('overlay-canvas').evaluate((c: HTMLCanvasElement) => {
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
    return n;
  });
}

async function setToggle(testId: string, on: boolean): Promise<void> {
  const t = page.getByTestId(testId);
  if ((await t.getAttribute('aria-pressed')) !== String(on)) await t.click();
  await expect(t).toHaveAttribute('aria-pressed', String(on));
}

/**
 * No exceptions, no CSP violations, no failed requests, except a definition the engine refused (the
 * browser logs every non-2xx response; the refusal itself is checked in the zones step).
 */
function expectCleanConsole(): void {
  const unexpected = problems.filter((p) => !/status of 4\d\d .*\/api\/definitions\.add\)$/.test(p));
  expect(unexpected, unexpected.join('\n')).toEqual([]);
}

test.beforeAll(async ({ browser }) => {
  mkdirSync(ARTIFACTS, { recursive: true });
  clip = await makeWalkersClip(workDir(), { name: 'walkers-with-runner.mp4' });
  reference = await makeWalkersClip(workDir(), { name: 'walkers-reference.mp4', runner: false, phase: 150, seconds: 20 });
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  problems = watchPageProblems(page);
  api = engineApi(baseUrl());
});

test.afterAll(async () => {
  await page?.close();
});

test('import footage and reference, analyse from the UI with progress, see the event', async () => {
  await page.goto(baseUrl());
  ids.caseId = await createCase(page, 'E2E review case', 'Examiner QA');
  ids.referenceId = await importAndSelect(page, reference.path);
  ids.evidenceId = await importAndSelect(page, clip.path);
  await waitForVideo(page);

  // Watch the progress element's stage attribute for the whole run.
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { __stages: string[] }).__stages = seen;
    const record = () => {
      const el = document.querySelector('[data-testid="analysis-progress"]');
      const s = el?.getAttribute('data-stage');
      const label = el?.querySelector('[data-testid="job-stage"]')?.textContent;
      if (s && !seen.includes(s)) seen.push(s);
      if (label && !seen.includes(`label:${label}`)) seen.push(`label:${label}`);
    };
    new MutationObserver(record).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
  });

  await test.step('choose the reference clip and settings, start', async () => {
    await expect(page.getByTestId('player-analysis')).toContainText('not analysed');
    const settings = page.getByTestId('analysis-settings');
    await expect(settings).toBeVisible();
    await settings.locator(`[data-testid="analysis-reference"][data-evidence-id="${ids.referenceId}"] input`).check();
    await page.getByTestId('analysis-detector').selectOption('none');
    await shot('01-analysis-settings');
    await page.getByTestId('analysis-start').click();
  });

  await test.step('progress with stage names, then done without a reload', async () => {
    const progress = page.getByTestId('analysis-progress');
    await expect(progress).toBeVisible();
    await expect(progress).toHaveAttribute('data-state', 'done', { timeout: 90_000 });
    const stages = await page.evaluate(() => (window as unknown as { __stages: string[] }).__stages);
    // The pipeline names its stages; at least one running stage must have been shown by name.
    expect(stages.filter((s) => !s.startsWith('label:')).some((s) => ['load models', 'decode+track', 'fit normality: decode+track', 'fit normality', 'score', 'heatmaps', 'events'].includes(s)), stages.join(', ')).toBe(true);
    expect(stages.some((s) => /^label:(Loading models|Decoding and tracking|Learning normal activity|Fitting the normality model|Scoring|Rendering heatmaps|Finding events)/.test(s)), stages.join(', ')).toBe(true);
    await expect(page.getByTestId('player-analysis')).toContainText('analysed');
    // How to read the analysis is in view, as the engine recorded it: here, motion only.
    const [done] = await api.call('analysis.list', { evidenceId: ids.evidenceId });
    const notes = (done.stats?.notes ?? []) as string[];
    expect(notes.some((n) => /motion only/.test(n)), notes.join(' | ')).toBe(true);
    await expect(page.getByTestId('analysis-notes').locator('li')).toHaveText(notes);
  });

  await test.step('the planted event is on the timeline and in the list', async () => {
    const analyses = await api.call('analysis.list', { evidenceId: ids.evidenceId });
    expect(analyses[0].state).toBe('done');
    expect(analyses[0].reference).toEqual([ids.referenceId]);
    ids.analysisId = analyses[0].id;
    const events = await api.call('events.list', { caseId: ids.caseId, evidenceId: ids.evidenceId });
    // The runner is in view from 6 s to 8 s: the engine must find an event overlapping that window.
    const hit = events.find((e) => e.startTime < clip.anomaly.endS && e.endTime > clip.anomaly.startS);
    expect(hit, JSON.stringify(events.map((e) => [e.startTime, e.endTime]))).toBeTruthy();
    planted = hit!;
    ids.eventId = planted.id;

    await expect(page.getByTestId('events').getByTestId('event-item')).toHaveCount(events.length);
    const item = page.locator(`[data-testid="event-item"][data-event-id="${planted.id}"]`);
    await expect(item).toHaveAttribute('data-review-state', 'unreviewed');
    await expect(item.getByTestId('event-time')).toContainText(timecodeAt(planted.startTime));
    await expect(item).toContainText(`${Math.round(planted.confidence * 100)}%`);
    const band = page.getByTestId('timeline').locator(`[data-testid="timeline-event"][data-event-id="${planted.id}"]`);
    await expect(band).toHaveCount(1);
    // The band sits over the event's time span on the timeline.
    const area = await page.getByTestId('timeline').locator('.timeline-area').boundingBox();
    const bandBox = await band.locator('rect').boundingBox();
    const duration = clip.frameCount / clip.fps;
    expect(Math.abs(bandBox!.x - (area!.x + (planted.startTime / duration) * area!.width))).toBeLessThan(3);
    expect(Math.abs(bandBox!.x + bandBox!.width - (area!.x + (planted.endTime / duration) * area!.width))).toBeLessThan(3);
    await expect(page.getByTestId('timeline-curve')).toHaveAttribute('data-points', String((await api.call('analysis.scores', { analysisId: ids.analysisId })).frames.length));
    await shot('02-analysed');
  });

  await test.step('timeline: hover shows a thumbnail, click and drag seek, zoom', async () => {
    const timeline = page.getByTestId('timeline');
    const area = (await timeline.locator('.timeline-area').boundingBox())!;
    const duration = clip.frameCount / clip.fps;
    const xAtFrame = (f: number) => area.x + ((f + 0.5) / clip.fps / duration) * area.width;
    const y = area.y + area.height / 2;
    await page.mouse.move(xAtFrame(45), y);
    const thumb = page.getByTestId('timeline-thumbnail');
    await expect(thumb).toHaveAttribute('data-frame', '45');
    await expect.poll(() => thumb.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(160);
    await expect(page.getByTestId('timeline-hover')).toContainText('f 45');
    await shot('02b-timeline-hover');
    await page.mouse.click(xAtFrame(30), y);
    await expect(page.getByTestId('frame-number')).toHaveAttribute('data-frame', '30');
    await page.mouse.move(xAtFrame(30), y);
    await page.mouse.down();
    await page.mouse.move(xAtFrame(45), y, { steps: 4 });
    await page.mouse.move(xAtFrame(60), y, { steps: 4 });
    await page.mouse.up();
    await expect(page.getByTestId('frame-number')).toHaveAttribute('data-frame', '60');
    await page.mouse.move(area.x + area.width / 2, area.y - 200);
    await timeline.getByTestId('timeline-zoom-in').click();
    const span = async () => Number(await timeline.getAttribute('data-view-end')) - Number(await timeline.getAttribute('data-view-start'));
    expect(await span()).toBeLessThan(duration * 0.7);
    // The playhead stays in the zoomed window.
    const start = Number(await timeline.getAttribute('data-view-start'));
    expect(start).toBeLessThanOrEqual(60 / clip.fps);
    await expect(timeline.getByTestId('timeline-playhead')).toHaveCount(1);
    await timeline.getByTestId('timeline-zoom-fit').click();
    expect(await span()).toBeCloseTo(duration, 3);
  });

  await test.step('a re-analysis can be cancelled; the results on screen stay', async () => {
    const eventsBefore = await page.getByTestId('events').getByTestId('event-item').count();
    if (!(await page.getByTestId('analysis-settings').isVisible())) await page.getByTestId('analysis-settings-toggle').click();
    await page.getByTestId('analysis-fps').selectOption('15');
    // This time the other clip is footage of the same camera, not checked: analysed together with this one.
    await page.locator(`[data-testid="analysis-reference"][data-evidence-id="${ids.referenceId}"] input`).check();
    await page.getByTestId('analysis-use-together').check();
    await page.getByTestId('analysis-start').click();
    const progress = page.getByTestId('analysis-progress');
    await expect(progress).toHaveAttribute('data-state', /queued|running/);
    await expect(page.getByTestId('player-analysis')).toContainText('re-analysing');
    // The player stays usable while the engine works.
    await releaseFocus(page);
    const before = await frameShown();
    await page.keyboard.press('ArrowRight');
    await expect(page.getByTestId('frame-number')).toHaveAttribute('data-frame', String(before + 1));
    await progress.getByTestId('job-cancel').click();
    await expect(progress).toHaveAttribute('data-state', 'cancelled');
    await expect(progress).toContainText('cancelled');
    const analyses = await api.call('analysis.list', { evidenceId: ids.evidenceId });
    expect(analyses.map((a) => a.state)).toEqual(['cancelled', 'done']);
    expect(analyses[0].reference).toBe('self');
    expect(analyses[0].params.together).toEqual([ids.referenceId]);
    await expect(page.getByTestId('events').getByTestId('event-item')).toHaveCount(eventsBefore);
    await expect(page.getByTestId('overlay-canvas')).toHaveAttribute('data-frame', /\d+/);
  });
});

test('overlays are drawn where the engine says, and the toggles work', async () => {
  const overlay = await test.step('go to the event peak', async () => {
    await page.locator(`[data-testid="event-item"][data-event-id="${planted.id}"]`).click();
    await expect(page.getByTestId('frame-number')).toHaveAttribute('data-frame', String(planted.startFrame));
    await stepTo(planted.peakFrame);
    const o = await api.call('analysis.overlay', { analysisId: ids.analysisId, frame: planted.peakFrame });
    expect(o.observations.length).toBeGreaterThan(0);
    const canvas = page.getByTestId('overlay-canvas');
    await expect(canvas).toHaveAttribute('data-frame', String(o.frame));
    await expect(canvas).toHaveAttribute('data-source-width', String(clip.width));
    return o;
  });

  await test.step('boxes alone: every box outlined where the engine puts it, anomalous in red, inside clear', async () => {
    await setToggle('heatmap-toggle', false);
    await setToggle('trajectories-toggle', false);
    await setToggle('zones-toggle', false);
    await setToggle('boxes-toggle', true);
    await expect(page.getByTestId('overlay-canvas')).toHaveAttribute('data-layers', 'boxes');
    for (const o of overlay.observations) {
      const [x1, y1, x2, y2] = o.box;
      const edges = await overlayPixels([
        [x1, (y1 + y2) / 2],
        [x2, (y1 + y2) / 2],
        [(x1 + x2) / 2, y2],
        [(x1 + x2) / 2, y1],
      ]);
      expect(edges.filter((p) => p[3] > 200).length, `track ${o.trackId} box ${o.box} edges ${JSON.stringify(edges)}`).toBeGreaterThanOrEqual(3);
    }
    const scores = await api.call('analysis.scores', { analysisId: ids.analysisId });
    const top = [...overlay.observations].sort((a, b) => b.score - a.score)[0];
    expect(top.score).toBeGreaterThanOrEqual(scores.enterThreshold);
    const [x1, y1, x2, y2] = top.box;
    const [left, centre] = await overlayPixels([
      [x1, (y1 + y2) / 2],
      [(x1 + x2) / 2, (y1 + y2) / 2],
    ]);
    expect(left[0], `anomalous box colour ${left}`).toBeGreaterThan(200);
    expect(left[1]).toBeLessThan(120);
    const centreCovered = overlay.observations.some((o) => o !== top && o.box[0] - 3 <= (x1 + x2) / 2 && (x1 + x2) / 2 <= o.box[2] + 3 && o.box[1] - 16 <= (y1 + y2) / 2 && (y1 + y2) / 2 <= o.box[3] + 3);
    if (!centreCovered) expect(centre[3], 'inside of a box stays clear').toBe(0);
    await shot('03-boxes-only');

    await setToggle('boxes-toggle', false);
    await expect(page.getByTestId('overlay-canvas')).toHaveAttribute('data-layers', '');
    expect(await paintedPixels()).toBe(0);
  });

  await test.step('heatmap alone: hot cells painted, cold areas clear', async () => {
    const heat = await api.call('analysis.heatmap', { analysisId: ids.analysisId, frame: planted.peakFrame });
    expect(heat).not.toBeNull();
    const grid = Buffer.from(heat!.data, 'base64');
    expect(grid.length).toBe(heat!.width * heat!.height);
    await setToggle('heatmap-toggle', true);
    await expect(page.getByTestId('overlay-canvas')).toHaveAttribute('data-heatmap-frame', String(heat!.frame));
    await expect(page.getByTestId('overlay-canvas')).toHaveAttribute('data-layers', 'heatmap');
    let maxI = 0;
    for (let i = 1; i < grid.length; i++) if (grid[i] > grid[maxI]) maxI = i;
    expect(grid[maxI]).toBeGreaterThan(64);
    const cell = (i: number): [number, number] => [((i % heat!.width) + 0.5) * (clip.width / heat!.width), (Math.floor(i / heat!.width) + 0.5) * (clip.height / heat!.height)];
    // A cold cell far from any heat (all cells within 3 of it are zero).
    const cold = [...grid.keys()].find((i) => {
      const cx = i % heat!.width;
      const cy = Math.floor(i / heat!.width);
      for (let dy = -3; dy <= 3; dy++)
        for (let dx = -3; dx <= 3; dx++) {
          const x = cx + dx;
          const y = cy + dy;
          if (x < 0 || y < 0 || x >= heat!.width || y >= heat!.height || grid[y * heat!.width + x] !== 0) return false;
        }
      return true;
    });
    expect(cold).toBeDefined();
    const [hot, clear] = await overlayPixels([cell(maxI), cell(cold!)]);
    const opacity = Number(await page.getByTestId('heatmap-opacity').inputValue()) / 100;
    expect(hot[3], `hot cell ${grid[maxI]} drawn as ${hot}`).toBeGreaterThan(255 * opacity * 0.4);
    expect(clear[3]).toBe(0);
    await shot('04-heatmap-only');

    // Opacity follows the slider.
    await page.getByTestId('heatmap-opacity').fill('20');
    await expect.poll(async () => (await overlayPixels([cell(maxI)]))[0][3]).toBeLessThan(hot[3]);
    await page.getByTestId('heatmap-opacity').fill('60');
  });

  await test.step('all layers on, click a box to select its track', async () => {
    await setToggle('boxes-toggle', true);
    await setToggle('trajectories-toggle', true);
    await setToggle('zones-toggle', true);
    const top = [...overlay.observations].sort((a, b) => b.score - a.score)[0];
    const frameBox = (await page.getByTestId('frame').boundingBox())!;
    const [x1, y1, x2, y2] = top.box;
    // Just outside the box's left edge: clear until the track is selected, then covered by its halo.
    const outside: [number, number] = [x1 - 2.2 * (clip.width / frameBox.width), (y1 + y2) / 2];
    await setToggle('trajectories-toggle', false);
    await setToggle('heatmap-toggle', false);
    expect((await overlayPixels([outside]))[0][3]).toBe(0);
    await page.mouse.click(frameBox.x + (((x1 + x2) / 2) * frameBox.width) / clip.width, frameBox.y + (((y1 + y2) / 2) * frameBox.height) / clip.height);
    await expect.poll(async () => (await overlayPixels([outside]))[0][3]).toBeGreaterThan(0);
    await setToggle('trajectories-toggle', true);
    await setToggle('heatmap-toggle', true);
    await shot('05-all-layers-track-selected');
  });

  await test.step('zoom with the wheel and reset', async () => {
    const frameBox = (await page.getByTestId('frame').boundingBox())!;
    await page.mouse.move(frameBox.x + frameBox.width / 2, frameBox.y + frameBox.height / 2);
    await page.mouse.wheel(0, -300);
    await expect.poll(async () => Number(await page.getByTestId('stage').getAttribute('data-zoom'))).toBeGreaterThan(1);
    await shot('06-zoomed');
    await page.getByTestId('zoom-reset').click();
    await expect(page.getByTestId('stage')).toHaveAttribute('data-zoom', '1.00');
  });
});

test('review by keyboard: confirm with a note, bookmark, next/previous; persisted after reload', async () => {
  await releaseFocus(page);
  const item = () => page.locator(`[data-testid="event-item"][data-event-id="${planted.id}"]`);

  await test.step('C confirms the selected event; the note is saved with it', async () => {
    await item().click();
    await page.getByTestId('event-note-input').fill('Runner crossing the walkway, verified against reference footage.');
    await page.getByTestId('event-note-save').click();
    await expect(item().getByTestId('event-note')).toContainText('Runner crossing');
    await releaseFocus(page);
    await page.keyboard.press('d');
    await expect(item()).toHaveAttribute('data-review-state', 'dismissed');
    await page.keyboard.press('c');
    await expect(item()).toHaveAttribute('data-review-state', 'confirmed');
    await expect(page.getByTestId('timeline').locator(`[data-testid="timeline-event"][data-event-id="${planted.id}"]`)).toHaveAttribute('data-review-state', 'confirmed');
  });

  await test.step('M bookmarks the current frame with an automatic title', async () => {
    const frame = await frameShown();
    await page.keyboard.press('m');
    const bookmark = page.getByTestId('bookmarks').getByTestId('bookmark-item');
    await expect(bookmark).toHaveCount(1);
    await expect(bookmark).toHaveAttribute('data-frame', String(frame));
    await expect(bookmark).toContainText(`frame ${frame}`);
    await expect(page.getByTestId('timeline-bookmark')).toHaveCount(1);
    const notes = await api.call('notes.list', { caseId: ids.caseId, evidenceId: ids.evidenceId });
    expect(notes.map((n) => [n.kind, n.frame])).toEqual([['bookmark', frame]]);
  });

  await test.step('N/P move between events', async () => {
    const events = (await api.call('events.list', { caseId: ids.caseId, evidenceId: ids.evidenceId })).sort((a, b) => a.startFrame - b.startFrame);
    await stepTo(0);
    await page.keyboard.press('n');
    await expect(page.getByTestId('frame-number')).toHaveAttribute('data-frame', String(events[0].startFrame));
    await expect(page.locator(`li[aria-selected="true"] [data-testid="event-item"]`)).toHaveAttribute('data-event-id', events[0].id);
    await page.keyboard.press('End');
    await expect(page.getByTestId('frame-number')).toHaveAttribute('data-frame', String(clip.frameCount - 1));
    await page.keyboard.press('p');
    const last = [...events].reverse().find((e) => e.startFrame < clip.frameCount - 1)!;
    await expect(page.getByTestId('frame-number')).toHaveAttribute('data-frame', String(last.startFrame));
  });

  await test.step('after a reload the review, note and bookmark are still there', async () => {
    await page.reload();
    await expect(item()).toHaveAttribute('data-review-state', 'confirmed');
    await expect(item().getByTestId('event-note')).toContainText('Runner crossing');
    await expect(page.getByTestId('bookmarks').getByTestId('bookmark-item')).toHaveCount(1);
    const stored = (await api.call('events.list', { caseId: ids.caseId, evidenceId: ids.evidenceId })).find((e) => e.id === planted.id)!;
    expect(stored.reviewState).toBe('confirmed');
    expect(stored.reviewNote).toContain('Runner crossing');
    await waitForVideo(page);
    await shot('07-reviewed-after-reload');
  });

  await test.step('the bookmark is removed by keyboard after a confirmation; the audit log keeps it', async () => {
    const [mark] = await api.call('notes.list', { caseId: ids.caseId, evidenceId: ids.evidenceId });
    const row = page.getByTestId('bookmarks').getByTestId('bookmark-item');
    await row.getByTestId('note-remove').focus();
    await page.keyboard.press('Enter');
    // The question takes focus on Keep: Escape goes back without removing.
    await expect(row.getByTestId('note-remove-cancel')).toBeFocused();
    await page.keyboard.press('Escape');
    await expect(row.getByTestId('note-remove')).toBeFocused();
    await expect(row).toHaveCount(1);
    await page.keyboard.press('Enter');
    await page.keyboard.press('Shift+Tab');
    await expect(row.getByTestId('note-remove-confirm')).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(row).toHaveCount(0);
    await expect(page.getByTestId('timeline-bookmark')).toHaveCount(0);
    expect(await api.call('notes.list', { caseId: ids.caseId, evidenceId: ids.evidenceId })).toEqual([]);
    const audit = await api.call('audit.list', { caseId: ids.caseId, limit: 50 });
    const removal = audit.find((r) => r.action === 'bookmark.remove' && r.subject === mark.id);
    expect(removal?.details).toMatchObject({ title: mark.title, frame: mark.frame });
    expect((await api.call('audit.verify', {})).ok).toBe(true);
  });
});

test('status and help', async () => {
  await page.getByTestId('status-open').click();
  const status = page.getByTestId('status-dialog');
  const info = await api.call('app.info', {});
  await expect(status.getByTestId('status-db-path')).toHaveText(info.dbPath);
  await expect(status.getByTestId('status-version')).toContainText(info.version);
  await expect(status.getByTestId('status-audit')).toContainText('intact');
  const models = await api.call('models.list', {});
  await expect(status.getByTestId('model-row')).toHaveCount(models.length);
  for (const m of models) await expect(status.locator(`[data-testid="model-row"][data-model="${m.name}"]`)).toContainText(m.ep);
  await shot('11-status');
  await page.keyboard.press('Escape');
  await expect(status).toHaveCount(0);

  await releaseFocus(page);
  await page.keyboard.press('?');
  const help = page.getByTestId('help-overlay');
  await expect(help).toBeVisible();
  await expect(help).toContainText('Next / previous event');
  await shot('12-help');
  await page.keyboard.press('?');
  await expect(help).toHaveCount(0);

  expectCleanConsole();
});

test('chat: an answer with citations that seek the player; history survives a reload', async () => {
  await releaseFocus(page);
  await page.keyboard.press('/');
  const input = page.getByTestId('chat-input');
  await expect(input).toBeFocused();
  await input.fill('What happened around 0:07? Which object moved fastest?');
  await input.press('Enter');
  const answer = page.locator('[data-testid="chat-message"][data-role="assistant"]').last();
  await expect(answer).toBeVisible({ timeout: 60_000 });
  await expect(answer).not.toHaveClass(/pending/);
  const conversations = await api.call('chat.list', { caseId: ids.caseId });
  expect(conversations).toHaveLength(1);
  const conv = await api.call('chat.get', { caseId: ids.caseId, conversationId: conversations[0].id });
  const reply = conv.messages.filter((m) => m.role === 'assistant').at(-1)!;
  await expect(answer).toHaveAttribute('data-refused', String(reply.refused));
  if (reply.refused) await expect(answer.getByTestId('chat-refused')).toBeVisible();
  await expect(answer.getByTestId('citation')).toHaveCount(reply.citations.length);
  if (reply.citations.length > 0) {
    const c = reply.citations[0];
    const target = c.frame ?? Math.floor(c.startTime * clip.fps + 1e-6);
    await stepTo(target === 0 ? 5 : 0);
    await answer.getByTestId('citation').first().click();
    await expect(page.getByTestId('frame-number')).toHaveAttribute('data-frame', String(target));
    await expect(answer.getByTestId('citation').first()).toHaveClass(/active/);
    await shot('08-chat-citation');
  }

  // A second turn in the same conversation; a question the footage cannot answer is shown as refused.
  await input.fill('What is the name of the person who ran?');
  await input.press('Enter');
  await expect(page.locator('[data-testid="chat-message"][data-role="assistant"]')).toHaveCount(2, { timeout: 60_000 });
  const second = page.locator('[data-testid="chat-message"][data-role="assistant"]').last();
  await expect(second).not.toHaveClass(/pending/);
  expect(await api.call('chat.list', { caseId: ids.caseId })).toHaveLength(1);
  const after = await api.call('chat.get', { caseId: ids.caseId, conversationId: conversations[0].id });
  expect(after.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
  const secondReply = after.messages[3];
  await expect(second).toHaveAttribute('data-refused', String(secondReply.refused));
  await expect(second.getByTestId('chat-refused')).toHaveCount(secondReply.refused ? 1 : 0);
  await shot('08b-chat-second-turn');

  await page.reload();
  await page.getByTestId('tab-chat').click();
  await expect(page.getByTestId('chat-message')).toHaveCount(after.messages.length);
  expectCleanConsole();
});

test('zones: draw a polygon on the frame, name it, rename and redraw it', async () => {
  await page.getByTestId('tab-zones').click();
  await page.getByTestId('zone-draw').click();
  const f = (await page.getByTestId('frame').boundingBox())!;
  const clickCorners = async (points: [number, number][]) => {
    for (const [x, y] of points) await page.mouse.click(f.x + (x * f.width) / clip.width, f.y + (y * f.height) / clip.height);
    await page.keyboard.press('Enter');
  };
  // A first, smaller outline under a first name; both are then changed through the zone's row.
  await clickCorners([
    [60, 60],
    [160, 60],
    [110, 110],
  ]);
  await page.getByTestId('zone-name').fill('Walkway');
  await page.getByTestId('zone-save').click();
  const item = page.getByTestId('zone-item');
  await expect(item).toContainText('Walkway');
  await expect(item).toContainText('3 pts');

  await item.getByTestId('zone-rename').click();
  await expect(item.getByTestId('zone-rename-input')).toBeFocused();
  await item.getByTestId('zone-rename-input').fill('Walkway north');
  await page.keyboard.press('Enter');
  await expect(item.getByTestId('zone-rename-input')).toHaveCount(0);
  await expect(item).toContainText('Walkway north');

  const corners: [number, number][] = [
    [40, 40],
    [200, 40],
    [200, 120],
    [40, 120],
  ];
  await item.getByTestId('zone-redraw').click();
  await clickCorners(corners);
  await page.getByTestId('zone-outline-save').click();
  await expect(item).toContainText('4 pts');
  const [zoneId] = await item.evaluateAll((els) => els.map((e) => e.getAttribute('data-zone-id')));
  const updates = (await api.call('audit.list', { caseId: ids.caseId, limit: 50 })).filter((r) => r.action === 'zone.update' && r.subject === zoneId).reverse();
  expect(updates.map((r) => [(r.details.before as { name: string }).name, (r.details.after as { name: string }).name])).toEqual([
    ['Walkway', 'Walkway north'],
    ['Walkway north', 'Walkway north'],
  ]);
  const zones = await api.call('zones.list', { caseId: ids.caseId, evidenceId: ids.evidenceId });
  expect(zones).toHaveLength(1);
  zones[0].polygon.forEach(([x, y], i) => {
    expect(Math.abs(x - corners[i][0])).toBeLessThan(2);
    expect(Math.abs(y - corners[i][1])).toBeLessThan(2);
  });
  await setToggle('heatmap-toggle', false);
  await setToggle('boxes-toggle', false);
  await setToggle('trajectories-toggle', false);
  // The zone's edge is painted (dashed: sample a short run along the top edge).
  const run = await overlayPixels(Array.from({ length: 12 }, (_, i) => [100 + i, 40] as [number, number]));
  expect(run.some((p) => p[3] > 0)).toBe(true);
  await setToggle('heatmap-toggle', true);
  await setToggle('boxes-toggle', true);
  await setToggle('trajectories-toggle', true);
  await shot('09-zone');

  // A definition that names the zone: accepted and listed, or refused with the engine's reason.
  await page.getByTestId('definition-input').fill('person stationary > 60 s in Walkway north');
  await page.getByTestId('definition-add').click();
  await expect(page.getByTestId('definition-item').or(page.getByTestId('definition-error'))).toBeVisible();
  const defs = await api.call('definitions.list', { caseId: ids.caseId });
  if (defs.length > 0) await expect(page.getByTestId('definition-item')).toContainText('Walkway north');
  else await expect(page.getByTestId('definition-error')).not.toBeEmpty();
  await shot('09b-definition');
  expectCleanConsole();
});

test('export a report with the confirmed event and open the PDF', async () => {
  await page.getByTestId('report-open-dialog').click();
  const dialog = page.getByTestId('report-dialog');
  await dialog.getByTestId('report-events-confirmed').check();
  await dialog.getByTestId('report-export').click();
  const progress = dialog.getByTestId('report-progress');
  await expect(progress).toHaveAttribute('data-state', /^(done|failed|cancelled|interrupted)$/, { timeout: 120_000 });
  expect(await progress.getAttribute('data-state'), (await progress.textContent()) ?? '').toBe('done');
  const link = dialog.getByTestId('report-open');
  const href = (await link.getAttribute('href'))!;
  const pdf = await page.request.get(href);
  expect(pdf.status()).toBe(200);
  expect((await pdf.body()).subarray(0, 5).toString()).toBe('%PDF-');
  await shot('10-report');
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  expectCleanConsole();
});
