/** `vigil models list`: every known model, its provenance, integrity and the provider it would run on. */
import type { ParsedArgs } from '../args.js';
import type { EpName, EpSetting } from '../../inference/execution-providers.js';
import { listModelStatus, type ModelListItem } from '../../inference/model-status.js';
import { VigilError } from '../../errors.js';

/** `--ep auto|cpu|cuda|...|a,b` as an EP setting. */
export function epFlag(args: ParsedArgs): EpSetting {
  const raw = args.flags.ep;
  if (raw === undefined) return 'auto';
  if (typeof raw !== 'string' || !raw) throw new VigilError('invalid_input', '--ep needs a value: auto, cpu, cuda, dml, coreml or a comma-separated list.');
  if (raw === 'auto') return 'auto';
  return raw.split(',').map((s) => s.trim()) as EpName[];
}

export async function runModelsList(args: ParsedArgs): Promise<{ root: string; models: ModelListItem[] }> {
  return listModelStatus(epFlag(args), args.flags['require-ep'] === true, typeof args.flags['models-dir'] === 'string' ? args.flags['models-dir'] : undefined);
}


