/**
 * `vigil case export` and `vigil case import`: case bundles (.vigilcase) from the command line.
 *
 *   vigil case export --db PATH --case ID --out FILE.vigilcase [--include-evidence] [--force] [--json]
 *   vigil case import --db PATH FILE.vigilcase [--evidence-dir DIR] [--json]
 */
import { resolve } from 'node:path';
import { defaultWorkDir } from '../../api/engine.js';
import { exportCaseBundle, type ExportResult } from '../../bundle/export.js';
import { importCaseBundle, type ImportBundleResult } from '../../bundle/import.js';
import { VigilError, type ProgressFn } from '../../errors.js';
import { openDatabase } from '../../store/db.js';
import { flag, requireFlag, type ParsedArgs } from '../args.js';

/** Ctrl-C cancels cleanly (temporary files removed, nothing half-imported). */
async function withInterrupt<T>(run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSig = () => controller.abort();
  process.once('SIGINT', onSig);
  try {
    return await run(controller.signal);
  } finally {
    process.off('SIGINT', onSig);
  }
}

export async function runCaseExport(args: ParsedArgs, progress?: ProgressFn): Promise<ExportResult> {
  const dbPath = resolve(requireFlag(args, 'db', 'path of the case database file'));
  const caseId = requireFlag(args, 'case', 'the case id');
  const out = requireFlag(args, 'out', 'the bundle file to write, e.g. case.vigilcase');
  const db = openDatabase(dbPath);
  try {
    return await withInterrupt((signal) =>
      exportCaseBundle(db, { caseId, outPath: out, includeEvidence: args.flags['include-evidence'] === true, overwrite: args.flags.force === true, onProgress: progress, signal }),
    );
  } finally {
    db.close();
  }
}

export async function runCaseImport(args: ParsedArgs, progress?: ProgressFn): Promise<ImportBundleResult> {
  const dbPath = resolve(requireFlag(args, 'db', 'path of the case database file'));
  const bundle = args.positionals[0] ?? flag(args, 'in');
  if (!bundle) throw new VigilError('invalid_input', 'Give the bundle to import: vigil case import --db PATH FILE.vigilcase');
  const evidenceDir = flag(args, 'evidence-dir');
  const db = openDatabase(dbPath);
  try {
    return await withInterrupt((signal) =>
      importCaseBundle(db, { bundlePath: bundle, workDir: defaultWorkDir(dbPath), evidenceDirs: evidenceDir ? [evidenceDir] : [], onProgress: progress, signal }),
    );
  } finally {
    db.close();
  }
}
