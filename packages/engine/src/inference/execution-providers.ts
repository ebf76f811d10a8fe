/**
 * Which onnxruntime execution providers this machine can use, and which to try for a setting.
 * An accelerator counts as available only when the onnxruntime-node build has it *and* its provider
 * library is present (the npm package lists CUDA even where its shared libraries are not installed,
 * and trying it then only logs native errors).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { VigilError } from '../errors.js';

export const KNOWN_EPS = ['cuda', 'dml', 'coreml', 'cpu'] as const;
export type EpName = (typeof KNOWN_EPS)[number];
/** `auto` = best available accelerator, else CPU. */
export type EpSetting = 'auto' | EpName | EpName[];

/** Preference order for `auto`. */
const AUTO_ORDER: EpName[] = ['cuda', 'dml', 'coreml', 'cpu'];

function providerLibraryPresent(ep: string): boolean {
  try {
    const require = createRequire(import.meta.url);
    const pkgDir = path.dirname(require.resolve('onnxruntime-node/package.json'));
    const dir = path.join(pkgDir, 'bin', 'napi-v6', process.platform, process.arch);
    const lib = process.platform === 'win32' ? `onnxruntime_providers_${ep}.dll` : `libonnxruntime_providers_${ep}.so`;
    return existsSync(path.join(dir, lib));
  } catch {
    return false;
  }
}

let cached: EpName[] | undefined;

/** Execution providers that can actually run here, CPU always last. */
export function availableExecutionProviders(): EpName[] {
  if (cached) return cached;
  const listed = ort.listSupportedBackends();
  const out: EpName[] = [];
  for (const ep of AUTO_ORDER) {
    if (ep === 'cpu') continue;
    const b = listed.find((x) => x.name === ep);
    if (b && (b.bundled || providerLibraryPresent(ep))) out.push(ep);
  }
  out.push('cpu');
  cached = out;
  return out;
}

export interface EpPlan {
  /** Providers to try, in order. */
  providers: EpName[];
  warnings: string[];
}

/**
 * Providers to try for a setting. Unavailable providers the user asked for are dropped with a warning
 * (falling back to CPU), or refused outright when `require` is set.
 */
export function planExecutionProviders(setting: EpSetting, require = false, available = availableExecutionProviders()): EpPlan {
  if (setting === 'auto') return { providers: AUTO_ORDER.filter((e) => available.includes(e)), warnings: [] };
  const wanted = Array.isArray(setting) ? setting : [setting];
  if (!wanted.length) throw new VigilError('invalid_input', 'The execution provider list is empty.');
  for (const ep of wanted) {
    if (!(KNOWN_EPS as readonly string[]).includes(ep)) {
      throw new VigilError('invalid_input', `Unknown execution provider "${ep}" (known: ${KNOWN_EPS.join(', ')}, or auto).`);
    }
  }
  const usable = wanted.filter((e) => available.includes(e));
  const missing = wanted.filter((e) => !available.includes(e));
  if (missing.length && require) {
    throw new VigilError(
      'model_error',
      `Execution provider ${missing.map((m) => `"${m}"`).join(', ')} is not available on this machine (available: ${available.join(', ')}).`,
      { missing, available },
    );
  }
  const warnings = missing.map((m) => `Execution provider "${m}" is not available on this machine; using ${usable[0] ?? 'cpu'} instead.`);
  if (!usable.includes('cpu')) usable.push('cpu');
  return { providers: usable, warnings };
}
