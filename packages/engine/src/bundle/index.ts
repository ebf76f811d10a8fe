/** Case bundles (`.vigilcase`): export a case with its rows, files and audit extract; import with verification. */
export { exportCaseBundle, type ExportOptions, type ExportResult } from './export.js';
export { importCaseBundle, type ImportBundleOptions, type ImportBundleResult } from './import.js';
export { BUNDLE_FORMAT, BUNDLE_VERSION, ManifestSchema, type Manifest } from './format.js';
export { caseTables, type CaseTable } from './case-rows.js';
