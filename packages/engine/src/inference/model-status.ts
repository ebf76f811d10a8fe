/** Every known model with provenance, integrity and the provider it would run on (CLI and API). */
import { planExecutionProviders, type EpName, type EpSetting } from './execution-providers.js';
import { ModelRegistry } from './registry.js';

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

export function listModelStatus(ep: EpSetting = 'auto', requireEp = false, root?: string): { root: string; models: ModelListItem[] } {
  const registry = new ModelRegistry(root);
  const plan = planExecutionProviders(ep, requireEp);
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
