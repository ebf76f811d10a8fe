/**
 * The report as one self-contained HTML document (inline CSS, images as data: URIs, no script, no
 * external resource), laid out for A4 print by Chromium. Running header and footer (case, report id,
 * page X of Y) come from the print options (`printOptions`), since CSS page-margin boxes are not
 * supported by Chromium's printer.
 *
 * Every value is escaped; figures are inline SVG (vector, selectable text) or burnt-in PNG stills.
 */
import type { TrajectoryPathInput } from './charts.js';
import { overviewWidthMm, renderTimeline, renderTrajectories } from './figures.js';
import { esc, fmtBytes, fmtDate, fmtElapsed, fmtNum, fmtPct, fmtTime, capitalise } from './format.js';
import { FRAME_HASH_COMMAND } from './keyframes.js';
import { MANIFEST_NAME } from './manifest.js';
import type { ReportAnalysis, ReportEvent, ReportExhibit, ReportKeyframe, ReportModel } from './model.js';
import { pngDataUri } from './png.js';
import type { PrintOptions } from './printer.js';
import type { ReportCitation } from './reasoning-source.js';
import { HEAT_ANCHORS } from './raster.js';

export interface TemplateInput {
  model: ReportModel;
  manifestSha256: string;
  /** Trajectory overview backgrounds by evidence id (PNG data URIs). */
  backgrounds: Map<string, string>;
  /** Paths for each analysis' trajectory overview (analysis id → paths), from overviewPaths(). */
  overview: Map<string, TrajectoryPathInput[]>;
}

const FONT = `"Liberation Sans", Arial, Helvetica, "DejaVu Sans", sans-serif`;
const MONO = `"DejaVu Sans Mono", "Liberation Mono", "Courier New", monospace`;

const CSS = `
@page { size: A4; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0; font-family: ${FONT}; font-size: 9.2pt; line-height: 1.4; color: #1b1f24; }
h1 { font-size: 21pt; margin: 0 0 2pt; color: #14263f; letter-spacing: -0.2pt; }
h2 { font-size: 13pt; color: #1f3a5f; margin: 16pt 0 6pt; padding-bottom: 3pt; border-bottom: 1.3pt solid #1f3a5f; break-after: avoid; }
h3 { font-size: 10.5pt; color: #1f3a5f; margin: 11pt 0 4pt; break-after: avoid; }
h4 { font-size: 9.3pt; margin: 8pt 0 3pt; color: #333; break-after: avoid; }
p { margin: 0 0 5pt; }
p.lead { break-after: avoid; }
.mono, code { font-family: ${MONO}; font-size: 7.4pt; }
.hash { font-family: ${MONO}; font-size: 7.2pt; word-break: break-all; }
.muted { color: #5b6470; }
.small { font-size: 7.8pt; }
table { border-collapse: collapse; width: 100%; margin: 2pt 0 6pt; }
th, td { text-align: left; vertical-align: top; padding: 2.6pt 4pt; border-bottom: 0.5pt solid #d6dbe1; }
thead th { background: #e9eef4; color: #1f3a5f; font-size: 7.8pt; font-weight: 700; border-bottom: 0.8pt solid #9fb0c4; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
table.kv th { width: 28%; font-weight: 600; color: #46505c; background: none; font-size: 8.4pt; }
table.compact td, table.compact th { padding: 1.6pt 3pt; font-size: 7.6pt; }
table.params td { font-size: 7.4pt; padding: 1.2pt 3pt; }
table.params td.k { color: #46505c; width: 22%; }
.masthead { display: flex; justify-content: space-between; align-items: flex-end; border-bottom: 2.4pt solid #14263f; padding-bottom: 5pt; margin-bottom: 10pt; }
.brand { font-size: 8pt; letter-spacing: 2.2pt; font-weight: 700; color: #14263f; text-transform: uppercase; }
.doc-type { font-size: 8pt; color: #5b6470; text-transform: uppercase; letter-spacing: 1pt; }
.subtitle { color: #46505c; font-size: 10pt; margin-bottom: 10pt; }
.box { border: 0.8pt solid #b8c4d2; background: #f4f7fa; padding: 6pt 8pt; margin: 6pt 0 8pt; break-inside: avoid; }
.box.notice { border-color: #1f3a5f; border-left: 3pt solid #1f3a5f; }
.box.warn { border-color: #c98a00; border-left: 3pt solid #c98a00; background: #fff9ec; }
.box.alert { border-color: #b0302a; border-left: 3pt solid #b0302a; background: #fdf1f0; }
.box h4 { margin-top: 0; }
.badge { display: inline-block; padding: 0.5pt 5pt; border-radius: 6pt; font-size: 7.4pt; font-weight: 700; letter-spacing: 0.3pt; text-transform: uppercase; border: 0.6pt solid; }
.badge.confirmed { color: #8a2a10; border-color: #d55e00; background: #fde9dc; }
.badge.unreviewed { color: #7a5300; border-color: #e69f00; background: #fff3d6; }
.badge.dismissed { color: #505050; border-color: #9a9a9a; background: #efefef; }
.badge.match { color: #0b5d3b; border-color: #009e73; background: #e2f5ee; }
.badge.mismatch, .badge.missing { color: #8a1c16; border-color: #b0302a; background: #fde4e2; }
.badge.skipped, .badge.pending { color: #505050; border-color: #9a9a9a; background: #efefef; }
.event { break-before: page; }
.event.first { break-before: auto; margin-top: 10pt; }
.event-head { display: flex; justify-content: space-between; align-items: baseline; border-bottom: 1.3pt solid #1f3a5f; margin: 0 0 6pt; padding-bottom: 3pt; }
.event-head h2 { border: none; margin: 0; padding: 0; }
figure { margin: 4pt 0 8pt; break-inside: avoid; }
figure img { display: block; width: 100%; height: auto; border: 0.5pt solid #7d8793; }
figure .figure-svg { display: block; width: 100%; height: auto; }
figcaption { font-size: 7.6pt; color: #39414b; margin-top: 2.5pt; line-height: 1.35; }
figcaption b { color: #1b1f24; }
.stills { display: flex; gap: 4mm; align-items: flex-start; break-inside: avoid; }
.stills .main { flex: 2 1 0; min-width: 0; }
.stills .side { flex: 1 1 0; min-width: 0; display: flex; flex-direction: column; gap: 1mm; }
.stills img { max-height: 110mm; width: auto; max-width: 100%; }
.stills .side img { max-height: 52mm; }
.overview { margin-left: auto; margin-right: auto; }
ol.steps { margin: 2pt 0 6pt; padding-left: 0; list-style: none; counter-reset: step; }
ol.steps li { margin: 0 0 4pt; padding: 3pt 6pt 3pt 8pt; border-left: 2pt solid #9fb0c4; break-inside: avoid; }
ol.steps li.conclusion { border-left-color: #1f3a5f; background: #f4f7fa; }
.step-kind { font-size: 7pt; font-weight: 700; text-transform: uppercase; letter-spacing: 0.6pt; color: #1f3a5f; margin-right: 4pt; }
.cite { display: inline-block; font-family: ${MONO}; font-size: 6.9pt; color: #1f3a5f; background: #e9eef4; border: 0.5pt solid #b8c4d2; border-radius: 2pt; padding: 0 3pt; margin: 1pt 2pt 0 0; white-space: nowrap; }
.legend { display: flex; gap: 10pt; flex-wrap: wrap; font-size: 7.4pt; color: #39414b; margin-top: 2pt; }
.swatch { display: inline-block; width: 9pt; height: 6pt; vertical-align: middle; margin-right: 3pt; border: 0.5pt solid #666; }
.heat-ramp { display: inline-block; width: 70pt; height: 6pt; vertical-align: middle; border: 0.5pt solid #666; margin: 0 3pt; }
.msg { margin: 0 0 5pt; padding: 4pt 7pt; border-radius: 3pt; break-inside: avoid; }
.msg.user { background: #eef1f4; }
.msg.assistant { background: #fff; border: 0.6pt solid #cbd3dc; }
.msg .who { font-size: 7.2pt; font-weight: 700; text-transform: uppercase; letter-spacing: 0.5pt; color: #46505c; }
.audit td { font-size: 7pt; padding: 1.2pt 3pt; }
.audit td.details { font-family: ${MONO}; font-size: 6.4pt; word-break: break-all; color: #39414b; }
.nobreak { break-inside: avoid; }
.section { break-before: page; }
.toc td { border: none; padding: 1pt 4pt; }
`;

const reviewLabel = { unreviewed: 'Unreviewed', confirmed: 'Confirmed by analyst', dismissed: 'Dismissed by analyst' } as const;

function badge(kind: string, text: string): string {
  return `<span class="badge ${esc(kind)}">${esc(text)}</span>`;
}

function kvTable(rows: [string, string][]): string {
  return `<table class="kv">${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${v}</td></tr>`).join('')}</table>`;
}

function timeRange(a: number, b: number): string {
  return `${fmtTime(a)} – ${fmtTime(b)}`;
}

/** Flattens nested parameters to dotted keys with printable values. */
export function flattenParams(obj: unknown, prefix = '', out: [string, string][] = []): [string, string][] {
  if (obj === null || obj === undefined) {
    out.push([prefix, String(obj)]);
  } else if (Array.isArray(obj)) {
    const prim = obj.every((v) => v === null || typeof v !== 'object');
    if (prim) out.push([prefix, obj.length ? obj.map((v) => (typeof v === 'number' ? fmtNum(v, 4) : String(v))).join(', ') : '(none)']);
    else obj.forEach((v, i) => flattenParams(v, `${prefix}[${i}]`, out));
  } else if (typeof obj === 'object') {
    for (const [k, v] of Object.entries(obj as Record<string, unknown>)) flattenParams(v, prefix ? `${prefix}.${k}` : k, out);
  } else {
    out.push([prefix, typeof obj === 'number' ? fmtNum(obj, 4) : String(obj)]);
  }
  return out;
}

/** Key/value pairs in a table of `cols` pairs per row. */
function paramsTable(pairs: [string, string][], cols = 2): string {
  const rows: string[] = [];
  for (let i = 0; i < pairs.length; i += cols) {
    const cells = pairs.slice(i, i + cols).map(([k, v]) => `<td class="k mono">${esc(k)}</td><td class="mono">${esc(v)}</td>`);
    while (cells.length < cols) cells.push('<td></td><td></td>');
    rows.push(`<tr>${cells.join('')}</tr>`);
  }
  return `<table class="params">${rows.join('')}</table>`;
}

function citation(c: ReportCitation, exhibitLabel: (evidenceId: string) => string): string {
  const range = Math.abs(c.endTime - c.startTime) < 5e-4 ? fmtTime(c.startTime) : timeRange(c.startTime, c.endTime);
  const bits = [exhibitLabel(c.evidenceId), range];
  if (c.frame !== undefined && c.frame !== null) bits.push(`frame ${c.frame}`);
  if (c.trackIds?.length) bits.push(c.trackIds.map((t) => `#${t}`).join(' '));
  return `<span class="cite">[${esc(bits.join(' · '))}]</span>`;
}

function dateRange(values: (string | null)[]): string {
  const v = values.filter((x): x is string => !!x).sort();
  if (!v.length) return '—';
  return v[0] === v[v.length - 1] ? fmtDate(v[0]) : `${fmtDate(v[0])} – ${fmtDate(v[v.length - 1])}`;
}

function header(m: ReportModel, manifestSha256: string): string {
  const scope = m.summary.selection
    ? `Selection of ${m.events.length} event${m.events.length === 1 ? '' : 's'} chosen by the analyst`
    : 'All events of the latest completed analysis of each exhibit';
  return `
<div class="masthead"><div><div class="brand">Vigil</div><div class="doc-type">Forensic video analysis report</div></div>
<div class="doc-type">Report ${esc(m.reportId)}</div></div>
<h1>${esc(m.case.name)}</h1>
<div class="subtitle">Video anomaly analysis — case report${m.case.description ? ` · ${esc(m.case.description)}` : ''}</div>
${kvTable([
  ['Case name', esc(m.case.name)],
  ['Case ID', `<span class="mono">${esc(m.case.id)}</span>`],
  ['Examiner', esc(m.case.examiner ?? 'Not recorded')],
  ['Case opened', fmtDate(m.case.createdAt)],
  ['Evidence imported', dateRange(m.exhibits.map((x) => x.importedAt))],
  ['Analyses run', dateRange(m.analyses.map((a) => a.finishedAt ?? a.createdAt))],
  ['Report generated', fmtDate(m.generatedAt)],
  ['Report ID', `<span class="mono">${esc(m.reportId)}</span>`],
  ['Software', `Vigil ${esc(m.vigilVersion)}`],
  ['Scope', esc(scope) + (m.options.transcript ? '; chat transcript included' : '')],
  ['Embedded manifest', `<span class="mono">${MANIFEST_NAME}</span>, SHA-256 <span class="hash">${esc(manifestSha256)}</span>`],
])}`;
}

function warningsBox(m: ReportModel): string {
  if (!m.warnings.length) return '';
  return `<div class="box warn"><h4>Limitations of this report</h4><ul>${m.warnings.map((w) => `<li>${esc(w)}</li>`).join('')}</ul></div>`;
}

function summarySection(m: ReportModel, n: number): string {
  const s = m.summary;
  const parts: string[] = [`<h2>${n}. Summary of findings</h2>`];
  if (s.exhibits === 0) {
    parts.push(`<div class="box notice"><p><b>No evidence has been imported into this case.</b> No analysis has been run, so this report contains no findings. It records the case details and the case's audit log.</p></div>`);
    return parts.join('');
  }
  if (s.noAnalysis) {
    parts.push(`<div class="box notice"><p><b>No anomaly analysis has been run on the evidence in this case.</b> This report therefore contains no findings: it documents the ${s.exhibits} exhibit${s.exhibits === 1 ? '' : 's'} (with their hashes and metadata) and the case's audit log only.</p></div>`);
    return parts.join('');
  }
  const ev = s.events;
  parts.push(`<p>${s.exhibits} exhibit${s.exhibits === 1 ? ' is' : 's are'} part of this case; ${s.analysedExhibits} ${s.analysedExhibits === 1 ? 'has' : 'have'} a completed anomaly analysis. ` +
    (ev === 0
      ? `<b>No anomalous events are reported.</b> ${s.selection ? '' : 'The analysis found no interval in which the anomaly score exceeded the event threshold.'}`
      : `<b>${ev} event${ev === 1 ? ' is' : 's are'} reported</b>: ${s.byReview.confirmed} confirmed by the analyst, ${s.byReview.unreviewed} not yet reviewed, ${s.byReview.dismissed} dismissed.`) +
    '</p>');
  if (s.selection) {
    const left = s.eventsNotSelected;
    parts.push(`<p>This report covers a selection of ${ev} event${ev === 1 ? '' : 's'} chosen by the analyst; ${left === 0 ? 'it includes every event of the analyses concerned' : `${left} further event${left === 1 ? ' of the same analyses is' : 's of the same analyses are'} not included`}.</p>`);
  }
  for (const label of s.unanalysedExhibits) {
    const x = m.exhibits.find((e) => e.label === label)!;
    parts.push(`<p><b>No analysis has been run on ${esc(label)}</b> (${esc(x.fileName)}); it is listed as an exhibit only.</p>`);
  }
  if (s.byCategory.length) parts.push(`<p>Categories: ${s.byCategory.map((c) => `${esc(c.category)} (${c.count})`).join(', ')}.</p>`);
  if (m.events.length) {
    parts.push(`<table class="compact"><thead><tr><th>Event</th><th>Exhibit</th><th>Time in footage</th><th>Frames</th><th>Category</th><th>Confidence</th><th>Peak score</th><th>Review</th></tr></thead><tbody>
${m.events.map((e) => `<tr><td><b>${esc(e.label)}</b></td><td>${esc(e.exhibit)}</td><td>${timeRange(e.startTime, e.endTime)}</td><td>${e.startFrame}–${e.endFrame}</td><td>${esc(e.displayCategory ?? 'uncategorised')}</td><td>${fmtPct(e.confidence)}</td><td>${fmtNum(e.peakScore, 2)}</td><td>${badge(e.reviewState, e.reviewState)}</td></tr>`).join('')}
</tbody></table>`);
  }
  return parts.join('');
}

function aiStatement(m: ReportModel, n: number): string {
  if (m.summary.noAnalysis) {
    return `<h2>${n}. AI-assistance statement</h2>
<div class="box notice"><p>This report was generated by Vigil ${esc(m.vigilVersion)}, video-analysis software. No automated analysis has been run on the evidence of this case, so the report contains no automated findings: only the case details, the exhibits' metadata and hashes (computed when they were imported) and the audit log. All processing ran locally on the examiner's workstation.</p></div>`;
  }
  const models = [...new Map(m.analyses.flatMap((a) => a.models).map((x) => [x.sha256, x])).values()];
  const modelText = models.length
    ? `the object-detection model${models.length === 1 ? '' : 's'} ${models.map((x) => esc(x.name)).join(', ')} together with motion analysis and statistical models of normal activity`
    : 'motion analysis and statistical models of normal activity (no neural network model was used)';
  return `<h2>${n}. AI-assistance statement</h2>
<div class="box notice">
<p>This report was prepared with the assistance of Vigil ${esc(m.vigilVersion)}, automated video-analysis software. The anomalous events, object tracks, heatmaps, anomaly scores, confidence values and the written reasoning for each event were produced automatically by software, using ${modelText}.</p>
<p>The reasoning for each event is composed by the software from the values it measured (speeds, directions, sizes, positions, durations) and from its model of normal activity; every statement cites the exhibit, time and frame it rests on. It is not an independent human observation.</p>
<p>Automated findings are investigative leads. They show where the footage differs from the normal activity learned from reference footage (or from the footage itself) and can be wrong in both directions: events can be missed and ordinary activity can be flagged. An event's review state records whether an analyst has examined it — only events marked <i>confirmed</i> have been checked by a person. Conclusions must be drawn by a qualified examiner from the original footage, whose integrity is recorded by its SHA-256 below.</p>
<p>All processing ran locally on the examiner's workstation; no footage or data was sent to an external service.</p>
</div>`;
}

function verificationText(x: ReportExhibit): string {
  const v = x.verification;
  switch (v.status) {
    case 'match': return `${badge('match', 'verified')} re-hashed at ${fmtDate(v.checkedAt)}: identical to the recorded SHA-256.`;
    case 'mismatch': return `${badge('mismatch', 'mismatch')} re-hashed at ${fmtDate(v.checkedAt)}: the file now hashes to <span class="hash">${esc(v.sha256)}</span>. It is not the file that was imported.`;
    case 'missing': return `${badge('missing', 'unavailable')} checked at ${fmtDate(v.checkedAt)}: ${esc(v.reason)}.`;
    case 'skipped': return `${badge('skipped', 'not re-checked')} the original was not re-hashed for this report.`;
    case 'pending': return `${badge('pending', 'not re-checked')}`;
  }
}

function exhibitsSection(m: ReportModel, n: number): string {
  if (!m.exhibits.length) return `<h2>${n}. Exhibits</h2><p>No evidence has been imported into this case.</p>`;
  const rows = m.exhibits.map((x) => `
<tbody class="nobreak"><tr><td><b>${esc(x.label)}</b></td><td>${esc(x.fileName)}<div class="muted small">${fmtBytes(x.sizeBytes)}</div></td>
<td>${esc(x.container.split(',')[0])} / ${esc(x.codec)}<div class="muted small">${esc(x.pixFmt)}${x.rotation ? `, rotated ${x.rotation}°` : ''}</div></td>
<td>${x.width}×${x.height}</td><td>${fmtNum(x.fps, 3)}${x.vfr ? ' (variable)' : ''}</td>
<td>${fmtTime(x.durationS)}<div class="muted small">${x.frameCount} frames (${esc(x.frameCountSource)})</div></td>
<td>${esc(x.timingSource)}</td></tr>
<tr><td></td><td colspan="6" class="small">SHA-256 <span class="hash">${esc(x.sha256)}</span><br>${verificationText(x)}<br>
<span class="muted">Imported ${fmtDate(x.importedAt)} from <span class="mono">${esc(x.originalPath)}</span>${x.creationTime ? `; container creation time ${esc(x.creationTime)}` : ''}. Evidence ID <span class="mono">${esc(x.evidenceId)}</span>.</span>
${x.probeWarnings.length ? `<br><span class="muted">Media notes: ${x.probeWarnings.map(esc).join('; ')}</span>` : ''}</td></tr></tbody>`);
  return `<h2>${n}. Exhibits</h2>
<p class="lead">The footage files examined. Originals are never modified: Vigil reads them read-only and records each file's SHA-256 at import.</p>
<table class="compact"><thead><tr><th>Ref</th><th>File</th><th>Container / codec</th><th>Resolution</th><th>Frame rate</th><th>Duration</th><th>Timing source</th></tr></thead>${rows.join('')}</table>`;
}

function analysisBlock(m: ReportModel, a: ReportAnalysis): string {
  const exhibit = m.exhibits.find((x) => x.evidenceId === a.evidenceId)!;
  const items = a.reference.items.map((r) => (r.fileName ? `${esc(r.exhibit ?? '')} ${esc(r.fileName)} (SHA-256 <span class="hash">${esc(r.sha256 ?? '')}</span>)` : `<span class="mono">${esc(r.ref)}</span>`)).join('<br>');
  const ref = a.reference.kind === 'footage'
    ? items
    : a.reference.items.length
      ? `Self-referenced together with other footage of the same camera, not known to be normal: normal activity was learned from this footage and<br>${items}`
      : 'Self-referenced: normal activity was learned from this footage itself.';
  const models = a.models.length
    ? `<table class="compact"><thead><tr><th>Model</th><th>SHA-256</th><th>Source</th><th>Execution provider</th></tr></thead><tbody>${a.models.map((x) => `<tr><td>${esc(x.name)}</td><td class="hash">${esc(x.sha256)}</td><td class="small">${esc(x.source)}</td><td>${esc(x.ep)}</td></tr>`).join('')}</tbody></table>`
    : '<p class="small">No neural network model was used in this analysis (motion-based detection and tracking only).</p>';
  const job = a.job;
  // The analysis' own notes (the camera shook or turned, few objects, …) are how to read it: a list of their
  // own, not a statistic.
  const { notes: rawNotes, ...rest } = a.stats ?? {};
  const notes = Array.isArray(rawNotes) ? rawNotes.map(String) : [];
  const stats = a.stats ? flattenParams(rest).filter(([k]) => !/^perspective\./.test(k)) : [];
  return `<div class="nobreak"><h3>Analysis of ${esc(exhibit.label)} <span class="mono muted">${esc(a.id)}</span>${a.isLatest ? '' : ' <span class="muted small">(earlier analysis, cited by a selected event)</span>'}</h3>
${kvTable([
  ['Software version', `Vigil ${esc(a.engineVersion)}`],
  ['State', esc(a.state)],
  ['Analysis started / finished', `${fmtDate(a.createdAt)} / ${fmtDate(a.finishedAt)}`],
  ['Job', job ? `<span class="mono">${esc(job.id)}</span> — queued ${fmtDate(job.createdAt)}, started ${fmtDate(job.startedAt)}, finished ${fmtDate(job.finishedAt)} (${fmtElapsed(job.startedAt, job.finishedAt)})` : 'Run outside the job queue'],
  ['Execution provider', a.executionProviders.length ? a.executionProviders.map(esc).join(', ') : 'CPU (no neural model)'],
  ['Reference footage', ref],
  ['Analysed frames', `${a.scores.length}`],
])}</div>
${notes.length ? `<h4>Notes on this analysis</h4><ul class="analysis-notes">${notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : ''}
<h4>Models</h4>${models}
<h4>Analysis parameters</h4>${paramsTable(flattenParams(a.params))}
${stats.length ? `<h4>Run statistics</h4>${paramsTable(stats)}` : ''}`;
}

function processingSection(m: ReportModel, n: number): string {
  if (!m.analyses.length) return `<h2>${n}. Processing history</h2><p><b>No analysis has been run.</b> Only import processing (hashing and probing) has been applied to the exhibits.</p>`;
  return `<h2>${n}. Processing history</h2>
<p class="lead">Everything needed to reproduce each analysis: software version, models with their hashes, execution provider, parameters and reference footage.</p>
${m.analyses.map((a) => analysisBlock(m, a)).join('')}`;
}

function timelineSection(m: ReportModel, n: number, t: TemplateInput, fig: { n: number }): string {
  const done = m.analyses.filter((a) => a.scores.length);
  if (!done.length) return '';
  const parts = [`<h2 class="section">${n}. Anomaly timeline and trajectories</h2>`];
  for (const a of done) {
    const exhibit = m.exhibits.find((x) => x.evidenceId === a.evidenceId)!;
    const evs = m.events.filter((e) => e.analysisId === a.id);
    parts.push(`<figure>${renderTimeline(a, exhibit, evs)}
<figcaption><b>Figure ${fig.n++}.</b> Anomaly score of ${esc(exhibit.label)} (${esc(exhibit.fileName)}) over time, analysis <span class="mono">${esc(a.id)}</span>. Dark line: smoothed score; light line: raw per-frame score; dashed lines: thresholds that open and close an event; shaded bands: reported events.
<span class="legend"><span><span class="swatch" style="background:#d55e00"></span>confirmed</span><span><span class="swatch" style="background:#e69f00"></span>unreviewed</span><span><span class="swatch" style="background:#9a9a9a"></span>dismissed</span></span></figcaption></figure>`);
    const paths = t.overview.get(a.id);
    if (evs.length && paths) {
      parts.push(`<figure class="overview" style="width:${overviewWidthMm(exhibit).toFixed(1)}mm">${renderTrajectories(exhibit, t.backgrounds.get(a.evidenceId) ?? null, paths)}
<figcaption><b>Figure ${fig.n++}.</b> Trajectories in ${esc(exhibit.label)}: the paths of the objects in the reported events in colour (dot = first seen, arrow = last seen, labelled with event and track), all other tracked objects in white, over a faded frame of the footage.</figcaption></figure>`);
    }
  }
  return parts.join('');
}

function keyframeFigure(e: ReportEvent, k: ReportKeyframe, fig: { n: number }): string {
  const role = k.role === 'peak' ? 'Peak' : k.role === 'start' ? 'Start' : 'End';
  if (!k.png) return `<figure><div class="box warn small"><b>${role} still (frame ${k.frame}) not available.</b> ${esc(k.error ?? '')}</div></figure>`;
  return `<figure><img src="${pngDataUri(k.png)}" alt="${esc(e.label)} ${role.toLowerCase()} frame ${k.frame}">
<figcaption><b>Figure ${fig.n++}. ${esc(e.label)} ${role.toLowerCase()}</b> — ${esc(e.exhibit)} frame <b>${k.frame}</b> at <b>${k.time !== null ? fmtTime(k.time) : '—'}</b><br>Frame SHA-256 <span class="hash">${esc(k.sha256 ?? '—')}</span></figcaption></figure>`;
}

const CATEGORY_SOURCE: Record<string, string> = {
  taxonomy: "Vigil's built-in categories",
  definition: "an anomaly definition written for this case",
  attribute: 'the measured attributes alone',
};

function reasoningCategory(e: ReportEvent): string {
  const r = e.reasoning;
  if (!r?.category) return '';
  const from = r.categorySource ? ` (from ${esc(CATEGORY_SOURCE[r.categorySource] ?? r.categorySource)})` : '';
  const changed = r.storedCategory && r.storedCategory !== r.category
    ? ` The analysis recorded the category “${esc(r.storedCategory)}” when it found the event; with the case's current definitions the reasoning arrives at a different one.`
    : '';
  return `<p class="lead">The reasoning arrives at the category <b>${esc(r.category)}</b>${from}.${changed}</p>`;
}

function eventSection(m: ReportModel, e: ReportEvent, fig: { n: number }, first: boolean): string {
  const exhibitLabel = (id: string) => m.exhibits.find((x) => x.evidenceId === id)?.label ?? id;
  const tracks = e.trackIds.map((id) => {
    const t = e.tracks.find((x) => x.id === id);
    return t ? `#${id} ${esc(t.label)} (frames ${t.firstFrame}–${t.lastFrame})` : `#${id}`;
  });
  const peak = e.keyframes.find((k) => k.role === 'peak');
  const others = e.keyframes.filter((k) => k !== peak);
  const reasoning = e.reasoning
    ? `${reasoningCategory(e)}<ol class="steps">${e.reasoning.steps
        .map((s) => `<li class="${esc(s.kind.toLowerCase())}"><span class="step-kind">${esc(s.kind)}</span>${esc(s.text)}<div>${s.citations.map((c) => citation(c, exhibitLabel)).join('')}</div></li>`)
        .join('')}</ol>`
    : `<p class="muted">No written reasoning is available for this event${e.reasoningError ? ` (${esc(e.reasoningError)})` : ''}. The measured attributes below are the grounds on which it was flagged.</p>`;
  const attrs = e.topAttributes.length
    ? `<table class="compact"><thead><tr><th>Attribute</th><th>Observed</th><th>Normal here</th><th>Deviation score</th></tr></thead><tbody>${e.topAttributes
        .map((a) => `<tr><td>${esc(a.attribute)}</td><td>${esc(typeof a.value === 'number' ? fmtNum(a.value, 3) : a.value)}</td><td>${esc(typeof a.normal === 'number' ? fmtNum(a.normal, 3) : a.normal)}</td><td>${fmtNum(a.score, 3)}</td></tr>`)
        .join('')}</tbody></table>`
    : '<p class="muted small">No object attribute stood out (the event rests on unexplained motion in the frame).</p>';
  const paths = e.trajectories.length
    ? `<ul>${e.trajectories.map((t) => `<li>Track #${t.trackId}: ${esc(t.summary.text)}</li>`).join('')}</ul>`
    : '';
  const notes = e.notes.length
    ? `<h4>Analyst notes</h4><ul>${e.notes.map((n) => `<li><b>${esc(n.title || capitalise(n.kind))}</b>${n.frame !== null ? ` (frame ${n.frame}${n.time !== null ? `, ${fmtTime(n.time)}` : ''})` : ''}: ${esc(n.body)} <span class="muted small">${fmtDate(n.createdAt)}</span></li>`).join('')}</ul>`
    : '';
  return `<section class="event${first ? ' first' : ''}">
<div class="event-head"><h2>${esc(e.label)} — ${esc(capitalise(e.displayCategory ?? 'uncategorised anomaly'))}</h2><span>${badge(e.reviewState, reviewLabel[e.reviewState])}</span></div>
${kvTable([
  ['Exhibit', `${esc(e.exhibit)} — ${esc(m.exhibits.find((x) => x.evidenceId === e.evidenceId)?.fileName ?? '')}`],
  ['Time in footage', `${timeRange(e.startTime, e.endTime)} (${fmtNum(e.endTime - e.startTime, 2)} s)`],
  ['Frames', `${e.startFrame} – ${e.endFrame}; peak at frame ${e.peakFrame} (${fmtTime(e.peakTime)})`],
  ['Peak anomaly score / confidence', `${fmtNum(e.peakScore, 3)} / ${fmtPct(e.confidence)}`],
  ['Category', e.category ? esc(e.category) : e.displayCategory ? `${esc(e.displayCategory)} <span class="muted small">(from the reasoning; the analysis stored no category)</span>` : 'Not categorised'],
  ['Objects involved', tracks.length ? tracks.join('; ') : 'None (unexplained motion)'],
  ['Analyst review', `${badge(e.reviewState, e.reviewState)}${e.reviewedAt ? ` on ${fmtDate(e.reviewedAt)}` : ''}${e.reviewNote ? `<br>${esc(e.reviewNote)}` : ''}`],
  ['Event ID', `<span class="mono">${esc(e.id)}</span> (analysis <span class="mono">${esc(e.analysisId)}</span>)`],
])}
<div class="stills">${peak ? `<div class="main">${keyframeFigure(e, peak, fig)}</div>` : ''}${others.length ? `<div class="side">${others.map((k) => keyframeFigure(e, k, fig)).join('')}</div>` : ''}</div>
<h3>Reasoning</h3>${reasoning}
<h4>Measured attributes</h4>${attrs}
${paths ? `<h4>Paths</h4>${paths}` : ''}
${notes}
</section>`;
}

function heatLegend(): string {
  const stops = HEAT_ANCHORS.map((a) => `rgb(${a.rgb.join(',')}) ${a.at * 100}%`).join(', ');
  return `<span class="legend"><span>Heat: score 0<span class="heat-ramp" style="background:linear-gradient(to right, ${stops})"></span>1</span><span>Boxes: <b>#track label score</b> for the event's objects (in colour), other objects in grey</span><span>Path: solid up to the frame shown, dashed after; dot = first seen</span></span>`;
}

function eventsSection(m: ReportModel, n: number, fig: { n: number }): string {
  if (!m.events.length) return '';
  return `<h2 class="section">${n}. Events</h2>
<p class="lead">Each event is shown at its start, peak and end (the analysed frames nearest to them), with the analysis drawn into the still. Stills of small footage are enlarged by whole-pixel repetition; nothing is interpolated or enhanced. The frame SHA-256 under each still identifies the decoded source frame (see Method notes).</p>
${heatLegend()}
${m.events.map((e, i) => eventSection(m, e, fig, i === 0)).join('')}`;
}

function notesSection(m: ReportModel, n: number): string {
  if (!m.otherNotes.length) return '';
  const ex = (id: string | null) => (id ? m.exhibits.find((x) => x.evidenceId === id)?.label ?? id : '—');
  return `<h2>${n}. Other notes and bookmarks</h2>
<table class="compact"><thead><tr><th>Kind</th><th>Exhibit</th><th>Frame / time</th><th>Title</th><th>Text</th><th>Added</th></tr></thead><tbody>
${m.otherNotes.map((x) => `<tr><td>${esc(x.kind)}</td><td>${esc(ex(x.evidenceId))}</td><td>${x.frame ?? '—'}${x.time !== null ? ` / ${fmtTime(x.time)}` : ''}</td><td>${esc(x.title)}</td><td>${esc(x.body)}</td><td>${fmtDate(x.createdAt)}</td></tr>`).join('')}
</tbody></table>`;
}

function transcriptSection(m: ReportModel, n: number): string {
  if (!m.transcript) return '';
  const exhibitLabel = (id: string) => m.exhibits.find((x) => x.evidenceId === id)?.label ?? id;
  if (!m.transcript.length) return `<h2 class="section">${n}. Chat transcript</h2><p>No questions have been asked about this case.</p>`;
  return `<h2 class="section">${n}. Chat transcript</h2>
<p class="lead">Questions asked about the footage and Vigil's answers, verbatim. Answers cite the exhibit, time and frame they rest on; questions Vigil could not answer from the analysis were declined.</p>
${m.transcript.map((c) => `<h3>${esc(c.title)} <span class="muted small">${fmtDate(c.createdAt)}</span></h3>
${c.messages.map((msg) => `<div class="msg ${msg.role}"><div class="who">${msg.role === 'user' ? 'Analyst' : 'Vigil'}${msg.refused ? ' — declined' : ''} <span class="muted">${fmtDate(msg.createdAt)}</span></div>${esc(msg.text)}${msg.citations.length ? `<div>${msg.citations.map((ct) => citation(ct, exhibitLabel)).join('')}</div>` : ''}</div>`).join('')}`).join('')}`;
}

function auditSection(m: ReportModel, n: number): string {
  const a = m.audit;
  const chain = a.chain.ok
    ? `<p>${badge('match', 'chain intact')} The hash chain of the whole audit log (${a.chain.rows} rows) verified when this report was generated.</p>`
    : `<div class="box alert"><b>The audit log's hash chain is broken at row ${a.chain.firstBadSeq}.</b> Rows from there on may have been altered, removed or inserted outside Vigil.</div>`;
  const shown = a.rows.length < a.total ? `The ${a.rows.length} most recent of ${a.total} rows for this case are shown.` : `All ${a.total} rows for this case are shown.`;
  const details = (d: Record<string, unknown>) => {
    const s = JSON.stringify(d);
    return s.length > 220 ? `${s.slice(0, 219)}…` : s;
  };
  return `<h2 class="section">${n}. Audit log extract</h2>
${chain}
<p class="lead">Every change to the case is appended to a hash-chained log: each row's hash covers its content and the previous row's hash. ${shown} The export of this report is recorded as the next row (action <span class="mono">report.export</span>, with this PDF's SHA-256).${a.head ? ` Log head at generation: row ${a.head.seq}, hash <span class="hash">${esc(a.head.hash)}</span>.` : ''}</p>
<table class="audit"><thead><tr><th>Row</th><th>Time (UTC)</th><th>Action</th><th>Subject</th><th>Details</th><th>Hash</th></tr></thead><tbody>
${a.rows.map((r) => `<tr><td>${r.seq}</td><td>${esc(r.at.slice(0, 19).replace('T', ' '))}</td><td>${esc(r.action)}</td><td class="mono">${esc(r.subject ?? '')}</td><td class="details">${esc(details(r.details))}</td><td class="mono">${esc(r.hash.slice(0, 12))}…</td></tr>`).join('')}
</tbody></table>`;
}

function methodSection(m: ReportModel, n: number, manifestSha256: string): string {
  return `<h2>${n}. Method notes and integrity</h2>
<h4>Times and frames</h4>
<p>Times are positions in the footage (HH:MM:SS.mmm from the first frame), taken from each frame's presentation timestamp as stated under "Timing source" for each exhibit. Frame numbers count decoded frames from 0.</p>
<h4>Frame hashes</h4>
<p>The frame SHA-256 under each still is the SHA-256 of the decoded frame as packed RGB24 bytes (width × height × 3, top row first, no padding) at the footage's display resolution, before enlargement and before anything is drawn on it. It can be recomputed from the original, for frame K, with:</p>
<p class="mono">${esc(FRAME_HASH_COMMAND)}</p>
<p>The value depends on the decoder and on the YUV-to-RGB conversion, so it reproduces with the same ffmpeg build as Vigil's. The SHA-256 of the original file remains the integrity anchor.</p>
<h4>Embedded manifest</h4>
<p>This PDF carries a machine-readable manifest as an embedded file, <span class="mono">${MANIFEST_NAME}</span> (open the attachments pane of a PDF reader, or run <span class="mono">pdfdetach -saveall</span>). It lists the case, every exhibit's hash and metadata, each analysis' parameters and models with their hashes, each reported event with its review state and still hashes, and the audit-log head. It is canonical JSON (keys sorted); its SHA-256 is</p>
<p class="hash">${esc(manifestSha256)}</p>
<p>The SHA-256 of this PDF file itself is recorded in the case's audit log when the report is exported.</p>`;
}

export function renderReportHtml(t: TemplateInput): string {
  const m = t.model;
  const fig = { n: 1 };
  let n = 1;
  const sections = [
    header(m, t.manifestSha256),
    warningsBox(m),
    summarySection(m, n++),
    aiStatement(m, n++),
    exhibitsSection(m, n++),
    processingSection(m, n++),
  ];
  const timeline = timelineSection(m, n, t, fig);
  if (timeline) {
    sections.push(timeline);
    n++;
  }
  const events = eventsSection(m, n, fig);
  if (events) {
    sections.push(events);
    n++;
  }
  for (const f of [notesSection, transcriptSection]) {
    const s = f(m, n);
    if (s) {
      sections.push(s);
      n++;
    }
  }
  sections.push(auditSection(m, n++));
  sections.push(methodSection(m, n++, t.manifestSha256));
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<title>${esc(`Vigil report — ${m.case.name}`)}</title>
<style>${CSS}</style></head>
<body>${sections.join('\n')}</body></html>`;
}

/** Running header and footer, and margins, for the printer. */
export function printOptions(m: ReportModel, manifestSha256: string): Omit<PrintOptions, 'signal'> {
  const style = `font-family:${FONT.replace(/"/g, "'")};font-size:7pt;color:#5b6470;width:100%;margin:0 16mm;display:flex;justify-content:space-between;`;
  return {
    title: `Vigil report — ${m.case.name}`,
    headerTemplate: `<div style="${style}border-bottom:0.5pt solid #c8ccd2;padding-bottom:2pt;"><span>Vigil · Forensic video analysis report</span><span>Case: ${esc(m.case.name)}</span><span>${esc(m.reportId)}</span></div>`,
    footerTemplate: `<div style="${style}"><span>Generated ${esc(fmtDate(m.generatedAt))} · Vigil ${esc(m.vigilVersion)} · manifest ${esc(manifestSha256.slice(0, 16))}…</span><span>Page <span class="pageNumber"></span> of <span class="totalPages"></span></span></div>`,
    marginsMm: { top: 18, right: 16, bottom: 16, left: 16 },
  };
}
