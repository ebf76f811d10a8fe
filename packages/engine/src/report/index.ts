/** Case reports: PDF export with an embedded manifest (see export.ts), and the record of exported reports. */
export { exportReport, checkOutputPath, type ExportReportOptions, type ExportReportResult } from './export.js';
export { runReportJob, ReportJobParams } from './job.js';
export { ChromiumPrinter, chromiumPath, electronPrintOptions, type PdfPrinter, type PrintOptions } from './printer.js';
export { listReports, getReport, checkReportFile, type ReportRecord } from './records.js';
export { MANIFEST_NAME, type ReportManifest } from './manifest.js';
export { FRAME_HASH_COMMAND } from './keyframes.js';
export type { ReasoningSource, ReportReasoning, ReportConversation } from './reasoning-source.js';
