import { describe, expect, it, vi } from 'vitest';
import { QueryClient } from '@tanstack/react-query';
import type { Job } from '@vigil/engine/contract';
import { applyEvent } from '../src/hooks/use-live-updates';
import { opKey } from '../src/hooks/query-keys';
import { categoryColour, categoryLabel } from '../src/lib/categories';
import { adjacentEvent, bookmarkTitle, targetEvent } from '../src/lib/event-nav';
import { colormapLut, decodeBase64, HEAT_FLOOR, heatAlpha, heatToRgba } from '../src/player/colormap';
import { boxColour, BOX_COLOURS } from '../src/player/overlay-draw';
import { DEFAULT_OVERLAY, parseOverlaySettings } from '../src/review/overlay-settings';
import { PlayerBus } from '../src/review/player-bus';

describe('review keys: which event', () => {
  const events = [
    { id: 'b', startFrame: 50, endFrame: 80 },
    { id: 'a', startFrame: 10, endFrame: 30 },
    { id: 'c', startFrame: 50, endFrame: 60 },
  ];
  it('N/P go to the next/previous event start from the current frame', () => {
    expect(adjacentEvent(events, 0, 1)?.id).toBe('a');
    expect(adjacentEvent(events, 10, 1)?.id).toBe('c');
    expect(adjacentEvent(events, 20, -1)?.id).toBe('a');
    expect(adjacentEvent(events, 10, -1)).toBeNull();
    expect(adjacentEvent(events, 90, 1)).toBeNull();
  });
  it('walks through events that start on the same frame', () => {
    expect(adjacentEvent(events, 50, 1, 'c')?.id).toBe('b');
    expect(adjacentEvent(events, 50, -1, 'b')?.id).toBe('c');
  });
  it('C/D act on the selection, else on the event under the playhead', () => {
    expect(targetEvent(events, 0, 'b')?.id).toBe('b');
    expect(targetEvent(events, 20, null)?.id).toBe('a');
    expect(targetEvent(events, 55, null)?.id).toBe('b');
    expect(targetEvent(events, 40, null)).toBeNull();
    expect(targetEvent(events, 20, 'gone')?.id).toBe('a');
  });
  it('bookmark titles say where and in which event', () => {
    expect(bookmarkTitle(2, '00:00:04.000', 60, null)).toBe('Bookmark 2 · 00:00:04.000 · frame 60');
    expect(bookmarkTitle(1, '00:00:06.000', 90, { seq: 3, category: 'running' })).toBe('Bookmark 1 · 00:00:06.000 · frame 90 · in event #3 (running)');
  });
});

describe('heatmap colouring', () => {
  it('LUT runs from the first to the last stop', () => {
    const lut = colormapLut('hot');
    expect([lut[0], lut[1], lut[2]]).toEqual([0, 0, 0]);
    expect([lut[765], lut[766], lut[767]]).toEqual([255, 255, 255]);
  });
  it('alpha is zero at and below the floor, grows with the score, capped by the opacity', () => {
    expect(heatAlpha(0, 1)).toBe(0);
    expect(heatAlpha(Math.floor(HEAT_FLOOR * 255), 1)).toBe(0);
    let prev = 0;
    for (let v = 20; v <= 255; v += 5) {
      const a = heatAlpha(v, 0.6);
      expect(a).toBeGreaterThanOrEqual(prev);
      prev = a;
    }
    expect(heatAlpha(255, 0.6)).toBeCloseTo(0.6);
  });
  it('turns a grid into RGBA pixels', () => {
    const px = heatToRgba(Uint8Array.from([0, 255]), 'inferno', 1);
    expect(px[3]).toBe(0);
    expect(px[7]).toBe(255);
    expect(Array.from(decodeBase64(Buffer.from([1, 2, 250]).toString('base64')))).toEqual([1, 2, 250]);
  });
  it('boxes are coloured by score against the event threshold', () => {
    expect(boxColour(0.1, 0.6)).toBe(BOX_COLOURS.normal);
    expect(boxColour(0.35, 0.6)).toBe(BOX_COLOURS.elevated);
    expect(boxColour(0.6, 0.6)).toBe(BOX_COLOURS.anomalous);
  });
});

describe('categories and settings', () => {
  it('fixed colours for the taxonomy, stable ones for open categories', () => {
    expect(categoryColour('running')).toBe(categoryColour('Running'));
    expect(categoryColour('loitering')).not.toBe(categoryColour('running'));
    expect(categoryColour('person near the gate')).toBe(categoryColour('person near the gate'));
    expect(categoryLabel(null)).toBe('Anomaly');
    expect(categoryLabel('wrong-way movement')).toBe('Wrong-way movement');
  });
  it('overlay settings survive malformed storage field by field', () => {
    expect(parseOverlaySettings(null)).toEqual(DEFAULT_OVERLAY);
    expect(parseOverlaySettings('{not json')).toEqual(DEFAULT_OVERLAY);
    expect(parseOverlaySettings(JSON.stringify({ heatmap: false, heatmapOpacity: 7, colormap: 'nope', boxes: 'yes' }))).toEqual({ ...DEFAULT_OVERLAY, heatmap: false });
    expect(parseOverlaySettings(JSON.stringify({ colormap: 'turbo', heatmapOpacity: 0.3 }))).toMatchObject({ colormap: 'turbo', heatmapOpacity: 0.3 });
  });
});

describe('player bus', () => {
  it('notifies readers only when the frame or play state changes', () => {
    const bus = new PlayerBus();
    const l = vi.fn();
    bus.subscribe(l);
    bus.publish({ evidenceId: 'ev', frame: 3, playing: false });
    bus.publish({ evidenceId: 'ev', frame: 3, playing: false });
    bus.publish({ evidenceId: 'ev', frame: 4, playing: false });
    expect(l).toHaveBeenCalledTimes(2);
    expect(bus.getSnapshot().frame).toBe(4);
  });
  it('a seek for a player that is not ready waits for it, and only for that evidence', () => {
    const bus = new PlayerBus();
    const a = { seekFrame: vi.fn(), play: vi.fn(), pause: vi.fn() };
    const b = { seekFrame: vi.fn(), play: vi.fn(), pause: vi.fn() };
    const detachA = bus.attach('ev_a', a);
    bus.markReady('ev_a');
    bus.seek('ev_a', 10);
    expect(a.seekFrame).toHaveBeenLastCalledWith(10);
    // A citation on another clip: the seek waits until that clip's player is ready.
    bus.seek('ev_b', 42);
    detachA();
    bus.attach('ev_b', b);
    expect(b.seekFrame).not.toHaveBeenCalled();
    bus.markReady('ev_a');
    expect(b.seekFrame).not.toHaveBeenCalled();
    bus.markReady('ev_b');
    expect(b.seekFrame).toHaveBeenCalledWith(42);
    bus.markReady('ev_b');
    expect(b.seekFrame).toHaveBeenCalledTimes(1);
  });
});

describe('analysis results reach the cache', () => {
  const caseId = 'case_aaaaaaaaaaaa';
  const stale = (qc: QueryClient) =>
    qc
      .getQueryCache()
      .getAll()
      .filter((q) => q.state.isInvalidated)
      .map((q) => q.queryKey[1])
      .sort();
  const seed = (qc: QueryClient) => {
    for (const [op, input] of [
      ['analysis.list', { evidenceId: 'ev_aaaaaaaaaaaa' }],
      ['analysis.scores', { analysisId: 'an_aaaaaaaaaaaa' }],
      ['events.list', { caseId }],
      ['evidence.list', { caseId }],
      ['chat.list', { caseId }],
    ] as const) qc.setQueryData(opKey(op, input), []);
  };
  it('a finished analysis job refreshes analyses and events, not unrelated lists', () => {
    const qc = new QueryClient();
    seed(qc);
    const job: Job = {
      id: 'job_aaaaaaaaaaaa', caseId, kind: 'analysis', state: 'done', progress: 1, stage: 'events', error: null, targetId: 'an_aaaaaaaaaaaa',
      createdAt: '2026-01-01T00:00:00.000Z', startedAt: '2026-01-01T00:00:00.000Z', finishedAt: '2026-01-01T00:00:09.000Z', etaS: null,
    };
    applyEvent(qc, { type: 'job', job });
    expect(stale(qc)).toEqual(['analysis.list', 'analysis.scores', 'events.list']);
  });
  it('changed conversations refresh the chat queries', () => {
    const qc = new QueryClient();
    seed(qc);
    applyEvent(qc, { type: 'changed', caseId, what: 'conversations' });
    expect(stale(qc)).toEqual(['chat.list']);
  });
});
