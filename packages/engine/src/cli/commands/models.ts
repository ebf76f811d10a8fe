/** `vigil models list`: every known model, its provenance, integrity and the provider it would run on. */
import type { ParsedArgs } from '../args.js';
import { planExecutionProviders } from '../../inference/execution-providers.js';
import type { EpName, EpSetting } from '../../inference/execution-providers.js';
import { ModelRegistry } from '../../inference/registry.js';
import { VigilError } from '../../errors.js';

export interface ModelListItem {
  name: string;
  task: string | null;
  description: string | null;
  source: string | null;
  upstream: string | null;
  licence: string | null;
  sha256: string | null;
  bytes: number | null;
  status: 'built' | 'missing' | 'corrupt';
  problem?: string;
  ep: EpName;
  dir: string;
}

/** `--ep auto|cpu|cuda|...|a,b` as an EP setting. */
export function epFlag(args: ParsedArgs): EpSetting {
  const raw = args.flags.ep;
  if (raw === undefined) return 'auto';
  if (typeof raw !== 'string' || !raw) throw new VigilError('invalid_input', '--ep needs a value: auto, cpu, cuda, dml, coreml or a comma-separated list.');
  if (raw === 'auto') return 'auto';
  return raw.split(',').map((s) => s.trim()) as EpName[];
}

export async function runModelsList(args: ParsedArgs): Promise<{ root: string; models: ModelListItem[] }> {
  const registry = new ModelRegistry(typeof args.flags['models-dir'] === 'string' ? args.flags['models-dir'] : undefined);
  const plan = planExecutionProviders(epFlag(args), args.flags['require-ep'] === true);
  const models = registry.list().map((e): ModelListItem => ({
    name: e.name,
    task: e.manifest?.task ?? null,
    description: e.manifest?.description ?? null,
    source: e.manifest ? `${e.manifest.source.package}@${e.manifest.source.version}` : null,
    upstream: e.manifest?.source.upstream ?? null,
    licence: e.manifest?.licence ?? null,
    sha256: e.manifest?.onnx.sha256 ?? null,
    bytes: e.manifest?.onnx.bytes ?? null,
    status: e.status,
    ...(e.problem ? { problem: e.problem } : {}),
    ep: plan.providers[0],
    dir: e.dir,
  }));
  return { root: registry.root, models };
}
