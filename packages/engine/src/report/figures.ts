/** Report figures from the model: the chart inputs of an analysis' timeline and trajectory overview. */
import { timelineSvg, trajectorySvg, type TrajectoryPathInput } from './charts.js';
import type { ReportAnalysis, ReportEvent, ReportExhibit } from './model.js';

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

export function renderTimeline(a: ReportAnalysis, x: ReportExhibit, events: readonly ReportEvent[]): string {
  return timelineSvg({
    scores: a.scores,
    durationS: x.durationS,
    enterThreshold: num(a.params.enterThreshold),
    exitThreshold: num(a.params.exitThreshold),
    events: events.map((e) => ({ label: e.label, startTime: e.startTime, endTime: e.endTime, reviewState: e.reviewState })),
  });
}

/** Printed width of the trajectory overview: 140 mm, narrower for tall frames (at most ~105 mm high). */
export const overviewWidthMm = (x: ReportExhibit): number => Math.min(140, (105 * x.width) / Math.max(1, x.height));

export function renderTrajectories(x: ReportExhibit, background: string | null, paths: readonly TrajectoryPathInput[]): string {
  return trajectorySvg({ width: x.width, height: x.height, background, paths, printWidthMm: overviewWidthMm(x) });
}
